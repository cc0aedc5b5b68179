// The CDK stack synthesized once by the pinned CDK CLI exactly as `cdk deploy` would (cdk.json's
// app, with cdk-nag's AwsSolutions pack), inside a network namespace with no network at all, and
// kept in the tool cache (`cdk-synth-<hash>`) under a hash of every file the app or a bundle may
// read: the infra suite checks this cloud assembly and the Lambda suite runs its function assets,
// so a test run pays for one synth (about two minutes on a loaded machine), not one per suite.
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { toolCacheRoot } from "../../core/tool-cache.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const STACK = "RadialHub";
/** Synths kept in the cache: the newest few, for clones at other commits on the same machine. */
const KEEP = 3;
/** An older synth is kept this long after it was made, as a suite still running may be using its assets. */
const IN_USE_MS = 60 * 60_000;

export interface TemplateResource {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  Metadata?: Record<string, unknown>;
}

export interface CloudAssembly {
  /** The cloud assembly's folder (what `cdk synth --output` wrote); read only: it is shared. */
  dir: string;
  template: { Parameters: Record<string, { Default?: unknown }>; Resources: Record<string, TemplateResource> };
  templatePath: string;
  /** The assets manifest: asset hash → its source folder or file (relative to `dir`) and its S3 object key. */
  assets: Record<string, { source: { path: string }; destinations: Record<string, { objectKey: string }> }>;
}

/** The files the CDK app and the function bundles can read: everything but tests, benchmarks and prose. */
async function sourceHash(): Promise<string> {
  const { stdout } = await promisify(execFile)("git", ["ls-files", "-co", "--exclude-standard", "-z"], { cwd: ROOT, maxBuffer: 64 << 20 });
  const files = stdout
    .split("\0")
    .filter((file) => file && !/^(test|bench|docs|reports)\//.test(file) && !file.endsWith(".md"))
    .sort();
  const hash = createHash("sha256");
  for (const file of files) {
    // A file deleted in the working tree is still listed until staged: it counts as absent.
    const content = await readFile(join(ROOT, file)).catch(() => Buffer.alloc(0));
    hash.update(`${file}\0${content.length}\0`).update(content);
  }
  return hash.digest("hex").slice(0, 16);
}

/**
 * `cdk synth` into `output` with no network: the CLI, the app it runs (npx tsx) and the bundling
 * must all stay offline. Under a lock, and skipped when `done` appeared meanwhile: the two suites
 * may ask at once, and one synth serves both.
 */
async function synthOffline(output: string, done: string, lock: string): Promise<void> {
  const synth = ["unshare", "-rn", join(ROOT, "node_modules/.bin/cdk"), "synth", "--no-lookups", "--quiet", "--output", output];
  const args = [lock, "sh", "-c", '[ -e "$0" ] || exec "$@"', done, ...synth];
  const child = spawn("flock", args, { cwd: ROOT, env: { ...process.env, CDK_DISABLE_VERSION_CHECK: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout.on("data", (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  });
  if (code !== 0) throw new Error(`cdk synth failed offline (exit ${code}):\n${log.slice(-6000)}`);
}

/** Whether process `pid` is still running (signal 0 only checks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes the synths beyond the newest KEEP made over IN_USE_MS ago, and the scratch folders of processes gone. */
async function prune(root: string): Promise<void> {
  const names = await readdir(root);
  const orphans = names.filter((name) => /^cdk-synth-[0-9a-f]{16}\.partial-\d+$/.test(name) && !alive(Number(name.split("-").pop())));
  await Promise.all(orphans.map((name) => rm(join(root, name), { recursive: true, force: true })));
  const entries = names.filter((name) => /^cdk-synth-[0-9a-f]{16}$/.test(name));
  const dated = await Promise.all(
    entries.map(async (name) => ({ name, at: (await stat(join(root, name, ".complete")).catch(() => undefined))?.mtimeMs ?? 0 })),
  );
  const old = dated
    .sort((a, b) => b.at - a.at)
    .slice(KEEP)
    .filter(({ at }) => at < Date.now() - IN_USE_MS);
  await Promise.all(old.map(({ name }) => rm(join(root, name), { recursive: true, force: true })));
}

/**
 * The cloud assembly's folder for the sources as they are now. A synth during which a source
 * changed (another edit in this working tree) is used by this process only, never cached under a
 * hash it may not match, and removed when the process exits.
 */
async function assemblyDir(): Promise<string> {
  const root = toolCacheRoot();
  const key = `cdk-synth-${await sourceHash()}`;
  const dir = join(root, key);
  const done = join(dir, ".complete");
  if (existsSync(done)) return dir;
  await mkdir(root, { recursive: true });
  const scratch = `${dir}.partial-${process.pid}`;
  await rm(scratch, { recursive: true, force: true });
  await synthOffline(scratch, done, join(root, "cdk-synth.lock"));
  if (existsSync(done)) {
    await rm(scratch, { recursive: true, force: true });
    return dir;
  }
  if (`cdk-synth-${await sourceHash()}` !== key) {
    process.once("exit", () => rmSync(scratch, { recursive: true, force: true }));
    await prune(root);
    return scratch;
  }
  await writeFile(join(scratch, ".complete"), new Date().toISOString());
  await rename(scratch, dir);
  await prune(root);
  return dir;
}

let assembly: Promise<CloudAssembly> | undefined;

/** The stack's cloud assembly for the sources as they are now: from the tool cache, or synthesized offline into it. */
export function synthesizedHub(): Promise<CloudAssembly> {
  assembly ??= (async () => {
    const dir = await assemblyDir();
    const templatePath = join(dir, `${STACK}.template.json`);
    const template = JSON.parse(await readFile(templatePath, "utf8")) as CloudAssembly["template"];
    const assets = (JSON.parse(await readFile(join(dir, `${STACK}.assets.json`), "utf8")) as { files: CloudAssembly["assets"] }).files;
    return { dir, template, templatePath, assets };
  })();
  return assembly;
}

/** The logical id of the one resource of `type` whose id starts with `prefix` (its construct path). */
export function logicalIdOf(assembly: CloudAssembly, type: string, prefix: string): string {
  const ids = Object.entries(assembly.template.Resources)
    .filter(([id, resource]) => resource.Type === type && id.startsWith(prefix))
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected one ${type} named ${prefix}*, found ${ids.join(", ") || "none"}`);
  return ids[0]!;
}

/** The folder of the asset a function's Code names: its S3 key looked up in the assets manifest. */
export function functionAssetDir(assembly: CloudAssembly, logicalId: string): string {
  const code = assembly.template.Resources[logicalId]?.Properties.Code as { S3Key?: unknown } | undefined;
  if (typeof code?.S3Key !== "string") throw new Error(`${logicalId} has no Code.S3Key`);
  const asset = Object.values(assembly.assets).find((entry) => Object.values(entry.destinations).some((to) => to.objectKey === code.S3Key));
  if (!asset) throw new Error(`no asset in ${STACK}.assets.json is uploaded as ${code.S3Key} (${logicalId}'s code)`);
  return join(assembly.dir, asset.source.path);
}
