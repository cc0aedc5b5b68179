import { InvalidArgumentError, type Command } from "commander";
import { ClusterName, parseWith, type ClusterStatus } from "../contract/index.js";
import { pool } from "../core/pool.js";
import { hubClient, withHubOptions, type HubOptions } from "./hub-options.js";
import { age, runAction, serialize, table, usageError, type OutputFormat } from "./output.js";

interface StatusOptions extends HubOptions {
  output: OutputFormat;
  events: number;
}

const MAX_EVENTS = 200;
/** Clusters whose status is read at once when listing the fleet. */
const PARALLEL_READS = 8;

const short = (revision: string | null) => (revision ? revision.slice(0, 8) : "-");
const lastReport = (status: ClusterStatus, now: Date) => (status.receivedAt ? `${age(status.receivedAt, now)} ago` : "never");
const staleness = (status: ClusterStatus) => (!status.reported ? "-" : status.stale ? "yes" : "no");

/** One row per cluster: roll-up, applications, revision, last report, stale. */
export function fleetTable(statuses: ClusterStatus[], now = new Date()): string {
  const rows = statuses.map((s) => [
    s.cluster,
    s.sync,
    s.health,
    String(Object.values(s.syncCounts).reduce((n, c) => n + c, 0)),
    short(s.revision),
    lastReport(s, now),
    staleness(s),
  ]);
  return table(["CLUSTER", "SYNC", "HEALTH", "APPS", "REVISION", "LAST REPORT", "STALE"], rows);
}

/** One cluster: its roll-up, then one row per application, then the newest drift events. */
export function clusterText(status: ClusterStatus, now = new Date()): string {
  if (!status.reported) return `Cluster ${status.cluster}: no report yet; is its agent installed and running?\n`;
  const stale = status.stale ? `; STALE since ${status.staleAt} (no report for 3 poll intervals)` : "";
  const lines = [
    `Cluster ${status.cluster}: ${status.sync}, ${status.health}, revision ${short(status.revision)}, last report ${lastReport(status, now)} (agent ${status.agentVersion})${stale}`,
  ];
  for (const condition of status.conditions.filter((c) => c.status !== "True"))
    lines.push(`  ${condition.type}=${condition.status} ${condition.reason}: ${condition.message}`);
  const applications = status.applications.map((a) => [a.name, short(a.revision), a.sync, a.health, a.message ?? ""]);
  lines.push("", table(["APPLICATION", "REVISION", "SYNC", "HEALTH", "MESSAGE"], applications).trimEnd());
  if (status.driftEvents.length > 0) {
    const events = status.driftEvents.map((e) => [
      e.at,
      e.application,
      `${e.resource.kind}/${e.resource.namespace ? `${e.resource.namespace}/` : ""}${e.resource.name}`,
      e.action,
      e.fields.join(",") || "-",
      e.manager ?? "-",
    ]);
    lines.push("", "Drift events, newest first:", table(["TIME", "APPLICATION", "RESOURCE", "ACTION", "FIELDS", "MANAGER"], events).trimEnd());
  }
  return `${lines.join("\n")}\n`;
}

async function status(cluster: string | undefined, _options: unknown, command: Command): Promise<void> {
  const options = command.optsWithGlobals<StatusOptions>();
  const { output, events } = options;
  if (cluster !== undefined) {
    const parsed = parseWith(ClusterName, cluster, `cluster name "${cluster}"`);
    if (!parsed.ok) throw usageError(parsed.message);
  }
  const client = hubClient(options);
  if (cluster !== undefined) {
    const result = await client.status(cluster, events);
    process.stdout.write(output === "table" ? clusterText(result) : serialize(result, output));
    return;
  }
  const names = (await client.listAll()).map((c) => c.name).sort();
  const statuses = await pool(names, PARALLEL_READS, (name) => client.status(name, 0));
  process.stdout.write(output === "table" ? fleetTable(statuses) : serialize(statuses, output));
}

function eventCount(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > MAX_EVENTS) throw new InvalidArgumentError(`must be an integer from 0 to ${MAX_EVENTS}`);
  return n;
}

export function registerStatusCommand(program: Command): void {
  withHubOptions(
    program
      .command("status")
      .description("sync, health and last report of every cluster; with CLUSTER, its applications and recent drift events")
      .argument("[cluster]", "one cluster to show in detail"),
  )
    .option("--events <n>", `drift events to show with CLUSTER (0-${MAX_EVENTS})`, eventCount, 20)
    .addHelpText("after", '\nA cluster is stale when the hub has had no report from it for 3 poll intervals; "-" means its agent never reported.')
    .action(runAction(status));
}
