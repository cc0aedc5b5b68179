// Bundles the console (console/src/main.tsx, its CSS and an index.html) into static assets:
// `tsx console/build.ts [OUTDIR]` (`npm run console:build`) builds into console/dist and prints the
// sizes, gzipped as a browser receives them. The embedded hub serves that folder at `/`.
import { build, type Plugin } from "esbuild";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

/** Where `npm run console:build` and `radial hub up` put the console (gitignored). */
export const CONSOLE_DIST = fileURLToPath(new URL("./dist", import.meta.url));

export interface ConsoleBuild {
  dir: string;
  /** Each emitted file with its size and gzipped size, in bytes. */
  files: { path: string; bytes: number; gzipBytes: number }[];
  gzipBytes: number;
}

/**
 * zod's `z` namespace re-exports every locale (about 300 KB minified) and esbuild cannot shake a
 * namespace re-export; zod configures English itself (it imports locales/en.js directly), and the
 * console uses nothing else, so the locale index is an empty module here: 122 KB → 86 KB gzipped.
 */
const noZodLocales: Plugin = {
  name: "no-zod-locales",
  setup(plugin) {
    plugin.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes("/node_modules/zod/") ? { path: "locales", namespace: "empty" } : undefined,
    );
    plugin.onLoad({ filter: /.*/, namespace: "empty" }, () => ({ contents: "export {};" }));
  },
};

function indexHtml(script: string, style: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Radial</title>
<link rel="stylesheet" href="${style}">
<script type="module" src="${script}"></script>
</head>
<body><div id="app"></div></body>
</html>
`;
}

/** Builds the console into `dir` (emptied first): index.html and content-hashed assets under assets/. */
export async function buildConsole(dir = CONSOLE_DIST): Promise<ConsoleBuild> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const result = await build({
    entryPoints: [fileURLToPath(new URL("./src/main.tsx", import.meta.url))],
    outdir: join(dir, "assets"),
    entryNames: "[name]-[hash]",
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["chrome110", "firefox115", "safari16"],
    jsx: "automatic",
    jsxImportSource: "preact",
    minify: true,
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
    plugins: [noZodLocales],
  });
  const outputs = Object.keys(result.metafile.outputs).map((path) => relative(dir, path));
  const script = outputs.find((path) => path.endsWith(".js"));
  const style = outputs.find((path) => path.endsWith(".css"));
  if (!script || !style) throw new Error(`the console build emitted no script or stylesheet: ${outputs.join(", ")}`);
  await writeFile(join(dir, "index.html"), indexHtml(`/${script}`, `/${style}`));
  const files = await Promise.all(
    ["index.html", script, style].map(async (path) => {
      const bytes = await readFile(join(dir, path));
      return { path, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
    }),
  );
  return { dir, files, gzipBytes: files.reduce((sum, file) => sum + file.gzipBytes, 0) };
}

const SOURCES = fileURLToPath(new URL("./src", import.meta.url));

/** Whether a file under console/src changed after `since` (ms): the build in dist is then stale. */
async function changedSince(since: number): Promise<boolean> {
  const entries = await readdir(SOURCES, { recursive: true, withFileTypes: true });
  const times = await Promise.all(entries.filter((entry) => entry.isFile()).map(async (entry) => (await stat(join(entry.parentPath, entry.name))).mtimeMs));
  return times.some((time) => time > since);
}

/** The console's folder, built first when it has no index.html yet (a fresh checkout) or its sources changed since. */
export async function consoleAssets(dir = CONSOLE_DIST): Promise<string> {
  const index = join(dir, "index.html");
  if (!existsSync(index) || (await changedSince((await stat(index)).mtimeMs))) await buildConsole(dir);
  return dir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const built = await buildConsole(process.argv[2] ?? CONSOLE_DIST);
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  for (const file of built.files) console.log(`${basename(file.path).padEnd(32)} ${kb(file.bytes).padStart(10)}  gzip ${kb(file.gzipBytes).padStart(9)}`);
  console.log(`console built in ${built.dir}: ${kb(built.gzipBytes)} gzipped in all (goal ≤ 150 KB)`);
}
