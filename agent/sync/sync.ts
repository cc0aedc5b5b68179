// One sync of one application, as gitops-engine's sync context runs it: refuse before writing
// anything when a manifest is invalid or names an object someone else owns; then phase by phase,
// wave by wave, prune, recreate hooks, apply kind by kind, and wait until the wave is healthy.
import type { HealthStatus, ResourceRef, SyncStatus } from "../../contract/status-report.js";
import { diffObject, type IgnoreDifference } from "../diff/index.js";
import { compileIgnoreRules } from "../diff/ignore.js";
import { assessHealth, worstHealth, type ResourceHealth } from "../health/index.js";
import { sleep } from "../kube/backoff.js";
import type { KubeClient } from "../kube/client.js";
import { NoKindMatchError } from "../kube/errors.js";
import { groupOf, refOf, type KubeObject } from "../kube/object.js";
import type { DesiredApplication } from "../source/desired.js";
import { applyObject } from "./apply.js";
import { keepIgnoredLiveValues } from "./ignored-fields.js";
import type { SyncContext } from "./context.js";
import { kindKey, parseKindKey, readInventory, writeInventory, type KindKey } from "./inventory.js";
import { applicationOptions, type ApplicationOptions, type SyncPhase } from "./options.js";
import { planSync, type Plan, type Step, type Task } from "./plan.js";
import { pool } from "../../core/pool.js";
import { APPLICATION_LABEL, applicationLabelValue, isOwnedBy, resourceKey, stamp, TRACKING_ANNOTATION } from "./tracking.js";

export type PresentApplication = Extract<DesiredApplication, { state: "present" }>;

export type { SyncContext } from "./context.js";

export interface SyncSettings {
  /** Writes in flight at once within one kind of one wave. */
  concurrency?: number;
  /**
   * How long a wave (or a hook) may take to become healthy (complete) before the sync fails.
   * Argo CD waits without bound; an agent must come back to report, so it gives up and retries
   * at the next reconcile. Default 5 minutes.
   */
  waveTimeoutMs?: number;
  /** How often waiting re-reads the objects of a wave. */
  pollIntervalMs?: number;
  /**
   * Ends the sync at its next step or wait (the agent stopping, a newer revision of the
   * application): Failed, with the reason, and without SyncFail hooks, as Argo CD's terminate.
   */
  signal?: AbortSignal;
  /** Called at each step the sync takes (a kind written, a wave's objects read again): its liveness. */
  onProgress?: () => void;
  /** Called as each wait begins, with the sync so far (phase Running): what it waits for, for the report. */
  onRunning?: (result: SyncResult) => void;
  now?: () => Date;
}

/**
 * applied: written (or rewritten); unchanged: the write changed nothing; pruned: deleted as
 * extraneous; pruneSkipped: extraneous but kept (no automated prune, Prune=false, empty folder);
 * conflict: an object of that name exists and is not ours, left untouched; failed: the write or
 * the wait failed; hook: a hook run; skipped: not written because the sync stopped or was refused.
 */
export type ResourceAction = "applied" | "unchanged" | "pruned" | "pruneSkipped" | "conflict" | "failed" | "hook" | "skipped";

export interface ResourceResult {
  ref: ResourceRef;
  action: ResourceAction;
  sync: SyncStatus;
  /** Undefined for kinds without a health check (they do not count toward the application's health). */
  health?: ResourceHealth;
  message?: string;
  /** For hooks: the phase it ran in. */
  hookPhase?: SyncPhase;
  /** Extraneous and marked IgnoreExtraneous: left out of the application's sync status. */
  ignoreExtraneous?: boolean;
}

/** An object the application manages, as the agent writes it: what drift is measured against. */
export interface ManagedObject {
  object: KubeObject;
  replace: boolean;
}

