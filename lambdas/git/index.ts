/**
 * The hub's Git client: isomorphic-git over smart HTTP, objects kept in a local bare store (no
 * working tree). It reads the fleet repo at a commit (a `RepoReader`) and writes one deploy branch
 * per cluster, committing only when a branch's tree changes.
 */
import fs from "node:fs";
import git, { Errors, type GitHttpRequest, type GitHttpResponse, type HttpClient, type TreeEntry } from "isomorphic-git";
import nodeHttp from "isomorphic-git/http/node";
import type { RepoReader } from "../generator/params.js";
import { checkBranchName, checkFilePath } from "./paths.js";
import { buildTree, type TreeNode } from "./tree.js";

export { InvalidBranchError, UnsafePathError, checkBranchName, checkFilePath } from "./paths.js";
export { buildTree } from "./tree.js";

const ZERO_OID = "0000000000000000000000000000000000000000";
const OID = /^[0-9a-f]{40}$/;
const REMOTE = "origin";
/** Tree listings kept per commit; commits are immutable, so entries never go stale. */
const LISTING_CACHE_SIZE = 32;

export interface GitRepositoryOptions {
  /** The remote's smart-HTTP URL, e.g. `https://github.com/acme/fleet.git`. */
  url: string;
  /** The local bare object store; created when missing. */
  dir: string;
  auth?: { username: string; password: string };
}

export interface BranchUpdate {
  /** Short branch name, e.g. `radial/clusters/prod-1`. */
  branch: string;
  /** The branch's whole tree: path (e.g. `clusters/prod-1/web/manifests.yaml`) → content. */
  files: Record<string, string | Uint8Array>;
  message: string;
}

export interface WriteOptions {
  author: { name: string; email: string };
  now: Date;
  /** How many times a branch is rebuilt on the fresh remote head after `RefMovedError` (default 2). */
  retries?: number;
}

