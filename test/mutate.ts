// Mutation testing of the pure domain folders (`npm run mutate`, or `npm run mutate -- labels` for
// one area): Stryker changes the code one small mutation at a time and reruns the area's engine-free
// tests (and an engine test whose engine's answers are recorded once first: the template engine's
// Go oracle); a mutant no test notices is a wrong answer the suite would let through. Slow (minutes per
// area on two cores), so it is not part of `npm test`. Scores per area are printed at the end; the
// JSON and HTML reports are in reports/mutation/; the table shows every area, from this run or
// its last report, with when it was measured. `--survivors` also lists each surviving mutant;
// `--table` only prints the table; `--incremental` reruns only the mutants that code or tests changed;
// `--recheck` reruns only the mutants the last report did not detect and updates that report.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Stryker } from "@stryker-mutator/core";
import type { MutantResult, PartialStrykerOptions } from "@stryker-mutator/api/core";
import * as z from "zod";
import { needsEngine } from "./engine-imports.js";
import { recordGoAnswers, RECORDED_GO_ANSWERS } from "./generate/template/go-answers.js";

interface Area {
  name: string;
  /** Globs of the source files Stryker mutates. */
  mutate: string[];
  /** Test files or folders whose engine-free test files cover the area. */
  tests: string[];
  /**
   * A test that needs an engine, joined to the area's tests with the engine's answers recorded
   * once before the run (into the file its `env` names), so no mutant's process starts the engine.
   */
  oracle?: { test: string; env: string; record: (file: string) => Promise<void> };
}

const AREAS: Area[] = [
  { name: "labels", mutate: ["core/labels/**/*.ts"], tests: ["test/core/labels"] },
  { name: "tokens", mutate: ["lambdas/inventory/token.ts"], tests: ["test/hub/token.test.ts", "test/hub/agent-tokens.test.ts"] },
  { name: "contract", mutate: ["contract/**/*.ts"], tests: ["test/contract"] },
  {
    name: "template",
    mutate: ["lambdas/generate/template/**/*.ts"],
    tests: ["test/generate/template"],
    // Go's text/template and sprig (test/engines/go-template), over a fifth of the function templates.
    oracle: { test: "test/generate/template/go-agreement.test.ts", env: RECORDED_GO_ANSWERS, record: (file) => recordGoAnswers(file, 5) },
  },
  { name: "generators", mutate: ["lambdas/generate/generators/**/*.ts"], tests: ["test/generate/generators", "test/generate/conformance"] },
  // Health in three parts, each against the tests that reach it: the user-check tests run Lua loops to
  // their budget, and with every health test in each mutant's process a mutant took 12 s (7 hours
  // for the folder's 2,184 at one process), where the gitops-engine checks need 4 s.
  {
    name: "health",
    mutate: ["agent/health/*.ts", "!agent/health/user-checks.ts", "!agent/health/conditions.ts"],
    tests: ["health", "kinds", "pod-boundaries", "rollout-boundaries", "custom-routing"].map((file) => `test/agent/health/${file}.test.ts`),
  },
  {
    name: "health-custom",
    mutate: ["agent/health/custom/**/*.ts"],
    tests: ["custom", "lua-agreement", "custom-routing"].map((file) => `test/agent/health/${file}.test.ts`),
  },
  {
    name: "health-lua",
    mutate: ["agent/health/lua/**/*.ts", "agent/health/user-checks.ts", "agent/health/conditions.ts"],
    tests: ["user-checks", "generic-conditions"].map((file) => `test/agent/health/${file}.test.ts`),
  },
  { name: "diff", mutate: ["agent/diff/**/*.ts"], tests: ["test/agent/diff"] },
  { name: "sync-plan", mutate: ["agent/sync/plan.ts"], tests: ["test/agent/sync"] },
  { name: "guard", mutate: ["lambdas/generate/pipeline/guard.ts"], tests: ["test/generate/pipeline/stages.test.ts", "test/generate/pipeline/guard.test.ts"] },
];

const REPORTS = "reports/mutation";

function testFiles(path: string): string[] {
  if (statSync(path).isFile()) return path.endsWith(".test.ts") ? [path] : [];
  return readdirSync(path)
    .flatMap((entry) => testFiles(join(path, entry)))
    .sort();
}

/** The area's test files that start no engine (Kubernetes, DynamoDB Local...), so a run stays local and fast. */
function areaTests(area: Area): string[] {
  return area.tests
    .filter((path) => existsSync(path))
    .flatMap(testFiles)
    .filter((file) => !needsEngine(file));
}