export interface SyncResult {
  application: string;
  revision: string;
  /** Argo CD's operation phase: Running (waiting, see `onRunning`), Succeeded, or Failed with the reason in `message`. */
  phase: "Running" | "Succeeded" | "Failed";
  message: string;
  sync: SyncStatus;
  health: HealthStatus;
  resources: ResourceResult[];
  /** Options accepted without effect or not understood, and other things worth telling the operator. */
  notes: string[];
  /**
   * The objects the application now manages, as written (stamped), once the sync started writing,
   * even if it then failed: Git is the target. Undefined when nothing was written (invalid
   * manifests, a conflict, an unreachable apiserver): what was managed before still is.
   */
  managed?: ManagedObject[];
  startedAt: Date;
  finishedAt: Date;
}

export function refFor(object: KubeObject): ResourceRef {
  const group = groupOf(object.apiVersion);
  const version = object.apiVersion.slice(group ? group.length + 1 : 0);
  const ref: ResourceRef = { group, version, kind: object.kind, name: object.metadata.name };
  if (object.metadata.namespace) ref.namespace = object.metadata.namespace;
  return ref;
}

const describe = (object: KubeObject) => `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ""}${object.metadata.name}`;
const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));
/** "healthy state of Service web/api and 2 more". */
const waitingFor = (pending: TaskState[]) =>
  `${pending[0]!.until} ${describe(pending[0]!.object)}${pending.length > 1 ? ` and ${pending.length - 1} more` : ""}`;
const isCrd = (object: KubeObject) => object.kind === "CustomResourceDefinition" && groupOf(object.apiVersion) === "apiextensions.k8s.io";

/** What the sync learnt of one task while running it. */
interface TaskState {
  task: Task;
  /** The object as written (stamped), or the live object to prune. */
  object: KubeObject;
  /** The object as last read from the apiserver. */
  live?: KubeObject;
  result: ResourceResult;
  /** What waiting for it means: healthy (a resource), complete (a hook), gone (a prune, an old hook). */
  until: "healthy state of" | "completion of hook" | "deletion of";
  done: boolean;
  failed: boolean;
}

class SyncRun {
  readonly settings: Required<Omit<SyncSettings, "now" | "signal" | "onProgress" | "onRunning">>;
  readonly signal: AbortSignal | undefined;
  readonly progress: (() => void) | undefined;
  readonly running: ((result: SyncResult) => void) | undefined;
  readonly options: ApplicationOptions;
  readonly ignore: IgnoreDifference[];
  readonly startedAt: Date;
  readonly results = new Map<string, ResourceResult>();
  readonly notes: string[] = [];
  /** Live objects this application owns, and live objects of the same names it does not, by resourceKey. */
  owned = new Map<string, KubeObject>();
  foreign = new Map<string, KubeObject>();
  /** Hooks this sync created and that still exist, for their delete policies at the end. */
  readonly hooksRun: TaskState[] = [];
  /** Extraneous objects left in place: their kinds stay in the inventory. */
  readonly kept: KubeObject[] = [];
  /** Set once the sync starts writing. */
  managed: ManagedObject[] | undefined;

  constructor(
    readonly client: KubeClient,
    readonly desired: PresentApplication,
    readonly context: SyncContext,
    settings: SyncSettings,
  ) {
    this.settings = {
      concurrency: settings.concurrency ?? 16,
      waveTimeoutMs: settings.waveTimeoutMs ?? 5 * 60_000,
      pollIntervalMs: settings.pollIntervalMs ?? 500,
    };
    this.signal = settings.signal;
    this.progress = settings.onProgress;
    this.running = settings.onRunning;
    this.options = applicationOptions(desired.application);
    this.ignore = desired.application.spec.ignoreDifferences ?? [];
    this.startedAt = (settings.now ?? (() => new Date()))();
    this.notes.push(...this.options.notes);
  }

  get name(): string {
    return this.desired.name;
  }

  /** Why the sync was told to stop, once it was. */
  get terminated(): string | undefined {
    return this.signal?.aborted ? `terminated: ${String(this.signal.reason)}` : undefined;
  }

