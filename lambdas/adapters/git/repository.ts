/**
 * The hub's Git client: the core reader (fetch, read) plus what only the hub does, writing one
 * deploy branch per cluster, committing only when a branch's tree changes, many branches per push
 * (receive-pack.ts: isomorphic-git's push lists every ref of the remote and sends one ref per
 * request, which at thousands of deploy branches is most of the cost), and bringing many deploy
 * heads into the store in a few fetches.
 */
import { GitReader, BranchNotFoundError, fullBranchRef } from "../../../core/git/index.js";
import { buildPack, type GitObject } from "../../../core/git/pack.js";
import { fetchPack } from "../../../core/git/upload-pack.js";
import { RefMovedError, type BranchResult, type BranchUpdate, type DeployRepository, type SourceRepository, type WriteOptions } from "../../ports.js";
import { checkBranchName } from "./branch-name.js";
import { buildTree, commitObject, treeObjects, type TreeNode } from "../../../core/git/objects.js";
import { discoverForPush, receivePack, type RefCommand } from "./receive-pack.js";

/** Refs per push request: one request's report and pack stay a manageable size. */
const PUSH_BATCH = 1000;
/** Heads per fetch request in `ensureCommits`: a few MB of pack, read and kept in one go. */
const FETCH_BATCH = 1000;

function commonPrefix(values: string[]): string {
  if (values.length === 0) return "";
  let prefix = values[0]!;
  for (const value of values) {
    while (!value.startsWith(prefix)) prefix = prefix.slice(0, -1);
  }
  return prefix;
}

export class GitRepository extends GitReader implements SourceRepository, DeployRepository {
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
    let heads = options.heads ?? (await this.pushHeads());
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
      if (pending.length > 0) heads = await this.pushHeads();
    }
    return prepared.map(({ update }) => results.get(update.branch)!);
  }

  /** Every branch head (short name), from the ref discovery a push starts with: one request, no separate ls-refs. */
  async pushHeads(): Promise<Map<string, string>> {
    const heads = new Map<string, string>();
    for (const [ref, oid] of await discoverForPush(this.http.request, this.url, this.authHeaders())) {
      if (ref.startsWith("refs/heads/")) heads.set(ref.slice("refs/heads/".length), oid);
    }
    return heads;
  }

  private async hasCommit(oid: string): Promise<boolean> {
    try {
      await this.commitTree(oid);
      return true;
    } catch {
      return false;
    }
  }
  /** Commits every changed branch of the batch and pushes them in one request. */
  private async pushBatch(
    batch: { update: BranchUpdate; tree: TreeNode }[],
    heads: ReadonlyMap<string, string>,
    options: WriteOptions,
  ): Promise<BranchResult[]> {
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
}
