import * as z from "zod";
import { HttpUrl } from "./agent-config.js";
import { Revision } from "./names.js";

/**
 * The header an agent names its cluster in when it reports, so the hub checks the token against
 * that cluster before it reads the body; the report's own `cluster` must match it.
 */
export const AGENT_CLUSTER_HEADER = "x-radial-cluster";

/**
 * The hub's answer to a status report: what the agent should fetch and how often to ask again.
 * Fields a reader does not know are dropped, not refused, so a newer hub's additions never cost an
 * older agent its reply.
 */
export const HubReply = z.object({
  /** Newest commit of `radial/clusters/<cluster>`; null when the hub has not written the branch yet. */
  revision: Revision.nullable(),
  pollIntervalSeconds: z.number().int().min(5).max(3600),
  /**
   * Where the deploy branch lives: the hub's fleet repo (RADIAL_REPO_URL) and the cluster's branch,
   * both absent while the hub has no fleet repo. An agent started without a repo of its own (its
   * bootstrap manifest was issued before the hub had one) fetches from these.
   */
  repoUrl: HttpUrl.optional(),
  branch: z.string().min(1).max(255).optional(),
  /**
   * The digest of the cluster capabilities the hub holds (null: none); an agent whose own differ
   * sends them. Absent from a hub that does not take capabilities: an agent then never sends them.
   */
  capabilitiesDigest: z.string().min(1).max(64).nullable().optional(),
});

export type HubReply = z.infer<typeof HubReply>;
