import { createHub } from "../lambdas/composition.js";
import type { Route } from "../lambdas/http/api.js";
import { hubRoutes } from "../lambdas/http/routes.js";

/** A route of the hub as API Gateway needs it: the method, the path template and who may call it. */
export interface ApiRoute {
  method: Route["method"];
  path: string;
  auth: NonNullable<Route["auth"]>;
}

/**
 * The hub's routes, read from the one route table the hub serves (`hubRoutes`), so the HTTP API
 * can never list a route the hub lacks or miss one it has. The table is built on a hub that is
 * never called: no request leaves it and its DynamoDB client is closed at once.
 */
export function apiRoutes(): ApiRoute[] {
  const hub = createHub({ inventory: { tableName: "radial" }, hubUrl: "https://hub.invalid", adminTokenHash: "", env: {} });
  try {
    return hubRoutes(hub.context).map(({ method, path, auth }) => ({ method, path, auth: auth ?? "admin" }));
  } finally {
    hub.close();
  }
}
