import * as z from "zod";
import { Revision } from "./names.js";

/**
 * The agent's long-poll: `GET /v1/agent/revision?known=<commit>` (the agent token, and the cluster
 * in X-Radial-Cluster, as a status report) answers as soon as the cluster's deploy branch has a head
 * other than `known`, or with the unchanged head once the hub's wait is over. The poll stays the
 * fallback: an agent whose hub answers 404 (no such route), fails, or does not wait polls as before.
 */
export const AGENT_WAIT_PATH = "/v1/agent/revision";

/** The longest the hub holds a wait: under API Gateway's HTTP API integration timeout of 30 s, with room for the reply. */
export const MAX_AGENT_WAIT_SECONDS = 25;

export const AgentWaitQuery = z.strictObject({
  /** The head the agent knows; absent when it knows none (the branch did not exist). */
  known: Revision.optional(),
});

export const AgentWaitReply = z.strictObject({
  /** The deploy branch's head; null when the hub has not written it. */
  revision: Revision.nullable(),
  /** How long this hub holds a wait (RADIAL_AGENT_WAIT_SECONDS); 0: it answers at once, and the agent polls instead. */
  waitSeconds: z.number().int().min(0).max(MAX_AGENT_WAIT_SECONDS),
});

export type AgentWaitQuery = z.infer<typeof AgentWaitQuery>;
export type AgentWaitReply = z.infer<typeof AgentWaitReply>;
