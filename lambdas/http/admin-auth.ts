import { bearerToken, tokenMatches } from "../inventory/token.js";
import type { ApiRequest } from "./api.js";
import { HttpError } from "./http-error.js";

/** Operators authenticate with the admin bearer token; everything else gets 401 saying what to send. */
export function adminAuthenticator(adminTokenHash: string) {
  return (request: Omit<ApiRequest, "params">): void => {
    const token = bearerToken(request.headers);
    if (token === undefined) {
      throw new HttpError("unauthorized", "missing credentials: send 'Authorization: Bearer <admin token>' (the CLI reads RADIAL_TOKEN)");
    }
    if (tokenMatches(token, adminTokenHash)) return;
    if (token.startsWith("rdl_agent_")) throw new HttpError("unauthorized", "an agent token cannot call operator APIs; use the admin token");
    throw new HttpError("unauthorized", "the bearer token is not the admin token");
  };
}
