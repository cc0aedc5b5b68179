// Which resource serves an apiVersion and kind, from the apiserver's per-group-version discovery
// documents (/api/v1, /apis/<group>/<version>): one request per group-version in use, cached.
import { groupOf } from "./object.js";
import { KubeApiError, NoKindMatchError } from "./errors.js";

export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  /** The plural resource name in URLs: `deployments`. */
  resource: string;
  namespaced: boolean;
  verbs: string[];
}

interface APIResourceList {
  resources?: { name: string; kind: string; namespaced: boolean; verbs?: string[] }[];
}

/** Every resource the apiserver serves, and the group-versions whose discovery failed (an aggregated API that is down). */
export interface ServerResources {
  resources: ResourceInfo[];
  failedGroupVersions: string[];
}

/** Fetches a discovery document; a KubeApiError when the apiserver refuses. */
export type DiscoveryGet = (path: string) => Promise<unknown>;

export class Discovery {
  private readonly byGroupVersion = new Map<string, Promise<Map<string, ResourceInfo>>>();

  constructor(private readonly get: DiscoveryGet) {}

  /** The resource for a kind; an unknown kind refreshes its group-version once, then throws NoKindMatchError. */
  async resourceFor(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const cached = (await this.groupVersion(apiVersion)).get(kind);
    if (cached) return cached;
    this.byGroupVersion.delete(apiVersion);
    const fresh = (await this.groupVersion(apiVersion)).get(kind);
    if (fresh) return fresh;
    throw new NoKindMatchError(apiVersion, kind);
  }

  /** Every resource of the core group and of each group's preferred version, as `kubectl api-resources`. */
  async serverResources(): Promise<ServerResources> {
    const [core, groups] = (await Promise.all([this.get("/api"), this.get("/apis")])) as [
      { versions?: string[] },
      { groups?: { preferredVersion?: { groupVersion: string } }[] },
    ];
    const groupVersions = [...(core.versions ?? []), ...(groups.groups ?? []).flatMap((group) => group.preferredVersion?.groupVersion ?? [])];
    const settled = await Promise.allSettled(groupVersions.map((apiVersion) => this.groupVersion(apiVersion)));
    const result: ServerResources = { resources: [], failedGroupVersions: [] };
    settled.forEach((outcome, index) => {
      if (outcome.status === "fulfilled") result.resources.push(...outcome.value.values());
      else result.failedGroupVersions.push(groupVersions[index]!);
    });
    return result;
  }

  /** Forgets everything learnt, e.g. after CRDs were created or removed. */
  refresh(): void {
    this.byGroupVersion.clear();
  }

  private groupVersion(apiVersion: string): Promise<Map<string, ResourceInfo>> {
    let entry = this.byGroupVersion.get(apiVersion);
    if (!entry) {
      entry = this.fetch(apiVersion);
      // A failed fetch must not stick: the next caller asks again.
      entry.catch(() => this.byGroupVersion.get(apiVersion) === entry && this.byGroupVersion.delete(apiVersion));
      this.byGroupVersion.set(apiVersion, entry);
    }
    return entry;
  }

  private async fetch(apiVersion: string): Promise<Map<string, ResourceInfo>> {
    const group = groupOf(apiVersion);
    const version = apiVersion.slice(group ? group.length + 1 : 0);
    const kinds = new Map<string, ResourceInfo>();
    if (!version || version.includes("/")) return kinds;
    let list: APIResourceList;
    try {
      list = (await this.get(group ? `/apis/${group}/${version}` : `/api/${version}`)) as APIResourceList;
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return kinds;
      throw error;
    }
    for (const r of list.resources ?? []) {
      // Subresources (`deployments/status`) share their parent's kind; the parent is the one we address.
      if (r.name.includes("/") || kinds.has(r.kind)) continue;
      kinds.set(r.kind, { group, version, kind: r.kind, resource: r.name, namespaced: r.namespaced, verbs: r.verbs ?? [] });
    }
    return kinds;
  }
}
