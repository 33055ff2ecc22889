/**
 * How deep untrusted JSON may nest. Our inputs (a spec, a queue message) nest a few levels; deeper
 * text is refused before it is parsed, so no later step (validation, sanitising, JSON.stringify,
 * all recursive) can meet a structure deep enough to overflow the stack.
 */
export const MAX_JSON_NESTING = 64;

/** Offset of the first "[" or "{" that opens more than `limit` levels (outside strings), if any. */
export function tooDeepAt(text: string, limit: number = MAX_JSON_NESTING): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++;
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > limit) return i;
    } else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return undefined;
}

/** 1-based line and column of an offset, as people read text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: before.split("\n").length, column: offset - before.lastIndexOf("\n") };
}

/** The sentence for a rejection: where the text first nests deeper than the limit. */
export function tooDeepMessage(what: string, text: string, offset: number): string {
  const { line, column } = lineColumn(text, offset);
  return `${what} is nested too deeply: more than ${MAX_JSON_NESTING} levels of arrays and objects (at line ${line}, column ${column}).`;
}
