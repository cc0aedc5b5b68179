import {
  REBUILD_LIMITS,
  type ClusterStatus,
  type Preflight,
  type Rebuild,
  type RebuildDryRunResponse,
  type RebuildRequest,
  type RebuildResponse,
  type RebuildState,
} from "../../contract/index.js";
import type { ClusterRecord } from "../inventory/cluster-record.js";
import { RegistryError } from "../inventory/errors.js";
import { hashToken, newToken } from "../inventory/token.js";
import { EksUnavailableError, VersionConflictError, type Clock, type EksControlPlane, type InventoryStore, type RebuildStore } from "../ports.js";
import { advanceAgentPhases } from "./agent-phases.js";
import { beginControlPlane, pollControlPlane, type ControlPlaneStep } from "./control-plane.js";
import type { DeployTree } from "./deploy-tree.js";
import { RebuildError } from "./errors.js";
import { endOf, enter, isTerminal } from "./phases.js";

export interface RebuildDependencies {
  inventory: Pick<InventoryStore, "getCluster" | "replaceCluster">;
  rebuilds: RebuildStore;
  eks: EksControlPlane;
  tree: DeployTree;
  /** The status of one incarnation of the cluster (StatusService.read). */
  status: (cluster: string, since: string, incarnation: number) => Promise<Pick<ClusterStatus, "reported" | "revision" | "applications">>;
  /** Refuses (RegistryError) a bootstrap manifest that would send the agent to a loopback hub URL, unless allowed (ClusterRegistry.checkHubUrl). */
  checkHubUrl: (allowLoopbackHub: boolean | undefined) => void;
  /** The bootstrap manifest that installs the agent with `token` (ClusterRegistry.bootstrap). */
  bootstrap: (cluster: string, token: string) => Promise<string>;
  clock: Clock;
}

const MAX_UPDATE_ATTEMPTS = 3;
const same = (a: RebuildState, b: RebuildState) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Rebuilding a lost cluster as a new incarnation of its inventory entry (the domain behind
 * `/v1/clusters/{name}/rebuild`).
 *
 * Crash safety: a rebuild starts with its history item (its preflight, phase Requested), then
 * commits with ONE conditional write of the cluster item: new incarnation, new token (the old one
 * dead at once), the rebuild as the cluster's latest. A crash before that commit leaves a history
 * item of an incarnation the cluster never reached, which listings skip and the next rebuild
 * overwrites. Each phase change is one conditional update of the cluster item; the history item is
 * rewritten when the rebuild ends, and again (from the cluster item) when the next one starts, so
 * a crash between the two loses nothing. EKS calls carry an idempotency token and are repeated by
 * the next poll when a crash cut them short.
 *
 * Phases advance when they are looked at: on each report of the cluster's agent and each read of
 * the cluster, its status or its rebuilds; there is no timer to lose.
 */
export class RebuildService {
  constructor(private readonly deps: RebuildDependencies) {}

  private async record(name: string): Promise<ClusterRecord> {
    const record = await this.deps.inventory.getCluster(name);
    if (!record) throw new RebuildError("not_found", `cluster ${name} is not registered; list them with GET /v1/clusters`);
    return record;
  }

  /** The preflight at the branch's head: what Git cannot bring back. */
  private async preflight(name: string): Promise<Preflight> {
    // Imported here, not with this module: it brings the manifest reader and yaml, which only a
    // rebuild's start needs and the hub's API function would otherwise load at every cold start.
    const { preflight } = await import("./preflight.js");
    const head = await this.deps.tree.head(name);
    return preflight(head, head === null ? new Map() : await this.deps.tree.applicationsAt(name, head));
  }

  async start(name: string, request: RebuildRequest): Promise<RebuildResponse | RebuildDryRunResponse> {
    await this.observe(name);
    const record = await this.record(name);
    if (record.rebuild && !isTerminal(record.rebuild.phase)) {
      const { incarnation, phase, requestedAt } = record.rebuild;
      throw new RebuildError(
        "conflict",
        `cluster ${name} is being rebuilt (incarnation ${incarnation}, ${phase}, requested ${requestedAt}); wait for it to end`,
      );
    }
    const eks = await this.checkEks(record, request);
    const found = await this.preflight(name);
    if (request.dryRun) return { dryRun: true, preflight: found };
    this.checkHubUrl(request.allowLoopbackHub);

    const now = this.deps.clock();
    const incarnation = (record.incarnation ?? 1) + 1;
    const state = this.initialState(request, incarnation, found.revision, now, eks);
    const token = newToken("rdl_agent");
    await this.archive(name, record);
    await this.deps.rebuilds.putHistory(name, { cluster: name, ...state, preflight: found });
    const next: ClusterRecord = {
      ...record,
      incarnation,
      rebuild: state,
      tokenHash: hashToken(token),
      tokenIssuedAt: now.toISOString(),
      previousToken: null,
      version: record.version + 1,
      updatedAt: now.toISOString(),
    };
    try {
      await this.deps.inventory.replaceCluster(next, record.version);
    } catch (error) {
      if (error instanceof VersionConflictError)
        throw new RebuildError("conflict", `cluster ${name} changed while the rebuild started (another rebuild?); try again`);
      throw error;
    }
    await this.deps.rebuilds.trimHistory(name, REBUILD_LIMITS.history);
    if (record.eks && state.eks) await beginControlPlane(this.deps.eks, record.eks, state, name).catch(() => undefined); // the next poll repeats it
    return { rebuild: { cluster: name, ...state, preflight: found }, token, bootstrap: await this.deps.bootstrap(name, token) };
  }

