import { z } from "zod";
import { ClusterName } from "./names.js";

/** The namespace the bootstrap manifest installs the agent in, where it also keeps its inventories. */
export const AGENT_NAMESPACE = "radial-system";

/**
 * The agent's client-side limit towards its apiserver. Sustained: the rate Argo CD's controller and
 * Flux's controllers default to (argo-cd cluster_constants.go K8sClientConfigQPS, Flux
 * --kube-api-qps). The burst is larger than theirs
 * (Argo CD 100, Flux 300) so that one application's first sync of up to ~500 objects is not held
 * back: the agent is the only writer in its cluster, keeps at most `maxSockets` requests in flight,
 * and the apiserver's priority and fairness answers overload with 429s, which it honours.
 */
export const KUBE_API_LIMITS = { qps: 50, burst: 500 } as const;

const HttpUrl = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" });

/** The agent's settings, from flags and environment; defaults are what the bootstrap manifest uses. */
export const AgentConfig = z.strictObject({
  hubUrl: HttpUrl,
  cluster: ClusterName,
  token: z.string().min(32, "must be at least 32 characters").max(512),
  repoUrl: HttpUrl,
  repoUsername: z.string().max(256).optional(),
  repoPassword: z.string().max(4096).optional(),
  /** Defaults to `radial/clusters/<cluster>`. */
  branch: z.string().min(1).max(255).optional(),
  pollIntervalSeconds: z.number().int().min(5).max(3600).default(30),
  heartbeatSeconds: z.number().int().min(5).max(3600).default(30),
  /** A kubeconfig path; absent means in-cluster configuration. */
  kubeconfig: z.string().min(1).optional(),
  /** Where the Git object store is kept between fetches. */
  dataDir: z.string().min(1).default("/var/lib/radial"),
  metricsPort: z.number().int().min(1).max(65535).default(8080),
  /** The client-side rate limit towards the cluster's apiserver (requests per second, sustained and at once). */
  kubeApiQps: z.number().int().min(1).max(10_000).default(KUBE_API_LIMITS.qps),
  kubeApiBurst: z.number().int().min(1).max(100_000).default(KUBE_API_LIMITS.burst),
});

export type AgentConfig = z.infer<typeof AgentConfig>;
/** What a caller supplies before defaults are filled in. */
export type AgentConfigInput = z.input<typeof AgentConfig>;