export interface BranchResult {
  branch: string;
  /** The new commit, or null when the tree equals the branch's current tree (nothing committed or pushed). */
  commit: string | null;
  /** The tree the branch now holds. */
  tree: string;
  /** The remote head before this write (null: the branch did not exist). */
  previous: string | null;
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

/** Bytes and requests over HTTP, for measuring what a fetch costs. */
export interface TransferStats {
  requests: number;
  bytesReceived: number;
}

function fullBranchRef(branch: string): string {
  return branch.startsWith("refs/") ? branch : `refs/heads/${branch}`;
}

function shortBranch(ref: string): string {
  return ref.replace(/^refs\/heads\//, "");
}

function normalizeURL(url: string): string {
  return url.replace(/\/+$/, "").replace(/\.git$/, "");
}

function commonPrefix(values: string[]): string {
  if (values.length === 0) return "";
  let prefix = values[0] as string;
  for (const value of values) {
    while (!value.startsWith(prefix)) prefix = prefix.slice(0, -1);
  }
  return prefix;
}

export class GitRepository implements RepoReader {
  readonly url: string;
  readonly dir: string;
  readonly stats: TransferStats = { requests: 0, bytesReceived: 0 };
  private readonly auth: { username: string; password: string } | undefined;
  /** isomorphic-git's pack index cache, shared across calls. */
  private readonly cache: object = {};
  private readonly http: HttpClient;
  private readonly listings = new Map<string, Map<string, string>>();
  private initialized: Promise<void> | undefined;

  constructor(options: GitRepositoryOptions) {
    this.url = options.url;
    this.dir = options.dir;
    this.auth = options.auth;
    const stats = this.stats;
    this.http = {
      async request(request: GitHttpRequest): Promise<GitHttpResponse> {
        stats.requests += 1;
        const response = await nodeHttp.request(request);
        const body = response.body;
        if (!body) return response;
        async function* counted(): AsyncGenerator<Uint8Array> {
          for await (const chunk of body as AsyncIterable<Uint8Array>) {
            stats.bytesReceived += chunk.length;
            yield chunk;
          }
        }
        return { ...response, body: counted() };
      },
    };
  }

  private get common() {
    const auth = this.auth;
    return {
      fs,
      http: this.http,
      gitdir: this.dir,
      cache: this.cache,
      ...(auth ? { onAuth: () => ({ username: auth.username, password: auth.password }) } : {}),
    };
  }

  private init(): Promise<void> {
    this.initialized ??= (async () => {
      await fs.promises.mkdir(this.dir, { recursive: true });
      if (!fs.existsSync(`${this.dir}/HEAD`)) await git.init({ fs, dir: this.dir, bare: true });
      await git.setConfig({ fs, gitdir: this.dir, path: `remote.${REMOTE}.url`, value: this.url });
      await git.setConfig({ fs, gitdir: this.dir, path: `remote.${REMOTE}.fetch`, value: `+refs/heads/*:refs/remotes/${REMOTE}/*` });
    })();
    return this.initialized;
  }

  /** Fetches one branch (only it, no tags, newest commit only) into the store; returns its commit id. */
  async fetch(ref: string): Promise<string> {
    await this.init();
    const branch = shortBranch(ref);
    const result = await git.fetch({
      ...this.common,
      url: this.url,
      remote: REMOTE,
      ref: branch,
      remoteRef: fullBranchRef(branch),
      singleBranch: true,
      tags: false,
      depth: 1,
    });
    if (!result.fetchHead) throw new Error(`fetch of ${branch} from ${this.url} returned no commit`);
    // Record the head where `resolve` looks, whatever isomorphic-git named the tracking ref.
    await git.writeRef({ fs, gitdir: this.dir, ref: `refs/remotes/${REMOTE}/${branch}`, value: result.fetchHead, force: true });
    return result.fetchHead;
  }

  /** The commit id of a branch as last fetched (or a commit id present in the store). */
  async resolve(ref: string): Promise<string> {
    await this.init();
    if (OID.test(ref)) {
      await git.readCommit({ fs, gitdir: this.dir, oid: ref, cache: this.cache });
      return ref;
    }
    return git.resolveRef({ fs, gitdir: this.dir, ref: `refs/remotes/${REMOTE}/${shortBranch(ref)}` });
  }

  /** The remote's branches under `refs/heads/<prefix>` (short name → commit id), in one ls-refs call. */
  async remoteBranches(prefix: string): Promise<Map<string, string>> {
    const full = fullBranchRef(prefix);
    const refs = await git.listServerRefs({
      http: this.http,
      url: this.url,
      prefix: full,
      protocolVersion: 2,
      ...(this.auth ? { onAuth: () => this.auth } : {}),
    });
    const heads = new Map<string, string>();
    for (const { ref, oid } of refs) {
      if (ref.startsWith(full) && ref.startsWith("refs/heads/")) heads.set(shortBranch(ref), oid);
    }
    return heads;
  }

  // ---- RepoReader ----

  private checkRepo(repoURL: string): void {
    if (normalizeURL(repoURL) !== normalizeURL(this.url)) {
      throw new Error(`this reader serves ${this.url}, not ${repoURL}`);
    }
  }

  /** A commit id, a branch already fetched, or else a branch fetched now. */
  private async commitFor(revision: string): Promise<string> {
    try {
      return await this.resolve(revision);
    } catch (error) {
      if (OID.test(revision)) throw error;
      return this.fetch(revision);
    }
  }

  private async listing(commit: string): Promise<Map<string, string>> {
    const cached = this.listings.get(commit);
    if (cached) return cached;
    const files = new Map<string, string>();
    const { commit: parsed } = await git.readCommit({ fs, gitdir: this.dir, oid: commit, cache: this.cache });
    const walk = async (treeOid: string, prefix: string): Promise<void> => {
      const { tree } = await git.readTree({ fs, gitdir: this.dir, oid: treeOid, cache: this.cache });
      for (const entry of tree as TreeEntry[]) {
        const path = prefix + entry.path;
        if (entry.type === "tree") await walk(entry.oid, `${path}/`);
        // Regular files only: symlinks and submodules are not content the hub renders.
        else if (entry.type === "blob" && (entry.mode === "100644" || entry.mode === "100755")) files.set(path, entry.oid);
      }
    };
    await walk(parsed.tree, "");
    if (this.listings.size >= LISTING_CACHE_SIZE) this.listings.delete(this.listings.keys().next().value as string);
    this.listings.set(commit, files);
    return files;
  }

  async listFiles(repoURL: string, revision: string): Promise<string[]> {
    this.checkRepo(repoURL);
    const files = await this.listing(await this.commitFor(revision));
    return [...files.keys()].sort();
  }

  async readFile(repoURL: string, revision: string, path: string): Promise<Uint8Array> {
    this.checkRepo(repoURL);
    checkFilePath(path);
    const commit = await this.commitFor(revision);
    const oid = (await this.listing(commit)).get(path);
    if (!oid) throw new Error(`${path} not found in ${this.url} at ${revision} (${commit})`);
    const { blob } = await git.readBlob({ fs, gitdir: this.dir, oid, cache: this.cache });
    return blob;
  }

  // ---- deploy branches ----

  /**
   * Writes each branch's whole tree. Every path and branch name is checked before anything is
   * written; a branch whose tree is unchanged gets no commit. Branches are pushed one at a time, so
   * when one fails the ones before it stay pushed.
   */
  async writeBranches(updates: BranchUpdate[], options: WriteOptions): Promise<BranchResult[]> {
    await this.init();
    const seen = new Set<string>();
    const prepared = updates.map((update) => {
      checkBranchName(update.branch);
      if (seen.has(update.branch)) throw new Error(`branch ${update.branch} given twice`);
      seen.add(update.branch);
      return { update, tree: buildTree(update.files) };
    });
    if (prepared.length === 0) return [];
    const heads = await this.remoteBranches(commonPrefix(prepared.map(({ update }) => update.branch)));
    const retries = options.retries ?? 2;
    const results: BranchResult[] = [];
    for (const { update, tree } of prepared) {
      let head = heads.get(update.branch) ?? null;
      for (let attempt = 0; ; attempt++) {
        try {
          results.push(await this.writeBranch(update, tree, head, options));
          break;
        } catch (error) {
          if (!(error instanceof RefMovedError) || attempt >= retries) throw error;
          head = (await this.remoteBranches(update.branch)).get(update.branch) ?? null;
        }
      }
    }
    return results;
  }

  private async hasCommit(oid: string): Promise<boolean> {
    try {
      await git.readCommit({ fs, gitdir: this.dir, oid, cache: this.cache });
      return true;
    } catch {
      return false;
    }
  }

  private async writeBranch(update: BranchUpdate, tree: TreeNode, head: string | null, options: WriteOptions): Promise<BranchResult> {
    const { branch } = update;
    if (head !== null && !(await this.hasCommit(head))) {
      const fetched = await this.fetch(branch);
      if (fetched !== head) throw new RefMovedError(branch, head, fetched);
    }
    if (head !== null) {
      const { commit } = await git.readCommit({ fs, gitdir: this.dir, oid: head, cache: this.cache });
      if (commit.tree === tree.oid) return { branch, commit: null, tree: tree.oid, previous: head };
    }
    const written = await this.writeTree(tree);
    if (written !== tree.oid) throw new Error(`tree id mismatch for ${branch}: computed ${tree.oid}, isomorphic-git wrote ${written}`);
    const when = { timestamp: Math.floor(options.now.getTime() / 1000), timezoneOffset: 0 };
    const commit = await git.writeCommit({
      fs,
      gitdir: this.dir,
      commit: {
        message: update.message.endsWith("\n") ? update.message : `${update.message}\n`,
        tree: tree.oid,
        parent: head === null ? [] : [head],
        author: { ...options.author, ...when },
        committer: { ...options.author, ...when },
      },
    });
    const localRef = `refs/radial/pending/${branch}`;
    await git.writeRef({ fs, gitdir: this.dir, ref: localRef, value: commit, force: true });
    await this.push(branch, localRef, head);
    return { branch, commit, tree: tree.oid, previous: head };
  }

  private async writeTree(node: TreeNode): Promise<string> {
    const entries: TreeEntry[] = [];
    for (const { name, node: child } of node.entries) {
      if (child.kind === "blob") {
        const oid = await git.writeBlob({ fs, gitdir: this.dir, blob: child.content });
        entries.push({ mode: "100644", path: name, oid, type: "blob" });
      } else {
        entries.push({ mode: "040000", path: name, oid: await this.writeTree(child), type: "tree" });
      }
    }
    return git.writeTree({ fs, gitdir: this.dir, tree: entries });
  }

  /** Pushes `localRef` to the branch only if the remote still holds `expected` there (compare-and-swap). */
  private async push(branch: string, localRef: string, expected: string | null): Promise<void> {
    let actual: string | null | undefined;
    try {
      await git.push({
        ...this.common,
        url: this.url,
        remote: REMOTE,
        ref: localRef,
        remoteRef: fullBranchRef(branch),
        onPrePush: ({ remoteRef }) => {
          actual = remoteRef.oid === ZERO_OID ? null : remoteRef.oid;
          return actual === expected;
        },
      });
    } catch (error) {
      if (error instanceof Errors.UserCanceledError && actual !== undefined && actual !== expected) {
        throw new RefMovedError(branch, expected, actual, { cause: error });
      }
      if (error instanceof Errors.PushRejectedError) throw new RefMovedError(branch, expected, null, { cause: error });
      // The server refused the ref update (it moved after discovery): "failed to lock", "stale info", "fetch first".
      if (error instanceof Errors.GitPushError && /lock|stale|fetch first|non-fast-forward|rejected/i.test(error.message)) {
        throw new RefMovedError(branch, expected, null, { cause: error });
      }
      throw error;
    } finally {
      await git.deleteRef({ fs, gitdir: this.dir, ref: localRef }).catch(() => undefined);
    }
  }
}
