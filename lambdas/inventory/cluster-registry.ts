import {
  CLUSTER_LIMITS,
  userKeyed,
  type Cluster,
  type PatchClusterRequest,
  type RegisterClusterRequest,
  type RotateTokenRequest,
} from "../../contract/index.js";
import { isLoopbackUrl } from "./hub-url.js";
import { matches, type Selector } from "../../core/labels/selector.js";
import { hashToken, newToken, tokenMatches } from "./token.js";
import { toCluster, type ClusterRecord } from "./cluster-record.js";
import { RegistryError } from "./errors.js";
import {
  ClusterExistsError,
  EksClusterNotFoundError,
  EksUnavailableError,
  InvalidCursorError,
  VersionConflictError,
  type Clock,
  type ClusterEdit,
  type EksLookup,
  type InventoryStore,
} from "../ports.js";

export interface RegistrySettings {
  /** Where agents reach the hub; goes into bootstrap manifests. */
  hubUrl: string;
  repoUrl: string | null;
  agentImage: string;
  /** The fleet repo's read-only credential handed to agents; absent for a public repo. */
  agentGitAuth?: { username: string; password: string } | null;
  /** How long a rotated-out token keeps working, so running agents can be given the new one. */
  tokenGraceSeconds: number;
}

export interface RegistryDependencies {
  store: InventoryStore;
  eks: EksLookup;
  clock: Clock;
  settings: RegistrySettings;
}

const MAX_PATCH_ATTEMPTS = 10;

/** Registration and upkeep of the cluster inventory: the domain behind `/v1/clusters`. */
export class ClusterRegistry {
  constructor(private readonly deps: RegistryDependencies) {}

  /** The manifest that installs the agent of `cluster` with `token`. */
  async bootstrap(cluster: string, token: string): Promise<string> {
    // Imported here, not with this module: the manifest brings yaml, which the hub's API function
    // would load at every cold start, and only registrations, token rotations and rebuilds write one.
    const { bootstrapManifest } = await import("./bootstrap.js");
    const { hubUrl, repoUrl, agentImage, agentGitAuth } = this.deps.settings;
    return bootstrapManifest({ cluster, token, hubUrl, repoUrl, image: agentImage, gitAuth: agentGitAuth ?? null });
  }

  private async record(name: string): Promise<ClusterRecord> {
    const record = await this.deps.store.getCluster(name);
    if (!record) throw new RegistryError("not_found", `cluster ${name} is not registered; list them with GET /v1/clusters`);
    return record;
  }

  /**
   * Refuses, before anything is written, to issue a bootstrap manifest that sends the agent to a
   * loopback hub URL, which an agent in a cluster cannot reach, unless the caller asked for it.
   */
  checkHubUrl(allowLoopbackHub: boolean | undefined): void {
    const { hubUrl } = this.deps.settings;
    if (allowLoopbackHub === true || !isLoopbackUrl(hubUrl)) return;
    throw new RegistryError(
      "invalid",
      `the bootstrap manifest would send the agent to ${hubUrl}, a loopback address that an agent in a cluster cannot reach; nothing was changed. ` +
        "Set RADIAL_HUB_URL on the hub to the URL agents reach it at (e.g. https://radial.example.com) and restart it, " +
        'or, for an agent on the hub\'s own machine, allow it: --allow-loopback (API: "allowLoopbackHub": true)',
      { field: "allowLoopbackHub" },
    );
  }

  async register(request: RegisterClusterRequest): Promise<{ cluster: Cluster; token: string; bootstrap: string }> {
    this.checkHubUrl(request.allowLoopbackHub);
    // Fail fast on a taken name before calling AWS; the conditional write below still decides races.
    if (await this.deps.store.getCluster(request.name))
      throw new RegistryError("exists", `cluster ${request.name} is already registered; pick another name or delete it first`);
    let eks = null;
    if (request.eksClusterArn) {
      try {
        eks = await this.deps.eks.describe(request.eksClusterArn);
      } catch (error) {
        if (error instanceof EksClusterNotFoundError) throw new RegistryError("eks_not_found", error.message, { field: "eksClusterArn" });
        if (error instanceof EksUnavailableError) throw new RegistryError("eks_unavailable", `${error.message}; nothing was stored, try again`);
        throw error;
      }
    }
    const now = this.deps.clock().toISOString();
    const token = newToken("rdl_agent");
    const record: ClusterRecord = {
      name: request.name,
      labels: userKeyed(Object.entries(request.labels ?? {})),
      annotations: userKeyed(Object.entries(request.annotations ?? {})),
      server: request.server ?? eks?.endpoint ?? null,
      eks,
      createdAt: now,
      updatedAt: now,
      version: 1,
      tokenHash: hashToken(token),
      tokenIssuedAt: now,
      previousToken: null,
    };
    try {
      await this.deps.store.createCluster(record);
    } catch (error) {
      if (error instanceof ClusterExistsError)
        throw new RegistryError("exists", `cluster ${request.name} is already registered; pick another name or delete it first`);
      throw error;
    }
    return { cluster: toCluster(record), token, bootstrap: await this.bootstrap(record.name, token) };
  }

  async get(name: string): Promise<Cluster> {
    return toCluster(await this.record(name));
  }

