/**
 * The agent's settings from flags and environment (a flag wins over its variable), validated
 * against the contract's AgentConfig. Every problem names the flag and variable to fix.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { AGENT_VARIABLES, AgentConfig, type AgentConfigInput } from "../contract/agent-config.js";

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

/**
 * The names before the RADIAL_AGENT_ prefix are read when the new one is unset, with a warning at
 * start: bootstrap manifests applied before it set them, and an agent image update must not stop
 * those agents. RADIAL_TOKEN never is: it is the radial CLI's admin token.
 */

type AgentVariable = (typeof AGENT_VARIABLES)[keyof typeof AGENT_VARIABLES];

/** The name an agent variable had before the prefix (RADIAL_AGENT_HUB_URL → RADIAL_HUB_URL). */
const legacyName = (name: AgentVariable) => name.replace(/^RADIAL_AGENT_/, "RADIAL_");

/** An agent variable, else its legacy name (not for the token: RADIAL_TOKEN is the admin token). */
function variable(env: NodeJS.ProcessEnv, name: AgentVariable): string | undefined {
  return nonEmpty(env[name], name === AGENT_VARIABLES.token ? undefined : env[legacyName(name)]);
}

/** Legacy names in `env` that the agent reads because their new name is unset: for a warning at start. */
export function legacyVariables(env: NodeJS.ProcessEnv): { legacy: string; use: string }[] {
  return Object.values(AGENT_VARIABLES)
    .filter((name) => name !== AGENT_VARIABLES.token && nonEmpty(env[name]) === undefined && nonEmpty(env[legacyName(name)]) !== undefined)
    .map((name) => ({ legacy: legacyName(name), use: name }));
}

/** Agent tokens carry this prefix (lambdas/inventory/token.ts); the hub's admin tokens `rdl_admin_`. */
const AGENT_TOKEN_PREFIX = "rdl_agent_";
const ADMIN_TOKEN_PREFIX = "rdl_admin_";

/** Where each setting comes from, for error messages a person can act on. */
const SOURCES: Record<keyof AgentConfig, string> = {
  hubUrl: `--hub or ${AGENT_VARIABLES.hubUrl} (the hub's URL, e.g. https://radial.example.com)`,
  cluster: `--cluster or ${AGENT_VARIABLES.cluster} (the name the cluster was registered with)`,
  token: `--token-file, ${AGENT_VARIABLES.tokenFile} or ${AGENT_VARIABLES.token} (the agent token \`radial cluster register\` printed, rdl_agent_...)`,
  repoUrl: `--repo or ${AGENT_VARIABLES.repoUrl} (the fleet repo holding the deploy branches; unset, the one the hub names)`,
  repoUsername: AGENT_VARIABLES.repoUsername,
  repoPassword: AGENT_VARIABLES.repoPassword,
  branch: `--branch or ${AGENT_VARIABLES.branch}`,
  pollIntervalSeconds: `--poll-interval or ${AGENT_VARIABLES.pollInterval} (seconds, or e.g. 30s, 2m)`,
  heartbeatSeconds: `--heartbeat-interval or ${AGENT_VARIABLES.heartbeatInterval} (seconds, or e.g. 30s, 2m)`,
  kubeconfig: "--kubeconfig or KUBECONFIG",
  dataDir: `--data-dir or ${AGENT_VARIABLES.dataDir}`,
  metricsPort: `--metrics-port or ${AGENT_VARIABLES.metricsPort}`,
  kubeApiQps: `--kube-api-qps or ${AGENT_VARIABLES.kubeApiQps}`,
  kubeApiBurst: `--kube-api-burst or ${AGENT_VARIABLES.kubeApiBurst}`,
};

/** "required", and for the token why RADIAL_TOKEN, if set, does not count. */
function required(field: keyof AgentConfig, env: NodeJS.ProcessEnv): string {
  return field === "token" && nonEmpty(env.RADIAL_TOKEN) !== undefined
    ? "required (RADIAL_TOKEN is set, but that is the radial CLI's admin token, which the agent does not read)"
    : "required";
}

