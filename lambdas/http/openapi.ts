import { z } from "zod";
import { ApiError } from "../../contract/index.js";
import type { Route } from "./api.js";

function jsonContent(schema: z.ZodType) {
  return { "application/json": { schema: z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) } };
}

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
      ...(route.public ? { security: [] } : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Radial hub API", version },
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    security: [{ bearer: [] }],
    paths,
  };
}
