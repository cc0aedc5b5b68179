import { InvalidArgumentError, type Command } from "commander";
import {
  ClusterName,
  parseWith,
  REBUILD_LIMITS,
  RebuildRequest,
  TERMINAL_REBUILD_PHASES,
  type Preflight,
  type Rebuild,
  type RebuildResponse,
} from "../contract/index.js";
import { EXIT } from "../core/exit.js";
import { fetchSecret, showSecret } from "./cluster.js";
import type { HubClient } from "./hub-client.js";
import { hubClient, type HubOptions } from "./hub-options.js";
import { age, CliError, runAction, serialize, table, usageError, type OutputFormat } from "./output.js";

const POLL_MS = 2000;

/** `90`, `90s`, `20m`, `2h` → seconds. */
function duration(text: string): number {
  const match = /^(\d+)(s|m|h)?$/.exec(text.trim());
  const seconds = match ? Number(match[1]) * { s: 1, m: 60, h: 3600 }[(match[2] ?? "s") as "s" | "m" | "h"] : Number.NaN;
  if (!(seconds >= REBUILD_LIMITS.minTimeoutSeconds && seconds <= REBUILD_LIMITS.maxTimeoutSeconds))
    throw new InvalidArgumentError(`must be a duration such as 90s, 20m or 2h, from 1s to ${REBUILD_LIMITS.maxTimeoutSeconds / 86_400} days`);
  return seconds;
}

function connect(command: Command): { client: HubClient; format: OutputFormat } {
  const options = command.optsWithGlobals<HubOptions & { output: OutputFormat }>();
  return { client: hubClient(options), format: options.output };
}

function clusterName(name: string): string {
  const parsed = parseWith(ClusterName, name, `cluster name "${name}"`);
  if (!parsed.ok) throw usageError(parsed.message);
  return parsed.value;
}

const seconds = (value: number | null): string =>
  value === null ? "-" : value < 60 ? `${value.toFixed(1)}s` : `${Math.floor(value / 60)}m${Math.round(value % 60)}s`;

export function preflightTable(preflight: Preflight): string {
  if (preflight.items.length === 0) return `Preflight: nothing in the deploy branch holds data Git cannot bring back.\n`;
  const rows = preflight.items.map((i) => [i.application, i.kind, i.namespace ?? "-", i.name, i.why]);
  const more = preflight.truncated ? "(more were found than listed)\n" : "";
  return `Preflight: restore the data of these before traffic returns; Git cannot bring it back:\n${table(["APPLICATION", "KIND", "NAMESPACE", "NAME", "WHY"], rows)}${more}`;
}

export function phasesTable(rebuild: Rebuild): string {
  return table(
    ["PHASE", "ENTERED", "DURATION"],
    rebuild.phases.map((p) => [p.phase, p.enteredAt, seconds(p.seconds)]),
  );
}

/** One line of progress: phase, applications converged, elapsed. */
export function progressLine(rebuild: Rebuild, now: Date): string {
  const elapsed = (now.getTime() - Date.parse(rebuild.requestedAt)) / 1000;
  const apps = rebuild.applications.total > 0 ? ` · applications ${rebuild.applications.converged}/${rebuild.applications.total} converged` : "";
  return `${rebuild.cluster}: ${rebuild.phase}${apps} · ${seconds(elapsed)} elapsed${rebuild.message ? ` · ${rebuild.message}` : ""}`;
}

/**
 * Follows the rebuild until it ends or `timeoutSeconds` pass: on a terminal one line rewritten in
 * place, otherwise a plain line each time something changes, all on stderr.
 */
