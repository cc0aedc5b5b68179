import { z } from "zod";
import { Revision } from "./names.js";

/**
 * The header an agent names its cluster in when it reports, so the hub checks the token against
 * that cluster before it reads the body; the report's own `cluster` must match it.
 */
export const AGENT_CLUSTER_HEADER = "x-radial-cluster";

/** The hub's answer to a status report: what the agent should fetch and how often to ask again. */
export const HubReply = z.strictObject({
  /** Newest commit of `radial/clusters/<cluster>`; null when the hub has not written the branch yet. */
  revision: Revision.nullable(),
  pollIntervalSeconds: z.number().int().min(5).max(3600),
});

export type HubReply = z.infer<typeof HubReply>;
