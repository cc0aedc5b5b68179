// The hub's functions' bundles: the exact assets `cdk synth` produced (test/infra/synth.ts), found
// through each function's Code.S3Key in the assets manifest. `bundle` builds another entry point
// (bench/lambda's hello-world) with the stack's options (infra/hub-function.ts: the local esbuild,
// minified ESM with every dependency, the require shim as banner, Node's http and https taken as
// CommonJS, node24), but as one file, `index.mjs` in its own folder: it has nothing to split.
import { build } from "esbuild";
import { mkdir, readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { NODE_MAJOR } from "../../build/node-runtime.js";
import { BUILTIN_ALIASES } from "../../infra/builtins/aliases.js";
import { functionAssetDir, logicalIdOf, synthesizedHub } from "../infra/synth.js";

const REQUIRE_SHIM = "import { createRequire as __radialCreateRequire } from 'node:module'; const require = __radialCreateRequire(import.meta.url);";

/** The hub's functions by the start of their logical id in the template (their construct path). */
export const FUNCTIONS = { api: "Api", worker: "GenerationWorker", schedule: "GenerationSchedule" } as const;
export type FunctionName = keyof typeof FUNCTIONS;

/** Bundles one handler into `<out>/<name>/index.mjs`; returns the folder and the bundle's size in bytes. */
export async function bundle(entry: string, out: string, name: string): Promise<{ dir: string; bytes: number }> {
  const dir = join(out, name);
  await mkdir(dir, { recursive: true });
  const outfile = join(dir, "index.mjs");
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: `node${NODE_MAJOR}`,
    mainFields: ["module", "main"],
    minify: true,
    banner: { js: REQUIRE_SHIM },
    alias: BUILTIN_ALIASES,
    logLevel: "error",
  });
  return { dir, bytes: (await stat(outfile)).size };
}

/**
 * The hub's function `name` as synthesized: its logical id, its asset's folder, and its bundle's size
 * in bytes: `bytes`, what a cold start loads (`index.mjs` and the chunks it imports, transitively),
 * and `totalBytes`, every chunk in the asset (the rest is loaded by `import()` when first needed).
 */
export async function bundleFunction(name: FunctionName): Promise<{ logicalId: string; dir: string; bytes: number; totalBytes: number }> {
  const assembly = await synthesizedHub();
  const logicalId = logicalIdOf(assembly, "AWS::Lambda::Function", FUNCTIONS[name]);
  const dir = functionAssetDir(assembly, logicalId);
  const chunks = (await readdir(dir)).filter((file) => file.endsWith(".mjs"));
  const sizes = new Map(await Promise.all(chunks.map(async (file) => [file, (await stat(join(dir, file))).size] as const)));
  const loaded = await staticallyImported(dir, "index.mjs");
  const sum = (files: Iterable<string>) => [...files].reduce((total, file) => total + (sizes.get(file) ?? 0), 0);
  return { logicalId, dir, bytes: sum(loaded), totalBytes: sum(sizes.keys()) };
}

/** `entry` and the chunks it imports with an import statement (esbuild's `from"./x.mjs"` or `import"./x.mjs"`, never `import(`), transitively. */
async function staticallyImported(dir: string, entry: string): Promise<Set<string>> {
  const seen = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const code = await readFile(join(dir, file), "utf8");
    for (const match of code.matchAll(/\b(?:from|import)\s*"\.\/([^"]+\.mjs)"/g)) pending.push(match[1]!);
  }
  return seen;
}
