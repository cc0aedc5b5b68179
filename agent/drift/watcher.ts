// Watches (never polls) every kind the agent manages, one watch per kind for all applications, and
// turns a change of a field Git sets into a drift event; with selfHeal it writes Git's value back
// at once, so a manual edit is undone in about the time the apiserver takes to tell us.
import type { DriftEvent } from "../../contract/status-report.js";
import { diffObject, type IgnoreDifference } from "../diff/index.js";
import type { KubeClient, Watch, WatchEvent } from "../kube/client.js";
import { refOf, type KubeObject } from "../kube/object.js";
import { applyObject, FIELD_MANAGER } from "../sync/apply.js";
import { keepIgnoredLiveValues } from "../sync/ignored-fields.js";
import { kindKey, parseKindKey, type KindKey } from "../sync/inventory.js";
import { refFor, type ManagedObject } from "../sync/sync.js";
import { APPLICATION_LABEL, isOwnedBy } from "../sync/tracking.js";

/** What the watcher holds of one application: Git's objects as the sync wrote them, and its policy. */
export interface TrackedApplication {
  name: string;
  /** `SyncResult.managed`. */
  objects: ManagedObject[];
  ignoreDifferences: IgnoreDifference[];
  /** `syncPolicy.automated.selfHeal`. */
  selfHeal: boolean;
}

export interface DriftWatcherOptions {
  cluster: string;
  /** Each drift seen (Detected, Deleted) and each repair (Healed, Recreated). */
  onDrift: (event: DriftEvent) => void;
  /**
   * Every change of a managed object, drift or not (undefined when deleted): e.g. to refresh its
   * health. `differs`: the live object differs from Git in a field Git sets that another manager wrote.
   */
  onChange?: (application: string, live: KubeObject | undefined, desired: KubeObject, differs: boolean) => void;
  /** A watch failing (it retries by itself) or a heal that could not be written. */
  onError?: (error: Error) => void;
  now?: () => Date;
}

/**
 * Drift of an object coming back this soon after its heal looks like a fight with a controller
 * (a person does not edit that fast): after FIGHT_STREAK such heals in a row, heals of that object
 * wait 1 s, 2 s, 4 s … up to a minute, so the agent does not hammer the apiserver at event speed.
 */
const FIGHT_WINDOW_MS = 1_000;
const FIGHT_STREAK = 5;
const MAX_HEAL_DELAY_MS = 60_000;

interface Entry {
  application: TrackedApplication;
  managed: ManagedObject;
}

const objectKey = (object: KubeObject) => `${kindKey(object)} ${object.metadata.namespace ?? ""}/${object.metadata.name}`;

