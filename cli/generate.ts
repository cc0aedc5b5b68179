import { InvalidArgumentError, Option, type Command } from "commander";
import type { GenerationRecord, GenerationRun, GenerationRunResult } from "../contract/index.js";
import { EXIT } from "../core/exit.js";
import { setTimeout as sleep } from "node:timers/promises";
import type { HubClient } from "./hub-client.js";
import { hubClient, withHubOptions, type HubOptions } from "./hub-options.js";
import { CliError, runAction, serialize, table, usageError, type OutputFormat } from "./output.js";

interface GenerateOptions extends HubOptions {
  output: OutputFormat;
  dryRun?: boolean;
  force?: boolean;
  history?: boolean;
  wait?: boolean;
  limit: number;
}

/** How often a followed run is polled, and how long it is followed before giving up. */
const POLL_MS = 1000;
const FOLLOW_MS = 15 * 60_000;

const MAX_HISTORY = 100;

function historyLimit(text: string): number {
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY) throw new InvalidArgumentError(`must be an integer from 1 to ${MAX_HISTORY}`);
  return limit;
}

const short = (revision: string) => revision.slice(0, 8);

/** One row per run: time, trigger, revision, clusters changed, +added/~changed/-removed apps, errors. */
export function historyTable(records: GenerationRecord[]): string {
  const rows = records.map((r) => [
    r.startedAt,
    r.dryRun ? `${r.trigger} (dry run)` : r.trigger,
    short(r.sourceRevision),
    String(r.clustersChanged),
    `+${r.applicationsAdded} ~${r.applicationsChanged} -${r.applicationsRemoved}`,
    r.blocked ? `${r.errorCount} (blocked)` : String(r.errorCount),
  ]);
  return table(["TIME", "TRIGGER", "REVISION", "CLUSTERS", "APPS", "ERRORS"], rows);
}

const errorLines = (result: GenerationRunResult) =>
  result.errors.map((error) => `error: ${error.file}${error.cluster ? ` (cluster ${error.cluster})` : ""}: ${error.message}`);

/** A run the guard blocked wrote nothing: only that, why, and what to do next. */
export function blockedText(result: GenerationRunResult): string {
  const lines = [
    `Blocked by the mass-removal guard at ${short(result.sourceRevision)}: ${result.blocked?.message ?? ""}`,
    "See what it would remove with `radial generate --dry-run`; if that is intended, `radial generate --force` writes it.",
    ...errorLines(result),
  ];
  return `${lines.join("\n")}\n`;
}

/** The result of one run: per cluster what changed, then the errors (and diffs of a dry run). */
export function resultText(result: GenerationRunResult): string {
  const changed = result.clusters.filter((c) => c.added.length + c.changed.length + c.removed.length > 0);
  const lines = [
    `${result.dryRun ? "Dry run (nothing written)" : "Generated"} at ${short(result.sourceRevision)} in ${Math.round(result.durationMs)} ms: ${changed.length} of ${result.clusters.length} clusters ${result.dryRun ? "would change" : "changed"}`,
  ];
  if (changed.length > 0) {
    const list = (names: string[]) => names.join(",") || "-";
    lines.push(
      table(
        ["CLUSTER", "COMMIT", "ADDED", "CHANGED", "REMOVED"],
        changed.map((c) => [c.name, c.commit ? short(c.commit) : "-", list(c.added), list(c.changed), list(c.removed)]),
      ).trimEnd(),
    );
  }
  if (result.blocked) lines.push(`A real run would be blocked by the mass-removal guard: ${result.blocked.message}`);
  lines.push(...errorLines(result));
  if (result.dryRun) for (const cluster of changed) for (const diff of cluster.diffs ?? []) lines.push(diff.diff.trimEnd());
  return `${lines.join("\n")}\n`;
}

/** Scripts tell a blocked run (nothing written) from one with errors (the rest written) from a clean one. */
export function runExitCode(result: GenerationRunResult): number {
  if (result.blocked) return EXIT.generationBlocked;
  return result.errors.length > 0 ? EXIT.generationErrors : EXIT.ok;
}

async function generate(options: GenerateOptions, command: Command): Promise<void> {
  const globals = command.optsWithGlobals<GenerateOptions>();
  if (options.history && (options.dryRun || options.force)) throw usageError("--history lists past runs; it takes no --dry-run or --force");
  if (options.dryRun && options.wait === false) throw usageError("--dry-run shows what a run would change: it waits for the run; drop --no-wait");
  const client = hubClient(globals);
  if (options.history) {
    const page = await client.generations({ limit: options.limit });
    process.stdout.write(globals.output === "table" ? historyTable(page.items) : serialize(page.items, globals.output));
    return;
  }
  const queued = await client.generate({ dryRun: options.dryRun ?? false, force: options.force ?? false });
  if (options.wait === false) {
    process.stdout.write(
      globals.output === "table" ? `Queued generation run ${queued.id}; GET /v1/generations/${queued.id} follows it\n` : serialize(queued, globals.output),
    );
    return;
  }
  const result = await follow(client, queued);
  if (globals.output !== "table") process.stdout.write(serialize(result, globals.output));
  else if (result.blocked && !result.dryRun) process.stderr.write(blockedText(result));
  else process.stdout.write(resultText(result));
  process.exitCode = runExitCode(result);
}

/** Polls a queued run until it ends, saying on stderr each time its state changes; a failed run is an error naming why. */
async function follow(client: HubClient, queued: GenerationRun): Promise<GenerationRunResult> {
  const deadline = Date.now() + FOLLOW_MS;
  let run = queued;
  let said: string | undefined;
  for (;;) {
    if (run.state !== said) process.stderr.write(`generation run ${run.id}: ${run.state}\n`);
    said = run.state;
    if (run.state === "failed") throw new CliError(`generation run ${run.id} failed: ${run.error ?? "no reason given"}`);
    if (run.state === "finished" && run.result) return run.result;
    if (Date.now() > deadline)
      throw new CliError(`generation run ${run.id} is still ${run.state} after ${FOLLOW_MS / 60_000} minutes; follow it with GET /v1/generations/${run.id}`);
    await sleep(POLL_MS);
    run = await client.generationRun(run.id);
  }
}

export function registerGenerateCommand(program: Command): void {
  withHubOptions(
    program
      .command("generate")
      .description(
        "queue a generation run on the hub (evaluate every ApplicationSet, hydrate, write deploy branches) and follow it to its end, or list past runs",
      ),
  )
    .option("--dry-run", "report per cluster the Applications that would be added, changed and removed, with diffs; write nothing")
    .option("--force", "write even when the run would remove more Applications than the mass-removal guard allows")
    .option("--history", "list past runs, newest first")
    .option("--wait", "follow the queued run to its end, with progress on stderr, and exit by its result (the default)")
    .option("--no-wait", "only queue the run and print it (its id)")
    .addOption(new Option("--limit <n>", `with --history: how many runs (1-${MAX_HISTORY})`).argParser(historyLimit).default(20))
    .configureHelp({ showGlobalOptions: true })
    .action(runAction(generate));
}
