// ApplicationSet conformance: each case under cases/ is an ApplicationSet from Argo CD's
// documentation or tests, the inventory and repository files it runs against, and the
// Applications Argo CD would generate (or the problems Radial must report).
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { parse } from "yaml";
import { GitReader } from "../../../core/git/index.js";
import { parseApplicationSet } from "../../../lambdas/generate/application-set.js";
import { evaluateApplicationSet, evaluationCaches, type EvaluationProblem } from "../../../lambdas/generate/evaluate.js";
import { inventoryView } from "../../../lambdas/generate/inventory-view.js";
import type { InventoryCluster } from "../../../lambdas/generate/params.js";
import type { RepoReader } from "../../../core/git/reader.js";
import { git, gitText, writeFiles } from "../../core/git/native.js";
import { startGitServer, type GitServer } from "../../engines/git-server.js";

interface Case {
  description: string;
  clusters: { name: string; server?: string; labels?: Record<string, string>; annotations?: Record<string, string> }[];
  files?: Record<string, string>;
  applicationSet: unknown;
  expected: { cluster: string; application: unknown }[];
  expectedProblems?: string[];
}

let server: GitServer;
let scratch: string;
before(async () => {
  server = await startGitServer();
  scratch = mkdtempSync(join(tmpdir(), "radial-conformance-"));
});
after(async () => {
  await server.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** The repoURL of every git generator of the set, nested ones (matrix, merge) included. */
function gitRepoURLs(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) gitRepoURLs(item, found);
  else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      const repoURL = (item as { repoURL?: unknown } | null)?.repoURL;
      if (key === "git" && typeof repoURL === "string") found.add(repoURL);
      gitRepoURLs(item, found);
    }
  }
  return found;
}

/**
 * The case's files in a real repository on the git server, read as the hub reads the fleet repo
 * (a GitReader, at the commit its branch resolves to). Main's previous commit and a `stale` branch
 * hold the same paths with other content, so a generator that reads another revision than the one
 * it resolved gets other answers; the repository answers only to the URL the case's git generators
 * name, so one that reads another repository fails.
 */
async function caseRepo(name: string, files: Record<string, string>, declared: Set<string>) {
  const work = join(scratch, `${name}-work`);
  const url = await server.createRepo(name);
  git(scratch, ["clone", "--quiet", server.repoPath(name), work]);
  git(work, ["checkout", "--quiet", "-b", "main"]);
  writeFiles(work, { ...Object.fromEntries(Object.keys(files).map((path) => [path, "stale: true\n"])), "stale/config.json": "{}\n" });
  git(work, ["add", "--all"]);
  git(work, ["commit", "--quiet", "--no-gpg-sign", "--message", "stale"]);
  git(work, ["branch", "stale"]);
  git(work, ["rm", "--quiet", "-r", "stale"]);
  writeFiles(work, files);
  git(work, ["add", "--all"]);
  git(work, ["commit", "--quiet", "--no-gpg-sign", "--message", "the case's files"]);
  git(work, ["push", "--quiet", "origin", "main", "stale"]);
  const head = gitText(work, "rev-parse", "main");

  const reader = new GitReader({ url, dir: join(scratch, `${name}-store`) });
  assert.equal(await reader.fetch("main"), head);
  const served = (repoURL: string) => {
    if (!declared.has(repoURL)) throw new Error(`this case's repository is ${[...declared].join(", ")}, not ${repoURL}`);
    return url;
  };
  const repo: RepoReader = {
    listFiles: (repoURL, revision) => reader.listFiles(served(repoURL), revision),
    readFile: (repoURL, revision, path) => reader.readFile(served(repoURL), revision, path),
  };
  /** As the hub resolves it for generators (pipeline/run.ts): the fleet repo's branch, to the commit fetched. */
  const revision = (repoURL: string, ref: string) => {
    served(repoURL);
    if (["", "HEAD", "main", head].includes(ref)) return head;
    throw new Error(`revision ${JSON.stringify(ref)}: only main is read`);
  };
  return { repo, revision };
}

/** A case without files has no repository: any read is an error the case's expectations would show. */
const noRepo: RepoReader = {
  listFiles: (repoURL) => Promise.reject(new Error(`this case has no repository, not even ${repoURL}`)),
  readFile: (repoURL) => Promise.reject(new Error(`this case has no repository, not even ${repoURL}`)),
};

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
    const served = testCase.files ? await caseRepo(file.replace(/\.yaml$/, ""), testCase.files, gitRepoURLs(testCase.applicationSet)) : undefined;
    const context = {
      inventory: inventoryView(clusters),
      repo: served?.repo ?? noRepo,
      revision:
        served?.revision ??
        ((repoURL: string) => {
          throw new Error(`this case has no repository, not even ${repoURL}`);
        }),
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
