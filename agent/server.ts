/**
 * The agent's own HTTP endpoints, for the kubelet's probes and Prometheus:
 * - `/healthz`: the process answers and the reconcile loop is not wedged (it started a pass, or
 *   finished one, recently enough); a failing liveness probe restarts a stuck agent.
 * - `/readyz`: the agent has completed one reconcile pass that reached its source: the branch was
 *   looked up and, if it exists, fetched, read and synced. A Git server the agent cannot reach keeps
 *   it unready, which `kubectl wait --for=condition=Available` and the Deployment status show.
 * - `/metrics`: Prometheus text format.
 */
import { createServer, type Server } from "node:http";
import type { Registry } from "prom-client";

export interface Probe {
  ok: boolean;
  message: string;
}

export interface AgentProbes {
  healthy(): Probe;
  ready(): Probe;
}

export async function startAgentServer(options: {
  port: number;
  host?: string;
  registry: Registry;
  probes: AgentProbes;
}): Promise<{ server: Server; url: string; stop(): Promise<void> }> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://agent").pathname;
    const answer = (status: number, body: string, type = "text/plain; charset=utf-8") => {
      response.writeHead(status, { "content-type": type });
      response.end(body);
    };
    if (request.method !== "GET" && request.method !== "HEAD") answer(405, "method not allowed\n");
    else if (path === "/healthz" || path === "/readyz") {
      const probe = path === "/healthz" ? options.probes.healthy() : options.probes.ready();
      answer(probe.ok ? 200 : 503, `${probe.message}\n`);
    } else if (path === "/metrics") {
      options.registry.metrics().then(
        (text) => answer(200, text, options.registry.contentType),
        (error: unknown) => answer(500, `metrics failed: ${(error as Error).message}\n`),
      );
    } else answer(404, "not found: try /healthz, /readyz or /metrics\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "0.0.0.0", resolve);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
