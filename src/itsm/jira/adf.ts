/** Atlassian Document Format: REST v3 comment bodies are documents, not strings. */
export interface AdfNode {
  type: string;
  text?: string;
  content?: AdfNode[];
  [key: string]: unknown;
}

/** One paragraph per block of text, lines within a block joined by hard breaks. */
export function adfDocument(text: string): AdfNode & { version: 1 } {
  const paragraphs = text.split(/\n{2,}/).map((block) => ({
    type: "paragraph",
    content: block
      .split("\n")
      .flatMap((line, i) => [...(i > 0 ? [{ type: "hardBreak" }] : []), ...(line ? [{ type: "text", text: line }] : [])]),
  }));
  return { type: "doc", version: 1, content: paragraphs };
}

/** The plain text of a document (v3) or a wiki-markup string (v2), depth-bounded: bodies come from outside. */
export function adfText(body: unknown, depth = 0): string {
  if (typeof body === "string") return body;
  if (depth > 20 || typeof body !== "object" || body === null) return "";
  const node = body as AdfNode;
  const own = typeof node.text === "string" ? node.text : "";
  const children = Array.isArray(node.content)
    ? node.content.map((c) => adfText(c, depth + 1)).join(node.type === "doc" ? "\n\n" : "")
    : "";
  return own + children + (node.type === "hardBreak" ? "\n" : "");
}
