// The embedded hub's kustomize: built into the tool cache on first use, with go's progress handed
// on, and taken from the cache afterwards. A scratch cache, so the build really runs (Go's own
// build cache makes it quick after the first time on a machine).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { installKustomize, KUSTOMIZE_VERSION } from "../../lambdas/adapters/kustomize/install.js";

test("a kustomize missing from the tool cache is built there with progress, then found without building", { timeout: 15 * 60_000 }, async (t) => {
  const cache = await mkdtemp(join(tmpdir(), "radial-tool-cache-"));
  t.after(() => rm(cache, { recursive: true, force: true }));
  const env = { ...process.env, RADIAL_CACHE_DIR: cache };
  const progress: string[] = [];
  const path = await installKustomize({ env, onProgress: (line) => progress.push(line) });
  assert.equal(path, join(cache, `kustomize-${KUSTOMIZE_VERSION}`, "bin", "kustomize"));
  assert.match(progress[0] ?? "", new RegExp(`^kustomize ${KUSTOMIZE_VERSION} is not in ${cache} yet: building it with go install`));
  assert.match(progress.at(-1) ?? "", new RegExp(`^kustomize ${KUSTOMIZE_VERSION} built in \\d+ s$`));
  const { stdout } = await promisify(execFile)(path, ["version"]);
  assert.match(stdout, new RegExp(KUSTOMIZE_VERSION.replace(/\./g, "\\.")));

  const again: string[] = [];
  assert.equal(await installKustomize({ env, onProgress: (line) => again.push(line) }), path);
  assert.deepEqual(again, [], "found in the cache: nothing to build");
});

test("without Go on PATH, the error says what to install or set", async (t) => {
  const cache = await mkdtemp(join(tmpdir(), "radial-tool-cache-"));
  t.after(() => rm(cache, { recursive: true, force: true }));
  await assert.rejects(
    installKustomize({ env: { ...process.env, RADIAL_CACHE_DIR: cache, PATH: "/nonexistent" } }),
    /kustomize is not installed and cannot be built: go is not on PATH\. Install Go 1\.26 or newer, or set RADIAL_KUSTOMIZE to a kustomize v5 binary/,
  );
});
