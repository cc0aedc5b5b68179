// ApplicationSet conformance: each case under cases/ is an ApplicationSet from Argo CD's
// documentation or tests, the inventory and repository files it runs against, and the
// Applications Argo CD would generate (or the problems Radial must report).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { parseApplicationSet } from "../../../lambdas/generate/application-set.js";
import { evaluateApplicationSet, evaluationCaches, type EvaluationProblem } from "../../../lambdas/generate/evaluate.js";
import { inventoryView } from "../../../lambdas/generate/inventory-view.js";
import type { InventoryCluster } from "../../../lambdas/generate/params.js";
import type { RepoReader } from "../../../core/git/reader.js";

interface Case {
  description: string;
  clusters: { name: string; server?: string; labels?: Record<string, string>; annotations?: Record<string, string> }[];
  files?: Record<string, string>;
  applicationSet: unknown;
  expected: { cluster: string; application: unknown }[];
  expectedProblems?: string[];
}

/** The case's repository contents behind the RepoReader interface the git generators read through. */
function repoOf(files: Record<string, string>): RepoReader {
  return {
    listFiles: () => Promise.resolve(Object.keys(files).sort()),
    readFile: (_url, _revision, path) => {
      const content = files[path];
      if (content === undefined) return Promise.reject(new Error(`no file ${path}`));
      return Promise.resolve(new TextEncoder().encode(content));
    },
  };
}

function problemText(problem: EvaluationProblem): string {
  return [problem.generator, problem.application, problem.field, problem.message].filter(Boolean).join(" ");
}

const casesDir = join(import.meta.dirname, "cases");
/** Cases on disk when this floor was set; a folder that lost cases (or all of them) fails rather than passing with fewer. */
const AT_LEAST = 21;
const onDisk = readdirSync(casesDir).sort();
let registered = 0;
for (const file of onDisk.filter((f) => f.endsWith(".yaml"))) {
  const testCase = parse(readFileSync(join(casesDir, file), "utf8")) as Case;
  registered++;
  test(`${file}: ${testCase.description}`, async () => {
    const clusters: InventoryCluster[] = testCase.clusters.map((c) => ({
      name: c.name,
      server: c.server ?? null,
      labels: c.labels ?? {},
      annotations: c.annotations ?? {},
    }));
    const context = {
      inventory: inventoryView(clusters),
      repo: repoOf(testCase.files ?? {}),
      revision: (_url: string, revision: string) => revision,
      caches: evaluationCaches(),
    };
    let problems: string[];
    let generated: { cluster: string; application: unknown }[] = [];
    try {
      const evaluation = await evaluateApplicationSet(parseApplicationSet(testCase.applicationSet), context);
      generated = evaluation.applications.map(({ cluster, application }) => ({ cluster, application }));
      problems = evaluation.problems.map(problemText);
    } catch (error) {
      problems = [(error as Error).message];
    }
    assert.deepEqual(generated, testCase.expected);
    const expectedProblems = testCase.expectedProblems ?? [];
    assert.equal(problems.length, expectedProblems.length, `problems: ${JSON.stringify(problems)}`);
    expectedProblems.forEach((pattern, i) => assert.match(problems[i]!, new RegExp(pattern)));
  });
}

test(`every file under cases/ is a registered case, at least ${AT_LEAST}`, () => {
  assert.deepEqual(
    onDisk.filter((f) => !f.endsWith(".yaml")),
    [],
    "a case file not named *.yaml would be skipped",
  );
  assert.equal(registered, onDisk.length);
  assert.ok(registered >= AT_LEAST, `${registered} cases registered, expected at least ${AT_LEAST}`);
});