function strykerOptions(area: Area, files: string[], mode: { incremental: boolean; recheck: boolean }): PartialStrykerOptions {
  const imports = files.slice(1).flatMap((file) => ["--import", `./${file}`]);
  return {
    mutate: mode.recheck ? undetectedRanges(area.name) : area.mutate,
    testRunner: "tap",
    // One test process per mutant: the area's first test file runs with the others imported into it.
    // Starting a process with tsx, not the tests, is most of a mutant's time, and most mutants here
    // are module-level schemas every file reaches. Coverage still tells which mutants no test reaches.
    coverageAnalysis: "perTest",
    tap: { testFiles: files.slice(0, 1), nodeArgs: ["--import", "tsx", "--test-reporter=tap", "-r", "{{hookFile}}", ...imports, "{{testFile}}"] },
    // One test process at a time by default (shared cores); RADIAL_MUTATE_CONCURRENCY on a machine of your own.
    concurrency: Number(process.env.RADIAL_MUTATE_CONCURRENCY ?? "1"),
    // A mutant that loops forever (the lexer's and the selector parser's loops) is caught by this
    // timeout on top of twice the tests' own time and the process start-up; Stryker's 5 s default
    // made those a third of a run. The margin is for a loaded machine, where a test that only ran
    // slow would otherwise count as a detected mutant.
    timeoutMS: 5000,
    timeoutFactor: 2,
    // No type checker: tsx strips types without checking, and a mutant that breaks the types but not
    // the behaviour is as much a gap as any other. The TypeScript checker would double the run time.
    checkers: [],
    reporters: mode.recheck ? ["progress", "json"] : ["progress", "json", "html"],
    jsonReporter: { fileName: mode.recheck ? recheckFile(area.name) : reportFile(area.name) },
    htmlReporter: { fileName: `${REPORTS}/${area.name}.html` },
    incremental: mode.incremental && !mode.recheck,
    incrementalFile: `${REPORTS}/${area.name}.incremental.json`,
    ignorePatterns: ["cdk.out", ".radial", "reports", "bench", "console", "infra"],
    // Sandboxes (a copy of the repository each) go under the system temp dir, never into the checkout.
    tempDirName: join(tmpdir(), "radial-stryker"),
    cleanTempDir: "always",
  };
}

interface Score {
  area: string;
  killed: number;
  survived: number;
  noCoverage: number;
  timeout: number;
  errors: number;
  /** When the report was written (its file's modification time). */
  measured: Date;
}

const Position = z.object({ line: z.number(), column: z.number() });
const ReportMutant = z.looseObject({
  status: z.string(),
  mutatorName: z.string(),
  replacement: z.string().optional(),
  location: z.object({ start: Position, end: Position }),
});
type ReportMutant = z.infer<typeof ReportMutant>;
/** The part of Stryker's JSON report (mutation-testing-report-schema) read here; the rest is kept as it is. */
const Report = z.looseObject({ files: z.record(z.string(), z.looseObject({ source: z.string(), mutants: z.array(ReportMutant) })) });

const reportFile = (area: string) => join(REPORTS, `${area}.json`);
const recheckFile = (area: string) => join(REPORTS, `${area}.recheck.json`);
const readReport = (file: string) => Report.parse(JSON.parse(readFileSync(file, "utf8")));
const where = (file: string, m: ReportMutant) => `${file}:${m.location.start.line}:${m.location.start.column}-${m.location.end.line}:${m.location.end.column}`;
const UNDETECTED = ["Survived", "NoCoverage"];

/**
 * `--recheck`: the mutants the area's last report did not detect, as Stryker's mutate ranges, to run
 * again after tests were added (minutes, where the whole area takes hours). The code must be as the
 * report saw it, or the ranges would point elsewhere.
 */
function undetectedRanges(area: string): string[] {
  const report = readReport(reportFile(area));
  const changed = Object.entries(report.files).filter(([file, entry]) => !existsSync(file) || readFileSync(file, "utf8") !== entry.source);
  if (changed.length > 0) throw new Error(`${changed.map(([file]) => file).join(", ")} changed since the last report: run the area without --recheck`);
  // The report's columns count from 1, a mutate range's from 0.
  const range = (file: string, { start, end }: ReportMutant["location"]) => `${file}:${start.line}:${start.column - 1}-${end.line}:${end.column - 1}`;
  const ranges = Object.entries(report.files).flatMap(([file, entry]) =>
    entry.mutants.filter((m) => UNDETECTED.includes(m.status)).map((m) => range(file, m.location)),
  );
  return [...new Set(ranges)];
}

