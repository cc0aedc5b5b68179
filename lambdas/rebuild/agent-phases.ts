import type { ClusterStatus, RebuildState } from "../../contract/index.js";
import { convergence, describePending, type Convergence } from "./convergence.js";
import type { DeployTree } from "./deploy-tree.js";
import { AGENT_PATH, endOf, enter, enterAll } from "./phases.js";

/** What the agent phases read: the status of the rebuild's incarnation, and the cluster's deploy branch. */
export interface AgentView {
  status: Pick<ClusterStatus, "reported" | "revision" | "applications">;
  tree: DeployTree;
  cluster: string;
}

/** The applications the branch holds at the revision the agent runs (or at the target, when it runs another), and how far they are. */
async function progress(view: AgentView, state: RebuildState): Promise<Convergence & { accepted: boolean }> {
  const head = await view.tree.head(view.cluster);
  const accepted = new Set([state.targetRevision, head].filter((revision): revision is string => revision !== null));
  const running = view.status.revision;
  const at = running !== null && accepted.has(running) ? running : (state.targetRevision ?? head);
  const expected = at === null ? [] : (await view.tree.applicationsAt(view.cluster, at)).keys();
  const result = convergence(expected, view.status.applications, accepted);
  return { ...result, accepted: accepted.size === 0 || (running !== null && accepted.has(running)) };
}

/**
 * AwaitingAgent → AgentConnected (the incarnation's first report) → Syncing (the agent has
 * fetched its branch) → Converged (every application Synced and Healthy at the target revision or
 * a newer head). At the deadline: Failed naming the applications that stay Degraded, else TimedOut
 * naming the phase and what it waits for.
 */
export async function advanceAgentPhases(view: AgentView, state: RebuildState, now: Date): Promise<RebuildState> {
  const late = now.toISOString() >= state.deadline;
  if (!view.status.reported) {
    if (!late) return state;
    const waited = `no report from the agent of incarnation ${state.incarnation}: apply the bootstrap manifest the rebuild returned`;
    return enter(state, "TimedOut", endOf(state, now), `timed out in ${state.phase}: ${waited}`);
  }
  let next = enterAll(state, AGENT_PATH.slice(0, 2), now);
  if (view.status.revision === null) {
    return late ? enter(next, "TimedOut", endOf(next, now), `timed out in ${next.phase}: the agent reports, but has not fetched its deploy branch`) : next;
  }
  next = enterAll(next, AGENT_PATH.slice(0, 3), now);
  const found = await progress(view, next);
  next = { ...next, applications: { converged: found.converged, total: found.total } };
  if (found.accepted && found.pending.length === 0) return enterAll(next, AGENT_PATH, now);
  if (!late) return next;
  if (found.degraded.length > 0) {
    const degraded = found.pending.filter(({ name }) => found.degraded.includes(name));
    return enter(next, "Failed", endOf(next, now), `applications stayed Degraded until the deadline: ${describePending(degraded)}`);
  }
  const waiting = found.pending.length > 0 ? `applications not Synced and Healthy: ${describePending(found.pending)}` : "the agent runs an older revision";
  return enter(next, "TimedOut", endOf(next, now), `timed out in ${next.phase}: ${waiting}`);
}
