import { parseAllDocuments } from "yaml";
import { z } from "zod";
import { fieldPath } from "../../contract/index.js";
import { ApplicationSetError } from "./params.js";

/**
 * The ApplicationSet fields Radial evaluates. Everything else Argo CD defines is refused by name:
 * the controller-side behaviours (progressive `strategy`, `syncPolicy` of the generated
 * Applications' lifecycle, `preservedFields`, `ignoreApplicationDifferences`) have no meaning
 * when Git is the output, and silently ignoring them would surprise the user.
 */
const UNSUPPORTED_SPEC_FIELDS: Record<string, string> = {
  strategy: "progressive syncs (strategy) are not supported: every cluster's branch is written in one run",
  syncPolicy: "spec.syncPolicy (Application lifecycle policy) is not supported: Radial writes Applications to Git, where deletion is a commit",
  preservedFields: "preservedFields is not supported: generated Applications are never edited in place",
  ignoreApplicationDifferences: "ignoreApplicationDifferences is not supported: generated Applications are never edited in place",
};

export const ApplicationSetDocument = z.strictObject({
  apiVersion: z.literal("argoproj.io/v1alpha1", { error: 'must be "argoproj.io/v1alpha1"' }),
  kind: z.literal("ApplicationSet", { error: 'must be "ApplicationSet"' }),
  metadata: z.looseObject({
    name: z.string().min(1).max(253),
    namespace: z.string().max(63).optional(),
  }),
  spec: z.strictObject({
    goTemplate: z.boolean().optional(),
    goTemplateOptions: z.array(z.string()).optional(),
    generators: z.array(z.record(z.string(), z.unknown())).min(1, "needs at least one generator"),
    template: z.record(z.string(), z.unknown()),
    templatePatch: z.string().optional(),
    applyNestedSelectors: z.boolean().optional(),
  }),
});

export type ApplicationSet = z.infer<typeof ApplicationSetDocument>;

/** Validates one parsed YAML document as an ApplicationSet, naming the first fields at fault. */
export function parseApplicationSet(document: unknown): ApplicationSet {
  const spec = (document as { spec?: Record<string, unknown> } | null)?.spec;
  if (spec && typeof spec === "object") {
    for (const [field, reason] of Object.entries(UNSUPPORTED_SPEC_FIELDS)) {
      if (field in spec) throw new ApplicationSetError(`spec.${field}`, reason);
    }
  }
  const result = ApplicationSetDocument.safeParse(document);
  if (result.success) {
    if (result.data.spec.templatePatch !== undefined && !result.data.spec.goTemplate) {
      throw new ApplicationSetError("spec.templatePatch", "needs goTemplate: true, as in Argo CD");
    }
    return result.data;
  }
  const issue = result.error.issues[0]!;
  const unknownKeys = issue.code === "unrecognized_keys" ? ` (unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")})` : "";
  throw new ApplicationSetError(fieldPath(issue.path) || "(document)", `${issue.message}${unknownKeys}`);
}

/** Generator files larger than this are refused before they are parsed. */
export const MAX_GENERATOR_FILE_BYTES = 1024 * 1024;

/** Parses a generator file: one or more YAML documents, each an ApplicationSet. */
export function parseApplicationSetFile(text: string): ApplicationSet[] {
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_GENERATOR_FILE_BYTES) throw new ApplicationSetError("(file)", `is ${bytes} bytes, over the limit of ${MAX_GENERATOR_FILE_BYTES}`);
  const sets: ApplicationSet[] = [];
  for (const [index, document] of parseAllDocuments(text).entries()) {
    const error = document.errors[0];
    if (error) {
      const where = error.linePos ? `line ${error.linePos[0].line}, column ${error.linePos[0].col}` : `document ${index + 1}`;
      throw new ApplicationSetError(where, `not valid YAML: ${error.message.split("\n")[0]}`);
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    sets.push(parseApplicationSet(value));
  }
  return sets;
}
