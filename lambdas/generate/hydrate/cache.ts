/**
 * Hydration memoized by what decides its output: the commits read (the fleet repo's, and each
 * source's read elsewhere), the Application's sources (repo, path, chart and version, directory,
 * kustomize and helm options with their values), the destination cluster's capabilities when a
 * chart asked for them (helm's `--kube-version`, `--api-versions`; other sources stay shared by
 * every cluster, and only charts look the capabilities up) and, only when the sources use `$VARS`, the build
 * environment (which names the Application). A chart's archive is kept by the helm runner too. Across a fleet the same app source is rendered for
 * every cluster, so 10,000 clusters × 20 apps hydrate 20 times, not 200,000. Entries never go stale
 * (a commit id is content); the least recently used are dropped past the bounds. A failure is
 * shared by the calls already waiting on it and then forgotten, so the next run tries again.
 */
import { createHash } from "node:crypto";
import type { Application } from "../../../contract/application.js";
import { LruMap } from "../lru.js";
import { buildEnv } from "./envsubst.js";
import { hydrate, type ClusterCapabilities, type Hydrated, type HydrateDeps } from "./index.js";

export interface HydrationCacheBounds {
  /** Largest total size of cached manifests, in UTF-16 code units; default 128 Mi. */
  maxChars: number;
  /** Most hydrations kept; default 20,000. */
  maxEntries: number;
}

interface Entry {
  pending: Promise<Hydrated>;
  /** Set once it succeeded. */
  settled?: Hydrated;
}

export class HydrationCache {
  private readonly entries: LruMap<string, Entry>;
  /** Each Application's key, computed once: Applications come frozen and shared from the evaluation caches. */
  private readonly keys = new WeakMap<Application, { revision: string; key: string }>();
  /** Each cluster's capabilities digested once (a run looks them up once per cluster). */
  private readonly capabilityDigests = new WeakMap<ClusterCapabilities, string>();

  constructor(bounds: Partial<HydrationCacheBounds> = {}) {
    this.entries = new LruMap(bounds.maxEntries ?? 20_000, {
      sizeOf: (entry) => entry.settled?.manifests.length ?? 0,
      maxSize: bounds.maxChars ?? 128 * 1024 * 1024,
    });
  }

  /** Entries held and their manifests' total size, for tests and metrics. */
  get usage(): { entries: number; chars: number } {
    return { entries: this.entries.size, chars: this.entries.totalSize };
  }

  /** The hydration already done for this Application at this revision, without waiting. */
  settled(application: Application, revision: string): Hydrated | undefined {
    return this.entries.get(this.keyOf(application, revision))?.settled;
  }

  /**
   * Hydrated once for every cluster, unless a chart asked for the destination's capabilities: then
   * once per set of capabilities (the shared entry stays as a marker that says so).
   */
  async hydrate(application: Application, deps: HydrateDeps): Promise<Hydrated> {
    const shared = this.keyOf(application, inputsOf(deps));
    const known = this.entries.get(shared);
    if (known) {
      const hydrated = await known.pending;
      return hydrated.readsCapabilities ? this.forCluster(shared, application, deps) : hydrated;
    }
    const pending = hydrate(application, deps);
    this.remember(shared, pending, (hydrated) => !hydrated.readsCapabilities);
    const hydrated = await pending;
    if (hydrated.readsCapabilities) {
      const key = await this.clusterKey(shared, deps);
      if (!this.entries.has(key)) this.remember(key, pending, () => true);
    }
    return hydrated;
  }

  private async forCluster(shared: string, application: Application, deps: HydrateDeps): Promise<Hydrated> {
    const key = await this.clusterKey(shared, deps);
    const known = this.entries.get(key);
    if (known) return known.pending;
    const pending = hydrate(application, deps);
    this.remember(key, pending, () => true);
    return pending;
  }

  private async clusterKey(shared: string, deps: HydrateDeps): Promise<string> {
    const capabilities = await deps.capabilities?.();
    if (!capabilities) return JSON.stringify([shared, null]);
    let digest = this.capabilityDigests.get(capabilities);
    if (digest === undefined) {
      digest = createHash("sha256")
        .update(JSON.stringify([capabilities.kubeVersion ?? null, capabilities.apiVersions ?? []]))
        .digest("base64url");
      this.capabilityDigests.set(capabilities, digest);
    }
    return JSON.stringify([shared, digest]);
  }

  /** Keeps `pending` under `key`; once it succeeds, its output counts there if `holds` says so (else the entry is only a marker). */
  private remember(key: string, pending: Promise<Hydrated>, holds: (hydrated: Hydrated) => boolean): void {
    const entry: Entry = { pending };
    this.entries.set(key, entry);
    pending.then(
      (hydrated) => {
        if (this.entries.get(key) !== entry || !holds(hydrated)) return;
        entry.settled = hydrated;
        this.entries.resize(key);
      },
      () => this.entries.get(key) === entry && this.entries.delete(key),
    );
  }

  private keyOf(application: Application, revision: string): string {
    let known = this.keys.get(application);
    if (known?.revision !== revision) {
      known = { revision, key: cacheKey(application, revision) };
      this.keys.set(application, known);
    }
    return known.key;
  }
}

/**
 * What besides the Application and the capabilities decides a hydration: the fleet commit alone
 * when every source is read there (what `settled` is asked with), else each source's commit too.
 */
function inputsOf(deps: HydrateDeps): string {
  const elsewhere = deps.checkouts?.some((checkout) => checkout !== undefined) === true;
  if (!elsewhere) return deps.revision;
  return JSON.stringify([deps.revision, deps.checkouts?.map((checkout) => checkout?.revision ?? null) ?? []]);
}

function cacheKey(application: Application, revision: string): string {
  const { source, sources } = application.spec;
  const key = JSON.stringify([revision, source ?? null, sources ?? null]);
  return key.includes("$") ? JSON.stringify([key, buildEnv(application, revision)]) : key;
}