  finish(phase: SyncResult["phase"], message: string): SyncResult {
    const resources = [...this.results.values()];
    const counted = resources.filter((r) => !r.hookPhase && r.action !== "pruned");
    const outOfSync = counted.some((r) => r.sync === "OutOfSync" && !r.ignoreExtraneous);
    const health = worstHealth(counted.filter((r) => r.action !== "pruneSkipped").flatMap((r) => (r.health ? [r.health.status] : [])));
    return {
      application: this.name,
      revision: this.desired.revision,
      phase,
      message,
      sync: outOfSync ? "OutOfSync" : "Synced",
      health,
      resources,
      notes: this.notes,
      ...(this.managed ? { managed: this.managed } : {}),
      startedAt: this.startedAt,
      finishedAt: new Date(),
    };
  }

  setResult(object: KubeObject, result: Omit<ResourceResult, "ref">, phase?: SyncPhase): ResourceResult {
    const full: ResourceResult = { ref: refFor(object), ...result };
    if (phase) full.hookPhase = phase;
    this.results.set(`${phase ?? ""}|${resourceKey(object)}`, full);
    return full;
  }

  /** Namespaced objects without a namespace get the destination's; cluster-scoped ones lose any. */
  async resolveNamespaces(manifests: KubeObject[]): Promise<{ objects: KubeObject[]; errors: { object: KubeObject; error: string }[] }> {
    const destination = this.desired.application.spec.destination.namespace || this.client.defaultNamespace;
    // A custom resource whose CRD comes in this very sync is not served yet: its CRD tells its scope.
    const crdScopes = new Map<string, boolean>();
    for (const object of manifests.filter(isCrd)) {
      const spec = object.spec as { group?: string; scope?: string; names?: { kind?: string } } | undefined;
      if (spec?.group && spec.names?.kind) crdScopes.set(`${spec.group}/${spec.names.kind}`, spec.scope !== "Cluster");
    }
    const errors: { object: KubeObject; error: string }[] = [];
    const objects = await pool(manifests, this.settings.concurrency, async (object) => {
      let namespaced: boolean;
      try {
        namespaced = (await this.client.resourceFor(object.apiVersion, object.kind)).namespaced;
      } catch (error) {
        const scope = crdScopes.get(`${groupOf(object.apiVersion)}/${object.kind}`);
        if (!(error instanceof NoKindMatchError) || scope === undefined) {
          errors.push({ object, error: errorMessage(error) });
          return object;
        }
        namespaced = scope;
      }
      const { namespace: _dropped, ...metadata } = object.metadata;
      return { ...object, metadata: namespaced ? { ...metadata, namespace: object.metadata.namespace || destination } : metadata };
    });
    const seen = new Set<string>();
    for (const object of objects) {
      const key = resourceKey(object);
      if (seen.has(key)) errors.push({ object, error: `${describe(object)} appears more than once in the manifests` });
      seen.add(key);
    }
    return { objects, errors };
  }

