import { createHash } from "node:crypto";

/**
 * Built binaries, downloaded jars and virtualenvs live in the project's tool cache (the embedded
 * hub finds its kustomize there too), each under a folder keyed by engine name and version, so a
 * second run reuses them.
 */
export { cached } from "../../core/tool-cache.js";

/** Stable short hash of whatever defines a build (versions, source files), for cache keys. */
export function fingerprint(...parts: string[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part).update("\0");
  return hash.digest("hex").slice(0, 12);
}
