import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";

/**
 * Root of the engine cache: built binaries, downloaded jars and virtualenvs live here,
 * each under a folder keyed by engine name and version, so a second run reuses them.
 */
export function cacheRoot(): string {
  return process.env.RADIAL_CACHE_DIR ?? join(homedir(), ".cache", "radial");
}

/** Stable short hash of whatever defines a build (versions, source files), for cache keys. */
export function fingerprint(...parts: string[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part).update("\0");
  return hash.digest("hex").slice(0, 12);
}

/**
 * Returns `<cacheRoot>/<key>`, building it first when absent. `build` writes into a scratch
 * folder that is renamed into place only when it succeeds, so an interrupted build never
 * leaves a half-filled cache entry that a later run would trust.
 */
export async function cached(key: string, build: (dir: string) => Promise<void>): Promise<string> {
  const dir = join(cacheRoot(), key);
  if (existsSync(join(dir, ".complete"))) return dir;
  const scratch = `${dir}.partial-${process.pid}`;
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true });
  await build(scratch);
  await writeFile(join(scratch, ".complete"), new Date().toISOString());
  // Another process may have finished the same build meanwhile, and may be using it: keep theirs.
  if (existsSync(join(dir, ".complete"))) {
    await rm(scratch, { recursive: true, force: true });
    return dir;
  }
  await rm(dir, { recursive: true, force: true });
  await rename(scratch, dir);
  return dir;
}