  /**
   * Reads what is live: the objects labelled for this application, one list per kind in Git or in
   * the inventory; then, for desired objects not among them, their namespaces' lists, to find
   * objects of the same name that are not ours.
   */
  async readLive(objects: KubeObject[], kinds: Set<KindKey>): Promise<void> {
    const selector = `${APPLICATION_LABEL}=${applicationLabelValue(this.name)}`;
    const file = (live: KubeObject) => {
      const key = resourceKey(live);
      if (isOwnedBy(live, this.context.cluster, this.name)) this.owned.set(key, live);
      else this.foreign.set(key, live);
    };
    const desiredKinds = new Set(objects.map(kindKey));
    await pool([...kinds], this.settings.concurrency, async (key) => {
      const { apiVersion, kind } = parseKindKey(key);
      try {
        for (const live of (await this.client.list(apiVersion, kind, { labelSelector: selector })).items) file(live);
      } catch (error) {
        if (!(error instanceof NoKindMatchError)) throw error;
        // Not served: a CRD of this sync not yet created, or a kind whose CRD is gone (nothing to prune).
        if (!desiredKinds.has(key)) this.notes.push(`${kind} (${apiVersion}) is no longer served: objects of it cannot be pruned`);
      }
    });
    const unseen = new Map<string, KubeObject[]>();
    for (const object of objects) {
      if (this.owned.has(resourceKey(object)) || this.foreign.has(resourceKey(object))) continue;
      const bucket = `${kindKey(object)} ${object.metadata.namespace ?? ""}`;
      unseen.set(bucket, [...(unseen.get(bucket) ?? []), object]);
    }
    const absent = await this.absentNamespaces([...unseen.values()].map((bucket) => bucket[0]!.metadata.namespace));
    await pool([...unseen.values()], this.settings.concurrency, async (bucket) => {
      const first = bucket[0]!;
      if (first.metadata.namespace && absent.has(first.metadata.namespace)) return;
      const wanted = new Set(bucket.map(resourceKey));
      let items: KubeObject[];
      try {
        items = (await this.client.list(first.apiVersion, first.kind, first.metadata.namespace ? { namespace: first.metadata.namespace } : {})).items;
      } catch (error) {
        if (error instanceof NoKindMatchError) return;
        throw error;
      }
      for (const live of items) if (wanted.has(resourceKey(live))) file(live);
    });
  }

  /**
   * The namespaces among `namespaces` that do not exist: nothing of any name lives in them, so one
   * read of each spares a list per kind (on an empty cluster, every one). A namespace that cannot
   * be read counts as present, and is listed as before.
   */
  async absentNamespaces(namespaces: (string | undefined)[]): Promise<Set<string>> {
    const absent = new Set<string>();
    const named = [...new Set(namespaces)].filter((namespace): namespace is string => Boolean(namespace));
    await pool(named, this.settings.concurrency, async (name) => {
      const live = await this.client.get({ apiVersion: "v1", kind: "Namespace", name }).catch(() => null);
      if (live === undefined) absent.add(name);
    });
    return absent;
  }

  /** Sync status of an object the sync did not write: compared with what is live. */
  compare(object: KubeObject, live: KubeObject | undefined): { sync: SyncStatus; message?: string } {
    if (!live) return { sync: "OutOfSync", message: "missing" };
    const diff = diffObject(object, live, this.ignore);
    return diff.drifted ? { sync: "OutOfSync", message: `differs from Git: ${diff.fields.map((f) => f.path).join(", ")}` } : { sync: "Synced" };
  }

