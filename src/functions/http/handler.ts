import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import type { TriggerDeps } from "../deps";
import { errorResponse } from "./problem";

export type Handler = (req: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

/** Every route answers problem+json for whatever it throws; deps are resolved per request, so a bad setting is a 500, not a crash. */
export function guarded<D extends TriggerDeps>(
  getDeps: () => D,
  run: (req: HttpRequest, context: InvocationContext, deps: D) => Promise<HttpResponseInit>,
): Handler {
  return async (req, context) => {
    const instance = new URL(req.url).pathname;
    try {
      return await run(req, context, getDeps());
    } catch (err) {
      return errorResponse(err, instance, (m) => context.error(m));
    }
  };
}

export function nextLink(requestUrl: string, continuationToken: string): string {
  const url = new URL(requestUrl);
  url.searchParams.set("continuationToken", continuationToken);
  return url.toString();
}

/** The body of every paged route: the items, the raw token, and the same request with that token. */
export function pageBody<T>(
  requestUrl: string,
  page: { items: T[]; continuationToken?: string },
): { items: T[]; continuationToken: string | null; nextLink: string | null } {
  return {
    items: page.items,
    continuationToken: page.continuationToken ?? null,
    nextLink: page.continuationToken ? nextLink(requestUrl, page.continuationToken) : null,
  };
}
