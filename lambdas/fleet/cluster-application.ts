/**
 * One application on one cluster, resource by resource: what the cluster's deploy branch holds
 * (read from Git, so the resources agents do not list because they are fine are shown too),
 * joined with the troubled resources of the last report, and the application's drift events.
 */
import {
  APPLICATION_FILE,
  deployBranchOf,
  MANIFESTS_FILE,
  TOMBSTONE_FILE,
  type ApplicationResource,
  type ClusterApplication,
  type ClusterStatus,
  type ResourceStatus,
} from "../../contract/index.js";
import { isPlainObject, parseYamlManifests, type K8sObject } from "../../core/manifests/objects.js";
import type { DeployRepository } from "../ports.js";
import type { ClusterView } from "./honest.js";

const SYNC_WAVE = "argocd.argoproj.io/sync-wave";

export interface DeployFolder {
  revision: string;
  path: string;
  files: Map<string, string>;
}

/** The application's folder at the head of the cluster's deploy branch; null when the branch or folder does not exist. */
export async function readDeployFolder(
  deploy: Pick<DeployRepository, "url" | "ensureCommit" | "listFiles" | "readFile">,
  cluster: string,
  application: string,
  head: string,
): Promise<DeployFolder | null> {
  const commit = await deploy.ensureCommit(deployBranchOf(cluster), head);
  const path = `clusters/${cluster}/${application}/`;
  const names = (await deploy.listFiles(deploy.url, commit)).filter((file) => file.startsWith(path));
  if (names.length === 0) return null;
  const files = new Map<string, string>();
  for (const name of names) files.set(name.slice(path.length), Buffer.from(await deploy.readFile(deploy.url, commit, name)).toString("utf8"));
  return { revision: commit, path, files };
}

type Ref = Pick<ResourceStatus, "group" | "version" | "kind" | "namespace" | "name">;

function refOf(object: K8sObject): (Ref & { wave: number }) | undefined {
  const metadata = isPlainObject(object.metadata) ? object.metadata : {};
  const apiVersion = typeof object.apiVersion === "string" ? object.apiVersion : "";
  if (typeof object.kind !== "string" || typeof metadata.name !== "string" || !apiVersion) return undefined;
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/", 2) : ["", apiVersion];
  const annotations = isPlainObject(metadata.annotations) ? metadata.annotations : {};
  const text = annotations[SYNC_WAVE];
  const wave = typeof text === "string" ? Number.parseInt(text, 10) : 0;
  return {
    group: group!,
    version: version!,
    kind: object.kind,
    ...(typeof metadata.namespace === "string" ? { namespace: metadata.namespace } : {}),
    name: metadata.name,
    wave: Number.isNaN(wave) ? 0 : wave,
  };
}

/** Same group, kind and name, and namespace when the manifest names one (a manifest without one lands in the destination's). */
const sameResource = (desired: Ref, reported: Ref) =>
  desired.group === reported.group &&
  desired.kind === reported.kind &&
  desired.name === reported.name &&
  (desired.namespace === undefined || desired.namespace === reported.namespace);

/**
 * Desired resources joined with reported ones. `known` says what the report tells: `all` (the
 * agent applied the head and lists every troubled resource, so one it does not list is Synced and
 * Healthy), `reported` (only what it lists; the rest is Unknown), or `nothing` (a stale cluster:
 * everything is Unknown, its last words kept as messages only).
 */
export function joinResources(desired: K8sObject[], reported: ResourceStatus[], known: "all" | "reported" | "nothing"): ApplicationResource[] {
  const left = reported.map((r): ResourceStatus => (known === "nothing" ? { ...r, sync: "Unknown", health: "Unknown" } : r));
  const current = known === "all";
  const resources: ApplicationResource[] = [];
  for (const object of desired) {
    const ref = refOf(object);
    if (!ref) continue;
    const index = left.findIndex((r) => sameResource(ref, r));
    const match = index >= 0 ? left.splice(index, 1)[0] : undefined;
    if (match) resources.push({ ...match, wave: ref.wave, desired: true, reported: true });
    else resources.push({ ...ref, desired: true, reported: false, sync: current ? "Synced" : "Unknown", health: current ? "Healthy" : "Unknown" });
  }
  for (const r of left) resources.push({ ...r, wave: null, desired: false, reported: true });
  const order = (r: ApplicationResource) => [String((r.wave ?? 0) + 1e9).padStart(12, "0"), r.kind, r.namespace ?? "", r.name].join("\u0000");
  return resources.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

/** The answer of `GET /v1/clusters/{name}/applications/{app}` from what was read. */
export function clusterApplication(view: ClusterView, status: ClusterStatus, application: string, folder: DeployFolder | null): ClusterApplication {
  const cell = view.cells.find((c) => c.application === application) ?? null;
  const reported = status.applications.find((a) => a.name === application);
  const deleted = folder?.files.has(TOMBSTONE_FILE) ?? false;
  const manifests = folder?.files.get(MANIFESTS_FILE) ?? null;
  const desired = manifests === null || deleted ? [] : parseYamlManifests(manifests, `${folder!.path}${MANIFESTS_FILE}`);
  return {
    cluster: view.cluster,
    cell,
    git: folder && {
      revision: folder.revision,
      path: folder.path,
      deleted,
      application: deleted ? null : (folder.files.get(APPLICATION_FILE) ?? null),
      manifests: deleted ? null : manifests,
    },
    resources: joinResources(
      desired,
      reported?.resources ?? [],
      cell === null ? "nothing" : cell.reason === "stale" ? "nothing" : cell.reason ? "reported" : "all",
    ),
    resourceCount: reported?.resourceCount ?? null,
    driftEvents: status.driftEvents.filter((event) => event.application === application),
  };
}
