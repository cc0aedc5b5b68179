import { Option, type Command } from "commander";
import { bearerAuth, executeApiRegion, sigV4Auth, type HubAuth } from "./hub-auth.js";
import { DEFAULT_HUB_URL, HubClient } from "./hub-client.js";
import { usageError } from "./output.js";

/** What the options of `withHubOptions` give a command. */
export interface HubOptions {
  hub: string;
  token?: string;
  auth?: "token" | "aws";
}

/** Adds --hub, --token and --auth, which every command that talks to the hub takes. */
export function withHubOptions(command: Command): Command {
  return command
    .addOption(new Option("--hub <url>", "the hub's URL").env("RADIAL_HUB").default(DEFAULT_HUB_URL))
    .addOption(new Option("--token <token>", "admin token; prefer env RADIAL_TOKEN, as a flag shows in `ps`").env("RADIAL_TOKEN"))
    .addOption(
      new Option("--auth <mode>", "token: the admin token; aws: SigV4 with your AWS credentials (the hub on AWS; the default for an execute-api URL)")
        .choices(["token", "aws"])
        .env("RADIAL_AUTH"),
    );
}

/** A client for the hub as its admin; refuses before any request when the URL or credentials are unusable. */
export function hubClient({ hub, token, auth }: HubOptions, timeoutMs?: number): HubClient {
  if (!/^https?:\/\//.test(hub) || !URL.canParse(hub)) throw usageError(`--hub (or RADIAL_HUB) must be an http:// or https:// URL, got "${hub}"`);
  return new HubClient(hub, hubAuth(new URL(hub), auth, token), timeoutMs);
}

/**
 * SigV4 for the hub on AWS (--auth aws, or an execute-api URL), with the region the URL names or
 * AWS_REGION; the admin token otherwise.
 */
export function hubAuth(url: URL, mode: HubOptions["auth"], token: string | undefined, env: NodeJS.ProcessEnv = process.env): HubAuth {
  const urlRegion = executeApiRegion(url);
  if ((mode ?? (urlRegion ? "aws" : "token")) === "aws") {
    const region = urlRegion ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    if (!region) throw usageError("--auth aws needs the hub's AWS region: an execute-api URL names it, else set AWS_REGION");
    return sigV4Auth({ region });
  }
  if (!token) throw usageError("no admin token: set RADIAL_TOKEN (the embedded hub prints it at first start and keeps it in .radial/admin-token)");
  return bearerAuth(token);
}
