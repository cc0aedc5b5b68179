// How the CLI reports: results on stdout as a table, JSON or YAML; failures on stderr, with an exit
// code scripts can rely on.
import { stringify } from "yaml";
import type { Cluster } from "../contract/index.js";
import { EXIT } from "../core/exit.js";
import { HubError, HubUnreachableError } from "./hub-client.js";

export type OutputFormat = "table" | "json" | "yaml";

export const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  the hub refused the request or failed ("error: <message> (<code>)" on stderr)
  2  usage error: bad arguments, options or k=v syntax, or no admin token; nothing was sent
     (radial hub: a data dir, admin token or backup file it cannot use)
  3  the hub could not be reached (not running, wrong --hub/RADIAL_HUB, or no answer in time)
  4  not found: the hub has no such cluster
  5  radial generate: the run had errors (listed); what did not fail was written
  6  radial generate: the mass-removal guard blocked the run, nothing was written
     (--dry-run: a real run would be blocked); --force overrides it
  7  radial cluster rebuild --wait: the rebuild timed out (the hub's deadline or --timeout)
  8  radial cluster rebuild --wait: the rebuild failed (the message names the applications)`;

/** A failure the CLI itself detects, with the exit code it deserves. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.refused,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new CliError(message, EXIT.usage);

/** Prints why a command failed and returns its exit code. */
export function reportFailure(error: unknown): number {
  if (error instanceof HubError) {
    console.error(`error: ${error.message} (${error.code}, HTTP ${error.status})`);
    return error.status === 404 ? EXIT.notFound : EXIT.refused;
  }
  if (error instanceof HubUnreachableError) {
    console.error(`error: ${error.message}`);
    return EXIT.unreachable;
  }
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  return error instanceof CliError ? error.exitCode : EXIT.refused;
}

/** Runs an action so that any failure becomes one line on stderr and the exit code it deserves. */
export function runAction<A extends unknown[]>(action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await action(...args);
    } catch (error) {
      process.exitCode = reportFailure(error);
    }
  };
}

/** JSON or YAML of any result; tables are per kind of result. */
export function serialize(value: unknown, format: Exclude<OutputFormat, "table">): string {
  return format === "json" ? `${JSON.stringify(value, null, 2)}\n` : stringify(value);
}

export function printClusters(clusters: Cluster[], format: OutputFormat): void {
  process.stdout.write(format === "table" ? clusterTable(clusters) : serialize(clusters, format));
}

export function printCluster(cluster: Cluster, format: OutputFormat): void {
  process.stdout.write(format === "table" ? clusterTable([cluster]) : serialize(cluster, format));
}

export function clusterTable(clusters: Cluster[], now = new Date()): string {
  const rows = clusters.map((c) => [c.name, formatLabels(c.labels), c.server ?? "-", c.eks?.version ?? "-", age(c.createdAt, now)]);
  return table(["NAME", "LABELS", "SERVER", "EKS", "AGE"], rows);
}

/** `k=v,k2=v2` sorted by key, as kubectl's --show-labels; `<none>` when there are none. */
export function formatLabels(labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  return keys.length === 0 ? "<none>" : keys.map((key) => `${key}=${labels[key]}`).join(",");
}

/** Columns padded to their widest cell, two spaces apart, with no trailing blanks. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd();
  return [headers, ...rows].map(line).join("\n") + "\n";
}

/** Elapsed time in kubectl's style: one unit, switching to the next once it reaches two of them. */
export function age(since: string, now: Date): string {
  const seconds = Math.max(0, Math.floor((now.getTime() - Date.parse(since)) / 1000));
  const units: [number, string][] = [
    [365 * 86_400, "y"],
    [86_400, "d"],
    [3600, "h"],
    [60, "m"],
  ];
  for (const [size, unit] of units) if (seconds >= 2 * size) return `${Math.floor(seconds / size)}${unit}`;
  return `${seconds}s`;
}
