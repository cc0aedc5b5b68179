import { posix } from "node:path";
import * as z from "zod";
import type { Application, ApplicationSource } from "../../../contract/application.js";
import { compileGlob, GlobError } from "../../../core/glob.js";

/** A source Radial cannot hydrate, naming the field as a path (`spec.source.helm`). */
export class HydrationError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export const DirectoryOptions = z.strictObject({
  recurse: z.boolean().optional(),
  include: z.string().optional(),
  exclude: z.string().optional(),
  // Argo CD may send an empty jsonnet block; anything in it is refused below.
  jsonnet: z.looseObject({}).optional(),
});
export type DirectoryOptions = z.infer<typeof DirectoryOptions>;

export const KustomizePatch = z.strictObject({
  path: z.string().optional(),
  patch: z.string().optional(),
  target: z
    .strictObject({
      group: z.string().optional(),
      version: z.string().optional(),
      kind: z.string().optional(),
      name: z.string().optional(),
      namespace: z.string().optional(),
      labelSelector: z.string().optional(),
      annotationSelector: z.string().optional(),
    })
    .optional(),
  options: z.record(z.string(), z.boolean()).optional(),
});

export const KustomizeOptions = z.strictObject({
  namePrefix: z.string().optional(),
  nameSuffix: z.string().optional(),
  namespace: z.string().optional(),
  images: z.array(z.string().min(1)).optional(),
  commonLabels: z.record(z.string(), z.string()).optional(),
  commonAnnotations: z.record(z.string(), z.string()).optional(),
  forceCommonLabels: z.boolean().optional(),
  forceCommonAnnotations: z.boolean().optional(),
  commonAnnotationsEnvsubst: z.boolean().optional(),
  patches: z.array(KustomizePatch).optional(),
});
export type KustomizeOptions = z.infer<typeof KustomizeOptions>;

export const HelmParameter = z.strictObject({ name: z.string().min(1), value: z.string().optional(), forceString: z.boolean().optional() });
export const HelmFileParameter = z.strictObject({ name: z.string().min(1), path: z.string().min(1) });

/** Argo CD's `spec.source.helm` (ApplicationSourceHelm), every field. */
export const HelmOptions = z.strictObject({
  valueFiles: z.array(z.string().min(1)).optional(),
  values: z.string().optional(),
  valuesObject: z.record(z.string(), z.unknown()).optional(),
  parameters: z.array(HelmParameter).optional(),
  fileParameters: z.array(HelmFileParameter).optional(),
  releaseName: z.string().optional(),
  // Argo CD now runs helm 4 whatever this says, and accepts these values only.
  version: z.enum(["", "v3", "v4"], { error: 'must be "v3" or "v4" (helm 4 renders both, as in Argo CD)' }).optional(),
  passCredentials: z.boolean().optional(),
  ignoreMissingValueFiles: z.boolean().optional(),
  skipCrds: z.boolean().optional(),
  skipTests: z.boolean().optional(),
  skipSchemaValidation: z.boolean().optional(),
  namespace: z.string().optional(),
  kubeVersion: z.string().optional(),
  apiVersions: z.array(z.string().min(1)).optional(),
});
export type HelmOptions = z.infer<typeof HelmOptions>;

/** Where one source sits in the Application: its index in `spec.sources` (0 for `spec.source`) and its field path. */
interface At {
  index: number;
  field: string;
}

export type Plan = At &
  (
    | { type: "directory"; repoURL: string; path: string; directory: DirectoryOptions }
    | { type: "kustomize" | "auto"; repoURL: string; path: string; kustomize: KustomizeOptions; auto: boolean }
    /** A chart in a chart repository or registry (`chart` set), or in a git folder (`path`). */
    | { type: "helm"; repoURL: string; path: string; chart?: string; version: string; helm: HelmOptions }
    /** A multi-source Application's source that only lends its files to others' `$<ref>/…` paths. */
    | { type: "ref"; repoURL: string; ref: string }
  );

/** Reference names, as Argo CD validates `ref` (a `$` prefix is added where used). */
const REF_NAME = /^[a-zA-Z0-9_-]+$/;

/**
 * Checks what hydration supports: one `spec.source`, or `spec.sources` (each a git folder, a chart
 * or a `ref` only), each with `directory`, `kustomize` or `helm` options (one kind at most).
 * Paths are normalized ("" for the repo root).
 */
export function plan(application: Application): Plan[] {
  const spec = application.spec;
  if (spec.sources !== undefined) {
    const seen = new Set<string>();
    spec.sources.forEach(({ ref }, index) => {
      if (ref === undefined) return;
      const field = `spec.sources[${index}].ref`;
      if (!REF_NAME.test(ref)) throw new HydrationError(field, `must be letters, digits, - and _, got ${JSON.stringify(ref)}`);
      if (seen.has(ref)) throw new HydrationError(field, `${JSON.stringify(ref)} names another source too`);
      seen.add(ref);
    });
    const plans = spec.sources.map((source, index) => planSource(source, { index, field: `spec.sources[${index}]` }, true));
    return plans;
  }
  if (spec.source === undefined) throw new HydrationError("spec.source", "is required");
  return [planSource(spec.source, { index: 0, field: "spec.source" }, false)];
}

