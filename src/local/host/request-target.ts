/**
 * The request target as the client sent it, checked before node's URL parser sees it: WHATWG URL
 * resolves "%2e%2e" (and "\" in special schemes) as dot segments, so /api/x/%2e%2e/%2e%2e/runtime/...
 * would become a Durable management path. The Functions host routes on the path as sent; a path with
 * a dot segment or a malformed percent-encoding is refused here, before any routing.
 */
import { problem, type RawResponse } from "./http-types";

export function refuseTarget(target: string): RawResponse | undefined {
  const path = target.split("?")[0] ?? "";
  for (const segment of path.split(/[/\\]/)) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return problem(
        400,
        "The path has a malformed percent-encoding",
        `"${clip(segment)}" is not a valid percent-encoded UTF-8 path segment`,
      );
    }
    if (decoded === "." || decoded === "..") {
      return problem(400, "The path has a dot segment", `a path segment may not be "." or ".." (also when percent-encoded): ${clip(path)}`);
    }
  }
  return undefined;
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
