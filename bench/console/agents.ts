// Simulated agents: the agent's own report builder and reporter over HTTP, with application states
// the bench sets (and so knows: the ground truth of the truth check).
import { Logger } from "@aws-lambda-powertools/logger";
import { buildReport, type ApplicationState } from "../../agent/report/build.js";
import { Reporter } from "../../agent/report/reporter.js";
import { AGENT_CLUSTER_HEADER } from "../../contract/index.js";

export interface SimulatedCluster {
  name: string;
  labels: Record<string, string>;
  token: string;
  applications: ApplicationState[];
}

const REVISION = "0123456789abcdef0123456789abcdef01234567";

export function applications(cluster: string, count: number): ApplicationState[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `app-${String(i).padStart(2, "0")}`,
    revision: REVISION,
    sync: "Synced",
    health: "Healthy",
    resources: [{ group: "apps", version: "v1", kind: "Deployment", namespace: cluster, name: `app-${i}`, sync: "Synced", health: "Healthy" }],
    lastSyncedAt: new Date().toISOString(),
  }));
}

const report = (cluster: SimulatedCluster) =>
  buildReport({
    cluster: cluster.name,
    agentVersion: "bench",
    now: new Date(),
    revision: REVISION,
    conditions: [],
    applications: cluster.applications,
    driftEvents: [],
  });

/** One report, sent as the reporter sends it; throws on anything but 200. */
export async function reportOnce(hubUrl: string, cluster: SimulatedCluster): Promise<void> {
  const response = await fetch(`${hubUrl}/v1/agent/status`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${cluster.token}`, [AGENT_CLUSTER_HEADER]: cluster.name },
    body: JSON.stringify(report(cluster)),
  });
  if (response.status !== 200) throw new Error(`report of ${cluster.name}: ${response.status} ${await response.text()}`);
}

/** A live agent: the agent's Reporter posting this cluster's state on change and every heartbeat. */
export function startReporter(hubUrl: string, cluster: SimulatedCluster, heartbeatSeconds: number): Reporter {
  const reporter = new Reporter({
    hubUrl,
    token: () => cluster.token,
    build: () => report(cluster),
    heartbeatSeconds,
    logger: new Logger({ serviceName: "bench-agent", logLevel: "SILENT" }),
  });
  reporter.start();
  return reporter;
}

/** One status report's latency in ms, and when (performance.now()) it was posted. */
export interface IntakeSample {
  at: number;
  ms: number;
}

/** Times every status report this process posts (the reporter's own fetch). */
export function timeIntake(samples: IntakeSample[]): () => void {
  const original = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    if (!String(input instanceof Request ? input.url : input).endsWith("/v1/agent/status")) return original(input, init);
    const started = performance.now();
    const response = await original(input, init);
    await response.clone().arrayBuffer();
    samples.push({ at: started, ms: performance.now() - started });
    return response;
  };
  return () => (globalThis.fetch = original);
}