/** Writes a recheck's results into the area's report; a mutant is known by its place, mutator and replacement. */
function foldRecheck(area: string): void {
  const key = (file: string, m: ReportMutant) => `${where(file, m)} ${m.mutatorName} ${m.replacement ?? ""}`;
  const rechecked = new Map(Object.entries(readReport(recheckFile(area)).files).flatMap(([file, entry]) => entry.mutants.map((m) => [key(file, m), m.status])));
  const report = readReport(reportFile(area));
  for (const [file, entry] of Object.entries(report.files)) for (const m of entry.mutants) m.status = rechecked.get(key(file, m)) ?? m.status;
  writeFileSync(reportFile(area), JSON.stringify(report));
}

/** An area's counts from its last JSON report, so the table shows every area: run now or recorded earlier. */
function recordedScore(area: string): Score | undefined {
  const file = reportFile(area);
  if (!existsSync(file)) return undefined;
  const report = readReport(file);
  const statuses = Object.values(report.files).flatMap((entry) => entry.mutants.map((mutant) => mutant.status));
  const count = (...wanted: string[]) => statuses.filter((status) => wanted.includes(status)).length;
  return {
    area,
    killed: count("Killed"),
    survived: count("Survived"),
    noCoverage: count("NoCoverage"),
    timeout: count("Timeout"),
    errors: count("RuntimeError", "CompileError"),
    measured: statSync(file).mtime,
  };
}

/** Stryker's mutation score: detected (killed or timed out) over detected and undetected; errors do not count. */
function percent(s: Score): string {
  const detected = s.killed + s.timeout;
  const total = detected + s.survived + s.noCoverage;
  return total === 0 ? "n/a" : `${((100 * detected) / total).toFixed(1)}%`;
}

function printSurvivors(results: MutantResult[]): void {
  for (const result of results.filter((r) => r.status === "Survived" || r.status === "NoCoverage")) {
    const line = readFileSync(result.fileName, "utf8").split("\n")[result.location.start.line - 1]?.trim() ?? "";
    console.log(`${result.status} ${result.fileName}:${result.location.start.line} ${result.mutatorName}: ${result.replacement}\n    ${line}`);
  }
}

/** Every area's score from its last report; `ran` are the areas this invocation measured. */
function printTable(ran: Set<string>): void {
  console.log("\narea          score   killed timeout survived no-cover errors  measured (UTC)");
  for (const area of AREAS) {
    const s = recordedScore(area.name);
    if (s === undefined) {
      console.log(`${area.name.padEnd(13)}    n/a  never measured`);
      continue;
    }
    const cells = [s.killed, s.timeout, s.survived, s.noCoverage, s.errors].map((n) => String(n).padStart(7));
    const when = `${s.measured.toISOString().slice(0, 16).replace("T", " ")} ${ran.has(area.name) ? "(this run)" : "(recorded)"}`;
    console.log(`${area.name.padEnd(13)} ${percent(s).padStart(6)} ${cells.join(" ")}  ${when}`);
  }
}

const args = process.argv.slice(2);
const flags = new Set(args.filter((arg) => arg.startsWith("--")));
const wanted = args.filter((arg) => !arg.startsWith("--"));
const unknown = wanted.filter((name) => !AREAS.some((area) => area.name === name));
if (unknown.length > 0) {
  console.error(`unknown area ${unknown.join(", ")}; the areas: ${AREAS.map((area) => area.name).join(", ")}`);
  process.exit(2);
}
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
mkdirSync(REPORTS, { recursive: true });
const ran = new Set<string>();
const failed: string[] = [];
const toRun = flags.has("--table") ? [] : wanted.length === 0 ? AREAS : wanted.map((name) => AREAS.find((a) => a.name === name)!);
for (const area of toRun) {
  const files = areaTests(area);
  if (area.oracle) {
    const answers = join(tmpdir(), `radial-mutate-${area.name}-answers.json`);
    console.log(`\n== ${area.name}: recording the engine's answers for ${area.oracle.test}`);
    await area.oracle.record(answers);
    process.env[area.oracle.env] = answers;
    files.push(area.oracle.test);
  }
  console.log(`\n== ${area.name}: ${area.mutate.join(" ")} against ${files.join(" ")}`);
  const started = performance.now();
  try {
    const mode = { incremental: flags.has("--incremental"), recheck: flags.has("--recheck") };
    const results = await new Stryker(strykerOptions(area, files, mode)).runMutationTest();
    if (mode.recheck) foldRecheck(area.name);
    ran.add(area.name);
    console.log(`${area.name}: ${results.length} mutants in ${Math.round((performance.now() - started) / 1000)} s`);
    if (flags.has("--survivors")) printSurvivors(results);
  } catch (error) {
    // A failing test in the initial run stops this area only; the others still get their score.
    console.error(`${area.name}: ${error instanceof Error ? error.message : String(error)}`);
    failed.push(area.name);
  }
}
printTable(ran);
if (failed.length > 0) {
  console.error(`no score for ${failed.join(", ")}: see the errors above`);
  process.exit(1);
}