/** Why `token` is not an agent token, or undefined when it is one. */
function notAnAgentToken(token: string): string | undefined {
  if (token.startsWith(AGENT_TOKEN_PREFIX)) return undefined;
  const what = token.startsWith(ADMIN_TOKEN_PREFIX) ? "this is the hub's admin token (rdl_admin_...)" : "this is not an agent token";
  return `${what}; the agent needs its cluster's agent token (rdl_agent_...), which \`radial cluster register\` and \`radial cluster rotate-token\` print and the bootstrap manifest mounts from the Secret radial-agent-token`;
}

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
      throw new AgentConfigError(`cannot read the token file ${tokenFile} (${code}): mount the agent's token Secret there, or set ${AGENT_VARIABLES.token}`);
    }
  }
  return variable(env, AGENT_VARIABLES.token);
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
  return nonEmpty(flags.tokenFile, variable(env, AGENT_VARIABLES.tokenFile));
}

/** Flags and environment → a validated AgentConfig, or an AgentConfigError listing every problem. */
export function loadAgentConfig(flags: AgentFlags, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  // Unset settings are left out, for the schema's defaults and "required" messages.
  const input: Record<keyof AgentConfigInput, string | number | undefined> = {
    hubUrl: nonEmpty(flags.hub, variable(env, AGENT_VARIABLES.hubUrl))?.replace(/\/+$/, ""),
    cluster: nonEmpty(flags.cluster, variable(env, AGENT_VARIABLES.cluster)),
    token: readToken(tokenFileOf(flags, env), env),
    repoUrl: nonEmpty(flags.repo, variable(env, AGENT_VARIABLES.repoUrl)),
    repoUsername: variable(env, AGENT_VARIABLES.repoUsername),
    repoPassword: variable(env, AGENT_VARIABLES.repoPassword),
    branch: nonEmpty(flags.branch, variable(env, AGENT_VARIABLES.branch)),
    pollIntervalSeconds: seconds(nonEmpty(flags.pollInterval, variable(env, AGENT_VARIABLES.pollInterval))),
    heartbeatSeconds: seconds(nonEmpty(flags.heartbeatInterval, variable(env, AGENT_VARIABLES.heartbeatInterval))),
    kubeconfig: kubeconfigPath(flags.kubeconfig, env),
    dataDir: nonEmpty(flags.dataDir, variable(env, AGENT_VARIABLES.dataDir)),
    metricsPort: integer(nonEmpty(flags.metricsPort, variable(env, AGENT_VARIABLES.metricsPort))),
    kubeApiQps: integer(nonEmpty(flags.kubeApiQps, variable(env, AGENT_VARIABLES.kubeApiQps))),
    kubeApiBurst: integer(nonEmpty(flags.kubeApiBurst, variable(env, AGENT_VARIABLES.kubeApiBurst))),
  };
  const parsed = AgentConfig.safeParse(Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)));
  if (parsed.success) {
    if (parsed.data.repoPassword !== undefined && parsed.data.repoUsername === undefined) {
      throw new AgentConfigError(`${AGENT_VARIABLES.repoPassword} is set without ${AGENT_VARIABLES.repoUsername}: set both for HTTP basic auth to the repo`);
    }
    const wrongToken = notAnAgentToken(parsed.data.token);
    if (wrongToken) throw new AgentConfigError(`invalid agent configuration:\n  ${SOURCES.token}: ${wrongToken}`);
    return parsed.data;
  }
  const problems = parsed.error.issues.map((issue) => {
    const field = issue.path[0] as keyof AgentConfig;
    const value = input[field];
    const problem = value === undefined ? required(field, env) : Number.isNaN(value) ? "must be a whole number" : issue.message;
    return `${SOURCES[field]}: ${problem}`;
  });
  throw new AgentConfigError(`invalid agent configuration:\n  ${problems.join("\n  ")}`);
}
