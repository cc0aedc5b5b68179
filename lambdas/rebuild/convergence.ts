import type { StoredApplicationStatus } from "../../contract/index.js";

export interface Convergence {
  converged: number;
  total: number;
  /** Applications of the branch not (yet) Synced and Healthy at an accepted revision, each with what it is instead. */
  pending: { name: string; state: string }[];
  /** Those of `pending` that report Degraded. */
  degraded: string[];
}

/**
 * How far the agent is: each application the branch holds (`expected`) must be reported Synced and
 * Healthy at one of the `accepted` revisions (the head when the rebuild started, or a newer head).
 */
export function convergence(expected: Iterable<string>, reported: StoredApplicationStatus[], accepted: ReadonlySet<string>): Convergence {
  const byName = new Map(reported.map((application) => [application.name, application]));
  const pending: Convergence["pending"] = [];
  const degraded: string[] = [];
  let total = 0;
  for (const name of [...expected].sort()) {
    total++;
    const application = byName.get(name);
    if (!application) {
      pending.push({ name, state: "not reported yet" });
      continue;
    }
    const atRevision = application.revision !== null && accepted.has(application.revision);
    if (application.sync === "Synced" && application.health === "Healthy" && atRevision) continue;
    if (application.health === "Degraded") degraded.push(name);
    const where = atRevision ? "" : ` at ${application.revision?.slice(0, 12) ?? "no revision"}`;
    const message = application.message ? `: ${application.message.slice(0, 200)}` : "";
    pending.push({ name, state: `${application.sync}/${application.health}${where}${message}` });
  }
  return { converged: total - pending.length, total, pending, degraded };
}

/** "a (OutOfSync/Degraded: ...), b (...)", bounded, for a rebuild's message. */
export function describePending(pending: Convergence["pending"], limit = 5): string {
  const shown = pending.slice(0, limit).map(({ name, state }) => `${name} (${state})`);
  return pending.length > limit ? `${shown.join(", ")} and ${pending.length - limit} more` : shown.join(", ");
}
