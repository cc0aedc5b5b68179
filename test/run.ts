// Runs the whole suite with node's test runner: every *.test.ts under test/, or the files and
// folders given as arguments (`npm test -- test/contract`).
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function testFiles(path: string): string[] {
  if (statSync(path).isFile()) return path.endsWith(".test.ts") ? [path] : [];
  return readdirSync(path)
    .filter((entry) => entry !== "node_modules")
    .flatMap((entry) => testFiles(join(path, entry)))
    .sort();
}

const roots = process.argv.slice(2);
const files = (roots.length > 0 ? roots : ["test"]).flatMap(testFiles);
if (files.length === 0) {
  console.error(`no *.test.ts files under ${roots.join(", ") || "test"}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-reporter=spec", `--test-concurrency=${process.env.RADIAL_TEST_CONCURRENCY ?? "2"}`, ...files],
  { stdio: "inherit", env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" } },
);
process.exit(result.status ?? 1);
