// What the cluster's API server says of itself, for helm on the hub (`--kube-version`,
// `--api-versions`): `/version`'s gitVersion, and every served group/version with each of its kinds,
// all versions of every group as Argo CD's cluster cache lists them (not only the preferred ones).
import { REPORT_LIMITS, type ClusterCapabilities } from "../../contract/status-report.js";
import type { DiscoveryGet } from "./discovery.js";
import { KubeApiError } from "./errors.js";

interface APIResourceList {
  resources?: { name: string; kind: string }[];
}

/** The capabilities, and how many entries the report's bounds left out (0 on any real cluster). */
export async function discoverCapabilities(get: DiscoveryGet): Promise<{ capabilities: ClusterCapabilities; dropped: number }> {
  const [version, core, groups] = (await Promise.all([get("/version"), get("/api"), get("/apis")])) as [
    { gitVersion?: string },
    { versions?: string[] },
    { groups?: { versions?: { groupVersion: string }[] }[] },
  ];
  const groupVersions = [...(core.versions ?? []), ...(groups.groups ?? []).flatMap((group) => (group.versions ?? []).map((v) => v.groupVersion))];
  const kinds = await Promise.all(groupVersions.map((groupVersion) => kindsOf(get, groupVersion)));
  const served = groupVersions.flatMap((groupVersion, i) => (kinds[i] === undefined ? [] : [{ groupVersion, kinds: kinds[i] }]));
  // Group/versions first, so bounds that bite drop kinds before whole APIs.
  const all = [
    ...[...new Set(served.map((one) => one.groupVersion))].sort(),
    ...[...new Set(served.flatMap((one) => one.kinds.map((kind) => `${one.groupVersion}/${kind}`)))].sort(),
  ];
  const apiVersions: string[] = [];
  let bytes = 0;
  for (const entry of all) {
    if (apiVersions.length === REPORT_LIMITS.maxApiVersions || bytes + entry.length > REPORT_LIMITS.maxApiVersionsBytes) break;
    apiVersions.push(entry);
    bytes += entry.length;
  }
  return { capabilities: { kubeVersion: version.gitVersion ?? "", apiVersions }, dropped: all.length - apiVersions.length };
}

/** The kinds a group/version serves (subresources left out); undefined when its discovery fails (an aggregated API that is down). */
async function kindsOf(get: DiscoveryGet, groupVersion: string): Promise<string[] | undefined> {
  const path = groupVersion.includes("/") ? `/apis/${groupVersion}` : `/api/${groupVersion}`;
  try {
    const list = (await get(path)) as APIResourceList;
    return [...new Set((list.resources ?? []).filter((r) => !r.name.includes("/")).map((r) => r.kind))];
  } catch (error) {
    if (error instanceof KubeApiError) return undefined;
    throw error;
  }
}
