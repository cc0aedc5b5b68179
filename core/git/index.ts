/**
 * The hub's Git client over smart HTTP, objects kept in a local bare store (no working tree). It
 * reads the fleet repo at a commit (a `RepoReader`) and writes one deploy branch per cluster,
 * committing only when a branch's tree changes. isomorphic-git reads and writes the store and lists
 * refs (protocol v2); fetching (upload-pack.ts: one branch, or many heads at once) and pushing many
 * branches (receive-pack.ts) are our own requests, because isomorphic-git's list every ref of the
 * remote on each call and fetch or push one ref at a time, which at thousands of deploy branches is
 * most of the cost.
 */
import fs from "node:fs";
import http from "node:http";
import git, { type GitHttpRequest, type GitHttpResponse, type HttpClient, type TreeEntry } from "isomorphic-git";
import nodeHttp from "isomorphic-git/http/node";
import type { RepoReader } from "./reader.js";
import { buildPack, commitObject, readPack, type GitObject, type Pack } from "./pack.js";
import { checkBranchName, checkFilePath } from "./paths.js";
import { receivePack, type RefCommand } from "./receive-pack.js";
import { fetchPack } from "./upload-pack.js";
import { buildTree, parseTree, treeObjects, type BlobNode, type TreeNode } from "./tree.js";

export { InvalidBranchError, UnsafePathError, checkBranchName, checkFilePath } from "./paths.js";
export { blob, buildTree, type BlobNode } from "./tree.js";

const OID = /^[0-9a-f]{40}$/;
/**
 * Node's default agent keeps connections alive; a git server that closes an idle one just as it is
 * reused resets the next request (seen as ECONNRESET with git http-backend). A run makes a handful
 * of requests, so each gets its own connection.
 */
const FRESH_CONNECTIONS = new http.Agent({ keepAlive: false });
const REMOTE = "origin";
/** Tree listings kept per commit; commits are immutable, so entries never go stale. */
const LISTING_CACHE_SIZE = 32;
/** Commit → tree ids kept in memory: enough for every deploy branch of a large fleet, twice over. */
const COMMIT_TREE_CACHE_SIZE = 100_000;
/** Tree listings kept in memory by id: every deploy branch's few folders of a large fleet. */
const TREE_CACHE_SIZE = 200_000;
/** Blob contents kept in memory (by id, so never stale); a blob over 1/64 of this is not kept. */
const BLOB_CACHE_BYTES = 32 * 1024 * 1024;
/** Refs per push request: one request's report and pack stay a manageable size. */
const PUSH_BATCH = 1000;
/** Heads per fetch request in `ensureCommits`: a few MB of pack, read and kept in one go. */
const FETCH_BATCH = 1000;

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