const KNOWN_FIELDS = new Set(["repoURL", "path", "targetRevision", "chart", "ref", "name", "directory", "kustomize", "helm", "plugin"]);

function planSource(source: ApplicationSource, at: At, multi: boolean): Plan {
  const extra = source as ApplicationSource & Record<string, unknown>;
  if (extra.plugin !== undefined) throw new HydrationError(`${at.field}.plugin`, "config management plugins are not supported for hydration yet");
  for (const key of Object.keys(extra)) {
    if (!KNOWN_FIELDS.has(key)) throw new HydrationError(`${at.field}.${key}`, "is not supported for hydration");
  }
  const kinds = (["directory", "kustomize", "helm"] as const).filter((kind) => extra[kind] !== undefined);
  if (kinds.length > 1) throw new HydrationError(at.field, `has both ${kinds[0]} and ${kinds[1]} options; Argo CD refuses multiple source types too`);
  if (source.chart !== undefined) {
    if (source.chart === "") throw new HydrationError(`${at.field}.chart`, "must not be empty");
    if (kinds[0] !== undefined && kinds[0] !== "helm") throw new HydrationError(`${at.field}.${kinds[0]}`, "does not apply to a chart");
    const helm = parseOptions(HelmOptions, extra.helm ?? {}, `${at.field}.helm`);
    return { ...at, type: "helm", repoURL: source.repoURL, path: "", chart: source.chart, version: source.targetRevision ?? "", helm };
  }
  if (source.repoURL.startsWith("oci://"))
    throw new HydrationError(`${at.field}.repoURL`, "OCI artifact sources (an oci:// repoURL without chart) are not supported for hydration yet");
  if (multi && source.ref !== undefined && (source.path === undefined || source.path === ""))
    return { ...at, type: "ref", repoURL: source.repoURL, ref: source.ref };
  const path = normalizeAppPath(source.path, `${at.field}.path`);
  if (extra.directory !== undefined) {
    const directory = parseOptions(DirectoryOptions, extra.directory, `${at.field}.directory`);
    if (directory.jsonnet && Object.values(directory.jsonnet).some((v) => !isEmpty(v))) {
      throw new HydrationError(`${at.field}.directory.jsonnet`, "jsonnet is not supported for hydration yet");
    }
    for (const field of ["include", "exclude"] as const) {
      const pattern = directory[field];
      if (pattern === undefined || pattern === "") continue;
      try {
        compileGlob(pattern);
      } catch (e) {
        if (e instanceof GlobError) throw new HydrationError(`${at.field}.directory.${field}`, `invalid glob: ${e.message}`);
        throw e;
      }
    }
    return { ...at, type: "directory", repoURL: source.repoURL, path, directory };
  }
  if (extra.helm !== undefined) {
    const helm = parseOptions(HelmOptions, extra.helm, `${at.field}.helm`);
    return { ...at, type: "helm", repoURL: source.repoURL, path, version: "", helm };
  }
  if (extra.kustomize !== undefined) {
    const kustomize = parseOptions(KustomizeOptions, extra.kustomize, `${at.field}.kustomize`);
    return { ...at, type: "kustomize", repoURL: source.repoURL, path, kustomize, auto: false };
  }
  return { ...at, type: "auto", repoURL: source.repoURL, path, kustomize: {}, auto: true };
}

/** `apps/web`, `./apps/web/` → `apps/web`; `.`, `""`, unset → `""` (repo root). Escaping paths are refused. */
export function normalizeAppPath(path: string | undefined, field = "spec.source.path"): string {
  if (path === undefined || path === "" || path === ".") return "";
  if (path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path) || path.includes("\\") || path.includes("\0")) {
    throw new HydrationError(field, `must be a relative path inside the repository, got ${JSON.stringify(path)}`);
  }
  const normalized = posix.normalize(path).replace(/\/+$/, "");
  if (normalized === ".." || normalized.startsWith("../")) {
    throw new HydrationError(field, `escapes the repository: ${JSON.stringify(path)}`);
  }
  return normalized === "." ? "" : normalized;
}

/** A repo file path that is safe to write under a temp dir: relative, no `..`, `.` or empty segments. */
export function isSafeRepoPath(path: string): boolean {
  if (path === "" || path.startsWith("/") || path.includes("\\") || path.includes("\0")) return false;
  return path.split("/").every((segment) => segment !== "" && segment !== "." && segment !== "..");
}

function parseOptions<T extends z.ZodType>(schema: T, value: unknown, field: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === "unrecognized_keys") {
    const path = [field, ...issue.path.map(String), issue.keys[0]].join(".");
    throw new HydrationError(path, "is not supported for hydration");
  }
  throw new HydrationError([field, ...issue.path.map(String)].join("."), issue.message);
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.values(value).every(isEmpty);
  return false;
}
