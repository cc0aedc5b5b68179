/**
 * The source step of a pass: learn the branch's head (from the hub's reply when it is fresh, else
 * one ls-refs call) and fetch it when it moved. The object store and the last fetched commit
 * survive restarts, so a restarted agent fetches nothing that did not change.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { AgentConfig } from "../../contract/agent-config.js";
import type { AgentMetrics } from "../metrics.js";
import { DeployBranch } from "../source/branch.js";

export type SourceUpdate =
  /** `commit` is fetched; null when the branch does not exist yet. */
  { ok: true; commit: string | null } | { ok: false; reason: "RefLookupFailed" | "FetchFailed"; message: string };

export class DeploySource {
  readonly branch: DeployBranch;
  /** The commit fetched last. */
  fetched: string | null = null;
  private hubRevision: { revision: string; at: number } | undefined;

  constructor(
    private readonly config: AgentConfig,
    private readonly logger: Logger,
    private readonly metrics: AgentMetrics,
  ) {
    this.branch = new DeployBranch({
      repoUrl: config.repoUrl,
      cluster: config.cluster,
      dataDir: config.dataDir,
      ...(config.branch ? { branch: config.branch } : {}),
      ...(config.repoUsername ? { auth: { username: config.repoUsername, password: config.repoPassword ?? "" } } : {}),
    });
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

  async update(): Promise<SourceUpdate> {
    const { repoUrl, pollIntervalSeconds } = this.config;
    const name = this.branch.branch;
    let head: string | null;
    const hub = this.hubRevision;
    if (hub && Date.now() - hub.at < pollIntervalSeconds * 1000) head = hub.revision;
    else {
      try {
        head = await this.branch.head();
      } catch (error) {
        return { ok: false, reason: "RefLookupFailed", message: `cannot look up ${name} at ${repoUrl}: ${(error as Error).message}` };
      }
    }
    if (head === null) return { ok: true, commit: null };
    this.fetched ??= await this.branch.fetched();
    if (head === this.fetched) return { ok: true, commit: head };
    try {
      const before = this.fetched;
      this.fetched = await this.branch.fetch();
      this.metrics.fetches.inc({ result: "success" });
      this.logger.info("fetched the deploy branch", { branch: name, revision: this.fetched, previous: before });
      return { ok: true, commit: this.fetched };
    } catch (error) {
      this.metrics.fetches.inc({ result: "failure" });
      return { ok: false, reason: "FetchFailed", message: `cannot fetch ${name} from ${repoUrl}: ${(error as Error).message}` };
    }
  }
}
