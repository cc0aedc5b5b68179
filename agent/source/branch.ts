/**
 * The cluster's deploy branch as the agent sees it: a cheap ref lookup (one ls-refs call), a
 * depth-1 fetch of that one branch into an object store kept between fetches, and a read of the
 * cluster's folder at a commit. Uses the core Git reader the hub reads with, so both sides speak Git
 * the same way.
 */
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { deployBranchOf } from "../../contract/deploy-branch.js";
import { GitReader } from "../../core/git/index.js";
import { readClusterFolder, type ClusterFolder } from "./read.js";

export interface DeployBranchOptions {
  repoUrl: string;
  auth?: { username: string; password: string };
  cluster: string;
  /** Default `radial/clusters/<cluster>`. */
  branch?: string;
  /** The data directory; the object store lives in `<dataDir>/git`. */
  dataDir: string;
}

/**
 * Each fetch adds a pack to the store and isomorphic-git has no gc; past this many the store is
 * dropped and the next fetch starts afresh (one depth-1 fetch of one cluster's folder is cheap).
 */
const MAX_PACKS = 32;

export class DeployBranch {
  readonly branch: string;
  readonly cluster: string;
  readonly repoUrl: string;
  private readonly options: DeployBranchOptions;
  private readonly dir: string;
  private repo: GitReader;
  /** Bytes received by stores dropped since start, so `bytesReceived` only grows. */
  private droppedBytes = 0;

  constructor(options: DeployBranchOptions) {
    this.options = options;
    this.cluster = options.cluster;
    this.repoUrl = options.repoUrl;
    this.branch = options.branch ?? deployBranchOf(options.cluster);
    this.dir = join(options.dataDir, "git");
    this.repo = this.newRepo();
  }

  private newRepo(): GitReader {
    return new GitReader({ url: this.options.repoUrl, dir: this.dir, ...(this.options.auth ? { auth: this.options.auth } : {}) });
  }

  /** Everything received from the Git server since the agent started. */
  get bytesReceived(): number {
    return this.droppedBytes + this.repo.stats.bytesReceived;
  }

  /** The branch's head on the remote, or null when the hub has not written it yet. */
  async head(): Promise<string | null> {
    return (await this.repo.remoteBranches(this.branch)).get(this.branch) ?? null;
  }

  /** The commit fetched last (kept on disk across restarts), or null. */
  async fetched(): Promise<string | null> {
    return this.repo.resolve(this.branch).catch(() => null);
  }

  /** Fetches the branch's newest commit at depth 1 and returns it. */
  async fetch(): Promise<string> {
    await this.compact();
    return this.repo.fetch(this.branch);
  }

  /** Reads the cluster's folder at a fetched commit. */
  async read(commit: string): Promise<ClusterFolder> {
    const url = this.repo.url;
    const paths = await this.repo.listFiles(url, commit);
    return readClusterFolder(this.cluster, commit, paths, (path) => this.repo.readFile(url, commit, path));
  }

  private async compact(): Promise<void> {
    const packs = await readdir(join(this.dir, "objects", "pack")).catch(() => [] as string[]);
    if (packs.filter((file) => file.endsWith(".pack")).length < MAX_PACKS) return;
    this.droppedBytes += this.repo.stats.bytesReceived;
    await rm(this.dir, { recursive: true, force: true });
    this.repo = this.newRepo();
  }
}
