/**
 * Offset of the first syntax error in `text`, or undefined when it is valid JSON. V8's JSON.parse
 * omits the position for some errors ("Unexpected token ']', … is not valid JSON"), and the API
 * promises one, so this scanner (RFC 8259 grammar) finds it. Iterative, with its own stack of open
 * arrays and objects: the text is untrusted, and "[" × 30,000 must not overflow the call stack.
 */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const open: ("{" | "[")[] = [];
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i] as string)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    for (const ch of word) {
      if (text[i] !== ch) fail();
      i++;
    }
  };
  const string = () => {
    i++;
    for (;;) {
      const ch = text[i];
      if (ch === undefined || ch < " ") fail();
      if (ch === '"') return void i++;
      if (ch === "\\") {
        i++;
        const esc = text[i];
        if (esc === "u") {
          for (let k = 1; k <= 4; k++) {
            if (!/[0-9a-fA-F]/.test(text[i + k] ?? "")) {
              i += k;
              fail();
            }
          }
          i += 5;
        } else if (esc !== undefined && '"\\/bfnrt'.includes(esc)) i++;
        else fail();
      } else i++;
    }
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === "" || m[0] === "-") fail();
    i += (m as RegExpExecArray)[0].length;
  };
  /** A member's key and its colon; the value follows. */
  const key = () => {
    ws();
    if (text[i] !== '"') fail();
    string();
    ws();
    if (text[i] !== ":") fail();
    i++;
  };
  /** Reads one scalar, or opens a container: true when a whole value was read. */
  const valueStart = (): boolean => {
    ws();
    const ch = text[i];
    if (ch === "{" || ch === "[") {
      i++;
      ws();
      const close = ch === "{" ? "}" : "]";
      if (text[i] === close) {
        i++;
        return true;
      }
      open.push(ch);
      if (ch === "{") key();
      return false;
    }
    if (ch === '"') string();
    else if (ch === "t") literal("true");
    else if (ch === "f") literal("false");
    else if (ch === "n") literal("null");
    else if (ch === "-" || (ch !== undefined && ch >= "0" && ch <= "9")) number();
    else fail();
    return true;
  };
  try {
    for (;;) {
      if (!valueStart()) continue;
      // A value is complete: close what it completes, until a comma asks for the next value.
      for (;;) {
        ws();
        const top = open.at(-1);
        if (top === undefined) return i < text.length ? i : undefined;
        if (text[i] === ",") {
          i++;
          if (top === "{") key();
          break;
        }
        if (text[i] !== (top === "{" ? "}" : "]")) fail();
        i++;
        open.pop();
      }
    }
  } catch (offset) {
    return offset as number;
  }
}
