import type { SourceRepositories } from "../ports.js";
import { GenerationCaches } from "./caches.js";
import { runGeneration, type GenerationDeps, type GenerationInput, type GenerationResult } from "./pipeline/run.js";
import type { GenerationRunner } from "./service.js";

export interface PipelineRunnerDeps {
  /** Everything runGeneration needs besides the sources in other repositories and the caches (the runner owns those). */
  run: Omit<GenerationDeps, "caches" | "sources">;
  /** Sources in other repositories (or at other revisions); each run reads them through its own session. */
  sources?: { session(): SourceRepositories; references(): ReadonlyMap<string, ReadonlyMap<string, string>> | undefined };
}

/** The generation pipeline (pipeline/run.ts) as the generation service runs it, with the caches runs share. */
export class PipelineRunner implements GenerationRunner {
  /** What runs remember from one to the next, each part bounded: this process's, for its whole life. */
  private readonly caches = new GenerationCaches();

  constructor(private readonly deps: PipelineRunnerDeps) {}

  run(input: GenerationInput): Promise<GenerationResult> {
    const { sources } = this.deps;
    return runGeneration(input, { ...this.deps.run, caches: this.caches, ...(sources ? { sources: sources.session() } : {}) });
  }

  references(): ReadonlyMap<string, ReadonlyMap<string, string>> | undefined {
    return this.deps.sources?.references();
  }
}
