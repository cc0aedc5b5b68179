// The signed-in operator's AWS side: the identity pool exchanges the user pool's ID token for
// temporary credentials of the console's IAM role (the SDK's fromCognitoIdentityPool), and every /v1
// call is signed with SigV4 for execute-api by the SDK's signer, as `radial --auth aws` signs its own.
import { fromCognitoIdentityPool } from "@aws-sdk/credential-provider-cognito-identity";
import { createIsIdentityExpiredFunction, doesIdentityRequireRefresh, memoizeIdentityProvider } from "@smithy/core";
import { Sha256 } from "@smithy/core/checksum";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsConsoleConfig } from "../../../contract/console-config.js";
import type { Authorizer } from "../api/client.js";
import { refreshIdToken, type UserTokens } from "./user-pool.js";

/** Credentials and ID tokens are renewed this long before they expire, so no request is signed with ones about to lapse. */
export const RENEW_BEFORE_MS = 60_000;

/** The refresh token is kept for the tab (sessionStorage), so a reload needs no new sign-in; the rest stays in memory. */
const REFRESH_KEY = "radial.cognito.refreshToken";

export function keptRefreshToken(): string | null {
  return sessionStorage.getItem(REFRESH_KEY);
}

export function forgetSession(): void {
  sessionStorage.removeItem(REFRESH_KEY);
}

/** Makes the error that sends the console back to sign-in (the page's own class: this script is built apart from it). */
export type Expired = (message: string) => Error;

/** The ID token, renewed with the refresh token when it is about to expire; `expired` when Cognito refuses to. */
function idTokens(config: AwsConsoleConfig, tokens: UserTokens, expired: Expired): () => Promise<string> {
  let current = { idToken: tokens.idToken, expiresAt: tokens.expiresAt };
  return async () => {
    if (current.expiresAt - Date.now() > RENEW_BEFORE_MS) return current.idToken;
    const renewed = await refreshIdToken(config, tokens.refreshToken);
    if (!renewed) {
      forgetSession();
      throw expired("The sign-in has expired: sign in again.");
    }
    current = renewed;
    return current.idToken;
  };
}

/** The query of a path as the signer takes it: repeated names as lists. */
function queryOf(url: URL): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of url.searchParams) {
    const previous = query[name];
    query[name] = previous === undefined ? value : ([] as string[]).concat(previous, value);
  }
  return query;
}

/**
 * Signs each request for the HTTP API's own host (config.apiHost), not this page's: CloudFront
 * forwards /v1/* there with that Host, and API Gateway's IAM authorizer checks the signature as if
 * the browser had called it directly. `tokens` may have expired (a reload): the refresh token renews them.
 */
export function awsAuthorizer(config: AwsConsoleConfig, tokens: UserTokens, expired: Expired): Authorizer {
  sessionStorage.setItem(REFRESH_KEY, tokens.refreshToken);
  const credentials = memoizeIdentityProvider(
    fromCognitoIdentityPool({
      identityPoolId: config.identityPoolId,
      logins: { [`cognito-idp.${config.region}.amazonaws.com/${config.userPoolId}`]: idTokens(config, tokens, expired) },
      clientConfig: { region: config.region },
    }),
    createIsIdentityExpiredFunction(RENEW_BEFORE_MS),
    doesIdentityRequireRefresh,
  );
  const signer = new SignatureV4({ service: "execute-api", region: config.region, credentials: credentials!, sha256: Sha256 });
  return async (method, path, headers) => {
    const url = new URL(path, location.origin);
    const signed = await signer.sign({
      method,
      protocol: "https:",
      hostname: config.apiHost,
      path: url.pathname,
      query: queryOf(url),
      headers: { ...headers, host: config.apiHost },
    });
    // The browser sets Host itself (to this page's host, which CloudFront replaces with the API's).
    const { host: _host, ...sent } = signed.headers;
    return sent;
  };
}