async function follow(client: HubClient, name: string, incarnation: number, timeoutSeconds: number): Promise<Rebuild> {
  const tty = process.stderr.isTTY;
  const deadline = Date.now() + timeoutSeconds * 1000;
  let last = "";
  for (;;) {
    const current = (await client.rebuilds(name)).items.find((r) => r.incarnation === incarnation);
    if (!current) throw new CliError(`the rebuild of ${name} (incarnation ${incarnation}) is no longer listed: another rebuild replaced it`);
    const line = progressLine(current, new Date());
    const ended = TERMINAL_REBUILD_PHASES.includes(current.phase);
    if (tty) process.stderr.write(`\r\x1b[K${line}${ended ? "\n" : ""}`);
    else if (line.replace(/ · [^·]* elapsed/, "") !== last) process.stderr.write(`${line}\n`);
    last = line.replace(/ · [^·]* elapsed/, "");
    if (ended || Date.now() >= deadline) {
      if (tty && !ended) process.stderr.write("\n");
      return current;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

interface RebuildOptions {
  reason: string;
  recreateEks?: boolean;
  replace?: boolean;
  dryRun?: boolean;
  bootstrapOut?: string;
  wait?: boolean;
  timeout?: number;
  allowLoopback?: boolean;
}

async function rebuild(name: string, options: RebuildOptions, command: Command): Promise<void> {
  const target = clusterName(name);
  const parsed = parseWith(
    RebuildRequest,
    {
      reason: options.reason,
      recreateEks: options.recreateEks,
      replace: options.replace,
      dryRun: options.dryRun,
      timeoutSeconds: options.timeout,
      allowLoopbackHub: options.allowLoopback,
    },
    "rebuild request",
  );
  if (!parsed.ok) throw usageError(parsed.message);
  const { client, format } = connect(command);
  // One document on stdout: the answer, with the rebuild as it ended; the token must be safe in a file before the wait.
  if (options.wait && format !== "table" && options.bootstrapOut === undefined)
    throw usageError(`--wait with --output ${format} needs --bootstrap-out FILE, so the new token is kept before the wait`);
  if (options.dryRun) {
    const answer = await client.rebuild(target, parsed.value);
    if (!("preflight" in answer) || "rebuild" in answer) throw new CliError("the hub started a rebuild instead of a dry run");
    return void process.stdout.write(format === "table" ? preflightTable(answer.preflight) : serialize(answer, format));
  }
  const answer = await fetchSecret(options.bootstrapOut, target, async () => {
    const started = await client.rebuild(target, parsed.value);
    if (!("rebuild" in started)) throw new CliError("the hub answered a dry run to a rebuild");
    return started;
  });
  const summary = `Rebuilding cluster ${target} as incarnation ${answer.rebuild.incarnation}; its previous token no longer works.\n${preflightTable(answer.rebuild.preflight ?? { revision: null, items: [], truncated: false })}`;
  if (!options.wait || format === "table") showSecret(answer, { summary, applyWhen: "Apply it to the new cluster", path: options.bootstrapOut, format });
  if (options.wait) await waitAndReport(client, target, answer, options.timeout ?? REBUILD_LIMITS.defaultTimeoutSeconds, format);
}

async function waitAndReport(client: HubClient, name: string, answer: RebuildResponse, timeoutSeconds: number, format: OutputFormat): Promise<void> {
  const ended = await follow(client, name, answer.rebuild.incarnation, timeoutSeconds);
  if (format === "table") process.stdout.write(phasesTable(ended));
  else process.stdout.write(serialize({ ...answer, rebuild: ended }, format));
  if (ended.phase === "Converged") return;
  const why = ended.message ? `: ${ended.message}` : "";
  if (ended.phase === "Failed") throw new CliError(`the rebuild of ${name} failed${why}`, EXIT.rebuildFailed);
  const where = ended.phase === "TimedOut" ? `timed out${why}` : `is still ${ended.phase} after --timeout ${seconds(timeoutSeconds)}`;
  throw new CliError(`the rebuild of ${name} ${where}`, EXIT.rebuildTimedOut);
}

async function list(name: string, _options: unknown, command: Command): Promise<void> {
  const target = clusterName(name);
  const { client, format } = connect(command);
  const { items } = await client.rebuilds(target);
  if (format !== "table") return void process.stdout.write(serialize(items, format));
  const now = new Date();
  const rows = items.map((r) => [
    String(r.incarnation),
    r.phase,
    age(r.requestedAt, now),
    seconds(r.totalSeconds),
    `${r.applications.converged}/${r.applications.total}`,
    r.reason,
    r.message ?? "",
  ]);
  process.stdout.write(table(["INCARNATION", "PHASE", "REQUESTED", "TOTAL", "APPS", "REASON", "MESSAGE"], rows));
}

const REBUILD_HELP = `
A rebuild gives the cluster a new incarnation: its old agent token stops at once, and the new
token and bootstrap manifest are shown this once (as at registration; --bootstrap-out FILE keeps
them in FILE, mode 0600). Apply the manifest to the replacement cluster; the agent brings every
application back from Git. The preflight lists what Git cannot bring back (volumes and the like).
With --wait the command follows the phases until the rebuild ends, and exits 0 when Converged,
7 when it timed out (the hub's deadline or --timeout), 8 when it failed.`;

/** `radial cluster rebuild` and `radial cluster rebuilds`, under the `cluster` command. */
export function registerRebuildCommands(program: Command): void {
  const cluster = program.commands.find((command) => command.name() === "cluster");
  if (!cluster) throw new Error("the cluster command must be registered first");
  cluster
    .command("rebuild")
    .description("rebuild a lost cluster: new token and bootstrap manifest, then follow it until every application is back")
    .argument("<name>", "cluster name")
    .option("--reason <text>", "why (kept in the rebuild history)", "radial cluster rebuild")
    .option("--recreate-eks", "create the EKS control plane again from the configuration recorded at registration")
    .option("--replace", "with --recreate-eks: delete the recorded EKS cluster first if it still exists")
    .option("--dry-run", "only list what Git cannot bring back; change nothing")
    .option("--bootstrap-out <file>", "write the new bootstrap manifest, which holds the token, to FILE (mode 0600)")
    .option("--allow-loopback", "issue the manifest even though the hub URL it names is loopback (an agent on the hub's own machine)")
    .option("--wait", "follow the rebuild until it is Converged, Failed or TimedOut")
    .option("--timeout <duration>", "the rebuild's deadline, and how long --wait waits: 90s, 20m, 2h (default 1h)", duration)
    .addHelpText("after", REBUILD_HELP)
    .action(runAction(rebuild));
  cluster.command("rebuilds").description("list a cluster's rebuilds, newest first").argument("<name>", "cluster name").action(runAction(list));
}
