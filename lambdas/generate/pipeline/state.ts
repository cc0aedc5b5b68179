/**
 * What a run knows of each deploy branch's head: per app folder its tree id, where it came from and
 * its finalizers, and the tombstones. It is read once per commit and kept in memory (a commit never
 * changes), and the commits this process writes are recorded as they are pushed, so a run over an
 * unchanged fleet reads no tree at all; only heads moved by someone else (or a fresh process) are
 * fetched, all in a few requests (`GitRepository.ensureCommits`), and read.
 *
 * Alongside each head, the digest of the run inputs that produced exactly its tree: a cluster whose
 * inputs digest the same on the same head needs no serializing, hashing or comparing.
 */
import { parse as parseYaml } from "yaml";
import { APPLICATION_FILE, GENERATED_FROM_ANNOTATION, TOMBSTONE_FILE } from "../../../contract/deploy-branch.js";
import { HEALTH_CUSTOMIZATIONS_FILE } from "../../../contract/health-customizations.js";
import { ClusterName } from "../../../contract/names.js";
import type { DeployRepository } from "../../ports.js";
import { LruMap } from "../lru.js";
import { pool } from "../../../core/pool.js";

export interface AppOnBranch {
  /** The app folder's tree id. */
  tree: string;
  /** `<file>#<set>` from its `radial.dev/generated-from` annotation. */
  from: string | undefined;
  finalizers: string[];
}

export interface BranchState {
  commit: string;
  tree: string;
  /** Folders holding an `application.yaml`, by app name. */
  apps: Map<string, AppOnBranch>;
  /** Folders holding a tombstone (`deleted.yaml`): app name → folder tree id. */
  tombstones: Map<string, string>;
  /** The users' health checks file beside the folders, as written. */
  health?: string;
}

const READ_CONCURRENCY = 8;

export interface BranchStatesBounds {
  /** Heads kept; default 50,000: every branch of a large fleet, with room for the commits of the next run. */
  maxStates: number;
}

/** Deploy-branch heads this process knows (commit → state), and the run inputs that produced each. */
export class BranchStates {
  private readonly states: LruMap<string, { state: BranchState; inputDigest: string | undefined }>;

  constructor(bounds: Partial<BranchStatesBounds> = {}) {
    this.states = new LruMap(bounds.maxStates ?? 50_000);
  }

  get size(): number {
    return this.states.size;
  }

  get(commit: string): BranchState | undefined {
    return this.states.get(commit)?.state;
  }

  has(commit: string): boolean {
    return this.states.has(commit);
  }

  remember(state: BranchState, inputDigest?: string): void {
    this.states.set(state.commit, { state, inputDigest });
  }

  /** The digest of the inputs that produced `commit`'s tree, if this process knows it. */
  inputDigestOf(commit: string): string | undefined {
    // A peek: the run already marked the head used when it read the branch states.
    return this.states.peek(commit)?.inputDigest;
  }
}

const decoder = new TextDecoder("utf-8", { fatal: false });

function applicationFacts(text: string): { from: string | undefined; finalizers: string[] } {
  try {
    const metadata = (parseYaml(text) as { metadata?: { annotations?: Record<string, unknown>; finalizers?: unknown } } | null)?.metadata;
    const from = metadata?.annotations?.[GENERATED_FROM_ANNOTATION];
    const finalizers = Array.isArray(metadata?.finalizers) ? metadata.finalizers.filter((f): f is string => typeof f === "string") : [];
    return { from: typeof from === "string" ? from : undefined, finalizers };
  } catch {
    return { from: undefined, finalizers: [] };
  }
}

/** The state of `commit`, a head in the store. */
async function readState(deploy: DeployRepository, states: BranchStates, cluster: string, commit: string): Promise<BranchState> {
  const tree = await deploy.commitTree(commit);
  const state: BranchState = { commit, tree, apps: new Map(), tombstones: new Map() };
  let folder = tree;
  for (const name of ["clusters", cluster]) {
    const entry = (await deploy.readTreeEntries(folder)).find((e) => e.path === name && e.type === "tree");
    if (!entry) {
      states.remember(state);
      return state;
    }
    folder = entry.oid;
  }
  for (const app of await deploy.readTreeEntries(folder)) {
    if (app.type === "blob" && app.path === HEALTH_CUSTOMIZATIONS_FILE) state.health = decoder.decode(await deploy.readBlob(app.oid));
    if (app.type !== "tree") continue;
    const files = await deploy.readTreeEntries(app.oid);
    const application = files.find((f) => f.path === APPLICATION_FILE && f.type === "blob");
    if (application) {
      state.apps.set(app.path, { tree: app.oid, ...applicationFacts(decoder.decode(await deploy.readBlob(application.oid))) });
    } else if (files.some((f) => f.path === TOMBSTONE_FILE && f.type === "blob")) {
      state.tombstones.set(app.path, app.oid);
    }
  }
  states.remember(state);
  return state;
}

/**
 * Every deploy branch named for a valid cluster (cluster name → state); a branch deleted since it
 * was listed is left out. Fails if any cannot be read.
 */
export async function readDeployStates(deploy: DeployRepository, prefix: string, states: BranchStates): Promise<Map<string, BranchState>> {
  const heads = new Map([...(await deploy.remoteBranches(prefix))].filter(([branch]) => ClusterName.safeParse(branch.slice(prefix.length)).success));
  const unknown = new Map([...heads].filter(([, commit]) => !states.has(commit)));
  for (const [branch, commit] of await deploy.ensureCommits(unknown)) {
    if (commit === null) heads.delete(branch);
    else heads.set(branch, commit);
  }
  const found = new Map<string, BranchState>();
  const toRead: [string, string][] = [];
  for (const [branch, commit] of heads) {
    const known = states.get(commit);
    if (known) found.set(branch.slice(prefix.length), known);
    else toRead.push([branch.slice(prefix.length), commit]);
  }
  const read = await pool(toRead, READ_CONCURRENCY, ([cluster, commit]) => readState(deploy, states, cluster, commit));
  toRead.forEach(([cluster], i) => found.set(cluster, read[i]!));
  // In branch order, as listed.
  return new Map([...heads.keys()].map((branch) => [branch.slice(prefix.length), found.get(branch.slice(prefix.length))!]));
}