export class DriftWatcher {
  private readonly applications = new Map<string, TrackedApplication>();
  /** Managed objects by apiVersion, kind, namespace and name. */
  private readonly entries = new Map<string, Entry>();
  private readonly watches = new Map<KindKey, Watch>();
  private readonly paused = new Set<string>();
  /**
   * Per paused application, the newest of its objects the watches delivered (undefined: deleted).
   * `track` hands them to onChange, so a status change in a sync's last moments (a Deployment
   * turning Available) is not lost until the next sync.
   */
  private readonly seenWhilePaused = new Map<string, Map<string, KubeObject | undefined>>();
  /** Per object: when it was last healed and how many quick re-drifts came in a row, to stop a heal loop. */
  private readonly heals = new Map<string, { at: number; streak: number }>();
  /**
   * Per object: a heal being written, or the resourceVersion the last heal produced. Events of the
   * same edit keep arriving (the controller updating status, say) until the watch passes the heal;
   * they show the old drift again and must not be reported twice or healed twice.
   */
  private readonly healing = new Set<string>();
  private readonly healedVersions = new Map<string, bigint>();
  /** Heals put off because their object keeps drifting. */
  private readonly delayed = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly client: KubeClient,
    private readonly options: DriftWatcherOptions,
  ) {}

  /** Starts or replaces what is watched for an application (after each sync), and resumes it. */
  track(application: TrackedApplication): void {
    if (this.stopped) return;
    this.remove(application.name);
    this.applications.set(application.name, application);
    for (const managed of application.objects) this.entries.set(objectKey(managed.object), { application, managed });
    this.paused.delete(application.name);
    this.reconcileWatches();
    this.replay(application);
  }

  /**
   * Ignores an application's changes until the next `track`: call it before syncing or deleting
   * the application, whose own prunes and rewrites are not drift.
   */
  pause(name: string): void {
    this.paused.add(name);
    this.seenWhilePaused.set(name, new Map());
  }

  /** Resumes a paused application with what it tracked before (its sync wrote nothing). */
  resume(name: string): void {
    this.paused.delete(name);
    const application = this.applications.get(name);
    if (application) this.replay(application);
    else this.seenWhilePaused.delete(name);
  }

  /** Stops watching an application (deleted, or no longer in Git). */
  untrack(name: string): void {
    this.remove(name);
    this.paused.delete(name);
    this.seenWhilePaused.delete(name);
    this.reconcileWatches();
  }

  /** Hands onChange the newest state the watches delivered of each object while the application was paused. */
  private replay(application: TrackedApplication): void {
    const seen = this.seenWhilePaused.get(application.name);
    this.seenWhilePaused.delete(application.name);
    if (!seen) return;
    for (const managed of application.objects) {
      const key = objectKey(managed.object);
      if (!seen.has(key)) continue;
      const live = seen.get(key);
      if (live && !isOwnedBy(live, this.options.cluster, application.name)) continue;
      const differs =
        live !== undefined && diffObject(managed.object, live, application.ignoreDifferences).fields.some((field) => field.manager !== FIELD_MANAGER);
      this.options.onChange?.(application.name, live, managed.object, differs);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    const watches = [...this.watches.values()];
    this.watches.clear();
    await Promise.all(watches.map((watch) => watch.stop()));
  }

  /** The kinds watched now, as `apiVersion kind`. */
  kinds(): KindKey[] {
    return [...this.watches.keys()];
  }

  private remove(name: string): void {
    const previous = this.applications.get(name);
    if (!previous) return;
    this.applications.delete(name);
    for (const managed of previous.objects) {
      const key = objectKey(managed.object);
      if (this.entries.get(key)?.application !== previous) continue;
      this.entries.delete(key);
      this.heals.delete(key);
      this.healedVersions.delete(key);
    }
  }

  /** One watch per kind in use, across all applications. */
  private reconcileWatches(): void {
    const wanted = new Set([...this.entries.values()].map((entry) => kindKey(entry.managed.object)));
    for (const [kind, watch] of this.watches) {
      if (wanted.has(kind)) continue;
      this.watches.delete(kind);
      void watch.stop();
    }
    for (const kind of wanted) {
      if (this.watches.has(kind)) continue;
      const { apiVersion, kind: name } = parseKindKey(kind);
      this.watches.set(
        kind,
        this.client.watch(apiVersion, name, { labelSelector: APPLICATION_LABEL }, (event) => this.onEvent(event)),
      );
    }
  }

  private async onEvent(event: WatchEvent): Promise<void> {
    if (event.type === "ERROR") return this.options.onError?.(event.error);
    // A fresh list (start, or the watch lost its place): objects changed meanwhile are checked now.
    // Objects missing from it are left to the next sync: it may simply not have created them yet.
    if (event.type === "RESYNC") {
      for (const object of event.objects) await this.check(object, false);
      return;
    }
    await this.check(event.object, event.type === "DELETED");
  }

  private async check(live: KubeObject, deleted: boolean): Promise<void> {
    const key = objectKey(live);
    const labelled = live.metadata.labels?.[APPLICATION_LABEL];
    const seen = labelled === undefined ? undefined : this.seenWhilePaused.get(labelled);
    if (seen) seen.set(key, deleted ? undefined : live);
    const entry = this.entries.get(key);
    if (!entry || this.paused.has(entry.application.name)) return;
    const { application, managed } = entry;
    // A copy or a foreign object that happens to carry our label is not ours to judge.
    if (!isOwnedBy(live, this.options.cluster, application.name)) return;
    const diff = diffObject(managed.object, live, application.ignoreDifferences);
    // Fields last written by the agent itself differ only while a newer revision is being applied.
    const foreign = diff.fields.filter((field) => field.manager !== FIELD_MANAGER);
    this.options.onChange?.(application.name, deleted ? undefined : live, managed.object, !deleted && foreign.length > 0);
    if (!deleted && live.metadata.deletionTimestamp) return;
    if (this.healing.has(key) || (!deleted && this.beforeLastHeal(key, live))) return;

    const at = () => (this.options.now ?? (() => new Date()))().toISOString();
    const resource = refFor(managed.object);
    if (deleted) {
      this.options.onDrift({ at: at(), application: application.name, resource, fields: [], action: "Deleted", message: "deleted outside Git" });
      if (!application.selfHeal) return;
      await this.heal(key, managed, undefined, application, () =>
        this.options.onDrift({ at: at(), application: application.name, resource, fields: [], action: "Recreated", message: "recreated from Git" }),
      );
      return;
    }

    if (foreign.length === 0) return;
    const fields = diff.fields.map((field) => field.path).slice(0, 50);
    const manager = foreign.find((field) => field.manager)?.manager;
    const drift = { application: application.name, resource, fields, ...(manager ? { manager: manager.slice(0, 128) } : {}) };
    this.options.onDrift({ at: at(), ...drift, action: "Detected" });
    if (!application.selfHeal) return;
    await this.heal(key, managed, live, application, () => this.options.onDrift({ at: at(), ...drift, action: "Healed" }));
  }

  /**
   * Writes Git's object back, as the sync would. When the same object keeps drifting, the heal is
   * scheduled later instead (re-reading the object then), so the watch of its kind goes on.
   */
  private async heal(key: string, managed: ManagedObject, live: KubeObject | undefined, application: TrackedApplication, done: () => void): Promise<void> {
    const last = this.heals.get(key);
    const streak = last && Date.now() - last.at < FIGHT_WINDOW_MS ? last.streak + 1 : 0;
    if (streak < FIGHT_STREAK) return this.write(key, managed, live, application, streak, done);
    if (this.delayed.has(key)) return;
    const delay = Math.min(1000 * 2 ** (streak - FIGHT_STREAK), MAX_HEAL_DELAY_MS);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.client
        .get(refOf(managed.object))
        .then((fresh) => this.write(key, managed, fresh, application, streak, done))
        .catch((error: unknown) => this.options.onError?.(error instanceof Error ? error : new Error(String(error))));
    }, delay);
    this.delayed.set(key, timer);
  }

  private async write(
    key: string,
    managed: ManagedObject,
    live: KubeObject | undefined,
    application: TrackedApplication,
    streak: number,
    done: () => void,
  ): Promise<void> {
    if (this.stopped || this.paused.has(application.name) || this.applications.get(application.name) !== application) return;
    this.healing.add(key);
    try {
      const written = await applyObject(this.client, keepIgnoredLiveValues(managed.object, live, application.ignoreDifferences), live, managed.replace);
      const version = resourceVersionOf(written);
      if (version !== undefined) this.healedVersions.set(key, version);
      this.heals.set(key, { at: Date.now(), streak });
      done();
    } catch (error) {
      this.options.onError?.(new Error(`healing ${key} of ${application.name}: ${error instanceof Error ? error.message : String(error)}`));
    } finally {
      this.healing.delete(key);
    }
  }

  /** Whether the watch shows the object as it was before the last heal (an event the heal already answered). */
  private beforeLastHeal(key: string, live: KubeObject): boolean {
    const healed = this.healedVersions.get(key);
    const version = resourceVersionOf(live);
    return healed !== undefined && version !== undefined && version <= healed;
  }
}

/**
 * resourceVersion as a number. Kubernetes calls it opaque, but every apiserver backed by etcd
 * hands out etcd's revision, which only grows; anything else is not compared.
 */
function resourceVersionOf(object: KubeObject | undefined): bigint | undefined {
  const version = object?.metadata.resourceVersion;
  return version && /^\d{1,20}$/.test(version) ? BigInt(version) : undefined;
}
