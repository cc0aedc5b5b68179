// The contract's edges the other files leave: bodies that are not objects, long field paths in
// messages, UTF-8 sizes at the surrogate boundaries, maps keyed by users, timestamps with
// milliseconds, and the names hub and agent share on the wire and in the deploy branch (an agent
// already running reads them, so a rename is a break, not a refactor).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  AGENT_NAMESPACE,
  APPLICATION_FILE,
  Application,
  ApplicationName,
  echo,
  GENERATED_FROM_ANNOTATION,
  GenerationRecord,
  GenerationRecordError,
  GenerationRun,
  MANIFESTS_FILE,
  parseWith,
  PatchClusterRequest,
  RebuildSummary,
  REBUILD_PHASES,
  Revision,
  RotateTokenRequest,
  SOURCE_REVISION_ANNOTATION,
  SyncRecord,
  TERMINAL_REBUILD_PHASES,
  TOMBSTONE_FILE,
  userKeyed,
  utf8Length,
} from "../../contract/index.js";
import { AGENT_WAIT_PATH } from "../../contract/agent-wait.js";

const problems = (parsed: ReturnType<typeof parseWith>) => (parsed.ok ? [] : parsed.problems.map((p) => (p.field ? `${p.field}: ${p.problem}` : p.problem)));

describe("bodies that are not objects", () => {
  test("null, undefined, a number or a string is refused as a whole, with the schema's message, not a crash", () => {
    for (const body of [null, undefined, 42, "labels"]) {
      const parsed = parseWith(PatchClusterRequest, body, "cluster patch");
      assert.ok(!parsed.ok, String(body));
      assert.match(parsed.message, /^invalid cluster patch: Invalid input: expected object, received /, String(body));
    }
  });
});

describe("field paths in messages", () => {
  // A label key is the user's own text, so its path can be long; the message keeps 200 characters of it.
  const patch = (keyLength: number) => ({ labels: { [`${"k".repeat(keyLength - 1)}!`]: "v" } });
  const at = (keyLength: number) => parseWith(PatchClusterRequest, patch(keyLength), "cluster patch");

  test("a path of up to 200 characters is quoted whole", () => {
    const parsed = at(200 - "labels.".length);
    assert.ok(!parsed.ok);
    const field = `labels.${"k".repeat(192)}!`;
    assert.equal(field.length, 200);
    assert.ok(parsed.message.startsWith(`invalid cluster patch: ${field}: label key`), parsed.message.slice(0, 300));
  });

  test("a longer one is cut to its first 200 characters and its length, while the problem keeps it whole", () => {
    const parsed = at(201 - "labels.".length);
    assert.ok(!parsed.ok);
    const field = `labels.${"k".repeat(193)}!`;
    assert.ok(parsed.message.startsWith(`invalid cluster patch: ${field.slice(0, 200)}… (a path of 201 characters): label key`), parsed.message.slice(0, 300));
    assert.equal(parsed.problems[0]?.field, field);
  });
});

describe("UTF-8 sizes at the surrogate boundaries, as DynamoDB counts them", () => {
  test("the first and last pairs are 4 bytes; a lone or reversed surrogate is U+FFFD, 3 bytes", () => {
    const cases: [string, number][] = [
      ["\u{10000}", 4], // \uD800\uDC00: the lowest high and low surrogates
      ["\u{10FFFF}", 4], // \uDBFF\uDFFF
      ["\uD7FF\uDC00", 6], // the last unit below the surrogates, then a lone low one
      ["\u0800\uDC00", 6],
      ["\uDC00\uDC00", 6], // two lone low surrogates are not a pair
      ["\uDC00\uD800", 6],
      ["\uDBFF\uE000", 6], // a high surrogate before a unit past the low ones
    ];
    for (const [text, bytes] of cases) {
      assert.equal(utf8Length(text), bytes, JSON.stringify(text));
      assert.equal(Buffer.byteLength(text), bytes, `Node agrees: ${JSON.stringify(text)}`);
    }
  });

  test("echo cuts only a pair that straddles its limit, not one earlier in the text", () => {
    const text = `😀${"a".repeat(148)}`;
    assert.equal(echo(text), `"😀${"a".repeat(98)}…" (150 characters)`);
    const straddling = `${"a".repeat(99)}😀${"b".repeat(49)}`;
    assert.equal(echo(straddling), `"${"a".repeat(99)}…" (150 characters)`);
  });
});

test("a map keyed by users holds constructor and __proto__ as ordinary keys", () => {
  const map = userKeyed([
    ["constructor", "a"],
    ["__proto__", "b"],
    ["team", "c"],
  ]);
  assert.equal(Object.getPrototypeOf(map), null);
  assert.deepEqual(Object.entries(map), [
    ["constructor", "a"],
    ["__proto__", "b"],
    ["team", "c"],
  ]);
  assert.equal("toString" in map, false);
});