  async ensureNamespace(planned: KubeObject[]): Promise<void> {
    const namespace = this.desired.application.spec.destination.namespace;
    if (!this.options.createNamespace || !namespace) return;
    if (planned.some((o) => o.kind === "Namespace" && o.apiVersion === "v1" && o.metadata.name === namespace)) return;
    const ref = { apiVersion: "v1", kind: "Namespace", name: namespace };
    if (await this.client.get(ref)) return;
    // Created, not applied: like Argo CD's auto-created namespace it is not tracked, so never pruned.
    await this.client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } }).catch((error: unknown) => {
      if (!/already exists/i.test(errorMessage(error))) throw error;
    });
  }

  async waitEstablished(crd: KubeObject): Promise<void> {
    const deadline = Date.now() + this.settings.waveTimeoutMs;
    for (;;) {
      const live = await this.client.get(refOf(crd));
      const conditions = (live?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
      if (conditions.some((c) => c.type === "Established" && c.status === "True")) break;
      if (Date.now() > deadline) throw new Error(`CustomResourceDefinition ${crd.metadata.name} not Established after ${this.settings.waveTimeoutMs} ms`);
      if (this.terminated) throw new Error(this.terminated);
      await sleep(100, this.signal);
    }
    this.client.refreshDiscovery();
  }

  async prune(task: Task): Promise<TaskState> {
    const live = task.object;
    const state = (result: Omit<ResourceResult, "ref">, done = true, failed = false): TaskState => ({
      task,
      object: live,
      live,
      until: "deletion of",
      done,
      failed,
      result: this.setResult(live, result),
    });
    const health = assessHealth(live);
    const kept = (message: string) => {
      this.kept.push(live);
      return state({
        action: "pruneSkipped",
        sync: "OutOfSync",
        ...(health ? { health } : {}),
        message,
        ...(task.options.ignoreExtraneous ? { ignoreExtraneous: true } : {}),
      });
    };
    if (!this.options.prune) return kept("ignored (requires pruning)");
    if (!task.options.prune) return kept("ignored (no prune)");
    try {
      const policy = this.options.propagationPolicy;
      const propagationPolicy = `${policy[0]!.toUpperCase()}${policy.slice(1)}` as "Foreground" | "Background" | "Orphan";
      // The uid precondition: only the object that was read as ours, never a newcomer of that name.
      await this.client.delete(refOf(live), live.metadata.uid ? { propagationPolicy, uid: live.metadata.uid } : { propagationPolicy });
      return state({ action: "pruned", sync: "Synced", message: "pruned" }, false);
    } catch (error) {
      return state({ action: "failed", sync: "OutOfSync", message: `prune failed: ${errorMessage(error)}` }, true, true);
    }
  }

  async write(task: Task): Promise<TaskState> {
    const object = stamp(task.object, this.context.cluster, this.name);
    const key = resourceKey(object);
    const phase = task.type === "hook" ? task.phase : undefined;
    const live = this.owned.get(key);
    try {
      const written = await applyObject(this.client, keepIgnoredLiveValues(object, live, this.ignore), live, task.options.replace ?? this.options.replace);
      if (isCrd(object)) await this.waitEstablished(object);
      this.owned.set(key, written);
      const health = assessHealth(written);
      const unchanged = live !== undefined && written.metadata.resourceVersion === live.metadata.resourceVersion;
      const compared = phase ? { sync: "Synced" as const } : this.compare(object, written);
      const result = this.setResult(
        object,
        { action: phase ? "hook" : unchanged ? "unchanged" : "applied", ...compared, ...(health ? { health } : {}) },
        phase,
      );
      // The apiserver's answer to the write is the live object: a resource it already shows Healthy,
      // or of a kind without a health check, needs no second read before the next wave.
      const done = !phase && (health === undefined || health.status === "Healthy");
      const state: TaskState = { task, object, live: written, until: phase ? "completion of hook" : "healthy state of", done, failed: false, result };
      if (phase) this.hooksRun.push(state);
      return state;
    } catch (error) {
      return {
        task,
        object,
        until: "healthy state of",
        done: true,
        failed: true,
        result: this.setResult(object, { action: "failed", sync: "OutOfSync", message: errorMessage(error) }, phase),
      };
    }
  }

  /** Hooks with BeforeHookCreation whose previous run is still there are deleted, and gone, before they are created. */
  async deleteOldHooks(tasks: Task[]): Promise<TaskState[]> {
    const old = tasks.filter(
      (t) => t.type === "hook" && t.options.hook?.deletePolicies.includes("BeforeHookCreation") && this.owned.has(resourceKey(t.object)),
    );
    return pool(old, this.settings.concurrency, async (task): Promise<TaskState> => {
      const key = resourceKey(task.object);
      const live = this.owned.get(key)!;
      try {
        await this.client.delete(refOf(live), { propagationPolicy: "Foreground" });
        this.owned.delete(key);
        const result = this.setResult(live, { action: "hook", sync: "Synced", message: "deleting the previous run" }, task.phase);
        return { task, object: live, live, until: "deletion of", done: false, failed: false, result };
      } catch (error) {
        const result = this.setResult(live, { action: "failed", sync: "OutOfSync", message: `deleting the previous hook: ${errorMessage(error)}` }, task.phase);
        return { task, object: live, until: "deletion of", done: true, failed: true, result };
      }
    });
  }

  /** Runs one step's tasks, as gitops-engine's runTasks: prunes, then old hooks, then writes kind by kind. */
  async runTasks(tasks: Task[]): Promise<{ states: TaskState[]; ok: boolean }> {
    const states: TaskState[] = [];
    states.push(
      ...(await pool(
        tasks.filter((t) => t.type === "prune"),
        this.settings.concurrency,
        (t) => this.prune(t),
      )),
    );
    if (states.some((s) => s.failed)) return { states, ok: false };
    const writes = tasks.filter((t) => t.type !== "prune");
    const old = await this.deleteOldHooks(writes);
    if (old.some((s) => s.failed) || !(await this.wait(old))) return { states: [...states, ...old], ok: false };
    for (let start = 0; start < writes.length;) {
      let end = start;
      while (end < writes.length && writes[end]!.object.kind === writes[start]!.object.kind) end++;
      states.push(...(await pool(writes.slice(start, end), this.settings.concurrency, (t) => this.write(t))));
      this.progress?.();
      if (states.some((s) => s.failed)) return { states, ok: false };
      start = end;
    }
    return { states, ok: true };
  }

  /**
   * Polls until every state is done: resources Healthy (or without a health check), hooks complete,
   * pruned objects gone. Degraded (and, for hooks, Unknown) fails at once; so do the timeout and
   * the signal.
   */
  async wait(states: TaskState[]): Promise<boolean> {
    const deadline = Date.now() + this.settings.waveTimeoutMs;
    let pending = states.filter((s) => !s.done);
    // Until every wave is applied the application is OutOfSync, whatever the waves so far say.
    if (pending.length > 0) this.running?.({ ...this.finish("Running", `syncing: waiting for ${waitingFor(pending)}`), sync: "OutOfSync" });
    while (pending.length > 0) {
      if (this.terminated) {
        for (const state of pending) state.failed = true;
        return false;
      }
      await pool(pending, this.settings.concurrency, async (state) => {
        const live = await this.client.get(refOf(state.object));
        const gone = !live || (state.object.metadata.uid !== undefined && live.metadata.uid !== state.object.metadata.uid);
        if (state.until === "deletion of") {
          state.done = gone;
          return;
        }
        if (!live) {
          state.done = state.failed = true;
          state.result.health = { status: "Missing", message: "deleted before it completed" };
          state.result.message = state.result.health.message;
          return;
        }
        state.live = live;
        const health = assessHealth(live);
        if (health) state.result.health = health;
        if (health?.message) state.result.message = health.message;
        const status = health?.status ?? "Healthy";
        if (status === "Healthy") state.done = true;
        else if (status === "Degraded" || (state.until === "completion of hook" && status === "Unknown")) state.done = state.failed = true;
      });
      this.progress?.();
      if (states.some((s) => s.failed)) return false;
      pending = pending.filter((s) => !s.done);
      if (pending.length === 0) return true;
      if (Date.now() > deadline) {
        for (const state of pending) {
          state.failed = true;
          state.result.message = `timed out after ${this.settings.waveTimeoutMs} ms waiting for ${state.until} ${describe(state.object)}${state.result.health ? ` (${state.result.health.status})` : ""}`;
        }
        this.notes.push(`timed out waiting for ${waitingFor(pending)}`);
        return false;
      }
      await sleep(this.settings.pollIntervalMs, this.signal);
    }
    return true;
  }

  /** Deletes the hooks this sync ran whose policy asks for it at this outcome. */
  async deleteHooks(policy: "HookSucceeded" | "HookFailed"): Promise<void> {
    const due = this.hooksRun.filter((s) => s.task.options.hook?.deletePolicies.includes(policy));
    await pool(due, this.settings.concurrency, async (state) => {
      try {
        await this.client.delete(refOf(state.object), { propagationPolicy: "Background" });
      } catch (error) {
        this.notes.push(`could not delete hook ${describe(state.object)}: ${errorMessage(error)}`);
      }
    });
  }

  /** A failed sync runs its SyncFail hooks (all at once, as gitops-engine), waits for them, and reports the first failure. */
  async fail(syncFail: Task[], failed: TaskState[], message: string): Promise<SyncResult> {
    const reasons = [...new Set(failed.map((s) => `${describe(s.object)}: ${s.result.message ?? "failed"}`))];
    let full =
      reasons.length > 0 ? `${message}, reason: ${reasons.slice(0, 5).join("; ")}${reasons.length > 5 ? ` and ${reasons.length - 5} more` : ""}` : message;
    if (syncFail.length > 0) {
      const run = await this.runTasks(syncFail);
      const ok = run.ok && (await this.wait(run.states));
      if (!ok) full += "; one or more SyncFail hooks failed";
    }
    await this.deleteHooks("HookFailed");
    return this.finish("Failed", full);
  }
}