  private checkHubUrl(allowLoopbackHub: boolean | undefined): void {
    try {
      this.deps.checkHubUrl(allowLoopbackHub);
    } catch (error) {
      if (error instanceof RegistryError) throw new RebuildError("invalid", error.message, error.details);
      throw error;
    }
  }

  /** With recreateEks: the step to begin with ("deleting" when `replace` must remove the recorded cluster first). */
  private async checkEks(record: ClusterRecord, request: RebuildRequest): Promise<"deleting" | "creating" | null> {
    if (!request.recreateEks) {
      if (request.replace) throw new RebuildError("invalid", "replace applies only with recreateEks: true", { field: "replace" });
      return null;
    }
    if (!record.eks)
      throw new RebuildError("invalid", `cluster ${record.name} was registered without an EKS ARN: there is no control plane to recreate`, {
        field: "recreateEks",
      });
    let existing;
    try {
      existing = await this.deps.eks.state(record.eks);
    } catch (error) {
      if (error instanceof EksUnavailableError) throw new RebuildError("eks_unavailable", `${error.message}; nothing changed, try again`);
      throw error;
    }
    if (existing === null) return "creating";
    if (existing.status === "DELETING") return "deleting";
    if (!request.replace) {
      throw new RebuildError(
        "conflict",
        `EKS cluster ${record.eks.name} in ${record.eks.region} still exists (${existing.status}); rebuild onto it without recreateEks, or pass replace: true to delete and recreate it`,
        { field: "recreateEks", eksStatus: existing.status },
      );
    }
    return "deleting";
  }

  private initialState(request: RebuildRequest, incarnation: number, target: string | null, now: Date, eks: "deleting" | "creating" | null): RebuildState {
    const at = now.toISOString();
    const timeout = request.timeoutSeconds ?? REBUILD_LIMITS.defaultTimeoutSeconds;
    const requested: RebuildState = {
      incarnation,
      reason: request.reason,
      recreateEks: request.recreateEks ?? false,
      phase: "Requested",
      phases: [{ phase: "Requested", enteredAt: at, seconds: null }],
      requestedAt: at,
      deadline: new Date(now.getTime() + timeout * 1000).toISOString(),
      finishedAt: null,
      totalSeconds: null,
      targetRevision: target,
      applications: { converged: 0, total: 0 },
      message: null,
      eks: eks ? { step: eks, endpoint: null, polls: 0, nextPollAt: at } : null,
      rev: 1,
    };
    return enter(requested, eks ? "ControlPlaneCreating" : "AwaitingAgent", now);
  }

  /** Rewrites the history item of the rebuild `record` holds from the cluster item, the record that counts (its end may not have reached the history). */
  private async archive(name: string, record: ClusterRecord): Promise<void> {
    if (!record.rebuild) return;
    const [stored] = (await this.deps.rebuilds.listHistory(name, REBUILD_LIMITS.history + 1)).filter((r) => r.incarnation === record.rebuild?.incarnation);
    await this.deps.rebuilds.putHistory(name, { cluster: name, ...record.rebuild, preflight: stored?.preflight ?? null });
  }

  /**
   * Advances the cluster's latest rebuild as far as what is known now allows, and returns it;
   * undefined when the cluster was never rebuilt (or is not registered).
   */
  async observe(name: string): Promise<RebuildState | undefined> {
    for (let attempt = 1; ; attempt++) {
      const record = await this.deps.inventory.getCluster(name);
      const state = record?.rebuild;
      if (!record || !state || isTerminal(state.phase)) return state;
      const step = await this.advance(record, state);
      if (same(step.state, state)) return state;
      const next = { ...step.state, rev: state.rev + 1 };
      if (await this.deps.rebuilds.updateCurrent(name, next, state.rev, step.record)) {
        if (isTerminal(next.phase)) await this.archive(name, { ...record, rebuild: next });
        return next;
      }
      // Another reader advanced it meanwhile: look again.
      if (attempt >= MAX_UPDATE_ATTEMPTS) return (await this.deps.inventory.getCluster(name))?.rebuild;
    }
  }

  private async advance(record: ClusterRecord, state: RebuildState): Promise<ControlPlaneStep> {
    const now = this.deps.clock();
    if (state.phase === "ControlPlaneCreating") {
      const step = await pollControlPlane(this.deps.eks, record, state, now);
      if (step.state.phase !== "ControlPlaneCreating" || now.toISOString() < state.deadline) return step;
      const why = step.state.message ? `: ${step.state.message}` : `: EKS cluster ${record.eks?.name} is not ACTIVE yet`;
      return { state: enter(step.state, "TimedOut", endOf(step.state, now), `timed out in ControlPlaneCreating${why}`) };
    }
    const status = await this.deps.status(record.name, state.requestedAt, state.incarnation);
    return { state: await advanceAgentPhases({ status, tree: this.deps.tree, cluster: record.name }, state, now) };
  }

  /** The cluster's rebuilds, newest first, the latest as the cluster item holds it. */
  async list(name: string): Promise<Rebuild[]> {
    await this.record(name);
    const current = await this.observe(name);
    const history = await this.deps.rebuilds.listHistory(name, REBUILD_LIMITS.history + 1);
    const items: Rebuild[] = [];
    for (const rebuild of history) {
      // A history item ahead of the cluster is what a crash left of a rebuild that never started.
      if (!current || rebuild.incarnation > current.incarnation) continue;
      items.push(rebuild.incarnation === current.incarnation ? { cluster: name, ...current, preflight: rebuild.preflight } : rebuild);
    }
    if (current && !items.some((r) => r.incarnation === current.incarnation)) items.unshift({ cluster: name, ...current, preflight: null });
    return items.slice(0, REBUILD_LIMITS.history);
  }
}
