import * as z from "zod";
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

/**
 * The agent's environment variables, for the agent and the bootstrap manifest. They carry a
 * prefix of their own: the `radial` CLI reads RADIAL_TOKEN as the hub's admin token, and the hub
 * reads RADIAL_DATA_DIR and RADIAL_GIT_* for itself, so one shell running both must not hand the
 * agent the hub's settings.
 */
export const AGENT_VARIABLES = {
  hubUrl: "RADIAL_AGENT_HUB_URL",
  cluster: "RADIAL_AGENT_CLUSTER",
  tokenFile: "RADIAL_AGENT_TOKEN_FILE",
  token: "RADIAL_AGENT_TOKEN",
  repoUrl: "RADIAL_AGENT_REPO_URL",
  repoUsername: "RADIAL_AGENT_GIT_USERNAME",
  repoPassword: "RADIAL_AGENT_GIT_PASSWORD",
  branch: "RADIAL_AGENT_BRANCH",
  pollInterval: "RADIAL_AGENT_POLL_INTERVAL",
  heartbeatInterval: "RADIAL_AGENT_HEARTBEAT_INTERVAL",
  dataDir: "RADIAL_AGENT_DATA_DIR",
  metricsPort: "RADIAL_AGENT_METRICS_PORT",
  kubeApiQps: "RADIAL_AGENT_KUBE_API_QPS",
  kubeApiBurst: "RADIAL_AGENT_KUBE_API_BURST",
} as const;

export const HttpUrl = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" });

/** The agent's settings, from flags and environment; defaults are what the bootstrap manifest uses. */
export const AgentConfig = z.strictObject({
  hubUrl: HttpUrl,
  cluster: ClusterName,
  token: z.string().min(32, "must be at least 32 characters").max(512),
  /** The fleet repo holding the deploy branches; absent: the one the hub names in its replies (HubReply.repoUrl). */
  repoUrl: HttpUrl.optional(),
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
