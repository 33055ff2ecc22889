import diagnostics from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface CloudRequests {
  reads: number;
  writes: number;
  /** GETs of ARM async-operation URLs made by the SDK's LRO pollers inside activities. */
  lroPolls: number;
}

/**
 * Counts every HTTP request the in-process emulators receive, at the HTTP level (Node's
 * "http.server.request.start" diagnostics channel fires for http and https servers alike), so the
 * emulators need no counter of their own. Requests to /admin (the bench's own) are left out.
 */
export class RequestCounter {
  private readonly counts = new Map<number, CloudRequests>();
  private readonly listener = (message: unknown) => {
    const { request, server } = message as { request: IncomingMessage; server: { address(): AddressInfo | string | null } };
    const address = server.address();
    const port = typeof address === "object" && address !== null ? address.port : undefined;
    const c = port === undefined ? undefined : this.counts.get(port);
    if (!c || (request.url ?? "").startsWith("/admin")) return;
    if (request.method !== "GET") c.writes++;
    else if (/\/(operations|operationResults)\//.test(request.url ?? "")) c.lroPolls++;
    else c.reads++;
  };

  constructor(ports: number[]) {
    for (const port of ports) this.counts.set(port, { reads: 0, writes: 0, lroPolls: 0 });
    diagnostics.subscribe("http.server.request.start", this.listener);
  }

  of(port: number): CloudRequests {
    return { ...(this.counts.get(port) ?? { reads: 0, writes: 0, lroPolls: 0 }) };
  }

  reset(): void {
    for (const c of this.counts.values()) Object.assign(c, { reads: 0, writes: 0, lroPolls: 0 });
  }

  close(): void {
    diagnostics.unsubscribe("http.server.request.start", this.listener);
  }
}
