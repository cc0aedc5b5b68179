/**
 * The ports of the hub: every interface its domain (inventory/, generate/, status/) reaches the
 * world through, with the errors and data shapes that are part of each contract. Adapters
 * (adapters/) implement them; composition.ts plugs one adapter into each.
 */
import type {
  ClusterCapabilities,
  ClusterStatus,
  EksClusterInfo,
  GenerationRecord,
  GenerationTrigger,
  Rebuild,
  RebuildState,
  StoredApplicationStatus,
  StoredDriftEvent,
} from "../contract/index.js";
import type { BlobNode } from "../core/git/objects.js";
import type { RepoReader } from "../core/git/reader.js";
import type { ClusterRecord } from "./inventory/cluster-record.js";

/** The hub's time; tests and benches pass their own. */
export type Clock = () => Date;

// ---- inventory ----

export class ClusterExistsError extends Error {}
export class VersionConflictError extends Error {}
export class InvalidCursorError extends Error {}

export interface ClusterPage {
  records: ClusterRecord[];
  /** Opaque; absent on the last page. */
  cursor?: string;
  /** Items read from the store for this page, for benchmarks and capacity planning. */
  scanned: number;
}

/**
 * A change to some keys of a cluster's labels and annotations (null removes a key), written key by
 * key, so editors of different keys never conflict.
 */
export interface ClusterEdit {
  labels: ReadonlyMap<string, string | null>;
  annotations: ReadonlyMap<string, string | null>;
  updatedAt: string;
  /** Write only if the stored version is still this one (If-Match, or a key count near its bound that must be exact). */
  version?: number;
  /** Write only if each map holds at most this many keys before the edit: then the result stays within the bounds whatever others did meanwhile. */
  maxKeysBefore?: { labels: number; annotations: number };
}

/** The inventory as the domain sees it; DynamoDB is one implementation, and the only one needed. */
export interface InventoryStore {
  /** Throws ClusterExistsError when the name is taken. */
  createCluster(record: ClusterRecord): Promise<void>;
  getCluster(name: string): Promise<ClusterRecord | undefined>;
  /** Writes `record` if the stored version is still `expectedVersion`; else VersionConflictError. */
  replaceCluster(record: ClusterRecord, expectedVersion: number): Promise<void>;
  /** Applies `edit` and returns the cluster as written; VersionConflictError when the cluster is gone or a condition of the edit failed. */
  editCluster(name: string, edit: ClusterEdit): Promise<ClusterRecord>;
  /** Removes the cluster and everything stored under it; false if it did not exist. */
  deleteCluster(name: string): Promise<boolean>;
  /** One page of clusters in a stable order. Throws InvalidCursorError on a cursor it did not issue. */
  listClusters(limit: number, cursor?: string): Promise<ClusterPage>;
  /** A cursor that resumes the listing just after `record`, for a caller that stops mid-page. */
  cursorAfter(record: ClusterRecord): Promise<string>;
}

/** Whether the inventory answers, for `/healthz`; throws a message naming what is unreachable. */
export interface InventoryHealth {
  check(): Promise<void>;
}

export class EksClusterNotFoundError extends Error {}
export class EksUnavailableError extends Error {}

/** Looks an EKS cluster up by ARN; the registry takes this, not the AWS SDK. */
export interface EksLookup {
  describe(arn: string): Promise<EksClusterInfo>;
}

// ---- status ----

/** What the cluster's last report says as a whole, without its applications and events. */
export type StatusSummary = Pick<
  ClusterStatus,
  "agentVersion" | "heartbeatAt" | "revision" | "conditions" | "sync" | "health" | "syncCounts" | "healthCounts"
> & {
  receivedAt: string;
};

/** The cluster's status item: the commit point of a report (a report is stored once this is written). */
export interface StoredStatus {
  summary: StatusSummary;
  /**
   * Digest of each reported application's status, by name (a null-prototype object): which
   * application items make up the last report (each item is keyed by name and digest, so one a
   * report wrote but never committed is not among them), and which a new report changes, so a
   * heartbeat that changes nothing writes one item.
   */
  digests: Record<string, string>;
  /** Drift events written since the last trim: an upper bound of how many are stored. */
  driftStored: number;
  /** Incremented on every write; the guard of the read-modify-write of `digests`. */
  seq: number;
  /** The cluster incarnation whose agent sent the report (absent: 1, the cluster as registered). */
  incarnation?: number;
  /** The digest of the capabilities stored for the cluster (core/capabilities.ts); absent before its agent sent any. */
  capabilitiesDigest?: string;
}

