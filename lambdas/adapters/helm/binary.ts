import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { ChartReference, HelmRunner, HelmTemplateRequest } from "../../ports.js";
import { chartRepository, type HelmRepositories } from "./repositories.js";

export interface HelmBinaryOptions {
  /** Credentials and settings per repository URL prefix (RADIAL_HELM_REPOSITORIES). */
  repositories?: HelmRepositories;
  /** Where charts pulled at an exact version are kept, so each is downloaded once. */
  chartCache: string;
  /** Kill helm after this long; default 120 s. */
  timeoutMs?: number;
  /** Largest output accepted; default 256 MiB. */
  maxOutputBytes?: number;
}

/** An exact chart version, as opposed to a range or "" (newest): only these are cached. */
const EXACT_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/**
 * The real runner: the `helm` binary as a child process with a timeout, each call with a home of its
 * own (as Argo CD runs it), so no repository list, registry login or cache leaks between calls or
 * from the machine's user. `binary` is a path, or finds one when first needed (the embedded hub
 * builds the pinned helm then); a failed lookup is tried again at the next call.
 */
export function HelmBinary(binary: string | (() => Promise<string>), options: HelmBinaryOptions): HelmRunner {
  const repositories = options.repositories ?? {};
  let found: Promise<string> | undefined;
  const lookup = (): Promise<string> => {
    if (typeof binary === "string") return Promise.resolve(binary);
    found ??= binary().catch((error: unknown) => {
      found = undefined;
      throw error;
    });
    return found;
  };
  const helm = async (args: string[], what: string): Promise<string> => run(await lookup(), args, what, options);
  const inFlight = new Map<string, Promise<void>>();

  return {
    async pull(reference, dir) {
      const { args, secret } = pullArgs(reference, repositories);
      const pull = (into: string) => pullInto(into, (untarDir) => helm([...args, "--untar", "--untardir", untarDir], "helm pull"), secret);
      if (!EXACT_VERSION.test(reference.version)) return pull(await mkdtemp(join(dir, "chart-")));
      const key = createHash("sha256")
        .update(JSON.stringify([reference.repoURL, reference.chart, reference.version]))
        .digest("hex")
        .slice(0, 24);
      const kept = join(options.chartCache, key);
      if (!existsSync(kept)) {
        // One download per chart at a time in this process; another process may race: the first rename wins.
        let pulling = inFlight.get(key);
        if (!pulling) {
          pulling = keep(kept, pull).finally(() => inFlight.delete(key));
          inFlight.set(key, pulling);
        }
        await pulling;
      }
      const copy = await mkdtemp(join(dir, "chart-"));
      await cp(kept, copy, { recursive: true });
      return chartFolder(copy);
    },
    async dependencyBuild(chartDir) {
      await helm(["dependency", "build", chartDir], "helm dependency build");
    },
    async template(request) {
      return helm(templateArgs(request), "helm template");
    },
  };
}

/** `helm pull` arguments, as Argo CD's Fetch (HTTP repositories) and PullOCI (registries) build them. */
function pullArgs(reference: ChartReference, repositories: HelmRepositories): { args: string[]; secret: string | undefined } {
  const repo = chartRepository(reference.repoURL, repositories);
  const args = ["pull"];
  if (repo.oci) args.push(`${repo.url}/${reference.chart}`);
  else args.push(reference.chart, "--repo", repo.url);
  if (reference.version) args.push("--version", reference.version);
  if (repo.username) args.push("--username", repo.username);
  if (repo.password) args.push("--password", repo.password);
  if (repo.plainHttp) args.push("--plain-http");
  if (!repo.oci && reference.passCredentials) args.push("--pass-credentials");
  return { args, secret: repo.password };
}

/** Pulls into a scratch folder beside `kept`, then renames it into place. */
async function keep(kept: string, pull: (into: string) => Promise<string>): Promise<void> {
  await mkdir(dirname(kept), { recursive: true });
  const scratch = await mkdtemp(`${kept}.partial-`);
  try {
    await pull(scratch);
    await rename(scratch, kept).catch((error: unknown) => {
      if (!existsSync(kept)) throw error;
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Runs `pull` into `dir` and returns the chart folder it unpacked there. */
async function pullInto(dir: string, pull: (into: string) => Promise<string>, secret: string | undefined): Promise<string> {
  try {
    await pull(dir);
  } catch (error) {
    throw new Error(redact((error as Error).message, secret), { cause: error });
  }
  return chartFolder(dir);
}

/** The one chart folder helm unpacked into `dir`. */
async function chartFolder(dir: string): Promise<string> {
  const folders = (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isDirectory());
  if (folders.length !== 1) throw new Error(`helm pull unpacked ${folders.length} chart folders, expected one`);
  return join(dir, folders[0]!.name);
}

/** `helm template` arguments in the order Argo CD's Cmd.template gives them. */
export function templateArgs(request: HelmTemplateRequest): string[] {
  const args = ["template", request.chart, "--name-template", request.releaseName];
  if (request.namespace) args.push("--namespace", request.namespace);
  if (request.kubeVersion) args.push("--kube-version", request.kubeVersion);
  for (const [name, value] of request.set) args.push("--set", `${name}=${value}`);
  for (const [name, value] of request.setString) args.push("--set-string", `${name}=${value}`);
  for (const [name, path] of request.setFile) args.push("--set-file", `${name}=${path}`);
  for (const file of request.valueFiles) args.push("--values", file);
  for (const version of request.apiVersions) args.push("--api-versions", version);
  if (request.includeCrds) args.push("--include-crds");
  if (request.skipSchemaValidation) args.push("--skip-schema-validation");
  if (request.skipTests) args.push("--skip-tests");
  return args;
}

function redact(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join("******") : text;
}

/** Runs helm with a home of its own, removed afterwards; rejects with helm's own message. */
async function run(path: string, args: string[], what: string, options: HelmBinaryOptions): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), "radial-helm-"));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    HELM_CACHE_HOME: join(home, "cache"),
    HELM_CONFIG_HOME: join(home, "config"),
    HELM_DATA_HOME: join(home, "data"),
    ...Object.fromEntries(
      ["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy"].flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])),
    ),
  };
  const timeout = options.timeoutMs ?? 120_000;
  const maxBuffer = options.maxOutputBytes ?? 256 * 1024 * 1024;
  try {
    return await new Promise<string>((resolve, reject) => {
      execFile(path, args, { env, cwd: home, timeout, maxBuffer, encoding: "utf8", killSignal: "SIGKILL" }, (error, stdout, stderr) => {
        if (!error) {
          resolve(stdout);
          return;
        }
        const detail = stderr.trim().replace(/^Error: /, "") || error.message;
        const e = error as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null };
        if (e.killed && e.signal === "SIGKILL") reject(new Error(`${what} timed out after ${timeout} ms: ${detail}`));
        else if (e.code === "ENOENT") reject(new Error(`helm binary not found at ${path}: set RADIAL_HELM to a helm v4 binary`));
        else reject(new Error(`${what} failed: ${detail}`));
      });
    });
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
