/**
 * The sync and drift packages behind the reconcile loop, for one cluster: each application is
 * synced with the drift watcher paused for it (its own writes are not drift), then tracked with
 * what the sync wrote; a watch event refreshes the resource's health in the reported state between
 * syncs. The loop runs several applications at once but never one application twice at once, so
 * the per-application maps below see one writer per key.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { AGENT_NAMESPACE } from "../../contract/agent-config.js";
import type { DriftEvent } from "../../contract/status-report.js";
import { appliedBy } from "../diff/extract.js";
import { DriftWatcher, type TrackedApplication } from "../drift/watcher.js";
import type { KubeClient } from "../kube/client.js";
import type { SyncControl, SyncEngine, SyncOutcome } from "../reconcile/sync-engine.js";
import type { ApplicationState } from "../report/build.js";
import type { DesiredApplication } from "../source/desired.js";
import { FIELD_MANAGER } from "../sync/apply.js";
import { deleteApplication, type DeletedApplication } from "../sync/delete.js";
import { listInventories, listOwned } from "../sync/inventory.js";
import { applicationOptions } from "../sync/options.js";
import { syncApplication, type PresentApplication, type SyncResult, type SyncSettings } from "../sync/sync.js";
import { failedState, liveState, stateOf, withLiveObject } from "./state.js";

export interface KubeSyncEngineOptions {
  kube: KubeClient;
  cluster: string;
  logger: Logger;
  onDrift: (event: DriftEvent) => void;
  /** An application's state changed between syncs (a heal, a health change). */
  onApplication: (state: ApplicationState) => void;
  /** How long a wave may take to turn healthy, and how often it is read meanwhile (sync defaults otherwise). */
  waves?: Pick<SyncSettings, "waveTimeoutMs" | "pollIntervalMs">;
}

export class KubeSyncEngine implements SyncEngine {
  private readonly context: { cluster: string; inventoryNamespace: string };
  private readonly states = new Map<string, ApplicationState>();
  private readonly tracked = new Map<string, TrackedApplication>();
  /** Applications watched as found live after a restart, with no desired state to heal them back to. */
  private readonly adopted = new Set<string>();
  private readonly watcher: DriftWatcher;
  private namespaceReady: Promise<unknown> | undefined;

  constructor(private readonly options: KubeSyncEngineOptions) {
    this.context = { cluster: options.cluster, inventoryNamespace: AGENT_NAMESPACE };
    this.watcher = new DriftWatcher(options.kube, {
      cluster: options.cluster,
      onDrift: options.onDrift,
      onError: (error) => options.logger.warn("drift watch", { error: error.message }),
      onChange: (name, live, desired, differs) => {
        const state = this.states.get(name);
        if (!state) return;
        const next = withLiveObject(state, desired, live, differs);
        this.states.set(name, next);
        options.onApplication(next);
      },
    });
  }

  async sync(app: DesiredApplication, control: SyncControl): Promise<SyncOutcome> {
    this.watcher.pause(app.name);
    let outcome: SyncOutcome;
    try {
      await this.ensureAgentNamespace();
      outcome = app.state === "deleted" ? await this.delete(app, control) : await this.apply(app, control);
    } catch (error) {
      this.options.logger.warn("sync failed", { application: app.name, revision: app.revision, error: error as Error });
      outcome = this.failed(app.name, `sync failed: ${(error as Error).message}`);
    } finally {
      // Watch what the last good sync wrote; a failed one leaves the previous objects watched.
      const last = this.tracked.get(app.name);
      if (last) this.watcher.track(last);
    }
    // track() replayed what the watch saw during the sync into the state: report that one.
    return outcome.state ? { ...outcome, state: this.states.get(app.name) ?? outcome.state } : outcome;
  }

  inventoried(): Promise<string[]> {
    return listInventories(this.options.kube, AGENT_NAMESPACE);
  }

  async keep(name: string, message: string): Promise<{ state: ApplicationState; failed: boolean }> {
    // Known from a sync of this process: its state stands and its watch (and heals) go on.
    if (!this.tracked.has(name)) {
      try {
        await this.adopt(name);
      } catch (error) {
        this.options.logger.warn("cannot list an application's objects", { application: name, error: error as Error });
        return this.failed(name, `${message}; its objects cannot be listed: ${(error as Error).message}`);
      }
    }
    const note = this.adopted.has(name) ? "; the agent restarted since it last applied this application, so drift is reported, not healed" : "";
    const state: ApplicationState = { ...this.states.get(name)!, sync: "Unknown", message: `${message}${note}` };
    this.states.set(name, state);
    return { state, failed: false };
  }

  stop(): Promise<void> {
    return this.watcher.stop();
  }

  /** The per-application inventories live in the agent's namespace; run locally, it may not exist yet. */
  private ensureAgentNamespace(): Promise<unknown> {
    this.namespaceReady ??= this.options.kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: AGENT_NAMESPACE } }).catch((error: unknown) => {
      this.namespaceReady = undefined;
      throw error;
    });
    return this.namespaceReady;
  }

  private async apply(app: PresentApplication, control: SyncControl): Promise<SyncOutcome> {
    const { signal, onProgress, onState } = control;
    const onRunning = (running: SyncResult) => onState(stateOf(running, this.states.get(app.name)));
    const result = await syncApplication(this.options.kube, app, this.context, { ...this.options.waves, signal, onProgress, onRunning });
    const state = stateOf(result, this.states.get(app.name));
    this.states.set(app.name, state);
    if (result.managed) {
      const { selfHeal } = applicationOptions(app.application);
      this.tracked.set(app.name, { name: app.name, objects: result.managed, ignoreDifferences: app.application.spec.ignoreDifferences ?? [], selfHeal });
      this.adopted.delete(app.name);
    }
    const count = (action: string) => result.resources.filter((r) => r.action === action).length;
    if (result.phase === "Failed") this.options.logger.warn("sync failed", { application: app.name, revision: app.revision, detail: result.message });
    return { state, applied: count("applied"), pruned: count("pruned"), failed: result.phase === "Failed" };
  }

  private async delete(app: DeletedApplication, control: SyncControl): Promise<SyncOutcome> {
    const { signal, onProgress } = control;
    const result = await deleteApplication(this.options.kube, app, this.context, { ...this.options.waves, signal, onProgress });
    const pruned = result.resources.filter((r) => r.action === "pruned").length;
    if (result.phase === "Failed") return { ...this.failed(app.name, `deleting the application: ${result.message}`), pruned };
    this.options.logger.info("application deleted", { application: app.name, detail: result.message });
    this.watcher.untrack(app.name);
    this.tracked.delete(app.name);
    this.adopted.delete(app.name);
    this.states.delete(app.name);
    return { state: null, applied: 0, pruned, failed: false };
  }

  /** Watches an application found live: its objects through its inventory, each measured against what the agent last applied to it. */
  private async adopt(name: string): Promise<void> {
    const owned = await listOwned(this.options.kube, this.context, name);
    this.states.set(name, liveState(name, owned));
    const objects = owned.map((live) => ({ object: appliedBy(live, FIELD_MANAGER), replace: false }));
    this.tracked.set(name, { name, objects, ignoreDifferences: [], selfHeal: false });
    this.adopted.add(name);
    this.watcher.track(this.tracked.get(name)!);
  }

  private failed(name: string, message: string): SyncOutcome & { state: ApplicationState } {
    const state = failedState(name, this.states.get(name), message);
    this.states.set(name, state);
    return { state, applied: 0, pruned: 0, failed: true };
  }
}