/** One application's status as one report states it. */
export interface ApplicationVersion {
  name: string;
  digest: string;
}

/** Agents' reports as stored per cluster: one status item, one item per application and digest, drift events. */
/** What a report that changes no application writes: its summary, for the items it expects to find. */
export interface StatusHeartbeat {
  summary: StatusSummary;
  digests: Record<string, string>;
  incarnation: number;
  capabilitiesDigest?: string | undefined;
}

export interface StatusStore {
  getStatus(cluster: string): Promise<StoredStatus | undefined>;
  /** These application items, read consistently; an item gone meanwhile is left out. */
  readApplications(cluster: string, versions: ApplicationVersion[]): Promise<StoredApplicationStatus[]>;
  /**
   * A heartbeat's one write: replaces the summary and advances `seq` only while the status item
   * names exactly `digests` (no application changed), belongs to `incarnation` and, when given,
   * names `capabilitiesDigest`. Returns the capabilities digest the item names (null: none), or
   * undefined when the item is otherwise (or absent): nothing was written.
   */
  touchStatus(cluster: string, heartbeat: StatusHeartbeat): Promise<{ capabilitiesDigest: string | null } | undefined>;
  /** Writes the status item if its `seq` is still `expectedSeq` (undefined: no item yet); false if another write came first. */
  putStatus(cluster: string, status: StoredStatus, expectedSeq: number | undefined): Promise<boolean>;
  /** Writes each application under its name and digest, marked as written by the report that will commit as `seq`. */
  putApplications(cluster: string, applications: { application: StoredApplicationStatus; digest: string }[], seq: number): Promise<void>;
  /** Deletes these application items, each only if no report after `seq` wrote it again. */
  deleteApplications(cluster: string, applications: ApplicationVersion[], seq: number): Promise<void>;
  /** The application items `digests` names (name → digest), by name. */
  listApplications(cluster: string, digests: Record<string, string>): Promise<StoredApplicationStatus[]>;
  /** Writes each event under its own key (a re-sent event overwrites itself), expiring at `expiresAt` (epoch seconds). */
  putDriftEvents(cluster: string, events: StoredDriftEvent[], expiresAt: number): Promise<void>;
  /** The newest `limit` drift events not yet expired at `nowSeconds`, newest first. */
  listDriftEvents(cluster: string, limit: number, nowSeconds: number): Promise<StoredDriftEvent[]>;
  /** Deletes all but the newest `keep` drift events; returns how many are left. */
  trimDriftEvents(cluster: string, keep: number): Promise<number>;
  /** Replaces the cluster's capabilities (one item, apart from the status item: they change seldom and are large). */
  putCapabilities(cluster: string, capabilities: ClusterCapabilities): Promise<void>;
  /** The capabilities the cluster's agent last sent; undefined when it never sent any. */
  getCapabilities(cluster: string): Promise<ClusterCapabilities | undefined>;
}

// ---- git: the fleet repo's source branch, and the deploy branches ----

/** An entry of a git tree (modes six digits long). */
export interface TreeEntry {
  mode: string;
  path: string;
  oid: string;
  type: "blob" | "tree" | "commit";
}

export interface BranchUpdate {
  /** Short branch name, e.g. `radial/clusters/prod-1`. */
  branch: string;
  /** The branch's whole tree: path (e.g. `clusters/prod-1/web/manifests.yaml`) → content. */
  files: Record<string, string | Uint8Array | BlobNode>;
  /** Folders kept as the remote already holds them: path → tree id (never rebuilt or sent). */
  kept?: Record<string, string>;
  message: string;
}

export interface WriteOptions {
  author: { name: string; email: string };
  now: Date;
  /** How many times a branch is rebuilt on the fresh remote head after `RefMovedError` (default 2). */
  retries?: number;
  /**
   * The heads the caller already read (branch → commit; a branch left out is new): the first push
   * then needs no ref discovery of its own. Each ref stays a compare-and-swap on the head given, so
   * a head that moved since it was read is refused, and that branch is retried on a fresh listing.
   */
  heads?: ReadonlyMap<string, string>;
}

