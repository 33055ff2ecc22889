import { adoptionStatusRoute, adoptRoute } from "./adopt-http";
import { changeRoute } from "./change-http";
import { consoleRoute } from "./console-http";
import { defaultTriggerDeps } from "./default-deps";
import type { TriggerDeps } from "./deps";
import { registerRoutes, type ApiOperation, type ApiRoute } from "./http/api";
import { interconnectRoutes } from "./interconnects-http";
import { itsmRoutes } from "./itsm";
import { openApiRoute } from "./openapi";
import { planRoutes } from "./plans-http";
import { teardownRejectionsRoute } from "./teardown-rejections-http";

/**
 * Every REST route of the app, in one list: registered with the Functions host from here and
 * documented at GET /api/openapi.json from the same objects. A new route goes into this list (an
 * ApiRoute: handler + operation with its zod schemas and description); one registered with app.http
 * elsewhere is missing from the document, and test/functions/openapi.test.ts fails naming it.
 */
export function apiRoutes(getDeps: () => TriggerDeps = defaultTriggerDeps): ApiRoute[] {
  const documented: ApiOperation[] = [];
  const routes: ApiRoute[] = [
    ...interconnectRoutes(getDeps),
    changeRoute(getDeps),
    adoptRoute(getDeps),
    adoptionStatusRoute(getDeps),
    ...planRoutes(getDeps),
    teardownRejectionsRoute(getDeps),
    ...itsmRoutes(),
    consoleRoute(),
    openApiRoute(getDeps, () => documented),
  ];
  documented.push(...routes.map((r) => r.operation));
  return routes;
}

export function apiOperations(): ApiOperation[] {
  return apiRoutes().map((r) => r.operation);
}

export function registerApi(getDeps: () => TriggerDeps = defaultTriggerDeps): void {
  registerRoutes(apiRoutes(getDeps));
}