/** The remote holds no such branch (never had it, or it was deleted). */
export class BranchNotFoundError extends Error {
  constructor(
    readonly branch: string,
    url: string,
  ) {
    super(`${fullBranchRef(branch)} not found on ${url}`);
    this.name = "BranchNotFoundError";
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
  private readonly commitTrees = new Map<string, string>();
  private readonly trees = new Map<string, TreeEntry[]>();
  private readonly blobs = new Map<string, Uint8Array>();
  private readonly fetching = new Map<string, Promise<void>>();
  private blobBytes = 0;
  private initialized: Promise<void> | undefined;

  constructor(options: GitRepositoryOptions) {
    this.url = options.url;
    this.dir = options.dir;
    this.auth = options.auth;
    const stats = this.stats;
    this.http = {
      async request(request: GitHttpRequest): Promise<GitHttpResponse> {
        stats.requests += 1;
        const response = await nodeHttp.request({ ...request, agent: FRESH_CONNECTIONS } as GitHttpRequest);
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

  private init(): Promise<void> {
    this.initialized ??= (async () => {
      await fs.promises.mkdir(this.dir, { recursive: true });
      if (!fs.existsSync(`${this.dir}/HEAD`)) await git.init({ fs, dir: this.dir, bare: true });
      await git.setConfig({ fs, gitdir: this.dir, path: `remote.${REMOTE}.url`, value: this.url });
      await git.setConfig({ fs, gitdir: this.dir, path: `remote.${REMOTE}.fetch`, value: `+refs/heads/*:refs/remotes/${REMOTE}/*` });
    })();
    return this.initialized;
  }

  /**
   * Fetches one branch (only it, no tags, newest commit only) into the store; returns its commit id.
   * The head is listed first (protocol v2, this ref only); when the store already holds it nothing
   * more is asked, else one protocol v2 fetch at depth 1 (see upload-pack.ts) brings what the
   * branch's previous fetched head does not.
   */
  async fetch(ref: string): Promise<string> {
    await this.init();
    const branch = shortBranch(ref);
    const full = fullBranchRef(branch);
    const listed = await git.listServerRefs({ http: this.http, url: this.url, prefix: full, protocolVersion: 2, ...(this.auth ? { onAuth: () => this.auth } : {}) });
    const head = listed.find((r) => r.ref === full)?.oid;
    if (head === undefined) throw new BranchNotFoundError(branch, this.url);
    const tracking = `refs/remotes/${REMOTE}/${branch}`;
    if (!(await this.hasObject(head))) {
      // Two refs at the same commit (HEAD and main) fetched at once share one fetch.
      let fetching = this.fetching.get(head);
      if (!fetching) {
        fetching = (async () => {
          const previous = await git.resolveRef({ fs, gitdir: this.dir, ref: tracking }).catch(() => undefined);
          const have = previous !== undefined && (await this.hasObject(previous)) ? previous : undefined;
          await this.storeFetchedPack(await fetchPack(this.http.request, this.url, this.authHeaders(), [head], have));
        })().finally(() => this.fetching.delete(head));
        this.fetching.set(head, fetching);
      }
      await fetching;
      if (!(await this.hasObject(head))) throw new Error(`fetch of ${full} from ${this.url} did not bring ${head}`);
    }
    // Record the head where `resolve` looks.
    await git.writeRef({ fs, gitdir: this.dir, ref: tracking, value: head, force: true });
    return head;
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
    return this.readBlob(oid);
  }

  // ---- trees by id (for callers that keep their own picture of a branch) ----

  /** The tree of a commit in the store; commits the hub wrote are answered from memory. */
  async commitTree(commit: string): Promise<string> {
    const known = this.commitTrees.get(commit);
    if (known) return known;
    const { commit: parsed } = await git.readCommit({ fs, gitdir: this.dir, oid: commit, cache: this.cache });
    this.rememberTree(commit, parsed.tree);
    return parsed.tree;
  }

  /** The entries of a tree in the store; kept in memory (by id, so never stale). */
  async readTreeEntries(tree: string): Promise<TreeEntry[]> {
    const cached = this.trees.get(tree);
    if (cached) return cached;
    const { tree: entries } = await git.readTree({ fs, gitdir: this.dir, oid: tree, cache: this.cache });
    this.rememberTreeEntries(tree, entries);
    return entries;
  }

  private rememberTreeEntries(tree: string, entries: TreeEntry[]): void {
    if (this.trees.size >= TREE_CACHE_SIZE) this.trees.delete(this.trees.keys().next().value as string);
    this.trees.set(tree, entries);
  }

  /** A blob's content; small ones are kept in memory, since every run reads the same generator and app files. */
  async readBlob(oid: string): Promise<Uint8Array> {
    const cached = this.blobs.get(oid);
    if (cached) return cached;
    const { blob } = await git.readBlob({ fs, gitdir: this.dir, oid, cache: this.cache });
    this.rememberBlob(oid, blob);
    return blob;
  }

  private rememberBlob(oid: string, blob: Uint8Array): void {
    if (blob.length <= BLOB_CACHE_BYTES / 64 && !this.blobs.has(oid)) {
      this.blobs.set(oid, blob);
      this.blobBytes += blob.length;
      for (const [old, content] of this.blobs) {
        if (this.blobBytes <= BLOB_CACHE_BYTES) break;
        this.blobs.delete(old);
        this.blobBytes -= content.length;
      }
    }
  }

  /**
   * Makes sure `commit`, the head of `branch` as listed, is in the store, fetching the branch when
   * it is not; returns the head now in the store (another one if the branch moved meanwhile).
   */
  async ensureCommit(branch: string, commit: string): Promise<string> {
    await this.init();
    return (await this.hasCommit(commit)) ? commit : this.fetch(branch);
  }

  /**
   * `ensureCommit` for many branches (short name → head as listed) in a few requests: every head
   * the store lacks is fetched at depth 1, `FETCH_BATCH` per request, each batch stored as one
   * pack. Returns each branch's head now in the store, or null for a branch deleted meanwhile. A
   * batch the remote refuses (a head deleted and pruned there meanwhile) falls back to fetching its
   * branches one by one, so that only such a branch is affected.
   */
  async ensureCommits(heads: Map<string, string>): Promise<Map<string, string | null>> {
    await this.init();
    const missing: string[] = [];
    for (const commit of new Set(heads.values())) if (!(await this.hasCommit(commit))) missing.push(commit);
    for (let i = 0; i < missing.length; i += FETCH_BATCH) {
      try {
        await this.storeFetchedPack(await fetchPack(this.http.request, this.url, this.authHeaders(), missing.slice(i, i + FETCH_BATCH)));
      } catch {
        // Fetched below, branch by branch.
      }
    }
    const present = new Map<string, string | null>();
    for (const [branch, commit] of heads) {
      try {
        present.set(branch, await this.ensureCommit(branch, commit));
      } catch (error) {
        if (!(error instanceof BranchNotFoundError)) throw error;
        present.set(branch, null);
      }
    }
    return present;
  }

  private rememberTree(commit: string, tree: string): void {
    if (this.commitTrees.size >= COMMIT_TREE_CACHE_SIZE) this.commitTrees.delete(this.commitTrees.keys().next().value as string);
    this.commitTrees.set(commit, tree);
  }

  // ---- deploy branches ----

  /**
   * Writes each branch's whole tree. Every path and branch name is checked before anything is
   * written; a branch whose tree is unchanged gets no commit. Branches are pushed up to
   * `PUSH_BATCH` refs per request, each ref a compare-and-swap on the head this call read: a branch
   * that moved meanwhile is rebuilt on its new head (`retries` times), then reported with a
   * `RefMovedError`; any failure is reported on that branch's result and the others go on.
   */
  async writeBranches(updates: BranchUpdate[], options: WriteOptions): Promise<BranchResult[]> {
    await this.init();
    const seen = new Set<string>();
    const prepared = updates.map((update) => {
      checkBranchName(update.branch);
      if (seen.has(update.branch)) throw new Error(`branch ${update.branch} given twice`);
      seen.add(update.branch);
      return { update, tree: buildTree(update.files, update.kept) };
    });
    if (prepared.length === 0) return [];
    const results = new Map<string, BranchResult>();
    let heads = await this.remoteBranches(commonPrefix(prepared.map(({ update }) => update.branch)));
    let pending = prepared;
    const retries = options.retries ?? 2;
    for (let attempt = 0; pending.length > 0; attempt++) {
      const moved: typeof prepared = [];
      for (let i = 0; i < pending.length; i += PUSH_BATCH) {
        const batch = pending.slice(i, i + PUSH_BATCH);
        for (const result of await this.pushBatch(batch, heads, options)) {
          if (result.error instanceof RefMovedError && attempt < retries) moved.push(batch.find((p) => p.update.branch === result.branch)!);
          else results.set(result.branch, result);
        }
      }
      pending = moved;
      if (pending.length > 0) heads = await this.remoteBranches(commonPrefix(pending.map(({ update }) => update.branch)));
    }
    return prepared.map(({ update }) => results.get(update.branch)!);
  }

  private async hasObject(oid: string): Promise<boolean> {
    if (this.commitTrees.has(oid) || this.blobs.has(oid)) return true;
    try {
      await git.readObject({ fs, gitdir: this.dir, oid, format: "deflated", cache: this.cache });
      return true;
    } catch {
      return false;
    }
  }

  private async hasCommit(oid: string): Promise<boolean> {
    if (this.commitTrees.has(oid)) return true;
    try {
      await this.commitTree(oid);
      return true;
    } catch {
      return false;
    }
  }

  /** Commits every changed branch of the batch and pushes them in one request. */
  private async pushBatch(batch: { update: BranchUpdate; tree: TreeNode }[], heads: Map<string, string>, options: WriteOptions): Promise<BranchResult[]> {
    const results: BranchResult[] = [];
    const commands: (RefCommand & { result: BranchResult })[] = [];
    const objects: GitObject[] = [];
    const when = Math.floor(options.now.getTime() / 1000);
    const signature = { ...options.author, timestamp: when };
    for (const { update, tree } of batch) {
      const { branch } = update;
      const head = heads.get(branch) ?? null;
      const result: BranchResult = { branch, commit: null, tree: tree.oid, previous: head };
      results.push(result);
      try {
        if (head !== null) {
          const present = await this.ensureCommit(branch, head);
          if (present !== head) throw new RefMovedError(branch, head, present);
          if ((await this.commitTree(head)) === tree.oid) continue;
        }
        const commit = commitObject({ tree: tree.oid, parents: head === null ? [] : [head], author: signature, committer: signature, message: update.message });
        objects.push(...treeObjects(tree), commit);
        commands.push({ ref: fullBranchRef(branch), old: head, new: commit.oid, result: { ...result, commit: commit.oid } });
        result.commit = commit.oid;
      } catch (error) {
        result.error = error as Error;
      }
    }
    if (commands.length === 0) return results;
    const pack = buildPack(objects);
    // Kept locally as the same pack, so later runs read these commits without fetching them.
    await this.storePack(pack);
    let report: Map<string, string | null>;
    try {
      report = await receivePack(this.http.request, this.url, this.authHeaders(), commands, pack.pack);
    } catch (error) {
      for (const command of commands) this.fail(results, command.result.branch, error as Error);
      return results;
    }
    const refused = commands.filter((c) => report.get(c.ref) !== null);
    const actual = refused.length === 0 ? new Map<string, string>() : await this.remoteBranches(commonPrefix(refused.map((c) => c.result.branch)));
    for (const command of commands) {
      const reason = report.get(command.ref);
      const branch = command.result.branch;
      if (reason === null) {
        this.rememberTree(command.new, command.result.tree);
        continue;
      }
      const now = actual.get(branch) ?? null;
      this.fail(results, branch, now !== command.old ? new RefMovedError(branch, command.old, now) : new Error(`push of ${branch} refused: ${reason}`));
    }
    return results;
  }

  private fail(results: BranchResult[], branch: string, error: Error): void {
    const result = results.find((r) => r.branch === branch)!;
    result.commit = null;
    result.error = error;
  }

  private authHeaders(): Record<string, string> {
    const auth = this.auth;
    return auth ? { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}` } : {};
  }

  /**
   * Keeps a fetched pack as a pack of whole objects (see `readPack`); a thin pack's bases come from
   * the store. Its commits, trees and small blobs are also kept in memory: they were fetched to be
   * read next (a fresh process reads every deploy head's folders once).
   */
  private async storeFetchedPack(pack: Buffer): Promise<void> {
    const objects = await readPack(pack, async (oid) => {
      const found = await git.readObject({ fs, gitdir: this.dir, oid, format: "content", cache: this.cache }).catch(() => undefined);
      return found && (found.type === "commit" || found.type === "tree" || found.type === "blob" || found.type === "tag") ? { type: found.type, oid, body: found.object as Uint8Array } : undefined;
    });
    await this.storePack(buildPack(objects));
    for (const { type, oid, body } of objects) {
      if (type === "commit") this.rememberTree(oid, Buffer.from(body).toString("latin1", 5, 45));
      else if (type === "tree") this.rememberTreeEntries(oid, parseTree(body));
      else this.rememberBlob(oid, body);
    }
  }

  /** Writes the pack and its index into the store (index last: git and isomorphic-git look packs up by it). */
  private async storePack(pack: Pack): Promise<void> {
    const base = `${this.dir}/objects/pack/pack-${pack.hash}`;
    await fs.promises.mkdir(`${this.dir}/objects/pack`, { recursive: true });
    for (const [suffix, data] of [[".pack", pack.pack], [".idx", pack.index]] as const) {
      await fs.promises.writeFile(`${base}${suffix}.tmp`, data);
      await fs.promises.rename(`${base}${suffix}.tmp`, `${base}${suffix}`);
    }
  }
}
