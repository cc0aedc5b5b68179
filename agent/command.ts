import { Logger } from "@aws-lambda-powertools/logger";
import type { Command } from "commander";
import { AgentConfigError, loadAgentConfig, readToken, tokenFileOf, type AgentFlags } from "./config.js";
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
    repo: config.repoUrl,
    branch: running.agent.branch.branch,
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
    .description("run the agent for one cluster: pull its deploy branch, apply it, heal drift, report to the hub (settings from flags or RADIAL_* variables)")
    .option("--kubeconfig <file>", "kubeconfig of the cluster to manage (env KUBECONFIG; in a pod: in-cluster config)")
    .option("--cluster <name>", "the name the cluster was registered with (env RADIAL_CLUSTER)")
    .option("--hub <url>", "the hub's URL (env RADIAL_HUB_URL)")
    .option("--repo <url>", "the fleet repo holding the deploy branches (env RADIAL_REPO_URL; credentials in RADIAL_GIT_USERNAME/RADIAL_GIT_PASSWORD)")
    .option("--branch <name>", "the deploy branch (env RADIAL_BRANCH; default radial/clusters/<cluster>)")
    .option("--token-file <file>", "file holding the agent token, e.g. a mounted Secret (env RADIAL_TOKEN_FILE, or the token itself in RADIAL_TOKEN)")
    .option("--poll-interval <seconds>", "how often to look for a new revision: 30, 30s, 2m (env RADIAL_POLL_INTERVAL; default 30s)")
    .option("--heartbeat-interval <seconds>", "how often to report when nothing changes (env RADIAL_HEARTBEAT_INTERVAL; default 30s)")
    .option("--data-dir <dir>", "where the Git object store is kept between fetches (env RADIAL_DATA_DIR; default /var/lib/radial)")
    .option("--metrics-port <port>", "port of /metrics, /healthz and /readyz (env RADIAL_METRICS_PORT; default 8080)")
    .option("--kube-api-qps <n>", "requests per second to the cluster's apiserver, sustained (env RADIAL_KUBE_API_QPS; default 50)")
    .option("--kube-api-burst <n>", "requests allowed at once above that rate (env RADIAL_KUBE_API_BURST; default 500)")
    .action(runAgent);
}
