/**
 * Reads one commit of a cluster's deploy branch into desired applications. A broken application
 * folder is an error for that application only (the others go on); anything that makes the folder
 * as a whole unreadable fails the read, so a partial read never looks like "application gone".
 */
import { parse as parseYaml } from "yaml";
import { yamlProblem } from "../../core/manifests/yaml-error.js";
import * as z from "zod";
import { Application } from "../../contract/application.js";
import { APPLICATION_FILE, ApplicationDeletion, MANIFESTS_FILE, TOMBSTONE_FILE } from "../../contract/deploy-branch.js";
import { HEALTH_CUSTOMIZATIONS_FILE, HealthCustomizations } from "../../contract/health-customizations.js";
import { ApplicationName } from "../../contract/names.js";
import { parseWith } from "../../contract/validation.js";
import { expandAndCheck, parseYamlManifests } from "../../core/manifests/objects.js";
import type { KubeObject } from "../kube/object.js";
import type { DesiredApplication } from "./desired.js";

/** One file larger than this is refused: a deploy branch holds one application's plain YAML. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** An application whose folder could not be read: nothing about it changes until it reads again. */
export interface ApplicationReadFailure {
  name: string;
  message: string;
}

export interface ClusterFolder {
  revision: string;
  applications: DesiredApplication[];
  failures: ApplicationReadFailure[];
  /** The users' health checks beside the application folders, if the hub wrote any. */
  health?: HealthCustomizations;
}

/** The whole folder could not be read (a bad folder name, an unreadable tree): nothing may be synced or pruned. */
export class FolderReadError extends Error {
  override name = "FolderReadError";
}

class AppError extends Error {}

const decoder = new TextDecoder("utf-8", { fatal: true });

type ReadFile = (path: string) => Promise<Uint8Array>;

async function text(read: ReadFile, path: string): Promise<string> {
  const bytes = await read(path);
  if (bytes.byteLength > MAX_FILE_BYTES) throw new AppError(`${path} is ${bytes.byteLength} bytes, over the limit of ${MAX_FILE_BYTES}`);
  try {
    return decoder.decode(bytes);
  } catch {
    throw new AppError(`${path} is not UTF-8 text`);
  }
}

function yamlDocument(source: string, path: string): unknown {
  try {
    return parseYaml(source, { version: "1.1", uniqueKeys: true });
  } catch (error) {
    const { what, line } = yamlProblem(error);
    throw new AppError(`${path}${line ? `:${line}` : ""}: invalid YAML: ${what}`);
  }
}

function validated<S extends z.ZodType>(schema: S, value: unknown, path: string): z.infer<S> {
  const parsed = parseWith(schema, value, path);
  if (!parsed.ok) throw new AppError(parsed.message);
  return parsed.value;
}

async function readApplication(name: string, folder: string, files: Set<string>, revision: string, read: ReadFile): Promise<DesiredApplication> {
  const has = (file: string) => files.has(file);
  if (has(TOMBSTONE_FILE)) {
    if (has(APPLICATION_FILE) || has(MANIFESTS_FILE))
      throw new AppError(
        `${folder}: holds ${TOMBSTONE_FILE} next to ${APPLICATION_FILE} or ${MANIFESTS_FILE}; a folder is either an application or its tombstone`,
      );
    const path = `${folder}/${TOMBSTONE_FILE}`;
    const tombstone = validated(ApplicationDeletion, yamlDocument(await text(read, path), path), path);
    if (tombstone.metadata.name !== name) throw new AppError(`${path}: metadata.name is ${tombstone.metadata.name}, not the folder's name ${name}`);
    return { state: "deleted", name, revision, finalizers: tombstone.metadata.finalizers ?? [] };
  }
  if (!has(APPLICATION_FILE)) throw new AppError(`${folder}: has no ${APPLICATION_FILE}`);
  if (!has(MANIFESTS_FILE)) throw new AppError(`${folder}: has no ${MANIFESTS_FILE}`);
  const appPath = `${folder}/${APPLICATION_FILE}`;
  const application = validated(Application, yamlDocument(await text(read, appPath), appPath), appPath);
  if (application.metadata.name !== name) throw new AppError(`${appPath}: metadata.name is ${application.metadata.name}, not the folder's name ${name}`);
  const manifestsPath = `${folder}/${MANIFESTS_FILE}`;
  let manifests: KubeObject[];
  try {
    manifests = expandAndCheck(parseYamlManifests(await text(read, manifestsPath), manifestsPath), manifestsPath) as unknown as KubeObject[];
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError((error as Error).message);
  }
  return { state: "present", name, revision, application, manifests };
}

/**
 * Reads `clusters/<cluster>/<app>/` for every app at `revision`, given the commit's file list and
 * a reader. Files outside the cluster's folder, and other files inside an app folder, are ignored.
 */
export async function readClusterFolder(cluster: string, revision: string, paths: string[], read: ReadFile): Promise<ClusterFolder> {
  const prefix = `clusters/${cluster}/`;
  const folders = new Map<string, Set<string>>();
  let healthPath: string | undefined;
  for (const path of paths) {
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length).split("/");
    if (rest.length === 1 && rest[0] === HEALTH_CUSTOMIZATIONS_FILE) healthPath = path;
    if (rest.length < 2) continue; // a file directly in the cluster folder is no application
    const [app, ...file] = rest as [string, ...string[]];
    const name = ApplicationName.safeParse(app);
    if (!name.success) throw new FolderReadError(`${prefix}${app}: not an application name (${name.error.issues[0]!.message})`);
    let files = folders.get(app);
    if (!files) folders.set(app, (files = new Set()));
    files.add(file.join("/"));
  }
  const applications: DesiredApplication[] = [];
  const failures: ApplicationReadFailure[] = [];
  for (const name of [...folders.keys()].sort()) {
    try {
      applications.push(await readApplication(name, `${prefix}${name}`, folders.get(name)!, revision, read));
    } catch (error) {
      if (!(error instanceof AppError)) throw new FolderReadError(`${prefix}${name}: ${(error as Error).message}`, { cause: error });
      failures.push({ name, message: error.message });
    }
  }
  if (!healthPath) return { revision, applications, failures };
  try {
    // Health decides when a sync wave is done: a file that does not read stops the pass, as a folder that does not.
    return { revision, applications, failures, health: validated(HealthCustomizations, yamlDocument(await text(read, healthPath), healthPath), healthPath) };
  } catch (error) {
    throw new FolderReadError((error as Error).message, { cause: error });
  }
}
