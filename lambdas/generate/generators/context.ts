import type { RepoReader } from "../../../core/git/reader.js";
import type { InventoryView } from "../inventory-view.js";
import type { Params } from "../params.js";

export interface GeneratorContext {
  inventory: InventoryView;
  repo: RepoReader;
  /** Resolves a repo's ref (branch, tag, HEAD) to the commit this run reads. */
  revision: (repoURL: string, targetRevision: string) => string;
  goTemplate: boolean;
  goTemplateOptions: string[];
  /** Where this generator sits, e.g. `spec.generators[0]`, for error messages. */
  field: string;
}

/** How deep a generator sits: top-level entries may hold matrix/merge, whose children may hold one more level, whose children are terminal. */
export type Level = "top" | "nested" | "terminal";

/** Runs one generator entry (Argo's Transform); matrix and merge call it for their children. */
export type Transform = (generator: unknown, context: GeneratorContext, field: string, level: Level, interpolateWith: Params | undefined) => Promise<Params[]>;
