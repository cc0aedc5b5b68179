import { posix } from "node:path";
import { z } from "zod";
import type { Application, ApplicationSource } from "../../../contract/application.js";
import { compileGlob, GlobError } from "./glob.js";

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

export type Plan =
  | { type: "directory"; repoURL: string; path: string; directory: DirectoryOptions }
  | { type: "kustomize" | "auto"; repoURL: string; path: string; kustomize: KustomizeOptions };

/**
 * Checks what hydration supports: one `spec.source` with a path in a git repo, optionally with
 * `directory` or `kustomize` options (not both). Returns the normalized path ("" for the repo root).
 */
export function plan(application: Application): Plan & { auto: boolean } {
  const spec = application.spec;
  if (spec.sources !== undefined) throw new HydrationError("spec.sources", "multi-source applications are not supported for hydration yet");
  const source = spec.source;
  if (source === undefined) throw new HydrationError("spec.source", "is required");
  const extra = source as ApplicationSource & Record<string, unknown>;
  if (source.chart !== undefined || extra.helm !== undefined) {
    throw new HydrationError(source.chart !== undefined ? "spec.source.chart" : "spec.source.helm", "helm sources are not supported for hydration yet");
  }
  if (extra.plugin !== undefined) throw new HydrationError("spec.source.plugin", "config management plugins are not supported for hydration yet");
  const known = new Set(["repoURL", "path", "targetRevision", "chart", "ref", "name", "directory", "kustomize", "helm", "plugin"]);
  for (const key of Object.keys(extra)) {
    if (!known.has(key)) throw new HydrationError(`spec.source.${key}`, "is not supported for hydration");
  }
  const path = normalizeAppPath(source.path);
  if (extra.directory !== undefined && extra.kustomize !== undefined) {
    throw new HydrationError("spec.source", "has both directory and kustomize options; Argo CD refuses multiple source types too");
  }
  if (extra.directory !== undefined) {
    const directory = parseOptions(DirectoryOptions, extra.directory, "spec.source.directory");
    if (directory.jsonnet && Object.values(directory.jsonnet).some((v) => !isEmpty(v))) {
      throw new HydrationError("spec.source.directory.jsonnet", "jsonnet is not supported for hydration yet");
    }
    for (const field of ["include", "exclude"] as const) {
      const pattern = directory[field];
      if (pattern === undefined || pattern === "") continue;
      try {
        compileGlob(pattern);
      } catch (e) {
        if (e instanceof GlobError) throw new HydrationError(`spec.source.directory.${field}`, `invalid glob: ${e.message}`);
        throw e;
      }
    }
    return { type: "directory", repoURL: source.repoURL, path, directory, auto: false };
  }
  if (extra.kustomize !== undefined) {
    const kustomize = parseOptions(KustomizeOptions, extra.kustomize, "spec.source.kustomize");
    return { type: "kustomize", repoURL: source.repoURL, path, kustomize, auto: false };
  }
  return { type: "auto", repoURL: source.repoURL, path, kustomize: {}, auto: true };
}

/** `apps/web`, `./apps/web/` → `apps/web`; `.`, `""`, unset → `""` (repo root). Escaping paths are refused. */
export function normalizeAppPath(path: string | undefined): string {
  if (path === undefined || path === "" || path === ".") return "";
  if (path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path) || path.includes("\\") || path.includes("\0")) {
    throw new HydrationError("spec.source.path", `must be a relative path inside the repository, got ${JSON.stringify(path)}`);
  }
  const normalized = posix.normalize(path).replace(/\/+$/, "");
  if (normalized === ".." || normalized.startsWith("../")) {
    throw new HydrationError("spec.source.path", `escapes the repository: ${JSON.stringify(path)}`);
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
