import { Option, type Command } from "commander";
import { DEFAULT_HUB_URL, HubClient } from "./hub-client.js";
import { usageError } from "./output.js";

/** What the options of `withHubOptions` give a command. */
export interface HubOptions {
  hub: string;
  token?: string;
}

/** Adds --hub and --token, which every command that talks to the hub takes. */
export function withHubOptions(command: Command): Command {
  return command
    .addOption(new Option("--hub <url>", "the hub's URL").env("RADIAL_HUB").default(DEFAULT_HUB_URL))
    .addOption(new Option("--token <token>", "admin token; prefer env RADIAL_TOKEN, as a flag shows in `ps`").env("RADIAL_TOKEN"));
}

/** A client for the hub as its admin; refuses before any request when the token or URL is unusable. */
export function hubClient({ hub, token }: HubOptions, timeoutMs?: number): HubClient {
  if (!token) throw usageError("no admin token: set RADIAL_TOKEN (the embedded hub prints it at first start and keeps it in .radial/admin-token)");
  if (!/^https?:\/\//.test(hub) || !URL.canParse(hub)) throw usageError(`--hub (or RADIAL_HUB) must be an http:// or https:// URL, got "${hub}"`);
  return new HubClient(hub, token, timeoutMs);
}
