import { z } from "zod";
import { ClusterName } from "./names.js";

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
});

export type AgentConfig = z.infer<typeof AgentConfig>;
/** What a caller supplies before defaults are filled in. */
export type AgentConfigInput = z.input<typeof AgentConfig>;
