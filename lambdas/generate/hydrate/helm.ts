/**
 * Helm sources, rendered as Argo CD's repo-server renders them (reposerver helmTemplate): a chart
 * from a chart repository or registry (`chart` + `targetRevision` as its version), or a chart
 * folder in git; value files from the chart's own folder or another source's (`$<ref>/path`),
 * then `values`/`valuesObject`, `parameters` (`--set`, `--set-string`), `fileParameters`
 * (`--set-file`), release name, namespace, `--kube-version` and `--api-versions` from what the
 * destination cluster reports, CRDs included unless `skipCrds`. Every file helm reads besides the
 * chart is copied into the work folder first, so an error names the file as the user wrote it.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { stringify } from "yaml";
import type { Application } from "../../../contract/application.js";
import type { RepoReader } from "../../../core/git/reader.js";
import { expandAndCheck, ManifestError, parseYamlManifests, type K8sObject } from "../../../core/manifests/objects.js";
import type { HelmRunner, HelmTemplateRequest } from "../../ports.js";
import { envsubst } from "./envsubst.js";
import { withRepoTree } from "./kustomize.js";
import { HydrationError, isSafeRepoPath, type Plan } from "./source.js";

type HelmPlan = Extract<Plan, { type: "helm" }>;

/** What the destination cluster's agent reports of its API server. */
export interface ClusterCapabilities {
  kubeVersion?: string | undefined;
  apiVersions?: string[] | undefined;
}

/** The destination cluster's capabilities, looked up only when a chart is rendered; undefined when it never reported (helm's defaults). */
export type CapabilitiesLookup = () => Promise<ClusterCapabilities | undefined>;

/** A git checkout one source is read from. */
export interface SourceFiles {
  reader: RepoReader;
  repoURL: string;
  revision: string;
}

export interface HelmContext {
  helm: HelmRunner | undefined;
  /** The chart's own checkout, for a chart folder in git. */
  checkout: SourceFiles | undefined;
  /** Sources by `$<ref>` name, for value files and file parameters in other repositories. */
  refs: ReadonlyMap<string, SourceFiles>;
  capabilities: CapabilitiesLookup | undefined;
  /** ARGOCD_APP_* for `$VAR` in paths and parameter values. */
  env: Record<string, string>;
}

/** Where non-`$ref` paths of the source resolve: its git folder (repo paths) or the pulled chart (disk). */
type ChartFiles = { kind: "git"; source: SourceFiles; files: ReadonlySet<string>; path: string } | { kind: "disk"; dir: string };

