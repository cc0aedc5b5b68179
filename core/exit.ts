// Exit codes shared by the `radial` command and the agent's entry point, so scripts can tell
// failure from success and a usage error from a refusal.
import type { CommanderError } from "commander";

export const EXIT = {
  ok: 0,
  /** The hub refused the request or failed, or a check against what it holds did (label without --overwrite). */
  refused: 1,
  /** Bad arguments or options, or no admin token: nothing was sent. `radial hub`: its data dir or admin token cannot be used. */
  usage: 2,
  unreachable: 3,
  /** The hub has no such cluster (404), so `radial cluster get x || ...` can tell absence from failure. */
  notFound: 4,
  /** `radial generate`: the run finished, but some files, Applications or clusters failed (what did not fail was written). */
  generationErrors: 5,
  /** `radial generate`: the mass-removal guard blocked the run and nothing was written (a dry run: a real run would be blocked). */
  generationBlocked: 6,
  /** `radial cluster rebuild --wait`: the rebuild timed out (the hub's deadline, or --timeout while waiting). */
  rebuildTimedOut: 7,
  /** `radial cluster rebuild --wait`: the rebuild failed (an application stayed Degraded, or the EKS cluster failed). */
  rebuildFailed: 8,
} as const;

/**
 * For `program.exitOverride`: commander exits 1 on a usage error, which scripts could not tell from
 * a refusal by the hub, so its failures become 2; help and --version keep their 0.
 */
export function exitForCommanderError(error: CommanderError): never {
  process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.usage);
}
