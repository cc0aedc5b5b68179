/**
 * Stage 1, evaluate: every generator file at the source revision, each ApplicationSet in it against
 * the inventory. Yields the Applications generated and what must carry over from the branches
 * because a file or a set did not evaluate completely (the plan stage applies it).
 */
import type { RepoReader } from "../../../core/git/reader.js";
import { parseApplicationSetFile, type ApplicationSet } from "../application-set.js";
import { setPolicyOf, type SetPolicy } from "../application-set-policy.js";
import { evaluateApplicationSet, type EvaluationCaches, type GeneratedApplication, type GeneratorFile } from "../evaluate.js";
import type { InventoryView } from "../inventory-view.js";
import { originOf } from "./folder.js";
import type { GenerationError } from "./result.js";

const GENERATOR_FILE = /^generators\/[^/]+\.ya?ml$/;

export interface EvaluateInput {
  /** The fleet repo, read at `sourceRevision`. */
  repo: RepoReader & { readonly url: string };
  sourceRevision: string;
  /** Resolves a repo's targetRevision to the commit the run reads (git generators). */
  revision: (repoURL: string, targetRevision: string) => string;
  inventory: InventoryView;
  caches: EvaluationCaches;
}

/** One generated Application with its origin (`<file>#<set>`). */
export interface Generated {
  generated: GeneratedApplication;
  from: string;
}

/**
 * Previous app folders to keep although this run did not (or could not) generate them. `hard`:
 * kept exactly, and fresh output for the same folder is refused; `soft`: kept unless generated
 * afresh.
 */
export interface CarryOver {
  /** File → the sets of it that did evaluate completely (their folders are not kept); every folder of a file that failed to parse. */
  hardFiles: Map<string, ReadonlySet<string>>;
  /** Origins (`<file>#<set>`) with a failure that names no Application: each of their folders. */
  softOrigins: Set<string>;
  /** Origin → Applications that failed: those folders. */
  softApps: Map<string, Set<string>>;
}

export interface FleetEvaluation {
  generated: Generated[];
  errors: GenerationError[];
  carry: CarryOver;
  /** Origin → what its set's syncPolicy allows, for every set defined at this revision. */
  policies: Map<string, SetPolicy>;
}

export function noCarryOver(): CarryOver {
  return { hardFiles: new Map(), softOrigins: new Set(), softApps: new Map() };
}

const decoder = new TextDecoder("utf-8", { fatal: false });

/** One file's sets, each evaluated; a set named twice counts once, and the file is then incomplete. */
async function evaluateFile(file: string, sets: readonly ApplicationSet[], input: EvaluateInput, out: FleetEvaluation): Promise<void> {
  const completeSets = new Set<string>();
  const setNames = new Set<string>();
  let incomplete = false;
  for (const set of sets) {
    const setName = set.metadata.name;
    if (setNames.has(setName)) {
      out.errors.push({ file, applicationSet: setName, message: `ApplicationSet ${setName} appears twice in the file; the second is ignored` });
      incomplete = true;
      continue;
    }
    setNames.add(setName);
    const from = originOf(file, setName);
    out.policies.set(from, setPolicyOf(set));
    const evaluation = await evaluateApplicationSet(set, { inventory: input.inventory, repo: input.repo, revision: input.revision, caches: input.caches });
    for (const problem of evaluation.problems) {
      out.errors.push({
        file,
        applicationSet: setName,
        ...(problem.application !== undefined ? { application: problem.application } : {}),
        ...(problem.field !== undefined ? { field: problem.field } : {}),
        message: problem.message,
      });
      if (problem.application === undefined) out.carry.softOrigins.add(from);
      else out.carry.softApps.set(from, (out.carry.softApps.get(from) ?? new Set()).add(problem.application));
    }
    if (!evaluation.complete) {
      incomplete = true;
      continue;
    }
    completeSets.add(setName);
    for (const generated of evaluation.applications) out.generated.push({ generated, from });
  }
  if (incomplete) out.carry.hardFiles.set(file, completeSets);
}

/** Each generator file at a revision, parsed (or why not); a revision is content, so the result never changes. */
async function generatorFiles(repo: EvaluateInput["repo"], revision: string): Promise<GeneratorFile[]> {
  const files = (await repo.listFiles(repo.url, revision)).filter((path) => GENERATOR_FILE.test(path)).sort();
  const parsed: GeneratorFile[] = [];
  for (const file of files) {
    try {
      parsed.push({ file, sets: parseApplicationSetFile(decoder.decode(await repo.readFile(repo.url, revision, file))) });
    } catch (error) {
      parsed.push({ file, error: (error as Error).message });
    }
  }
  return parsed;
}

export async function evaluateFleet(input: EvaluateInput): Promise<FleetEvaluation> {
  const { repo, sourceRevision, caches } = input;
  const out: FleetEvaluation = { generated: [], errors: [], carry: noCarryOver(), policies: new Map() };
  let files = caches.generatorFiles.get(sourceRevision);
  if (!files) {
    files = await generatorFiles(repo, sourceRevision);
    caches.generatorFiles.set(sourceRevision, files);
  }
  for (const parsed of files) {
    if ("error" in parsed) {
      out.errors.push({ file: parsed.file, message: `${parsed.error}; everything this file produced before is kept` });
      out.carry.hardFiles.set(parsed.file, new Set());
    } else await evaluateFile(parsed.file, parsed.sets, input, out);
  }
  return out;
}