export async function hydrateHelm(application: Application, p: HelmPlan, ctx: HelmContext): Promise<K8sObject[]> {
  const what = p.chart !== undefined ? `chart ${p.chart} version ${p.version || "(newest)"} from ${p.repoURL}` : `chart ${p.path || "."} of ${p.repoURL}`;
  const helm = ctx.helm;
  if (!helm) throw new HydrationError(`${p.field}.helm`, `${what}: this hub has no helm (set RADIAL_HELM)`);
  const work = await mkdtemp(join(tmpdir(), "radial-helm-"));
  try {
    const render = async (chartDir: string, files: ChartFiles) => {
      const request = await templateRequest(application, p, ctx, files, chartDir, join(work, "values"), what);
      return templateWithDependencies(helm, request, p.chart === undefined);
    };
    let output: string;
    if (p.chart !== undefined) {
      const chartDir = await helm
        .pull({ repoURL: p.repoURL, chart: p.chart, version: p.version, passCredentials: p.helm.passCredentials === true }, work)
        .catch((error: unknown) => {
          throw new HydrationError(`${p.field}.chart`, `${what}: ${(error as Error).message}`);
        });
      output = await render(chartDir, { kind: "disk", dir: chartDir });
    } else {
      const source = ctx.checkout!;
      const listed = await source.reader.listFiles(source.repoURL, source.revision);
      const files: ChartFiles = { kind: "git", source, files: new Set(listed), path: p.path };
      output = await withRepoTree(source.reader, source.repoURL, source.revision, listed, (root) => render(p.path === "" ? root : join(root, p.path), files));
    }
    const where = `helm template of ${what}`;
    return expandAndCheck(parseYamlManifests(output, where), where);
  } catch (error) {
    if (error instanceof HydrationError || error instanceof ManifestError) throw error;
    throw new HydrationError(p.field, `${what}: ${withoutTempPaths((error as Error).message)}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** helm's messages name the temp folders it was given; the user knows neither. */
function withoutTempPaths(message: string): string {
  return message.replace(new RegExp(`${tmpdir().replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/radial-(helm|hydrate)-[^/\\s]+/?`, "g"), "");
}

/** As Argo CD: `helm template`, and on a missing dependency of a chart in git, `helm dependency build` and once more. */
async function templateWithDependencies(helm: HelmRunner, request: HelmTemplateRequest, inGit: boolean): Promise<string> {
  try {
    return await helm.template(request);
  } catch (error) {
    const message = (error as Error).message;
    const missing =
      message.includes("found in Chart.yaml, but missing in charts/ directory") || message.includes("found in requirements.yaml, but missing in charts");
    if (!inGit || !missing) throw error;
    await helm.dependencyBuild(request.chart);
    return helm.template(request);
  }
}

async function templateRequest(
  application: Application,
  p: HelmPlan,
  ctx: HelmContext,
  files: ChartFiles,
  chartDir: string,
  valuesDir: string,
  what: string,
): Promise<HelmTemplateRequest> {
  await mkdir(valuesDir, { recursive: true });
  const options = p.helm;
  const field = `${p.field}.helm`;
  let copied = 0;
  const copy = async (content: Uint8Array, name: string) => {
    const path = join(valuesDir, `${String(copied++).padStart(3, "0")}-${posix.basename(name)}`);
    await writeFile(path, content);
    return path;
  };

  const valueFiles: string[] = [];
  for (const [i, raw] of (options.valueFiles ?? []).entries()) {
    const at = `${field}.valueFiles[${i}]`;
    const found = await resolveFile(raw, at, ctx, files, what);
    if (found === undefined) {
      if (options.ignoreMissingValueFiles === true) continue;
      throw new HydrationError(at, `${what}: values file ${JSON.stringify(raw)} does not exist`);
    }
    checkValues(new TextDecoder().decode(found.content), at, `${what}: values file ${found.label}`);
    valueFiles.push(await copy(found.content, found.label));
  }
  const inline = inlineValues(options, field, what);
  if (inline !== undefined) valueFiles.push(await copy(new TextEncoder().encode(inline), "values.yaml"));

  const set: [string, string][] = [];
  const setString: [string, string][] = [];
  for (const parameter of options.parameters ?? []) {
    (parameter.forceString === true ? setString : set).push([parameter.name, cleanSetParameter(envsubst(parameter.value ?? "", ctx.env))]);
  }
  const setFile: [string, string][] = [];
  for (const [i, parameter] of (options.fileParameters ?? []).entries()) {
    const at = `${field}.fileParameters[${i}].path`;
    const found = await resolveFile(parameter.path, at, ctx, files, what);
    if (found === undefined) throw new HydrationError(at, `${what}: file ${JSON.stringify(parameter.path)} does not exist`);
    setFile.push([parameter.name, cleanSetParameter(await copy(found.content, found.label))]);
  }

  // The Application's own kubeVersion and apiVersions win, as in Argo CD; the cluster's are asked for only when needed.
  const ownApiVersions = options.apiVersions && options.apiVersions.length > 0 ? options.apiVersions : undefined;
  const cluster = options.kubeVersion && ownApiVersions ? undefined : await ctx.capabilities?.();
  return {
    chart: chartDir,
    releaseName: options.releaseName || application.metadata.name,
    namespace: options.namespace || application.spec.destination.namespace || "",
    kubeVersion: kubeVersion(options.kubeVersion || cluster?.kubeVersion, `${field}.kubeVersion`),
    apiVersions: ownApiVersions ?? cluster?.apiVersions ?? [],
    valueFiles,
    set: lastWins(set),
    setString: lastWins(setString),
    setFile: lastWins(setFile),
    includeCrds: options.skipCrds !== true,
    skipSchemaValidation: options.skipSchemaValidation === true,
    skipTests: options.skipTests === true,
  };
}

/** Argo CD keeps parameters in a map: a later one of the same name replaces the earlier, in place. */
function lastWins(pairs: [string, string][]): [string, string][] {
  return [...new Map(pairs)];
}

/**
 * A path as Argo CD resolves value files: `$<ref>/…` in the source named `ref`, from its root;
 * otherwise relative to the chart folder (from the repository root when it starts with `/`), never
 * outside the repository or the chart. Undefined when there is no such file.
 */
async function resolveFile(
  raw: string,
  at: string,
  ctx: HelmContext,
  files: ChartFiles,
  what: string,
): Promise<{ content: Uint8Array; label: string } | undefined> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) throw new HydrationError(at, `${what}: remote values files (${raw}) are not supported for hydration`);
  if (/[*?[]/.test(raw)) throw new HydrationError(at, `${what}: glob patterns in value files (${raw}) are not supported for hydration yet`);
  if (raw.startsWith("$")) {
    const slash = raw.indexOf("/");
    const name = raw.slice(1, slash === -1 ? undefined : slash);
    const source = ctx.refs.get(name);
    if (!source) throw new HydrationError(at, `${what}: ${JSON.stringify(raw)} names $${name}, but no source has ref: ${name}`);
    const path = inside(envsubst(slash === -1 ? "" : raw.slice(slash + 1), ctx.env), "", at, raw);
    const listed = new Set(await source.reader.listFiles(source.repoURL, source.revision));
    if (!listed.has(path)) return undefined;
    return { content: await source.reader.readFile(source.repoURL, source.revision, path), label: raw };
  }
  const path = envsubst(raw, ctx.env);
  if (files.kind === "git") {
    const repoPath = path.startsWith("/") ? inside(path.slice(1), "", at, raw) : inside(path, files.path, at, raw);
    if (!files.files.has(repoPath)) return undefined;
    return { content: await files.source.reader.readFile(files.source.repoURL, files.source.revision, repoPath), label: repoPath };
  }
  const chartPath = inside(path.replace(/^\/+/, ""), "", at, raw);
  const disk = join(files.dir, chartPath);
  if (!existsSync(disk)) return undefined;
  return { content: await readFile(disk), label: chartPath };
}

/** `path` joined to `base` as a repository path, refused when it leaves the repository. */
function inside(path: string, base: string, at: string, raw: string): string {
  const joined = posix.normalize(posix.join(base, path));
  if (!isSafeRepoPath(joined)) {
    throw new HydrationError(at, `${JSON.stringify(raw)} leaves the repository`);
  }
  return joined;
}

/** `valuesObject` wins over `values`, as Argo CD's ValuesYAML; undefined when both are empty. */
function inlineValues(options: HelmPlan["helm"], field: string, what: string): string | undefined {
  if (options.valuesObject !== undefined) return stringify(options.valuesObject);
  if (!options.values) return undefined;
  checkValues(options.values, `${field}.values`, `${what}: helm.values`);
  return options.values;
}

/** Values must parse as YAML into a mapping (or nothing), as helm needs; the error names the field and the file with its line. */
function checkValues(text: string, field: string, label: string): void {
  try {
    parseYamlManifests(text, label);
  } catch (error) {
    throw new HydrationError(field, (error as Error).message);
  }
}

/** As Argo CD's parseKubeVersion (k8s ParseGeneric): `v1.36.3-eks-1a2b` → `1.36.3`. */
function kubeVersion(version: string | undefined, field: string): string | undefined {
  if (!version) return undefined;
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(version.trim());
  if (!match) throw new HydrationError(field, `could not parse kubernetes version ${JSON.stringify(version)}`);
  return `${match[1]}.${match[2]}.${match[3] ?? "0"}`;
}

/** Argo CD's cleanSetParameters: commas not already escaped are escaped, unless the value is a `{…}` list. */
export function cleanSetParameter(value: string): string {
  if (value.startsWith("{") && value.endsWith("}")) return value;
  let out = "";
  let previous = "";
  for (const c of value) {
    out += c === "," && previous !== "\\" ? "\\," : c;
    previous = c;
  }
  return out;
}
