import type { z } from "zod";
import { echo, parseWith } from "../../contract/index.js";
import type { ApiRequest } from "./api.js";
import { HttpError } from "./http-error.js";

const JSON_TYPES = ["application/json", "application/merge-patch+json"];

/** Refuses a body not declared as JSON (415); an undeclared type is taken to be JSON. */
export function requireJson(request: ApiRequest, what: string): void {
  const type = (request.headers["content-type"] ?? "application/json").split(";")[0]!.trim().toLowerCase();
  if (!JSON_TYPES.includes(type)) throw new HttpError("unsupported_media_type", `${what} must be sent as application/json, not ${echo(type)}`);
}

/** Parses a JSON request body against `schema`, refusing wrong media types and naming bad fields. */
export function parseBody<S extends z.ZodType>(request: ApiRequest, schema: S, what: string): z.infer<S> {
  requireJson(request, what);
  let json: unknown;
  try {
    json = JSON.parse(request.body);
  } catch (error) {
    throw new HttpError("bad_request", `${what} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = parseWith(schema, json, what);
  if (!parsed.ok) throw new HttpError("validation_failed", parsed.message, { problems: parsed.problems });
  return parsed.value;
}
