import * as z from "zod";

/** Where the console looks for its configuration: beside its own files, on its own origin. */
export const CONSOLE_CONFIG_PATH = "/config.json";

/**
 * The console's configuration on AWS, written by the stack beside the console's files
 * (infra/console-hosting.ts): which Cognito user pool its operators sign in to, which identity pool
 * turns their ID token into temporary AWS credentials, and the HTTP API's own host, for which the
 * console signs its `/v1` calls (CloudFront passes them on to that host unchanged).
 */
export const AwsConsoleConfig = z.strictObject({
  auth: z.literal("aws"),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "an AWS region such as eu-west-1"),
  userPoolId: z.string().regex(/^[\w-]+_[0-9a-zA-Z]+$/, "a user pool id such as eu-west-1_AbC123"),
  userPoolClientId: z.string().regex(/^[\w+]+$/),
  identityPoolId: z.string().regex(/^[\w-]+:[0-9a-f-]+$/, "an identity pool id such as eu-west-1:<uuid>"),
  apiHost: z.string().regex(/^[a-z0-9.-]+$/, "a host name"),
});
export type AwsConsoleConfig = z.infer<typeof AwsConsoleConfig>;

/** The embedded hub's: the operator signs in with the hub's admin token (lambdas/local/console-files.ts). */
export const TokenConsoleConfig = z.strictObject({ auth: z.literal("token") });

export const ConsoleConfig = z.discriminatedUnion("auth", [TokenConsoleConfig, AwsConsoleConfig]);
export type ConsoleConfig = z.infer<typeof ConsoleConfig>;

/**
 * The console page's Content-Security-Policy: its own script and style only, no inline code, no
 * framing, and calls to its own origin, plus on AWS Cognito's two endpoints in the stack's region
 * (sign-in and the identity pool). The embedded hub sends it with `cognito` unset; CloudFront sends
 * it on AWS (infra/console-hosting.ts).
 */
export function consoleContentSecurityPolicy(cognito?: { region: string; urlSuffix: string }): string {
  const connect = cognito
    ? `'self' https://cognito-idp.${cognito.region}.${cognito.urlSuffix} https://cognito-identity.${cognito.region}.${cognito.urlSuffix}`
    : "'self'";
  return `default-src 'none'; script-src 'self'; style-src 'self'; connect-src ${connect}; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;
}
