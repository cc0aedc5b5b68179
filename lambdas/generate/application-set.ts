import { parseAllDocuments } from "yaml";
import * as z from "zod";
import { fieldPath } from "../../contract/index.js";
import { yamlProblem } from "../../core/manifests/yaml-error.js";
import { ApplicationSetError } from "./params.js";

/**
 * Progressive syncs are the one ApplicationSet field Radial refuses: every cluster's branch is
 * written in one run, and ignoring a rollout order would surprise the user.
 */
const UNSUPPORTED_SPEC_FIELDS: Record<string, string> = {
  strategy: "progressive syncs (strategy) are not supported: every cluster's branch is written in one run",
};

/** Argo CD's ApplicationsSyncPolicy: which of create, update and delete the controller (here, the hub) performs. */
export const APPLICATIONS_SYNC_POLICIES = ["create-only", "create-update", "create-delete", "sync"] as const;
export type ApplicationsSyncPolicy = (typeof APPLICATIONS_SYNC_POLICIES)[number];

/** `spec.syncPolicy`: both fields Argo CD defines, each honoured (see pipeline/policy.ts); anything else is refused by name. */
export const ApplicationSetSyncPolicy = z.strictObject({
  preserveResourcesOnDeletion: z.boolean().optional(),
  applicationsSync: z.enum(APPLICATIONS_SYNC_POLICIES, { error: `must be one of ${APPLICATIONS_SYNC_POLICIES.join(", ")}, as in Argo CD` }).optional(),
});

/**
 * Fields that govern the live Application objects Argo CD reconciles in its own cluster. Radial
 * keeps none (an Application is a file the hub rewrites whole), so they are checked and have no effect.
 */
const PreservedFields = z.strictObject({ annotations: z.array(z.string()).optional(), labels: z.array(z.string()).optional() });
const IgnoreApplicationDifferences = z.array(
  z.strictObject({ name: z.string().optional(), jsonPointers: z.array(z.string()).optional(), jqPathExpressions: z.array(z.string()).optional() }),
);

/** Where generated Applications live when the ApplicationSet names no namespace (Argo CD's own). */
export const DEFAULT_APPLICATION_SET_NAMESPACE = "argocd";

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
    syncPolicy: ApplicationSetSyncPolicy.optional(),
    preservedFields: PreservedFields.optional(),
    ignoreApplicationDifferences: IgnoreApplicationDifferences.optional(),
  }),
});

export type ApplicationSet = z.infer<typeof ApplicationSetDocument>;

/** Fields of an Application's own syncPolicy, which users sometimes put in the ApplicationSet's by mistake. */
const APPLICATION_SYNC_POLICY_FIELDS = ["automated", "syncOptions", "retry", "managedNamespaceMetadata"];

/** A field under `spec.syncPolicy` Argo CD does not define, refused by its own name. */
function rejectUnknownSyncPolicyFields(policy: unknown) {
  if (policy === null || typeof policy !== "object" || Array.isArray(policy)) return;
  for (const key of Object.keys(policy)) {
    if (key in ApplicationSetSyncPolicy.shape) continue;
    const hint = APPLICATION_SYNC_POLICY_FIELDS.includes(key) ? `; ${key} belongs in spec.template.spec.syncPolicy` : "";
    throw new ApplicationSetError(
      `spec.syncPolicy.${key}`,
      `not a field of Argo CD's ApplicationSet syncPolicy (it has ${Object.keys(ApplicationSetSyncPolicy.shape).join(", ")})${hint}`,
    );
  }
}

/** Validates one parsed YAML document as an ApplicationSet, naming the first fields at fault. */
export function parseApplicationSet(document: unknown): ApplicationSet {
  const spec = (document as { spec?: Record<string, unknown> } | null)?.spec;
  if (spec && typeof spec === "object") {
    for (const [field, reason] of Object.entries(UNSUPPORTED_SPEC_FIELDS)) {
      if (field in spec) throw new ApplicationSetError(`spec.${field}`, reason);
    }
    rejectUnknownSyncPolicyFields(spec.syncPolicy);
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
      const { what, line, column } = yamlProblem(error);
      throw new ApplicationSetError(line === undefined ? `document ${index + 1}` : `line ${line}, column ${column ?? 1}`, `not valid YAML: ${what}`);
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    sets.push(parseApplicationSet(value));
  }
  return sets;
}
