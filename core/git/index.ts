/**
 * Fetching and reading a Git repository over smart HTTP, objects kept in a local bare store (no
 * working tree): what an agent needs to follow its deploy branch, and what the hub reads the fleet
 * repo and other sources with (a `RepoReader`). Writing deploy branches is the hub's alone
 * (lambdas/adapters/git/repository.ts extends this class). isomorphic-git reads the store and lists
 * refs (protocol v2); fetching (upload-pack.ts: one branch, or many heads at once) is our own
 * request, because isomorphic-git's lists every ref of the remote on each call and fetches one ref
 * at a time, which at thousands of deploy branches is most of the cost.
 */
import fs from "node:fs";
import http from "node:http";
import type { GitHttpRequest, GitHttpResponse, HttpClient, TreeEntry } from "isomorphic-git";
import { isomorphicGit } from "./isomorphic.js";
import type { RepoReader } from "./reader.js";
import { buildPack, readPack, type Pack } from "./pack.js";
import { checkFilePath } from "./paths.js";
import { fetchPack } from "./upload-pack.js";
import { parseTree } from "./tree.js";

export { UnsafePathError, checkFilePath } from "./paths.js";

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

export interface GitReaderOptions {
  /** The remote's smart-HTTP URL, e.g. `https://github.com/acme/fleet.git`. */
  url: string;
  /** The local bare object store; created when missing. */
  dir: string;
  auth?: { username: string; password: string };
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

export function fullBranchRef(branch: string): string {
  return branch.startsWith("refs/") ? branch : `refs/heads/${branch}`;
}

function shortBranch(ref: string): string {
  return ref.replace(/^refs\/heads\//, "");
}

function normalizeURL(url: string): string {
  return url.replace(/\/+$/, "").replace(/\.git$/, "");
}

export class GitReader implements RepoReader {
  readonly url: string;
  readonly dir: string;
  readonly stats: TransferStats = { requests: 0, bytesReceived: 0 };
  protected readonly auth: { username: string; password: string } | undefined;
  /** isomorphic-git's pack index cache, shared across calls. */
  private readonly cache: object = {};
  protected readonly http: HttpClient;
  private readonly listings = new Map<string, Map<string, string>>();
  private readonly commitTrees = new Map<string, string>();
  private readonly trees = new Map<string, TreeEntry[]>();
  private readonly blobs = new Map<string, Uint8Array>();
  private readonly fetching = new Map<string, Promise<void>>();
  private blobBytes = 0;
  private initialized: Promise<void> | undefined;

  constructor(options: GitReaderOptions) {
    this.url = options.url;
    this.dir = options.dir;
    this.auth = options.auth;
    const stats = this.stats;
    this.http = {
      async request(request: GitHttpRequest): Promise<GitHttpResponse> {
        stats.requests += 1;
        const response = await (await isomorphicGit()).http.request({ ...request, agent: FRESH_CONNECTIONS });
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

  protected init(): Promise<void> {
    this.initialized ??= (async () => {
      const { git } = await isomorphicGit();
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
    const { git } = await isomorphicGit();
    const listed = await git.listServerRefs({
      http: this.http,
      url: this.url,
      prefix: full,
      protocolVersion: 2,
      ...(this.auth ? { onAuth: () => this.auth } : {}),
    });
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
    const { git } = await isomorphicGit();
    if (OID.test(ref)) {
      await git.readCommit({ fs, gitdir: this.dir, oid: ref, cache: this.cache });
      return ref;
    }
    return git.resolveRef({ fs, gitdir: this.dir, ref: `refs/remotes/${REMOTE}/${shortBranch(ref)}` });
  }

  /** The remote's branches under `refs/heads/<prefix>` (short name → commit id), in one ls-refs call. */
  async remoteBranches(prefix: string): Promise<Map<string, string>> {
    const full = fullBranchRef(prefix);
    const { git } = await isomorphicGit();
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
    const { git } = await isomorphicGit();
    const { commit: parsed } = await git.readCommit({ fs, gitdir: this.dir, oid: commit, cache: this.cache });
    const walk = async (treeOid: string, prefix: string): Promise<void> => {
      const { tree } = await git.readTree({ fs, gitdir: this.dir, oid: treeOid, cache: this.cache });
      for (const entry of tree) {
        const path = prefix + entry.path;
        if (entry.type === "tree") await walk(entry.oid, `${path}/`);
        // Regular files only: symlinks and submodules are not content the hub renders.
        else if (entry.type === "blob" && (entry.mode === "100644" || entry.mode === "100755")) files.set(path, entry.oid);
      }
    };
    await walk(parsed.tree, "");
    if (this.listings.size >= LISTING_CACHE_SIZE) this.listings.delete(this.listings.keys().next().value!);
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
    const { git } = await isomorphicGit();
    const { commit: parsed } = await git.readCommit({ fs, gitdir: this.dir, oid: commit, cache: this.cache });
    this.rememberTree(commit, parsed.tree);
    return parsed.tree;
  }

  /** The entries of a tree in the store; kept in memory (by id, so never stale). */
  async readTreeEntries(tree: string): Promise<TreeEntry[]> {
    const cached = this.trees.get(tree);
    if (cached) return cached;
    const { git } = await isomorphicGit();
    const { tree: entries } = await git.readTree({ fs, gitdir: this.dir, oid: tree, cache: this.cache });
    this.rememberTreeEntries(tree, entries);
    return entries;
  }

  private rememberTreeEntries(tree: string, entries: TreeEntry[]): void {
    if (this.trees.size >= TREE_CACHE_SIZE) this.trees.delete(this.trees.keys().next().value!);
    this.trees.set(tree, entries);
  }

  /** A blob's content; small ones are kept in memory, since every run reads the same generator and app files. */
  async readBlob(oid: string): Promise<Uint8Array> {
    const cached = this.blobs.get(oid);
    if (cached) return cached;
    const { git } = await isomorphicGit();
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

  protected rememberTree(commit: string, tree: string): void {
    if (this.commitTrees.size >= COMMIT_TREE_CACHE_SIZE) this.commitTrees.delete(this.commitTrees.keys().next().value!);
    this.commitTrees.set(commit, tree);
  }

  private async hasObject(oid: string): Promise<boolean> {
    if (this.commitTrees.has(oid) || this.blobs.has(oid)) return true;
    const { git } = await isomorphicGit();
    try {
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- the one call that reads an object of unknown type
      await git.readObject({ fs, gitdir: this.dir, oid, format: "deflated", cache: this.cache });
      return true;
    } catch {
      return false;
    }
  }
  protected authHeaders(): Record<string, string> {
    const auth = this.auth;
    return auth ? { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}` } : {};
  }

  /**
   * Keeps a fetched pack as a pack of whole objects (see `readPack`); a thin pack's bases come from
   * the store. Its commits, trees and small blobs are also kept in memory: they were fetched to be
   * read next (a fresh process reads every deploy head's folders once).
   */
  protected async storeFetchedPack(pack: Buffer): Promise<void> {
    const { git } = await isomorphicGit();
    const objects = await readPack(pack, async (oid) => {
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- a delta's base may be of any type
      const found = await git.readObject({ fs, gitdir: this.dir, oid, format: "content", cache: this.cache }).catch(() => undefined);
      return found && (found.type === "commit" || found.type === "tree" || found.type === "blob" || found.type === "tag")
        ? { type: found.type, oid, body: found.object as Uint8Array }
        : undefined;
    });
    await this.storePack(buildPack(objects));
    for (const { type, oid, body } of objects) {
      if (type === "commit") this.rememberTree(oid, Buffer.from(body).toString("latin1", 5, 45));
      else if (type === "tree") this.rememberTreeEntries(oid, parseTree(body));
      else this.rememberBlob(oid, body);
    }
  }

  /** Writes the pack and its index into the store (index last: git and isomorphic-git look packs up by it). */
  protected async storePack(pack: Pack): Promise<void> {
    const base = `${this.dir}/objects/pack/pack-${pack.hash}`;
    await fs.promises.mkdir(`${this.dir}/objects/pack`, { recursive: true });
    for (const [suffix, data] of [
      [".pack", pack.pack],
      [".idx", pack.index],
    ] as const) {
      await fs.promises.writeFile(`${base}${suffix}.tmp`, data);
      await fs.promises.rename(`${base}${suffix}.tmp`, `${base}${suffix}`);
    }
  }
}
