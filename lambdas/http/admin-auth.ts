import { bearerToken, tokenMatches } from "../inventory/token.js";
import type { ApiRequest } from "./api.js";
import { HttpError } from "./http-error.js";

/**
 * How operators prove who they are: the admin bearer token (the embedded hub), or on AWS a SigV4
 * signature that API Gateway's IAM authorizer verified before the request reached the hub.
 */
export type AdminAuth = { mode: "token"; tokenHash: string } | { mode: "iam" };

/** Checks an admin route's request; anything else gets 401 saying what to send. */
export function adminAuthenticator(auth: AdminAuth): (request: Omit<ApiRequest, "params">) => void {
  return auth.mode === "iam" ? iamAuthenticated : tokenAuthenticator(auth.tokenHash);
}

function tokenAuthenticator(adminTokenHash: string) {
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

/**
 * The IAM authorizer guards every operator route of the HTTP API; a request that reaches an admin
 * route without its verdict (a route deployed without the authorizer) is refused, never trusted.
 */
function iamAuthenticated(request: Omit<ApiRequest, "params">): void {
  if (request.iamPrincipal) return;
  throw new HttpError(
    "unauthorized",
    "this hub authenticates operators with IAM: sign the request with SigV4 (radial does with your AWS credentials, --auth aws); an admin token is not accepted here",
  );
}