/**
 * Syncs one application present in Git. Never writes when a manifest is invalid or an object it
 * would write exists without this application's tracking id; never prunes an application whose
 * manifests are empty unless it allows it (`syncPolicy.automated.allowEmpty`). Failures of the
 * apiserver end the sync as Failed with the reason; nothing throws.
 */
export async function syncApplication(client: KubeClient, desired: PresentApplication, context: SyncContext, settings: SyncSettings = {}): Promise<SyncResult> {
  const run = new SyncRun(client, desired, context, settings);
  try {
    return await runSync(run);
  } catch (error) {
    return run.finish("Failed", errorMessage(error));
  }
}

async function runSync(run: SyncRun): Promise<SyncResult> {
  const { client, desired, context } = run;
  try {
    compileIgnoreRules(run.ignore);
  } catch (error) {
    return run.finish("Failed", `spec.ignoreDifferences: ${errorMessage(error)}`);
  }

  const { objects, errors } = await run.resolveNamespaces(desired.manifests);
  const inventory = await readInventory(client, context.inventoryNamespace, desired.name);
  await run.readLive(objects, new Set([...inventory, ...objects.map(kindKey)]));
  const extraneous = prunable(run, objects);

  const plan = planSync({ desired: objects, extraneous, pruneLast: run.options.pruneLast, revision: desired.revision, startedAt: run.startedAt });
  const invalid = [...errors, ...plan.errors];
  if (invalid.length > 0) {
    for (const { object, error } of invalid) run.setResult(object, { action: "failed", sync: "OutOfSync", message: error });
    return run.finish("Failed", `one or more synchronization tasks are not valid: ${invalid.map((e) => `${describe(e.object)}: ${e.error}`).join("; ")}`);
  }
  const tasks = [...plan.steps.flatMap((s) => s.tasks), ...plan.syncFail];
  for (const task of tasks) run.notes.push(...task.options.notes.map((note) => `${describe(task.object)}: ${note}`));
  const refused = refuseForeign(run, plan, tasks);
  if (refused) return refused;

  run.managed = plan.steps
    .flatMap((s) => s.tasks)
    .filter((t) => t.type === "apply")
    .map((t) => ({ object: stamp(t.object, context.cluster, desired.name), replace: t.options.replace ?? run.options.replace }));
  await run.ensureNamespace(objects);
  // Recorded before any write, so a sync cut short still knows every kind it may have created.
  const recorded = new Set([...inventory, ...tasks.map((t) => kindKey(t.object))]);
  if (recorded.size !== inventory.size) await writeInventory(client, context.inventoryNamespace, desired.name, recorded);

  const stopped = await runSteps(run, plan, tasks);
  if (stopped) return stopped;
  await run.deleteHooks("HookSucceeded");

  // The inventory keeps the kinds still owned: those in Git, and those of extraneous objects kept.
  const kept = new Set([...objects, ...run.kept].map(kindKey));
  if (kept.size !== recorded.size || [...kept].some((k) => !recorded.has(k))) await writeInventory(client, context.inventoryNamespace, desired.name, kept);

  return run.finish("Succeeded", "successfully synced (all tasks run)");
}

