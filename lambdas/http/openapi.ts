import * as z from "zod";
import { ApiError } from "../../contract/index.js";
import type { Route } from "./api.js";

function jsonContent(schema: z.ZodType) {
  return { "application/json": { schema: z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) } };
}

const SECURITY = { agent: [{ agentToken: [] }], signature: [{ webhookSignature: [] }], none: [] };

/** The OpenAPI 3.1 description of `routes`, from the same zod schemas that validate requests. */
export function openApiDocument(routes: Route[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const parameters = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
    const responses = Object.fromEntries(
      Object.entries(route.responses).map(([status, r]) => [status, { description: r.description, ...(r.schema ? { content: jsonContent(r.schema) } : {}) }]),
    );
    responses.default = { description: "Error", content: jsonContent(ApiError) };
    (paths[route.path] ??= {})[route.method.toLowerCase()] = {
      summary: route.summary,
      ...(parameters.length ? { parameters } : {}),
      ...(route.requestBody ? { requestBody: { required: true, content: jsonContent(route.requestBody) } } : {}),
      ...(route.auth && route.auth !== "admin" ? { security: SECURITY[route.auth] } : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Radial hub API", version },
    components: {
      securitySchemes: {
        adminToken: { type: "http", scheme: "bearer", description: "The operators' admin token (`radial hub up` prints it once)" },
        agentToken: { type: "http", scheme: "bearer", description: "One cluster's agent token, from its registration or rotate-token" },
        webhookSignature: {
          type: "apiKey",
          in: "header",
          name: "X-Hub-Signature-256",
          description: "sha256=<HMAC-SHA256 of the body with RADIAL_WEBHOOK_SECRET>, as GitHub signs webhooks",
        },
      },
    },
    security: [{ adminToken: [] }],
    paths,
  };
}
