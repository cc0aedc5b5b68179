/**
 * The agent's composition root: from its settings, the kube client, the sync engine, the reconcile
 * loop and its HTTP endpoints, wired together. `radial agent` runs it; tests run it in-process with
 * shorter waits.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { AgentConfig } from "../contract/agent-config.js";
import { KubeSyncEngine, type KubeSyncEngineOptions } from "./engine/engine.js";
import { KubeClient } from "./kube/client.js";
import type { KubeConnection } from "./kube/kubeconfig.js";
import { AgentMetrics } from "./metrics.js";
import { CapabilitiesTracker } from "./report/capabilities.js";
import { Agent } from "./reconcile/agent.js";
import { startAgentServer } from "./server.js";

export interface ComposeOptions {
  config: AgentConfig;
  logger: Logger;
  connection: KubeConnection;
  /** Re-read before every report (a mounted Secret changes when the token is rotated). */
  token: () => string;
  /** Where /metrics, /healthz and /readyz listen (default all interfaces). */
  host?: string;
  /** How long a piece of work may go without moving before /healthz fails. */
  wedgedAfterMs?: number;
  waves?: KubeSyncEngineOptions["waves"];
}

export interface ComposedAgent {
  agent: Agent;
  /** `http://127.0.0.1:<port>`: /metrics, /healthz, /readyz. */
  url: string;
  /** Stops the loop, the syncs in flight, the watches and the reporter, then the endpoints. */
  stop(): Promise<void>;
}

export async function composeAgent(options: ComposeOptions): Promise<ComposedAgent> {
  const { config, logger } = options;
  // The engine and the metrics call back into the agent built with them; never before it exists.
  const metrics = new AgentMetrics(() => agent.gitBytesReceived);
  const kube = new KubeClient(options.connection, {
    qps: config.kubeApiQps,
    burst: config.kubeApiBurst,
    onRequest: (event) => metrics.kubeRequests.inc({ method: event.method, code: String(event.code) }),
    onDiscoveryRefresh: () => capabilities.refresh(),
  });
  const capabilities = new CapabilitiesTracker({ discover: () => kube.capabilities(), logger, onChange: () => agent.reporter.changed() });
  const engine = new KubeSyncEngine({
    kube,
    cluster: config.cluster,
    logger,
    onDrift: (event) => {
      agent.recordDrift(event);
    },
    onApplication: (state) => {
      agent.updateApplication(state);
    },
    ...(options.waves ? { waves: options.waves } : {}),
  });
  const agent: Agent = new Agent({
    config,
    logger,
    engine,
    metrics,
    token: options.token,
    capabilities,
    ...(options.wedgedAfterMs ? { wedgedAfterMs: options.wedgedAfterMs } : {}),
  });
  const server = await startAgentServer({
    port: config.metricsPort,
    ...(options.host ? { host: options.host } : {}),
    registry: metrics.registry,
    probes: { healthy: () => agent.healthy(), ready: () => agent.readiness() },
  });
  return {
    agent,
    url: server.url,
    async stop() {
      await agent.stop();
      kube.close();
      await server.stop();
    },
  };
}
