import type { Command } from "commander";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import * as z from "zod";
import { parseWith, type Application } from "../contract/index.js";
import { labelProblems } from "../contract/labels.js";
import { parseApplicationSetFile } from "../lambdas/generate/application-set.js";
import { evaluateApplicationSet, evaluationCaches, type EvaluationProblem } from "../lambdas/generate/evaluate.js";
import { inventoryView } from "../lambdas/generate/inventory-view.js";
import type { InventoryCluster } from "../lambdas/generate/params.js";
import { DirectoryRepo } from "./directory-repo.js";
import { CliError, runAction, serialize, table, usageError, type OutputFormat } from "./output.js";

/**
 * Names as Argo CD takes them (free strings: an EKS ARN, `team_a/west`), so a team can preview its
 * sets against its real cluster list; only registration needs DNS-1123 names, as they become branch paths.
 */
const ClustersFile = z.array(
  z.strictObject({
    name: z.string().min(1, "must not be empty"),
    server: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
);

async function readClusters(path: string): Promise<InventoryCluster[]> {
  let data: unknown;
  try {
    data = parse(await readFile(path, "utf8"));
  } catch (error) {
    throw usageError(`--clusters ${path}: ${(error as Error).message}`);
  }
  const parsed = parseWith(ClustersFile, data, `clusters file ${path}`);
  if (!parsed.ok) throw usageError(parsed.message);
  return parsed.value.map((c, index) => {
    const problems = labelProblems(c.labels ?? {});
    if (problems.length > 0) throw usageError(`clusters file ${path}: [${index}] ${c.name}: ${problems.join("; ")}`);
    return { name: c.name, server: c.server ?? null, labels: c.labels ?? {}, annotations: c.annotations ?? {} };
  });
}

/** The generator files at PATH: the file itself, or every *.yaml / *.yml directly in the folder. */
async function generatorFiles(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => {
    throw usageError(`--generators ${path}: no such file or folder`);
  });
  if (!info.isDirectory()) return [path];
  const names = (await readdir(path)).filter((name) => /\.ya?ml$/.test(name)).sort();
  return names.map((name) => join(path, name));
}

function describeProblem(file: string, problem: EvaluationProblem): string {
  const parts = [file, `ApplicationSet ${problem.applicationSet}`, problem.generator, problem.application && `Application ${problem.application}`].filter(
    Boolean,
  );
  return `${parts.join(": ")}: ${problem.message}`;
}

function applicationTable(rows: { application: Application; cluster: string }[]): string {
  return table(
    ["NAME", "CLUSTER", "PROJECT", "SOURCE", "NAMESPACE"],
    rows.map(({ application, cluster }) => {
      const source = application.spec.source ?? application.spec.sources![0]!;
      return [
        application.metadata.name,
        cluster,
        application.spec.project ?? "-",
        `${source.repoURL} ${source.path ?? source.chart ?? ""}`.trim(),
        application.spec.destination.namespace ?? "-",
      ];
    }),
  );
}

async function render(options: { clusters: string; generators: string; repo?: string }, command: Command): Promise<void> {
  const format = command.optsWithGlobals<{ output: OutputFormat }>().output;
  const inventory = inventoryView(await readClusters(options.clusters));
  const caches = evaluationCaches();
  const repo = new DirectoryRepo(options.repo ?? ".");
  const rendered: { application: Application; cluster: string }[] = [];
  const problems: string[] = [];
  for (const file of await generatorFiles(options.generators)) {
    let sets;
    try {
      sets = parseApplicationSetFile(await readFile(file, "utf8"));
    } catch (error) {
      problems.push(`${file}: ${(error as Error).message}`);
      continue;
    }
    for (const set of sets) {
      const evaluation = await evaluateApplicationSet(set, { inventory, repo, caches, revision: (_url, targetRevision) => targetRevision });
      rendered.push(...evaluation.applications);
      problems.push(...evaluation.problems.map((p) => describeProblem(file, p)));
    }
  }
  rendered.sort((a, b) => a.application.metadata.name.localeCompare(b.application.metadata.name));
  process.stdout.write(
    format === "table"
      ? applicationTable(rendered)
      : serialize(
          rendered.map((r) => r.application),
          format,
        ),
  );
  if (problems.length > 0) throw new CliError(`${problems.length} problem${problems.length > 1 ? "s" : ""}:\n  ${problems.join("\n  ")}`);
}

export function registerRenderCommand(program: Command): void {
  program
    .command("render")
    .description("evaluate ApplicationSet files against a clusters file and print the Applications (no hub, no Git writes)")
    .requiredOption("--clusters <file>", "YAML or JSON list of { name, server?, labels?, annotations? }")
    .requiredOption("--generators <path>", "an ApplicationSet file, or a folder of them (*.yaml, *.yml)")
    .option("--repo <dir>", "checkout the git generators read, whatever their repoURL (default: the current folder)")
    .action(runAction(render));
}
