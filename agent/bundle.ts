// Bundles the agent (agent/main.ts and everything it imports) into one ES module for the container
// image (`npm run image`, build/image.ts): `tsx agent/bundle.ts OUTFILE`. esbuild comes with tsx.
import { build } from "esbuild";
import { copyFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * How node runs the bundle in the image (build/image.ts puts them in its entrypoint and environment)
 * and in bench/agent. A small young generation and two malloc arenas keep
 * the resident size near what the heap really holds: bench/agent measured 123 MiB without them and
 * 94 MiB with them while managing 1,000 objects.
 */
export const AGENT_NODE_FLAGS = ["--max-semi-space-size=1", "--max-old-space-size=192"] as const;
export const AGENT_ENV = { MALLOC_ARENA_MAX: "2" } as const;

export async function bundleAgent(outfile: string): Promise<void> {
  await build({
    entryPoints: [fileURLToPath(new URL("./main.ts", import.meta.url))],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    minifySyntax: true,
    legalComments: "none",
    logLevel: "warning",
    // CommonJS dependencies call require() on node's built-ins, and wasmoon finds its glue.wasm
    // through __filename; an ES module has neither of its own.
    banner: {
      js: [
        'import { createRequire as __radialRequire } from "node:module";',
        'import { fileURLToPath as __radialPath } from "node:url";',
        "const require = __radialRequire(import.meta.url);",
        "const __filename = __radialPath(import.meta.url);",
      ].join(" "),
    },
  });
  // The Lua VM users' health checks run in (agent/health/lua/vm.ts looks for it beside the bundle).
  await copyFile(createRequire(import.meta.url).resolve("wasmoon/dist/glue.wasm"), join(dirname(outfile), "glue.wasm"));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outfile = process.argv[2];
  if (!outfile) {
    console.error("usage: tsx agent/bundle.ts OUTFILE");
    process.exit(2);
  }
  await bundleAgent(outfile);
}