export interface BranchResult {
  branch: string;
  /** The new commit, or null when the tree equals the branch's current tree (nothing committed or pushed). */
  commit: string | null;
  /** The tree the branch now holds. */
  tree: string;
  /** The remote head before this write (null: the branch did not exist). */
  previous: string | null;
  /** Why this branch was not written (`RefMovedError` when it kept moving); the others are unaffected. */
  error?: Error;
}

/** The remote branch moved between reading it and pushing (someone else pushed): retry from fresh state. */
export class RefMovedError extends Error {
  constructor(
    readonly branch: string,
    readonly expected: string | null,
    readonly actual: string | null,
    options?: { cause?: unknown },
  ) {
    super(`branch ${branch} moved on the remote: expected ${expected ?? "(absent)"}, found ${actual ?? "(absent or unknown)"}`, options);
    this.name = "RefMovedError";
  }
}

/** The fleet repo as generation reads it: generator files and app sources at the source branch's head. */
export interface SourceRepository extends RepoReader {
  readonly url: string;
  /** Fetches a branch's newest commit (depth 1) and returns its id. */
  fetch(ref: string): Promise<string>;
}

/** Where the deploy branches live: their heads, their trees by id, and the multi-branch write. */
export interface DeployRepository extends RepoReader {
  readonly url: string;
  /** The remote's branches under `refs/heads/<prefix>` (short name → commit id), in one ls-refs call. */
  remoteBranches(prefix: string): Promise<Map<string, string>>;
  /** Makes sure `commit`, the listed head of `branch`, is at hand; returns the head now at hand (another if the branch moved). */
  ensureCommit(branch: string, commit: string): Promise<string>;
  /** `ensureCommit` for many branches in a few requests; null for a branch deleted meanwhile. */
  ensureCommits(heads: Map<string, string>): Promise<Map<string, string | null>>;
  commitTree(commit: string): Promise<string>;
  readTreeEntries(tree: string): Promise<TreeEntry[]>;
  readBlob(oid: string): Promise<Uint8Array>;
  /** Writes each branch's whole tree, committing only a changed one; a failure is reported on that branch's result. */
  writeBranches(updates: BranchUpdate[], options: WriteOptions): Promise<BranchResult[]>;
}

export interface SourceCheckout {
  reader: RepoReader;
  /** The commit id to read at. */
  revision: string;
  /** The ref it was resolved from (`refs/heads/main`, `refs/tags/v1`); none for a commit id. */
  ref?: string;
}

/** What a generation run reads sources outside the fleet repo's source branch through. */
export interface SourceRepositories {
  checkout(repoURL: string, targetRevision: string): Promise<SourceCheckout>;
}

/** Runs `kustomize build` on a directory and returns its YAML output. */
export interface KustomizeRunner {
  build(dir: string): Promise<string>;
}

/** A chart in an HTTP chart repository (`https://…`) or an OCI registry (`oci://host/path`). */
export interface ChartReference {
  repoURL: string;
  chart: string;
  /** A version or a semver range; "" for the newest. */
  version: string;
  /** Send the repository's credentials to a chart URL on another host too (Argo CD's `helm.passCredentials`). */
  passCredentials: boolean;
}

/** What `helm template` is run with; paths are on the local disk. */
export interface HelmTemplateRequest {
  /** A chart folder or a chart archive. */
  chart: string;
  releaseName: string;
  namespace: string;
  kubeVersion?: string | undefined;
  apiVersions: string[];
  /** `--values`, in order: later files win. */
  valueFiles: string[];
  /** `--set`, `--set-string`, `--set-file`: [name, value] in order. */
  set: [string, string][];
  setString: [string, string][];
  setFile: [string, string][];
  includeCrds: boolean;
  skipSchemaValidation: boolean;
  skipTests: boolean;
}

/** The `helm` binary: fetches charts (with the repository's credentials) and renders them. */
export interface HelmRunner {
  /** The chart unpacked into a new folder under `dir` (from the runner's cache for an exact version); returns that folder. */
  pull(chart: ChartReference, dir: string): Promise<string>;
  /** `helm dependency build` in a chart folder whose Chart.yaml lists dependencies not in its charts/. */
  dependencyBuild(chartDir: string): Promise<void>;
  template(request: HelmTemplateRequest): Promise<string>;
}

