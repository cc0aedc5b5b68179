// The cache of tools the project builds or downloads (kustomize for the embedded hub; the test
// engines), one folder per tool and version, shared by every clone on the machine.
import { existsSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";

/** `RADIAL_CACHE_DIR`, else `~/.cache/radial`. */
export function toolCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.RADIAL_CACHE_DIR ?? join(homedir(), ".cache", "radial");
}

/**
 * Returns `<root>/<key>`, building it first when absent. `build` writes into a scratch folder
 * that is renamed into place only when it succeeds, so an interrupted build never leaves a
 * half-filled entry that a later run would trust.
 */
export async function cached(key: string, build: (dir: string) => Promise<void>, root: string = toolCacheRoot()): Promise<string> {
  const dir = join(root, key);
  if (existsSync(join(dir, ".complete"))) return dir;
  const scratch = `${dir}.partial-${process.pid}`;
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true });
  try {
    await build(scratch);
  } catch (error) {
    await rm(scratch, { recursive: true, force: true });
    throw error;
  }
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
