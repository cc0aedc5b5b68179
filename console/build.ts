// Bundles the console (console/src/main.tsx, its CSS and an index.html) into static assets:
// `tsx console/build.ts [OUTDIR]` (`npm run console:build`) builds into console/dist and prints the
// sizes, gzipped as a browser receives them. The embedded hub serves that folder at `/`.
import { build, type Plugin } from "esbuild";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { basename, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

/** Where `npm run console:build` and `radial hub up` put the console (gitignored). */
export const CONSOLE_DIST = fileURLToPath(new URL("./dist", import.meta.url));

export interface ConsoleBuild {
  dir: string;
  /** Each emitted file with its size and gzipped size, in bytes: the page, its script and style, then the AWS sign-in's script (on demand). */
  files: { path: string; bytes: number; gzipBytes: number; onDemand: boolean }[];
  /** Every file: what an operator on AWS downloads (the page imports the AWS sign-in's script there). */
  gzipBytes: number;
  /** The page without the AWS sign-in's script: all the embedded hub's console loads. */
  pageGzipBytes: number;
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

/** One bundle of the console's: `entry` under console/src, emitted as assets/<name>-<hash>.js. */
async function bundle(dir: string, name: string, entry: string, define: Record<string, string> = {}): Promise<string[]> {
  const result = await build({
    entryPoints: { [name]: fileURLToPath(new URL(`./src/${entry}`, import.meta.url)) },
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
    define,
    // The page's import of the AWS sign-in's script by its URL stays an import.
    external: ["/assets/*"],
    plugins: [noZodLocales],
  });
  return Object.keys(result.metafile.outputs).map((path) => resolve(path));
}

async function sizes(dir: string, paths: string[], onDemand: boolean): Promise<ConsoleBuild["files"]> {
  return Promise.all(
    paths.map(async (path) => {
      const bytes = await readFile(path);
      return { path: relative(dir, path), bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length, onDemand };
    }),
  );
}

/**
 * Builds the console into `dir` (emptied first): index.html and content-hashed assets under assets/.
 * The AWS sign-in (Cognito and SigV4: most of the AWS SDK's browser code) is bundled apart and
 * imported by the page only when its configuration says AWS, so the embedded hub's page never loads
 * it. Apart, not as an esbuild chunk: code splitting keeps every export of a module two chunks
 * share, which doubled zod in the page.
 */
export async function buildConsole(dir = CONSOLE_DIST): Promise<ConsoleBuild> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const [awsScript] = await bundle(dir, "aws-sign-in", "aws/index.ts");
  const page = await bundle(dir, "main", "main.tsx", { AWS_SIGN_IN_SCRIPT: JSON.stringify(`/${relative(dir, awsScript!)}`) });
  const script = page.find((path) => path.endsWith(".js"));
  const style = page.find((path) => path.endsWith(".css"));
  if (!awsScript || !script || !style) throw new Error(`the console build emitted no script or stylesheet: ${[awsScript, ...page].join(", ")}`);
  await writeFile(join(dir, "index.html"), indexHtml(`/${relative(dir, script)}`, `/${relative(dir, style)}`));
  const files = [...(await sizes(dir, [join(dir, "index.html"), script, style], false)), ...(await sizes(dir, [awsScript], true))];
  const sum = (list: typeof files) => list.reduce((total, file) => total + file.gzipBytes, 0);
  return { dir, files, gzipBytes: sum(files), pageGzipBytes: sum(files.filter((file) => !file.onDemand)) };
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
  for (const file of built.files)
    console.log(
      `${basename(file.path).padEnd(32)} ${kb(file.bytes).padStart(10)}  gzip ${kb(file.gzipBytes).padStart(9)}${file.onDemand ? "  (on demand: AWS sign-in)" : ""}`,
    );
  console.log(
    `console built in ${built.dir}: ${kb(built.gzipBytes)} gzipped in all, as on AWS (goal ≤ 150 KB); ${kb(built.pageGzipBytes)} with the embedded hub`,
  );
}