describe("small schemas", () => {
  test("names and revisions say what they must be", () => {
    assert.deepEqual(problems(parseWith(ApplicationName, "", "name")), [
      "must not be empty",
      "must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit",
    ]);
    assert.ok(parseWith(ApplicationName, "web.team-a.prod-1", "name").ok);
    assert.deepEqual(problems(parseWith(Revision, "abc", "revision")), ["must be a full Git commit id (40 or 64 lower-case hex digits)"]);
  });

  test("an Application's sync policy is open to new fields, but the flags Radial honours are booleans", () => {
    const app = (syncPolicy: unknown) => ({
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
      metadata: { name: "web" },
      spec: { source: { repoURL: "https://git.example.com/apps.git" }, destination: { name: "alpha" }, syncPolicy },
    });
    assert.ok(parseWith(Application, app({ automated: { prune: true, selfHeal: true }, retry: { limit: 3 } }), "application").ok);
    assert.deepEqual(problems(parseWith(Application, app({ automated: { prune: "yes" } }), "application")), [
      "spec.syncPolicy.automated.prune: Invalid input: expected boolean, received string",
    ]);
    assert.deepEqual(problems(parseWith(Application, app({ syncOptions: "CreateNamespace=true" }), "application")), [
      "spec.syncPolicy.syncOptions: Invalid input: expected array, received string",
    ]);
  });

  test("a token rotation's body takes allowLoopbackHub and nothing else", () => {
    assert.deepEqual(RotateTokenRequest.parse({ allowLoopbackHub: true }), { allowLoopbackHub: true });
    assert.deepEqual(problems(parseWith(RotateTokenRequest, { allowLoopbackHub: "yes" }, "rotation")), [
      "allowLoopbackHub: Invalid input: expected boolean, received string",
    ]);
    assert.deepEqual(problems(parseWith(RotateTokenRequest, { ttl: 3600 }, "rotation")), ['Unrecognized key: "ttl"']);
  });

  test("a sync the hub recorded: when, which revision, its sync and health, nothing else", () => {
    const record = { at: "2026-12-04T08:00:00Z", revision: null, sync: "Synced", health: "Healthy" };
    assert.deepEqual(SyncRecord.parse(record), record);
    assert.deepEqual(problems(parseWith(SyncRecord, { ...record, health: "Fine" }, "sync")), [
      'health: Invalid option: expected one of "Healthy"|"Progressing"|"Degraded"|"Suspended"|"Missing"|"Unknown"',
    ]);
    assert.deepEqual(problems(parseWith(SyncRecord, { ...record, by: "agent" }, "sync")), ['Unrecognized key: "by"']);
  });

  test("generation times carry milliseconds in UTC, so records order by time as strings", () => {
    const run = {
      id: "run-1",
      dryRun: false,
      force: false,
      state: "finished",
      queuedAt: "2026-12-04T08:00:00.000Z",
      startedAt: "2026-12-04T08:00:01.000Z",
      finishedAt: "2026-12-04T08:00:02.000Z",
      result: null,
      error: null,
    };
    assert.ok(parseWith(GenerationRun, run, "run").ok);
    for (const field of ["queuedAt", "startedAt", "finishedAt"]) {
      assert.deepEqual(problems(parseWith(GenerationRun, { ...run, [field]: "2026-12-04T08:00:00Z" }, "run")), [`${field}: Invalid ISO datetime`], field);
    }
    const record = GenerationRecord.shape.startedAt;
    assert.ok(record.safeParse("2026-12-04T08:00:00.123Z").success);
    assert.equal(record.safeParse("2026-12-04T08:00:00Z").success, false);
  });

  test("a run record's error fields are bounded in UTF-8 bytes, and say so", () => {
    assert.deepEqual(problems(parseWith(GenerationRecordError, { file: "é".repeat(129), message: "m" }, "error")), ["file: at most 256 bytes of UTF-8"]);
    assert.ok(parseWith(GenerationRecordError, { file: "é".repeat(128), message: "m" }, "error").ok);
  });

  test("a rebuild ends Converged, Failed or TimedOut; the summary's first rebuild is incarnation 2", () => {
    assert.deepEqual(TERMINAL_REBUILD_PHASES, REBUILD_PHASES.slice(-3));
    assert.deepEqual(TERMINAL_REBUILD_PHASES, ["Converged", "Failed", "TimedOut"]);
    const summary = (incarnation: number) => ({ incarnation, phase: "Converged", requestedAt: "2026-12-04T08:00:00Z", finishedAt: null, message: null });
    assert.ok(RebuildSummary.safeParse(summary(2)).success);
    assert.ok(RebuildSummary.safeParse(summary(7)).success);
    assert.equal(RebuildSummary.safeParse(summary(1)).success, false);
  });
});

test("the names hub and agents share: namespace, long-poll path, deploy-branch files and annotations", () => {
  assert.deepEqual(
    [AGENT_NAMESPACE, AGENT_WAIT_PATH, APPLICATION_FILE, MANIFESTS_FILE, TOMBSTONE_FILE, GENERATED_FROM_ANNOTATION, SOURCE_REVISION_ANNOTATION],
    ["radial-system", "/v1/agent/revision", "application.yaml", "manifests.yaml", "deleted.yaml", "radial.dev/generated-from", "radial.dev/source-revision"],
  );
});
