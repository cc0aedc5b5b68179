// The functions' bundles, built as the stack's NodejsFunction builds them (infra/hub-function.ts:
// the local esbuild, one minified ESM file per handler with every dependency and the AWS SDK,
// names kept, the require shim as banner, node24), each into its own folder as `index.mjs`.
import { build } from "esbuild";
import { mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { NODE_MAJOR } from "../../build/node-runtime.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const REQUIRE_SHIM = "import { createRequire as __radialCreateRequire } from 'node:module'; const require = __radialCreateRequire(import.meta.url);";

/** The hub's functions by handler file under lambdas/handlers/. */
export const FUNCTIONS = { api: "api.ts", worker: "generate-worker.ts", schedule: "schedule.ts" } as const;
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
    keepNames: true,
    banner: { js: REQUIRE_SHIM },
    logLevel: "error",
  });
  return { dir, bytes: (await stat(outfile)).size };
}

/** The hub's function `name`, bundled into `out`. */
export function bundleFunction(name: FunctionName, out: string): Promise<{ dir: string; bytes: number }> {
  return bundle(join(ROOT, "lambdas/handlers", FUNCTIONS[name]), out, name);
}
