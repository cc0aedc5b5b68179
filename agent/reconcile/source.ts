/**
 * The source step of a pass: learn the branch's head (from the hub's reply when it is fresh, else
 * one ls-refs call) and fetch it when it moved. The object store and the last fetched commit
 * survive restarts, so a restarted agent fetches nothing that did not change. The fleet repo and
 * the branch are the settings', else the ones the hub names in its replies: an agent installed
 * before the hub had a fleet repo waits for one instead of failing.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { AGENT_VARIABLES, type AgentConfig } from "../../contract/agent-config.js";
import type { HubReply } from "../../contract/hub-reply.js";
import type { AgentMetrics } from "../metrics.js";
import { DeployBranch } from "../source/branch.js";

export type SourceUpdate =
  /** `commit` is fetched; null when the branch does not exist yet. */
  { ok: true; commit: string | null } | { ok: false; reason: "RepoUnknown" | "RefLookupFailed" | "FetchFailed"; message: string };

export class DeploySource {
  /** The deploy branch; undefined while neither the settings nor the hub have named the fleet repo. */
  branch: DeployBranch | undefined;
  /** The commit fetched last. */
  fetched: string | null = null;
  private hubRevision: { revision: string; at: number } | undefined;
  /** Bytes received through branches replaced since start, so `bytesReceived` only grows. */
  private replacedBytes = 0;

  constructor(
    private readonly config: AgentConfig,
    private readonly logger: Logger,
    private readonly metrics: AgentMetrics,
  ) {
    if (config.repoUrl) this.branch = this.branchAt(config.repoUrl, config.branch);
  }

  /** Everything received from Git since the agent started. */
  get bytesReceived(): number {
    return this.replacedBytes + (this.branch?.bytesReceived ?? 0);
  }

  private branchAt(repoUrl: string, branch: string | undefined): DeployBranch {
    const { cluster, dataDir, repoUsername, repoPassword } = this.config;
    return new DeployBranch({
      repoUrl,
      cluster,
      dataDir,
      ...(branch ? { branch } : {}),
      ...(repoUsername ? { auth: { username: repoUsername, password: repoPassword ?? "" } } : {}),
    });
  }

  /**
   * The hub named the fleet repo and the branch: they are used for what the settings leave unset.
   * True when the agent now fetches from somewhere else (a pass should run at once).
   */
  locate(reply: Pick<HubReply, "repoUrl" | "branch">): boolean {
    const repoUrl = this.config.repoUrl ?? reply.repoUrl;
    const branch = this.config.branch ?? reply.branch;
    if (!repoUrl || (this.branch?.repoUrl === repoUrl && (branch === undefined || this.branch.branch === branch))) return false;
    this.logger.info("fetching the deploy branch from the fleet repo the hub names", { repo: repoUrl, branch, configuredRepo: this.config.repoUrl ?? null });
    this.replacedBytes += this.branch?.bytesReceived ?? 0;
    this.branch = this.branchAt(repoUrl, branch);
    this.fetched = null;
    return true;
  }

  /**
   * The hub named the branch's head in its reply; true when that is news. Only news cuts a wait
   * short: a revision the agent cannot fetch must not bypass the backoff.
   */
  heard(revision: string): boolean {
    const news = revision !== this.fetched && revision !== this.hubRevision?.revision;
    this.hubRevision = { revision, at: Date.now() };
    return news;
  }

  /** The newest head the agent knows of: the hub's last word, else the commit fetched last. */
  get latest(): string | null {
    return this.hubRevision?.revision ?? this.fetched;
  }

  async update(): Promise<SourceUpdate> {
    const branch = this.branch;
    if (!branch) {
      const message = `no fleet repo to fetch from yet: --repo/${AGENT_VARIABLES.repoUrl} is unset and the hub has named none (it names its RADIAL_REPO_URL in its replies once set)`;
      return { ok: false, reason: "RepoUnknown", message };
    }
    const name = branch.branch;
    const repoUrl = branch.repoUrl;
    let head: string | null;
    const hub = this.hubRevision;
    if (hub && Date.now() - hub.at < this.config.pollIntervalSeconds * 1000) head = hub.revision;
    else {
      try {
        head = await branch.head();
      } catch (error) {
        return { ok: false, reason: "RefLookupFailed", message: `cannot look up ${name} at ${repoUrl}: ${(error as Error).message}` };
      }
    }
    if (head === null) return { ok: true, commit: null };
    this.fetched ??= await branch.fetched();
    if (head === this.fetched) return { ok: true, commit: head };
    try {
      const before = this.fetched;
      this.fetched = await branch.fetch();
      this.metrics.fetches.inc({ result: "success" });
      this.logger.info("fetched the deploy branch", { branch: name, revision: this.fetched, previous: before });
      return { ok: true, commit: this.fetched };
    } catch (error) {
      this.metrics.fetches.inc({ result: "failure" });
      return { ok: false, reason: "FetchFailed", message: `cannot fetch ${name} from ${repoUrl}: ${(error as Error).message}` };
    }
  }
}
