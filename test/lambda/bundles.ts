// The hub's functions' bundles: the exact assets `cdk synth` produced (test/infra/synth.ts), found
// through each function's Code.S3Key in the assets manifest. `bundle` builds another entry point
// (bench/lambda's hello-world) with the options the stack's NodejsFunction uses (infra/hub-function.ts:
// the local esbuild, one minified ESM file with every dependency, the require shim as banner, Node's
// http and https taken as CommonJS, node24), into its own folder as `index.mjs`.
import { build } from "esbuild";
import { mkdir, stat } from "node:fs/promises";
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

/** The hub's function `name` as synthesized: its logical id, its asset's folder and its bundle's size in bytes. */
export async function bundleFunction(name: FunctionName): Promise<{ logicalId: string; dir: string; bytes: number }> {
  const assembly = await synthesizedHub();
  const logicalId = logicalIdOf(assembly, "AWS::Lambda::Function", FUNCTIONS[name]);
  const dir = functionAssetDir(assembly, logicalId);
  return { logicalId, dir, bytes: (await stat(join(dir, "index.mjs"))).size };
}
