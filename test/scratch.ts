import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh temporary folder, removed when the test (or suite) ends. */
export async function scratchDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "radial-test-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