/** Owned objects no longer in Git, to prune; none when the application has no manifests and does not allow that. */
function prunable(run: SyncRun, objects: KubeObject[]): KubeObject[] {
  const desiredKeys = new Set(objects.map(resourceKey));
  const extraneous = [...run.owned.values()].filter((live) => !desiredKeys.has(resourceKey(live)));
  if (run.desired.manifests.length > 0 || extraneous.length === 0 || run.options.allowEmpty) return extraneous;
  for (const live of extraneous) {
    const health = assessHealth(live);
    run.setResult(live, {
      action: "pruneSkipped",
      sync: "OutOfSync",
      ...(health ? { health } : {}),
      message: "not pruned: the application has no manifests (syncPolicy.automated.allowEmpty allows it)",
    });
  }
  run.kept.push(...extraneous);
  run.notes.push(`the application has no manifests: ${extraneous.length} objects it owns are kept`);
  return [];
}

/** Nothing is written, hooks included, while any object of the same name belongs to someone else. */
function refuseForeign(run: SyncRun, plan: Plan, tasks: Task[]): SyncResult | undefined {
  const conflicts = tasks.filter((t) => t.type !== "prune" && run.foreign.has(resourceKey(t.object)));
  if (conflicts.length === 0) return undefined;
  for (const task of conflicts) {
    const other = run.foreign.get(resourceKey(task.object))!.metadata.annotations?.[TRACKING_ANNOTATION];
    run.setResult(task.object, {
      action: "conflict",
      sync: "OutOfSync",
      message: `${describe(task.object)} exists and is not managed by this application (${other ? `tracking id ${other}` : "no tracking id"}): left untouched`,
    });
  }
  markSkipped(run, plan.steps, "not applied: the sync was refused");
  const names = [...new Set(conflicts.map((t) => describe(t.object)))];
  return run.finish(
    "Failed",
    `refused: ${names.length} object(s) exist and are not managed by this application: ${names.slice(0, 5).join(", ")}${names.length > 5 ? ", ..." : ""}`,
  );
}

