import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";

const ROOT = join(import.meta.dirname, "..");
const DEPCRUISE = join(ROOT, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs");

let dir: string;
let trees = 0;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "radial-dependency-rules-"));
});
after(() => rm(dir, { recursive: true, force: true }));

/** A tree laid out like this repo, with an installed `@aws-sdk/client-dynamodb` for imports to resolve to. */
const BASE = {
  "tsconfig.json": JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", verbatimModuleSyntax: true } }),
  "package.json": JSON.stringify({ name: "fixture", version: "1.0.0", type: "module" }),
  "node_modules/@aws-sdk/client-dynamodb/package.json": JSON.stringify({ name: "@aws-sdk/client-dynamodb", version: "1.0.0", main: "index.js" }),
  "node_modules/@aws-sdk/client-dynamodb/index.js": "exports.DynamoDBClient = class {};\n",
};

/** Runs `npm run deps`' dependency-cruiser, with this repo's rules, over a tree of `files`; answers "rule: from → to" per violation. */
async function violations(files: Record<string, string>): Promise<string[]> {
  const tree = join(dir, String(trees++));
  for (const [path, text] of Object.entries({ ...BASE, ...files })) {
    await mkdir(dirname(join(tree, path)), { recursive: true });
    await writeFile(join(tree, path), text);
  }
  const cruise = promisify(execFile)(process.execPath, [DEPCRUISE, "--config", join(ROOT, ".dependency-cruiser.js"), "--output-type", "json", "."], {
    cwd: tree,
  });
  // Violations make it exit non-zero; the report on stdout is the same either way.
  const { stdout } = await cruise.catch((error: unknown) => error as { stdout: string });
  const report = JSON.parse(stdout) as { summary: { violations: { rule: { name: string }; from: string; to: string }[] } };
  return report.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
}

test("each forbidden import is reported by the rule that names it", async () => {
  const found = await violations({
    "agent/main.ts": `import "../lambdas/generate/run.js";\nimport "../cli/main.js";\n`,
    "cli/main.ts": "export {};\n",
    "lambdas/generate/run.ts": `import "@aws-sdk/client-dynamodb";\nimport type { Cli } from "../../cli/types.js";\nimport "../adapters/store.js";\nexport type Run = Cli;\n`,
    "lambdas/adapters/store.ts": "export {};\n",
    "cli/types.ts": "export type Cli = string;\n",
    "core/git.ts": `import "../lambdas/generate/run.js";\n`,
    "contract/a.ts": `import "../core/git.js";\nimport "./b.js";\n`,
    "contract/b.ts": `import "./a.js";\n`,
  });
  assert.deepEqual(found, [
    "agent-not-to-hub-or-cli: agent/main.ts → cli/main.ts",
    "agent-not-to-hub-or-cli: agent/main.ts → lambdas/generate/run.ts",
    "contract-stands-alone: contract/a.ts → core/git.ts",
    "core-only-to-contract: core/git.ts → lambdas/generate/run.ts",
    "hub-domain-not-to-adapters: lambdas/generate/run.ts → lambdas/adapters/store.ts",
    "hub-domain-not-to-aws-sdk: lambdas/generate/run.ts → node_modules/@aws-sdk/client-dynamodb/index.js",
    "hub-not-to-agent-or-cli: lambdas/generate/run.ts → cli/types.ts",
    "no-circular: contract/a.ts → contract/b.ts",
  ]);
});

test("what the layers allow passes: adapters, entry points and the composition root use the AWS SDK; core reads package.json", async () => {
  const found = await violations({
    "agent/main.ts": `import "../core/git.js";\nimport "../contract/a.js";\n`,
    "cli/main.ts": `import "../agent/main.js";\nimport "../lambdas/composition.js";\n`,
    "core/git.ts": `import "../contract/a.js";\nimport pkg from "../package.json" with { type: "json" };\nexport const version = pkg.version;\n`,
    "contract/a.ts": "export {};\n",
    "lambdas/generate/run.ts": `import "../../core/git.js";\nimport "../../contract/a.js";\n`,
    "lambdas/adapters/store.ts": `import "@aws-sdk/client-dynamodb";\n`,
    "lambdas/handlers/api.ts": `import "@aws-sdk/client-dynamodb";\nimport "../composition.js";\n`,
    "lambdas/local/hub.ts": `import "@aws-sdk/client-dynamodb";\nimport "../composition.js";\n`,
    "lambdas/composition.ts": `import "@aws-sdk/client-dynamodb";\nimport "./adapters/store.js";\nimport "./generate/run.js";\n`,
  });
  assert.deepEqual(found, []);
});
