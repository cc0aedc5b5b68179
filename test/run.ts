// Runs the suite with node's test runner: every *.test.ts under test/, or the files and folders
// given as arguments (`npm test -- test/contract`). With --unit (`npm run test:unit`), only the
// files that need no engine from the cache: the fast lane.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { needsEngine } from "./engine-imports.js";
import { installNodeRuntime } from "./engines/node.js";

function testFiles(path: string): string[] {
  if (statSync(path).isFile()) return path.endsWith(".test.ts") ? [path] : [];
  return readdirSync(path)
    .filter((entry) => entry !== "node_modules")
    .flatMap((entry) => testFiles(join(path, entry)))
    .sort();
}

const args = process.argv.slice(2);
const unitOnly = args.includes("--unit");
const roots = args.filter((arg) => arg !== "--unit");
const found = (roots.length > 0 ? roots : ["test"]).flatMap(testFiles);
const files = unitOnly ? found.filter((file) => !needsEngine(file)) : found;
if (unitOnly) console.error(`unit lane: ${files.length} of ${found.length} test files (the others start an engine)`);
if (files.length === 0) {
  console.error(`no ${unitOnly ? "engine-free " : ""}*.test.ts files under ${roots.join(", ") || "test"}`);
  process.exit(1);
}
// The suite runs on the Node.js the Lambda runtime uses (build/node-runtime.ts), whatever node started npm.
const node = await installNodeRuntime();
const result = spawnSync(
  node,
  ["--import", "tsx", "--test", "--test-reporter=spec", `--test-concurrency=${process.env.RADIAL_TEST_CONCURRENCY ?? "2"}`, ...files],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
