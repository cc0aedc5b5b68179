/**
 * Hydration memoized by what decides its output: the commit read, the Application's source (repo,
 * path, directory and kustomize options) and, only when those options use `$VARS`, the build
 * environment (which names the Application). Across a fleet the same app source is rendered for
 * every cluster, so 10,000 clusters × 20 apps hydrate 20 times, not 200,000. Entries never go stale
 * (a commit id is content); the oldest are dropped past a size bound. A failure is shared by the
 * calls already waiting on it and then forgotten, so the next run tries again.
 */
import type { Application } from "../../../contract/application.js";
import { buildEnv } from "./envsubst.js";
import { hydrate, type Hydrated, type HydrateDeps } from "./index.js";

export interface HydrationCacheOptions {
  /** Largest total size of cached manifests, in UTF-16 code units; default 128 Mi. */
  maxChars?: number;
}

export class HydrationCache {
  private readonly entries = new Map<string, { value: Promise<Hydrated>; chars: number }>();
  private chars = 0;
  private readonly maxChars: number;

  constructor(options: HydrationCacheOptions = {}) {
    this.maxChars = options.maxChars ?? 128 * 1024 * 1024;
  }

  hydrate(application: Application, deps: HydrateDeps): Promise<Hydrated> {
    const key = cacheKey(application, deps.revision);
    const cached = this.entries.get(key);
    if (cached) return cached.value;
    const entry = { value: hydrate(application, deps), chars: 0 };
    this.entries.set(key, entry);
    entry.value.then(
      (hydrated) => {
        if (this.entries.get(key) !== entry) return;
        entry.chars = hydrated.manifests.length;
        this.chars += entry.chars;
        for (const [oldest, old] of this.entries) {
          if (this.chars <= this.maxChars || oldest === key) break;
          this.entries.delete(oldest);
          this.chars -= old.chars;
        }
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry.value;
  }
}

function cacheKey(application: Application, revision: string): string {
  const { source, sources } = application.spec;
  const key = JSON.stringify([revision, source ?? null, sources ?? null]);
  return key.includes("$") ? JSON.stringify([key, buildEnv(application, revision)]) : key;
}
