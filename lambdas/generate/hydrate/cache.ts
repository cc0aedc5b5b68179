/**
 * Hydration memoized by what decides its output: the commits read (the fleet repo's, and each
 * source's read elsewhere), the Application's sources (repo, path, chart and version, directory,
 * kustomize and helm options with their values), the destination cluster's capabilities when given
 * (helm's `--kube-version`, `--api-versions`) and, only when the sources use `$VARS`, the build
 * environment (which names the Application). A chart's archive is kept by the helm runner too. Across a fleet the same app source is rendered for
 * every cluster, so 10,000 clusters × 20 apps hydrate 20 times, not 200,000. Entries never go stale
 * (a commit id is content); the least recently used are dropped past the bounds. A failure is
 * shared by the calls already waiting on it and then forgotten, so the next run tries again.
 */
import type { Application } from "../../../contract/application.js";
import { LruMap } from "../lru.js";
import { buildEnv } from "./envsubst.js";
import { hydrate, type Hydrated, type HydrateDeps } from "./index.js";

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

  hydrate(application: Application, deps: HydrateDeps): Promise<Hydrated> {
    const key = this.keyOf(application, inputsOf(deps));
    const cached = this.entries.get(key);
    if (cached) return cached.pending;
    const entry: Entry = { pending: hydrate(application, deps) };
    this.entries.set(key, entry);
    entry.pending.then(
      (hydrated) => {
        if (!this.entries.has(key)) return;
        entry.settled = hydrated;
        this.entries.resize(key);
      },
      () => this.entries.delete(key),
    );
    return entry.pending;
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
 * What besides the Application decides a hydration: the fleet commit alone when every source is
 * read there and no capabilities are given (what `settled` is asked with), else all of it.
 */
function inputsOf(deps: HydrateDeps): string {
  const elsewhere = deps.checkouts?.some((checkout) => checkout !== undefined) === true;
  if (!elsewhere && deps.capabilities === undefined) return deps.revision;
  return JSON.stringify([deps.revision, deps.checkouts?.map((checkout) => checkout?.revision ?? null) ?? [], deps.capabilities ?? null]);
}

function cacheKey(application: Application, revision: string): string {
  const { source, sources } = application.spec;
  const key = JSON.stringify([revision, source ?? null, sources ?? null]);
  return key.includes("$") ? JSON.stringify([key, buildEnv(application, revision)]) : key;
}
