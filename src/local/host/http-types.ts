/** The host's own view of one HTTP exchange, independent of node:http. */
export interface RawRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: Buffer;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): RawResponse {
  return { status, headers: { "content-type": "application/json; charset=utf-8", ...headers }, body: JSON.stringify(value) };
}

/** RFC 9457 problem details, the format the app's own errors use (DESIGN.md). */
export function problem(status: number, title: string, detail: string): RawResponse {
  return {
    status,
    headers: { "content-type": "application/problem+json" },
    body: JSON.stringify({ type: "about:blank", title, status, detail }),
  };
}
