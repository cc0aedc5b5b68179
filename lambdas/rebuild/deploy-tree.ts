import { deployBranchOf, MANIFESTS_FILE } from "../../contract/index.js";
import type { DeployRepository } from "../ports.js";

export type DeployTreeRepository = Pick<DeployRepository, "url" | "remoteBranches" | "ensureCommit" | "listFiles" | "readFile">;

/** Commits whose application lists are kept, per hub process: a rebuild reads one or two. */
const CACHED_COMMITS = 64;

/** A cluster's deploy branch as a rebuild reads it: its head, and the applications a commit holds. */
export class DeployTree {
  private readonly applications = new Map<string, Map<string, string>>();

  constructor(private readonly repo: DeployTreeRepository | null) {}

  /** The branch's head now; null without a fleet repo or branch. */
  async head(cluster: string): Promise<string | null> {
    if (!this.repo) return null;
    const branch = deployBranchOf(cluster);
    return (await this.repo.remoteBranches(branch)).get(branch) ?? null;
  }

  /**
   * The applications of the cluster at `commit` (a head of its branch), each with its hydrated
   * manifests; a tombstoned application has none and is left out.
   */
  async applicationsAt(cluster: string, commit: string): Promise<ReadonlyMap<string, string>> {
    const key = `${cluster}@${commit}`;
    const cached = this.applications.get(key);
    if (cached || !this.repo) return cached ?? new Map();
    const at = await this.repo.ensureCommit(deployBranchOf(cluster), commit);
    const folder = `clusters/${cluster}/`;
    const found = new Map<string, string>();
    for (const path of await this.repo.listFiles(this.repo.url, at)) {
      const rest = path.startsWith(folder) ? path.slice(folder.length).split("/") : [];
      if (rest.length === 2 && rest[1] === MANIFESTS_FILE) found.set(rest[0]!, new TextDecoder().decode(await this.repo.readFile(this.repo.url, at, path)));
    }
    if (at !== commit) return found;
    if (this.applications.size >= CACHED_COMMITS) this.applications.delete(this.applications.keys().next().value!);
    this.applications.set(key, found);
    return found;
  }
}