/** Runs the plan's steps in order; the result when a step stops the sync, undefined when all ran. */
async function runSteps(run: SyncRun, plan: Plan, tasks: Task[]): Promise<SyncResult | undefined> {
  const multiStep = new Set(tasks.map((t) => `${t.phase}/${t.wave}`)).size > 1;
  for (const [index, step] of plan.steps.entries()) {
    if (run.terminated) {
      markSkipped(run, plan.steps.slice(index), "not applied: the sync was terminated before its wave");
      return run.finish("Failed", run.terminated);
    }
    const { states, ok } = await run.runTasks(step.tasks);
    if (!ok) {
      markSkipped(run, plan.steps.slice(index + 1), "not applied: the sync stopped before its wave");
      if (run.terminated) return run.finish("Failed", run.terminated);
      return run.fail(
        plan.syncFail,
        states.filter((s) => s.failed),
        "one or more objects failed to apply",
      );
    }
    // As gitops-engine: a multi-step sync waits for each step's resources to be healthy; every
    // step waits for its hooks to complete and its pruned objects to be gone.
    const last = index === plan.steps.length - 1;
    const waited = states.filter((s) => s.task.type !== "apply" || (multiStep && !last));
    if (!(await run.wait(waited))) {
      markSkipped(run, plan.steps.slice(index + 1), "not applied: the sync stopped before its wave");
      if (run.terminated) return run.finish("Failed", run.terminated);
      return run.fail(
        plan.syncFail,
        waited.filter((s) => s.failed),
        "one or more synchronization tasks completed unsuccessfully",
      );
    }
  }
  return undefined;
}

/** Objects of steps that did not run: not written, with their sync status against what is live. */
function markSkipped(run: SyncRun, steps: Step[], message: string): void {
  for (const task of steps.flatMap((s) => s.tasks)) {
    if (task.type !== "apply" || run.foreign.has(resourceKey(task.object))) continue;
    run.setResult(task.object, { action: "skipped", ...run.compare(task.object, run.owned.get(resourceKey(task.object))), message });
  }
}
