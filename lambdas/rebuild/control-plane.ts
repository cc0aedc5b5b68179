import { createHash } from "node:crypto";
import type { EksClusterInfo, RebuildState } from "../../contract/index.js";
import type { ClusterRecord } from "../inventory/cluster-record.js";
import { EksUnavailableError, type EksControlPlane } from "../ports.js";
import { enter } from "./phases.js";

/** Polls of the EKS API back off from 5 s, doubling, to one a minute. */
const FIRST_POLL_SECONDS = 5;
const MAX_POLL_SECONDS = 60;

/** The same creation for every call of one rebuild, so a call repeated after a crash creates nothing twice (at most 64 characters). */
export const requestToken = (cluster: string, incarnation: number): string =>
  `radial-${createHash("sha256").update(`${cluster}\n${incarnation}`).digest("hex").slice(0, 40)}`;

export interface ControlPlaneStep {
  state: RebuildState;
  /** The cluster's new EKS record and server once the control plane is ACTIVE. */
  record?: Pick<ClusterRecord, "eks" | "server">;
}

function polled(state: RebuildState, now: Date, step: "deleting" | "creating", message: string | null = state.message): RebuildState {
  const eks = state.eks!;
  const wait = Math.min(MAX_POLL_SECONDS, FIRST_POLL_SECONDS * 2 ** eks.polls);
  return { ...state, message, eks: { ...eks, step, polls: eks.polls + 1, nextPollAt: new Date(now.getTime() + wait * 1000).toISOString() } };
}

/** The first EKS call of a rebuild: delete the old control plane (`replace`), else create the new one. */
export async function beginControlPlane(api: EksControlPlane, eks: EksClusterInfo, state: RebuildState, cluster: string): Promise<void> {
  if (state.eks?.step === "deleting") await api.delete(eks);
  else await api.create(eks, requestToken(cluster, state.incarnation));
}

/**
 * One poll of the control plane a rebuild is recreating, when its backoff allows: a deleted old
 * one is followed by CreateCluster; an ACTIVE new one records its endpoint and hands over to the
 * agent phases; FAILED fails the rebuild. An unreachable API is noted and polled again.
 */
export async function pollControlPlane(api: EksControlPlane, record: ClusterRecord, state: RebuildState, now: Date): Promise<ControlPlaneStep> {
  const eks = record.eks;
  if (!eks || !state.eks || now.toISOString() < state.eks.nextPollAt) return { state };
  try {
    const found = await api.state(eks);
    if (state.eks.step === "deleting") {
      if (found === null) {
        await api.create(eks, requestToken(record.name, state.incarnation));
        return { state: polled(state, now, "creating") };
      }
      if (found.status !== "DELETING") await api.delete(eks);
      return { state: polled(state, now, "deleting") };
    }
    if (found === null) await api.create(eks, requestToken(record.name, state.incarnation));
    if (found?.status === "FAILED") return { state: enter(state, "Failed", now, `EKS cluster ${eks.name} in ${eks.region} ended in status FAILED`) };
    if (found?.status !== "ACTIVE") return { state: polled(state, now, "creating") };
    const active = enter(enter(state, "ControlPlaneActive", now), "AwaitingAgent", now);
    const endpoint = found.endpoint;
    return {
      state: { ...active, message: null, eks: { ...state.eks, step: "active", endpoint } },
      record: {
        eks: { ...eks, endpoint, status: "ACTIVE", describedAt: now.toISOString() },
        server: record.server === eks.endpoint ? endpoint : record.server,
      },
    };
  } catch (error) {
    if (!(error instanceof EksUnavailableError)) throw error;
    return { state: polled(state, now, state.eks.step === "deleting" ? "deleting" : "creating", error.message.slice(0, 1024)) };
  }
}
