/**
 * Stage 6, write: the built branches in one multi-branch write (the repository pushes up to 1000
 * refs per request, each a compare-and-swap on the head the run read, and rebuilds a branch that
 * moved meanwhile). A branch
 * that fails is reported and the others go on; each commit written is remembered with the digest
 * of its inputs, so the next run over the same inputs skips that cluster.
 */
import type { BranchResult, DeployRepository } from "../../ports.js";
import type { GenerationCaches } from "../caches.js";
import type { BuiltBranch } from "./build.js";
import type { GenerationError } from "./result.js";

export interface WriteInput {
  deploy: DeployRepository;
  author: { name: string; email: string };
  now: Date;
  caches: GenerationCaches;
  /** Aborted when the run must stop writing (its lease was lost): checked before the push. */
  signal?: AbortSignal | undefined;
}

/** Writes the branches, filling each one's `result.commit`; returns the errors. */
export async function writeBranches(built: readonly BuiltBranch[], input: WriteInput): Promise<GenerationError[]> {
  if (built.length === 0) return [];
  input.signal?.throwIfAborted();
  let written: BranchResult[];
  try {
    // The heads this run read are where each push starts: no second listing of every branch.
    const heads = new Map(built.flatMap(({ update, work }) => (work.before ? [[update.branch, work.before.commit] as const] : [])));
    written = await input.deploy.writeBranches(
      built.map(({ update }) => update),
      { author: input.author, now: input.now, heads },
    );
  } catch (error) {
    return built.map(({ update, work }) => ({
      file: "(deploy)",
      cluster: work.result.name,
      message: `writing ${update.branch} failed: ${(error as Error).message}`,
    }));
  }
  const errors: GenerationError[] = [];
  for (const [index, outcome] of written.entries()) {
    const { work, state } = built[index]!;
    if (outcome.error) {
      errors.push({ file: "(deploy)", cluster: work.result.name, message: `writing ${outcome.branch} failed: ${outcome.error.message}` });
      continue;
    }
    work.result.commit = outcome.commit;
    if (outcome.commit) input.caches.branches.remember({ ...state, commit: outcome.commit }, work.digest);
  }
  return errors;
}
