import { Logger } from "@aws-lambda-powertools/logger";
import type { Command } from "commander";
import { AGENT_VARIABLES as V } from "../contract/agent-config.js";
import { AgentConfigError, legacyVariables, loadAgentConfig, readToken, tokenFileOf, type AgentFlags } from "./config.js";
import { KubeConfigError, loadKubeConfig } from "./kube/kubeconfig.js";
import { EXIT } from "../core/exit.js";

async function runAgent(flags: AgentFlags): Promise<void> {
  let config;
  try {
    config = loadAgentConfig(flags);
  } catch (error) {
    if (!(error instanceof AgentConfigError)) throw error;
    console.error(`radial agent: ${error.message}`);
    process.exit(EXIT.usage);
  }
  const logger = new Logger({ serviceName: "radial-agent", persistentKeys: { cluster: config.cluster } });
  for (const { legacy, use } of legacyVariables(process.env))
    logger.warn(`${legacy} is read because ${use} is unset; rename it to ${use} (re-apply a new bootstrap manifest)`);
  const tokenFile = tokenFileOf(flags, process.env);
  // A rotated Secret is re-mounted under the same path: read it again, keeping the last good token.
  let token = config.token;
  const currentToken = () => {
    try {
      // An empty file (a Secret being re-mounted) keeps the last token.
      const read = readToken(tokenFile, process.env);
      if (read) token = read;
    } catch (error) {
      logger.warn("cannot re-read the token file; using the last token read", { error: (error as Error).message });
    }
    return token;
  };

  let connection;
  try {
    connection = await loadKubeConfig(config.kubeconfig === undefined ? {} : { kubeconfig: config.kubeconfig });
  } catch (error) {
    if (!(error instanceof KubeConfigError)) throw error;
    console.error(`radial agent: ${error.message}`);
    process.exit(EXIT.usage);
  }
  // Loaded only when the agent runs: every other `radial` command starts without the agent's engine.
  const { composeAgent } = await import("./compose.js");
  const running = await composeAgent({ config, logger, connection, token: currentToken });
  logger.info("agent started", {
    hub: config.hubUrl,
    repo: config.repoUrl ?? "the one the hub names",
    branch: running.agent.branch?.branch ?? "the one the hub names",
    metrics: running.url,
    pollIntervalSeconds: config.pollIntervalSeconds,
  });

  const shutdown = (signal: string) => {
    logger.info("stopping", { signal });
    void running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error("stopping failed", { error: error as Error });
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
  await running.agent.start();
}

export function registerAgentCommand(program: Command): void {
  program
    .command("agent")
    .description(
      "run the agent for one cluster: pull its deploy branch, apply it, heal drift, report to the hub (settings from flags or RADIAL_AGENT_* variables)",
    )
    .option("--kubeconfig <file>", "kubeconfig of the cluster to manage (env KUBECONFIG; in a pod: in-cluster config)")
    .option("--cluster <name>", `the name the cluster was registered with (env ${V.cluster})`)
    .option("--hub <url>", `the hub's URL (env ${V.hubUrl})`)
    .option(
      "--repo <url>",
      `the fleet repo holding the deploy branches (env ${V.repoUrl}; default: the one the hub names; credentials in ${V.repoUsername}/${V.repoPassword})`,
    )
    .option("--branch <name>", `the deploy branch (env ${V.branch}; default radial/clusters/<cluster>)`)
    .option("--token-file <file>", `file holding the agent token, e.g. a mounted Secret (env ${V.tokenFile}, or the token itself in ${V.token})`)
    .option("--poll-interval <seconds>", `how often to look for a new revision: 30, 30s, 2m (env ${V.pollInterval}; default 30s)`)
    .option("--heartbeat-interval <seconds>", `how often to report when nothing changes (env ${V.heartbeatInterval}; default 30s)`)
    .option("--data-dir <dir>", `where the Git object store is kept between fetches (env ${V.dataDir}; default /var/lib/radial)`)
    .option("--metrics-port <port>", `port of /metrics, /healthz and /readyz (env ${V.metricsPort}; default 8080)`)
    .option("--kube-api-qps <n>", `requests per second to the cluster's apiserver, sustained (env ${V.kubeApiQps}; default 50)`)
    .option("--kube-api-burst <n>", `requests allowed at once above that rate (env ${V.kubeApiBurst}; default 500)`)
    .action(runAgent);
}
