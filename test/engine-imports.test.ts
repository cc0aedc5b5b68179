import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, before, test } from "node:test";
import { needsEngine } from "./engine-imports.js";

let dir: string;
let fixtures = 0;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "radial-engine-imports-"));
});
after(() => rm(dir, { recursive: true, force: true }));

/** The specifier a fixture file uses for one of test/engines' modules (fixtures sit one folder below `dir`). */
const engine = (module: string) => relative(join(dir, "fixture"), join(import.meta.dirname, "engines", module));

/** Writes `files` (name → source) into a fresh folder and answers for its `main.test.ts`. */
async function needsEngineFor(files: Record<string, string>): Promise<boolean> {
  const folder = join(dir, String(fixtures++));
  await mkdir(folder);
  await Promise.all(Object.entries(files).map(([name, source]) => writeFile(join(folder, name), source)));
  return needsEngine(join(folder, "main.test.ts"));
}

test("a value import of an engine's module, through a helper, needs the engine", async () => {
  const files = {
    "main.test.ts": `import { startFleet } from "./fleet.js";\n`,
    "fleet.ts": `import { startCluster } from "${engine("kubernetes.js")}";\nexport const startFleet = startCluster;\n`,
  };
  assert.equal(await needsEngineFor(files), true);
});

test("an engine npm run engines installs from outside the cache (Chromium, with apt) counts too", async () => {
  assert.equal(await needsEngineFor({ "main.test.ts": `import { launchBrowser } from "${engine("chromium.js")}";\n` }), true);
});

test("`import type` is erased and needs no engine; an import naming only types inline still loads the module", async () => {
  const typeOnly = `import type { Cluster } from "${engine("kubernetes.js")}";\nexport let cluster: Cluster | undefined;\n`;
  const inlineTypes = `import { type Cluster } from "${engine("kubernetes.js")}";\nexport let cluster: Cluster | undefined;\n`;
  assert.equal(await needsEngineFor({ "main.test.ts": typeOnly }), false);
  assert.equal(await needsEngineFor({ "main.test.ts": inlineTypes }), true);
});

test("re-exports and import() calls count", async () => {
  assert.equal(await needsEngineFor({ "main.test.ts": `export { startMoto } from "${engine("moto.js")}";\n` }), true);
  assert.equal(await needsEngineFor({ "main.test.ts": `export async function later() {\n  return import("${engine("kustomize.js")}");\n}\n` }), true);
});

test("git's own HTTP server is no engine: it runs the machine's git", async () => {
  assert.equal(await needsEngineFor({ "main.test.ts": `import { startGitServer } from "${engine("git-server.js")}";\n` }), false);
});

test("an import cycle ends, and an engine behind it is still found", async () => {
  const cycle = {
    "main.test.ts": `import "./a.js";\n`,
    "a.ts": `import "./b.js";\n`,
    "b.ts": `import "./a.js";\n`,
  };
  assert.equal(await needsEngineFor(cycle), false);
  assert.equal(await needsEngineFor({ ...cycle, "b.ts": `import "./a.js";\nimport "${engine("dynamodb-local.js")}";\n` }), true);
});
