import * as z from "zod";
import type { HubContext } from "../hub-context.js";
import type { Route } from "./api.js";
import { clusterRoutes } from "./cluster-routes.js";
import { fleetRoutes } from "./fleet-routes.js";
import { generationRoutes } from "./generation-routes.js";
import { HttpError } from "./http-error.js";
import { openApiDocument } from "./openapi.js";
import { rebuildRoutes } from "./rebuild-routes.js";
import { statusRoutes } from "./status-routes.js";
import { agentWaitRoutes } from "./agent-wait-route.js";

const Health = z.strictObject({ status: z.literal("ok"), version: z.string() });

function systemRoutes(context: HubContext): Route[] {
  return [
    {
      method: "GET",
      path: "/healthz",
      summary: "Liveness and inventory reachability",
      auth: "none",
      responses: { 200: { description: "The hub and its inventory answer", schema: Health } },
      async handle() {
        try {
          await context.inventory.check();
        } catch (error) {
          throw new HttpError("unavailable", (error as Error).message);
        }
        return { status: 200, body: { status: "ok", version: context.version } };
      },
    },
    {
      method: "GET",
      path: "/metrics",
      summary: "Prometheus metrics of this hub process (the embedded hub; on AWS the metrics are in CloudWatch, namespace Radial)",
      auth: "none",
      responses: { 200: { description: "Prometheus text exposition format" }, 404: { description: "This hub's metrics are in CloudWatch" } },
      async handle() {
        if (!context.metrics.exposition) throw new HttpError("not_found", "this hub's metrics are in CloudWatch (namespace Radial), not served here");
        const { contentType, body } = await context.metrics.exposition();
        return { status: 200, headers: { "content-type": contentType }, body };
      },
    },
  ];
}

/** Queues a background run after an inventory change, when the hub generates at all. */
function inventoryChanged(context: HubContext): () => Promise<void> {
  return async () => {
    // The change is stored either way: a trigger that cannot be queued is logged by the service, and the next scheduled run covers it.
    if (context.generateOnChange) await context.generation?.trigger("inventory").catch(() => undefined);
  };
}

/** Every route of the hub, the API description included. */
export function hubRoutes(context: HubContext): Route[] {
  const routes = [
    ...systemRoutes(context),
    ...clusterRoutes(context.registry, inventoryChanged(context), (name) => context.rebuild.observe(name)),
    ...generationRoutes(context),
    ...statusRoutes(context),
    ...agentWaitRoutes(context),
    ...fleetRoutes(context.fleet),
    ...rebuildRoutes(context.rebuild),
  ];
  const describe: Route = {
    method: "GET",
    path: "/v1/openapi.json",
    summary: "This API's OpenAPI 3.1 description",
    auth: "none",
    responses: { 200: { description: "OpenAPI document" } },
    handle() {
      // Built at the first request, not at init: converting every schema to JSON Schema is most of
      // what a cold start would otherwise spend (docs/architecture.md, "Cold starts").
      document ??= openApiDocument(all, context.version);
      return { status: 200, body: document };
    },
  };
  const all = [...routes, describe];
  let document: ReturnType<typeof openApiDocument> | undefined;
  return all;
}
