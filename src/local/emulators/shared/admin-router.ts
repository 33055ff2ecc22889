import type { ItsmFaultState } from "../itsm/faults";
import { parseJson, type Reply, type Request } from "../itsm/http";

export interface AdminRoutes {
  /** GET /admin/state. */
  snapshot(): unknown;
  /** POST /admin/reset. */
  reset(): void;
  /** GET, PUT (replace) and PATCH (merge) /admin/faults. */
  faults: ItsmFaultState;
  /** The emulator's own routes (`route` is "METHOD /path" without a trailing slash); undefined = not one of them. */
  more?(route: string, body: unknown): Reply | undefined;
}

/**
 * The /admin router the ITSM emulators (ServiceNow, Jira) share: state, reset and faults, then the
 * emulator's own seeding routes. A thrown error is a 400 with its message; an unknown route a 404.
 */
export function adminRouter(routes: AdminRoutes): (req: Request) => Reply {
  return (req) => {
    const route = `${req.method} ${req.url.pathname.replace(/\/+$/, "")}`;
    const body = parseJson(req.body);
    try {
      switch (route) {
        case "GET /admin/state":
          return { status: 200, body: routes.snapshot() };
        case "POST /admin/reset":
          routes.reset();
          return { status: 200, body: { reset: true } };
        case "GET /admin/faults":
          return { status: 200, body: routes.faults.current };
        case "PUT /admin/faults":
          routes.faults.set((body ?? {}) as object);
          return { status: 200, body: routes.faults.current };
        case "PATCH /admin/faults":
          routes.faults.update((body ?? {}) as object);
          return { status: 200, body: routes.faults.current };
      }
      const reply = routes.more?.(route, body);
      if (reply) return reply;
    } catch (err) {
      return { status: 400, body: { error: (err as Error).message } };
    }
    return { status: 404, body: { error: `no admin route ${route}` } };
  };
}
