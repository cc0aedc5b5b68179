// The CLI's output helpers (cli/output.ts) directly: tables, ages, labels, JSON and YAML, and the
// exit code and stderr line each kind of failure gets.
import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import { parse } from "yaml";
import type { Cluster } from "../../contract/index.js";
import { EXIT } from "../../core/exit.js";
import { HubError, HubUnreachableError } from "../../cli/hub-client.js";
import { age, CliError, clusterTable, formatLabels, printCluster, printClusters, reportFailure, serialize, table, usageError } from "../../cli/output.js";

const NOW = new Date("2026-11-23T12:00:00Z");
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000).toISOString();

const cluster = (name: string, extra: Partial<Cluster> = {}): Cluster => ({
  name,
  labels: {},
  annotations: {},
  server: null,
  eks: null,
  createdAt: ago(90),
  updatedAt: ago(90),
  resourceVersion: "1",
  ...extra,
});

/** What `body` writes to stdout and to console.error, with the real writers muted meanwhile. */
function captured(t: TestContext, body: () => void): { stdout: string; stderr: string[] } {
  let stdout = "";
  const stderr: string[] = [];
  t.mock.method(process.stdout, "write", (chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  t.mock.method(console, "error", (line: unknown) => stderr.push(String(line)));
  body();
  t.mock.restoreAll();
  return { stdout, stderr };
}

describe("age, as kubectl shows it: one unit, the next once it reaches two of them", () => {
  const cases: [seconds: number, shown: string][] = [
    [0, "0s"],
    [119, "119s"],
    [120, "2m"],
    [7199, "119m"],
    [7200, "2h"],
    [2 * 86_400 - 1, "47h"],
    [2 * 86_400, "2d"],
    [2 * 365 * 86_400 - 1, "729d"],
    [2 * 365 * 86_400, "2y"],
  ];
  for (const [seconds, shown] of cases) test(`${seconds} s is ${shown}`, () => assert.equal(age(ago(seconds), NOW), shown));
  test("a time in the future (clock skew) is 0s, never negative", () => assert.equal(age(new Date(NOW.getTime() + 5000).toISOString(), NOW), "0s"));
});

describe("tables", () => {
  test("columns padded to their widest cell, two spaces apart, no trailing blanks, one newline at the end", () => {
    assert.equal(
      table(
        ["NAME", "X"],
        [
          ["a", "long value"],
          ["longer-name", ""],
        ],
      ),
      "NAME         X\na            long value\nlonger-name\n",
    );
  });

  test("no rows is the header alone; a missing cell is blank", () => {
    assert.equal(table(["NAME", "LABELS"], []), "NAME  LABELS\n");
    assert.equal(table(["A", "B", "C"], [["1"]]), "A  B  C\n1\n");
  });

  test("labels as kubectl --show-labels: k=v sorted by key, <none> when there are none", () => {
    assert.equal(formatLabels({ tier: "web", env: "prod", "a.example.com/x": "" }), "a.example.com/x=,env=prod,tier=web");
    assert.equal(formatLabels({}), "<none>");
  });

  test("the cluster table: name, labels, server, EKS version and age; - for what is unknown", () => {
    const eks = { version: "1.31" } as Cluster["eks"];
    const rows = [cluster("prod-eu-1", { labels: { env: "prod" }, server: "https://p.example", eks, createdAt: ago(3 * 86_400) }), cluster("dev")];
    assert.equal(
      clusterTable(rows, NOW),
      [
        "NAME       LABELS    SERVER             EKS   AGE",
        "prod-eu-1  env=prod  https://p.example  1.31  3d",
        "dev        <none>    -                  -     90s",
        "",
      ].join("\n"),
    );
  });
});

describe("JSON, YAML and the print commands", () => {
  test("JSON is indented by two and ends with a newline; YAML reads back to the same value", () => {
    const value = { name: "c", labels: { env: "prod" }, list: [1, "two", null] };
    assert.equal(serialize(value, "json"), `${JSON.stringify(value, null, 2)}\n`);
    assert.deepEqual(parse(serialize(value, "yaml")), value);
  });

  test("printClusters and printCluster write the table, JSON or YAML to stdout and nothing to stderr", (t) => {
    const clusters = [cluster("a", { labels: { env: "prod" } }), cluster("b")];
    const asTable = captured(t, () => printClusters(clusters, "table"));
    assert.match(asTable.stdout, /^NAME\s+LABELS\s+SERVER\s+EKS\s+AGE\na\s+env=prod\s+-\s+-\s+\d+[smhdy]\nb\s+<none>/);
    assert.deepEqual(asTable.stderr, []);
    assert.deepEqual(JSON.parse(captured(t, () => printClusters(clusters, "json")).stdout), clusters);
    assert.deepEqual(parse(captured(t, () => printClusters(clusters, "yaml")).stdout), clusters);
    assert.deepEqual(JSON.parse(captured(t, () => printCluster(clusters[0]!, "json")).stdout), clusters[0], "one cluster is an object, not a list");
    assert.equal(captured(t, () => printCluster(clusters[1]!, "table")).stdout.split("\n").length, 3, "a header, one row, the final newline");
  });
});

describe("failures: one line on stderr and the exit code scripts rely on", () => {
  const cases: [what: string, error: unknown, code: number, line: string][] = [
    ["the hub refused", new HubError(409, "conflict", "cluster a exists"), EXIT.refused, "error: cluster a exists (conflict, HTTP 409)"],
    ["the hub has no such cluster", new HubError(404, "not_found", "no cluster x"), EXIT.notFound, "error: no cluster x (not_found, HTTP 404)"],
    ["the hub failed", new HubError(500, "internal", "boom"), EXIT.refused, "error: boom (internal, HTTP 500)"],
    ["the hub is unreachable", new HubUnreachableError("cannot reach http://127.0.0.1:1"), EXIT.unreachable, "error: cannot reach http://127.0.0.1:1"],
    ["a usage error", usageError("--label a=b=c: bad"), EXIT.usage, "error: --label a=b=c: bad"],
    ["a CLI error with its own code", new CliError("blocked", EXIT.generationBlocked), EXIT.generationBlocked, "error: blocked"],
    ["a CLI error", new CliError("3 problems"), EXIT.refused, "error: 3 problems"],
    ["anything else", new Error("unexpected"), EXIT.refused, "error: unexpected"],
    ["a thrown string", "plain", EXIT.refused, "error: plain"],
  ];
  for (const [what, error, code, line] of cases) {
    test(`${what}: exit ${code}`, (t) => {
      let exit: number | undefined;
      const { stdout, stderr } = captured(t, () => (exit = reportFailure(error)));
      assert.equal(exit, code);
      assert.deepEqual(stderr, [line]);
      assert.equal(stdout, "");
    });
  }
});