// ---- generation runs ----

export interface LeaseState {
  holder: string;
  /** Epoch seconds; the lease is free once now >= expiresAt. */
  expiresAt: number;
}

/** `pending`: the first trigger recorded by `markPending` while the lease was held. */
export type LeaseRelease = { released: false } | { released: true; pending: GenerationTrigger | undefined };

/** The fleet-wide lease that serializes generation runs across hub processes. */
export interface GenerationLease {
  acquire(holder: string, ttlSeconds: number, now: Date): Promise<boolean>;
  renew(holder: string, ttlSeconds: number, now: Date): Promise<boolean>;
  release(holder: string): Promise<LeaseRelease>;
  /** Records that a run is wanted after the current one; false (nothing written) when the lease is free at `now`. */
  markPending(trigger: GenerationTrigger, now: Date): Promise<boolean>;
  /** The current holder, or undefined when the lease is free at `now`. */
  current(now: Date): Promise<LeaseState | undefined>;
}

export interface GenerationPage {
  records: GenerationRecord[];
  /** Present when older records may follow; the last page may come back empty. */
  cursor?: string;
}

/** The bounded record of past runs, newest first. */
export interface GenerationHistory {
  record(record: GenerationRecord): Promise<void>;
  list(limit: number, cursor?: string): Promise<GenerationPage>;
}

// ---- rebuild ----

/** A cluster's rebuilds: the latest in the cluster item (RebuildState), each one's record in its own history item. */
export interface RebuildStore {
  /** Writes the history item of `rebuild.incarnation` (a rewrite replaces it). */
  putHistory(cluster: string, rebuild: Rebuild): Promise<void>;
  /** The newest `limit` history items, newest first. */
  listHistory(cluster: string, limit: number): Promise<Rebuild[]>;
  /** Deletes all but the newest `keep` history items. */
  trimHistory(cluster: string, keep: number): Promise<void>;
  /**
   * Writes `state` as the cluster's latest rebuild (with `cluster`'s EKS record and server, when
   * given) if the stored one is still the same incarnation at `expectedRev`; false otherwise.
   */
  updateCurrent(cluster: string, state: RebuildState, expectedRev: number, record?: Pick<ClusterRecord, "eks" | "server">): Promise<boolean>;
}

/** What a rebuild asks of the EKS API; failures to reach it are EksUnavailableError. */
export interface EksControlPlane {
  /** The cluster's status (CREATING, ACTIVE, DELETING, FAILED, ...) and endpoint; null when it does not exist. */
  state(eks: EksClusterInfo): Promise<{ status: string; endpoint: string | null } | null>;
  /** CreateCluster with exactly the recorded configuration; `requestToken` makes a repeated call the same creation. */
  create(eks: EksClusterInfo, requestToken: string): Promise<void>;
  delete(eks: EksClusterInfo): Promise<void>;
}

// ---- fleet: the read side the console's views are built from ----

/** A registered cluster as the fleet views need it. */
export interface FleetClusterEntry {
  name: string;
  labels: Record<string, string>;
  /** Status received before this belongs to an earlier cluster of the name, or incarnation (a rebuild's start). */
  since: string;
  /** Which life of the cluster its reports belong to (1 until a rebuild). */
  incarnation: number;
}

/**
 * Fleet-wide reads in few large requests, for a snapshot (not for a read-modify-write): clusters
 * from the sharded index, status items in batches, and only the application items a snapshot does
 * not already hold.
 */
export interface FleetStore {
  /** Every registered cluster, eventually consistent. */
  listClusters(): Promise<FleetClusterEntry[]>;
  /** The `seq` and receipt time of these clusters' status items (every write changes both); one that never reported is absent. */
  getStatusVersions(clusters: string[]): Promise<Map<string, { seq: number; receivedAt: string }>>;
  /** The status items of these clusters; one that never reported is absent. */
  getStatuses(clusters: string[]): Promise<Map<string, StoredStatus>>;
  /** These application items, of any clusters, read in batches; an item gone meanwhile (its report replaced) is left out. */
  getApplications(versions: ClusterApplicationVersion[]): Promise<(ClusterApplicationVersion & { status: StoredApplicationStatus })[]>;
}

/** One application item of one cluster. */
export interface ClusterApplicationVersion extends ApplicationVersion {
  cluster: string;
}
