/**
 * The agent's settings from flags and environment (a flag wins over its variable), validated
 * against the contract's AgentConfig. Every problem names the flag and variable to fix.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { AgentConfig, type AgentConfigInput } from "../contract/agent-config.js";

/** What `radial agent` takes on its command line, as commander hands it over (strings). */
export interface AgentFlags {
  hub?: string;
  cluster?: string;
  tokenFile?: string;
  repo?: string;
  branch?: string;
  pollInterval?: string;
  heartbeatInterval?: string;
  kubeconfig?: string;
  dataDir?: string;
  metricsPort?: string;
  kubeApiQps?: string;
  kubeApiBurst?: string;
}

/** Where each setting comes from, for error messages a person can act on. */
const SOURCES: Record<keyof AgentConfig, string> = {
  hubUrl: "--hub or RADIAL_HUB_URL (the hub's URL, e.g. https://radial.example.com)",
  cluster: "--cluster or RADIAL_CLUSTER (the name the cluster was registered with)",
  token: "--token-file, RADIAL_TOKEN_FILE or RADIAL_TOKEN (the agent token `radial cluster register` printed)",
  repoUrl: "--repo or RADIAL_REPO_URL (the fleet repo holding the deploy branches)",
  repoUsername: "RADIAL_GIT_USERNAME",
  repoPassword: "RADIAL_GIT_PASSWORD",
  branch: "--branch or RADIAL_BRANCH",
  pollIntervalSeconds: "--poll-interval or RADIAL_POLL_INTERVAL (seconds, or e.g. 30s, 2m)",
  heartbeatSeconds: "--heartbeat-interval or RADIAL_HEARTBEAT_INTERVAL (seconds, or e.g. 30s, 2m)",
  kubeconfig: "--kubeconfig or KUBECONFIG",
  dataDir: "--data-dir or RADIAL_DATA_DIR",
  metricsPort: "--metrics-port or RADIAL_METRICS_PORT",
  kubeApiQps: "--kube-api-qps or RADIAL_KUBE_API_QPS",
  kubeApiBurst: "--kube-api-burst or RADIAL_KUBE_API_BURST",
};

export class AgentConfigError extends Error {
  override name = "AgentConfigError";
}

/** `30`, `30s` or `2m` → seconds; anything else is kept as NaN for the schema to refuse. */
function seconds(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const match = /^(\d+)(s|m)?$/.exec(value.trim());
  if (!match) return Number.NaN;
  return Number(match[1]) * (match[2] === "m" ? 60 : 1);
}

function integer(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  return /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
}

function nonEmpty(...values: (string | undefined)[]): string | undefined {
  return values.find((value) => value !== undefined && value !== "");
}

/** A mounted Secret's file wins over the variable, so a rotated Secret is picked up on re-read. */
export function readToken(tokenFile: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (tokenFile) {
    try {
      return readFileSync(tokenFile, "utf8").trim();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new AgentConfigError(`cannot read the token file ${tokenFile} (${code}): mount the agent's token Secret there, or set RADIAL_TOKEN`);
    }
  }
  return nonEmpty(env.RADIAL_TOKEN);
}

/**
 * The kubeconfig: the flag, else KUBECONFIG (its first file, as kubectl merges a list), else
 * in-cluster configuration inside a pod, else `~/.kube/config` as kubectl does.
 */
function kubeconfigPath(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const explicit = nonEmpty(flag, env.KUBECONFIG?.split(":").find(Boolean));
  if (explicit) return explicit;
  if (env.KUBERNETES_SERVICE_HOST) return undefined;
  const home = join(env.HOME ?? homedir(), ".kube", "config");
  return existsSync(home) ? home : undefined;
}

export function tokenFileOf(flags: AgentFlags, env: NodeJS.ProcessEnv): string | undefined {
  return nonEmpty(flags.tokenFile, env.RADIAL_TOKEN_FILE);
}

/** Flags and environment → a validated AgentConfig, or an AgentConfigError listing every problem. */
export function loadAgentConfig(flags: AgentFlags, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  // Unset settings are left out, for the schema's defaults and "required" messages.
  const input: Record<keyof AgentConfigInput, string | number | undefined> = {
    hubUrl: nonEmpty(flags.hub, env.RADIAL_HUB_URL)?.replace(/\/+$/, ""),
    cluster: nonEmpty(flags.cluster, env.RADIAL_CLUSTER),
    token: readToken(tokenFileOf(flags, env), env),
    repoUrl: nonEmpty(flags.repo, env.RADIAL_REPO_URL),
    repoUsername: nonEmpty(env.RADIAL_GIT_USERNAME),
    repoPassword: nonEmpty(env.RADIAL_GIT_PASSWORD),
    branch: nonEmpty(flags.branch, env.RADIAL_BRANCH),
    pollIntervalSeconds: seconds(nonEmpty(flags.pollInterval, env.RADIAL_POLL_INTERVAL)),
    heartbeatSeconds: seconds(nonEmpty(flags.heartbeatInterval, env.RADIAL_HEARTBEAT_INTERVAL)),
    kubeconfig: kubeconfigPath(flags.kubeconfig, env),
    dataDir: nonEmpty(flags.dataDir, env.RADIAL_DATA_DIR),
    metricsPort: integer(nonEmpty(flags.metricsPort, env.RADIAL_METRICS_PORT)),
    kubeApiQps: integer(nonEmpty(flags.kubeApiQps, env.RADIAL_KUBE_API_QPS)),
    kubeApiBurst: integer(nonEmpty(flags.kubeApiBurst, env.RADIAL_KUBE_API_BURST)),
  };
  const parsed = AgentConfig.safeParse(Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)));
  if (parsed.success) {
    if (parsed.data.repoPassword !== undefined && parsed.data.repoUsername === undefined) {
      throw new AgentConfigError("RADIAL_GIT_PASSWORD is set without RADIAL_GIT_USERNAME: set both for HTTP basic auth to the repo");
    }
    return parsed.data;
  }
  const problems = parsed.error.issues.map((issue) => {
    const field = issue.path[0] as keyof AgentConfig;
    const value = input[field];
    const problem = value === undefined ? "required" : Number.isNaN(value) ? "must be a whole number" : issue.message;
    return `${SOURCES[field]}: ${problem}`;
  });
  throw new AgentConfigError(`invalid agent configuration:\n  ${problems.join("\n  ")}`);
}