  /**
   * One page of clusters matching `selector`; `scanned` counts the clusters read to fill it. The
   * store is read in full pages and the page ends at the last match used, so a selective query
   * does not shrink into many tiny reads.
   */
  async list(selector: Selector, limit: number, pageToken?: string): Promise<{ items: Cluster[]; nextPageToken: string | null; scanned: number }> {
    const items: Cluster[] = [];
    let cursor = pageToken;
    let scanned = 0;
    try {
      do {
        const page = await this.deps.store.listClusters(limit, cursor);
        scanned += page.scanned;
        cursor = page.cursor;
        for (const [index, record] of page.records.entries()) {
          if (!matches(selector, record.labels)) continue;
          items.push(toCluster(record));
          if (items.length === limit) {
            if (index < page.records.length - 1) cursor = await this.deps.store.cursorAfter(record);
            break;
          }
        }
      } while (cursor && items.length < limit);
    } catch (error) {
      if (error instanceof InvalidCursorError) throw new RegistryError("invalid", error.message, { field: "pageToken" });
      throw error;
    }
    return { items, nextPageToken: cursor ?? null, scanned };
  }

  /**
   * Merges labels and annotations (null removes a key), writing only the keys the patch names, so
   * editors of different keys never conflict. With `ifMatch`, only the version the caller read is
   * changed. A write whose bound on the key count could be overrun by a concurrent editor is retried
   * on the fresh cluster.
   */
  async patch(name: string, patch: PatchClusterRequest, ifMatch?: string): Promise<Cluster> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.record(name);
      if (ifMatch !== undefined && ifMatch !== String(current.version)) {
        throw new RegistryError(
          "precondition_failed",
          `cluster ${name} is at resourceVersion ${current.version}, not ${ifMatch}; read it again and reapply your change`,
        );
      }
      const edit = this.edit(current, patch, ifMatch !== undefined);
      try {
        return toCluster(await this.deps.store.editCluster(name, edit));
      } catch (error) {
        if (!(error instanceof VersionConflictError)) throw error;
        if (ifMatch !== undefined)
          throw new RegistryError("precondition_failed", `cluster ${name} changed while it was being updated; read it again and reapply your change`);
        if (attempt >= MAX_PATCH_ATTEMPTS) throw new RegistryError("conflict", `cluster ${name} is being changed by others; try again`);
        // Jittered backoff, so editors that collided do not collide again in lockstep.
        await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
      }
    }
  }

  /** The store edit for `patch` on `current`, refusing one that would take a map past its bound. */
  private edit(current: ClusterRecord, patch: PatchClusterRequest, ifMatch: boolean): ClusterEdit {
    const labels = new Map(Object.entries(patch.labels ?? {}));
    const annotations = new Map(Object.entries(patch.annotations ?? {}));
    const bounds = [
      { what: "labels", changes: labels, before: current.labels, max: CLUSTER_LIMITS.maxLabels },
      { what: "annotations", changes: annotations, before: current.annotations, max: CLUSTER_LIMITS.maxAnnotations },
    ] as const;
    for (const { what, changes, before, max } of bounds) {
      if (keysAfter(before, changes) > max) throw new RegistryError("invalid", `cluster ${current.name} would have more than ${max} ${what}`, { field: what });
    }
    // Room for every key set to be new, counted against what the map holds when the write lands:
    // then no concurrent editor can take it past its bound, and none need be pinned to one version.
    const room = bounds.map(({ changes, max }) => max - [...changes.values()].filter((value) => value !== null).length);
    const roomy = bounds.every(({ before }, i) => Object.keys(before).length <= room[i]!);
    return {
      labels,
      annotations,
      updatedAt: this.deps.clock().toISOString(),
      ...(ifMatch || !roomy ? { version: current.version } : { maxKeysBefore: { labels: room[0]!, annotations: room[1]! } }),
    };
  }

  async delete(name: string): Promise<void> {
    if (!(await this.deps.store.deleteCluster(name))) throw new RegistryError("not_found", `cluster ${name} is not registered`);
  }

  /** Issues a new token; the old one keeps working for the grace period, then stops. */
  async rotateToken(name: string, options: RotateTokenRequest = {}): Promise<{ token: string; bootstrap: string; previousTokenValidUntil: string }> {
    this.checkHubUrl(options.allowLoopbackHub);
    const current = await this.record(name);
    const now = this.deps.clock();
    const validUntil = new Date(now.getTime() + this.deps.settings.tokenGraceSeconds * 1000).toISOString();
    const token = newToken("rdl_agent");
    const next: ClusterRecord = {
      ...current,
      tokenHash: hashToken(token),
      tokenIssuedAt: now.toISOString(),
      previousToken: { hash: current.tokenHash, validUntil },
      version: current.version + 1,
      updatedAt: now.toISOString(),
    };
    try {
      await this.deps.store.replaceCluster(next, current.version);
    } catch (error) {
      if (error instanceof VersionConflictError) throw new RegistryError("conflict", `cluster ${name} changed during the rotation; try again`);
      throw error;
    }
    return { token, bootstrap: await this.bootstrap(name, token), previousTokenValidUntil: validUntil };
  }

  /** Whether `token` is this cluster's agent token (or its predecessor, within the grace period). */
  async authenticateAgent(name: string, token: string): Promise<boolean> {
    return (await this.agentIncarnation(name, token)) !== undefined;
  }

  /** The incarnation `token` belongs to when it authenticates as `name`'s agent (see authenticateAgent); undefined when it does not. */
  async agentIncarnation(name: string, token: string): Promise<number | undefined> {
    const record = await this.deps.store.getCluster(name);
    if (!record) return undefined;
    const current = tokenMatches(token, record.tokenHash);
    const previous =
      record.previousToken !== null && tokenMatches(token, record.previousToken.hash) && this.deps.clock().toISOString() < record.previousToken.validUntil;
    return current || previous ? (record.incarnation ?? 1) : undefined;
  }
}

/** How many keys `before` holds once `changes` (null removes) are applied. */
function keysAfter(before: Record<string, string>, changes: ReadonlyMap<string, string | null>): number {
  let count = Object.keys(before).length;
  for (const [key, value] of changes) {
    const had = Object.hasOwn(before, key);
    if (value === null && had) count--;
    if (value !== null && !had) count++;
  }
  return count;
}
