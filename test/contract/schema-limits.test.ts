// Every bound of the contract's schemas, field by field, at its exact limit and one over: the limit
// passes, one more is refused naming the field (boundaries.test.ts checks the building blocks:
// names, label rules, UTF-8 counting, the tombstone). Free text is bounded in UTF-8 bytes, so those bounds are also tried with
// two-byte (é) and four-byte (an emoji, two UTF-16 units) characters.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { z } from "zod";
import {
  AgentConfig,
  ApiError,
  CLUSTER_LIMITS,
  GENERATION_LIMITS,
  GenerationRecord,
  HubReply,
  parseStatusReport,
  parseWith,
  PatchClusterRequest,
  RegisterClusterRequest,
  REPORT_LIMITS,
  StatusReport,
} from "../../contract/index.js";

const REVISION = "0123456789abcdef0123456789abcdef01234567";
const AT = "2026-11-23T12:00:00Z";

interface Bound {
  /** What is bounded, for the test's name. */
  what: string;
  schema: z.ZodType;
  /** The input with the bounded thing at size `n`. */
  at: (n: number) => unknown;
  /** The largest size allowed; one more is refused. */
  max: number;
  /** The smallest size allowed, when there is one: one less is refused. */
  min?: number;
  /** The field the refusal names (a function of `n` when the path holds the value). */
  field: string | ((n: number) => string);
}

const fieldOf = (bound: Bound, n: number) => (typeof bound.field === "string" ? bound.field : bound.field(n));

function accepts(bound: Bound, n: number): void {
  const parsed = parseWith(bound.schema, bound.at(n), bound.what);
  assert.ok(parsed.ok, `${bound.what} at ${n}: ${parsed.ok ? "" : parsed.message}`);
}

function refuses(bound: Bound, n: number): void {
  const parsed = parseWith(bound.schema, bound.at(n), bound.what);
  assert.equal(parsed.ok, false, `${bound.what} at ${n} must be refused`);
  const field = fieldOf(bound, n);
  assert.ok(
    parsed.problems.some((problem) => problem.field === field),
    `${bound.what} at ${n}: a problem naming ${field}, got ${JSON.stringify(parsed.problems)}`,
  );
}

function checkBounds(bounds: Bound[]): void {
  for (const bound of bounds) {
    const range = bound.min === undefined ? `${bound.max}` : `${bound.min} to ${bound.max}`;
    test(`${bound.what}: ${range} pass, ${bound.min === undefined ? "" : `${bound.min - 1} and `}${bound.max + 1} are refused`, () => {
      accepts(bound, bound.max);
      refuses(bound, bound.max + 1);
      if (bound.min !== undefined) {
        accepts(bound, bound.min);
        refuses(bound, bound.min - 1);
      }
    });
  }
}

const times = <T>(n: number, item: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => item(i));
const keyed = (n: number, value: string | null = "v") => Object.fromEntries(times(n, (i) => [`k${i}`, value]));
const ascii = (n: number) => "a".repeat(n);
/** `n` bytes of UTF-8 as é (2 bytes each) and, when `n` is odd, one ASCII letter. */
const twoByte = (n: number) => "é".repeat(Math.floor(n / 2)) + "a".repeat(n % 2);
/** `n` bytes of UTF-8 as 😀 (4 bytes, 2 UTF-16 units each), then ASCII letters. */
const fourByte = (n: number) => "😀".repeat(Math.floor(n / 4)) + "a".repeat(n % 4);
/** The same byte bound, tried with ASCII, two-byte and four-byte text. */
const inBytes = (what: string, max: number, at: (text: string) => unknown, field: string, min?: number): Bound[] =>
  (
    [
      ["ASCII", ascii],
      ["é", twoByte],
      ["emoji", fourByte],
    ] as const
  ).map(([kind, text]) => ({
    what: `${what} (${kind})`,
    schema: undefined as unknown as z.ZodType,
    at: (n: number) => at(text(n)),
    max,
    field,
    ...(min === undefined ? {} : { min }),
  }));

describe("clusters: registration and patch", () => {
  const register = (extra: object) => ({ name: "c", ...extra });
  checkBounds([
    { what: "cluster name (characters)", schema: RegisterClusterRequest, at: (n) => ({ name: ascii(n) }), max: 63, min: 1, field: "name" },
    { what: "labels (count)", schema: RegisterClusterRequest, at: (n) => register({ labels: keyed(n) }), max: CLUSTER_LIMITS.maxLabels, field: "labels" },
    {
      what: "annotations (count)",
      schema: RegisterClusterRequest,
      at: (n) => register({ annotations: keyed(n) }),
      max: CLUSTER_LIMITS.maxAnnotations,
      field: "annotations",
    },
    {
      what: "label key name part",
      schema: RegisterClusterRequest,
      at: (n) => register({ labels: { ["k".repeat(n)]: "v" } }),
      max: 63,
      min: 1,
      field: (n) => `labels.${"k".repeat(n)}`,
    },
    {
      what: "label key prefix",
      schema: RegisterClusterRequest,
      at: (n) => register({ labels: { [`${"p".repeat(n)}/k`]: "v" } }),
      max: 253,
      min: 1,
      field: (n) => `labels.${"p".repeat(n)}/k`,
    },
    { what: "label value", schema: RegisterClusterRequest, at: (n) => register({ labels: { k: "v".repeat(n) } }), max: 63, field: "labels.k" },
    {
      what: "server URL (characters)",
      schema: RegisterClusterRequest,
      at: (n) => register({ server: `https://h.example/${ascii(n - 18)}` }),
      max: 2048,
      field: "server",
    },
    {
      what: "EKS ARN cluster name",
      schema: RegisterClusterRequest,
      at: (n) => register({ eksClusterArn: `arn:aws:eks:eu-west-1:123456789012:cluster/${"c".repeat(n)}` }),
      max: 100,
      min: 1,
      field: "eksClusterArn",
    },
    ...inBytes("annotation value", CLUSTER_LIMITS.maxAnnotationValueBytes, (text) => register({ annotations: { a: text } }), "annotations.a").map((b) => ({
      ...b,
      schema: RegisterClusterRequest,
    })),
    { what: "patch: labels (count)", schema: PatchClusterRequest, at: (n) => ({ labels: keyed(n, null) }), max: CLUSTER_LIMITS.maxLabels, field: "labels" },
    {
      what: "patch: annotations (count)",
      schema: PatchClusterRequest,
      at: (n) => ({ annotations: keyed(n) }),
      max: CLUSTER_LIMITS.maxAnnotations,
      field: "annotations",
    },
    ...inBytes("patch: annotation value", CLUSTER_LIMITS.maxAnnotationValueBytes, (text) => ({ annotations: { a: text } }), "annotations.a").map((b) => ({
      ...b,
      schema: PatchClusterRequest,
    })),
  ]);

  test("a label value of 63 multi-byte characters is refused: label values are ASCII by Kubernetes' rules", () => {
    assert.equal(parseWith(RegisterClusterRequest, register({ labels: { k: "é".repeat(2) } }), "x").ok, false);
  });
});

describe("status report", () => {
  const resource = (extra: object = {}) => ({ group: "apps", version: "v1", kind: "Deployment", namespace: "web", name: "web", ...extra });
  const application = (extra: object = {}) => ({
    name: "web",
    revision: REVISION,
    sync: "OutOfSync",
    health: "Degraded",
    resourceCount: 1,
    resources: [{ ...resource(), sync: "OutOfSync", health: "Degraded" }],
    ...extra,
  });
  const condition = (extra: object = {}) => ({ type: "Ready", status: "False", reason: "Failed", message: "m", lastTransitionTime: AT, ...extra });
  const drift = (extra: object = {}) => ({ at: AT, application: "web", resource: resource(), fields: ["spec.replicas"], action: "Detected", ...extra });
  const report = (extra: object = {}) => ({
    cluster: "c",
    agentVersion: "0.1.0",
    heartbeatAt: AT,
    revision: REVISION,
    conditions: [condition()],
    applications: [application()],
    driftEvents: [drift()],
    ...extra,
  });
  const inReport = (bound: Omit<Bound, "schema">): Bound => ({ ...bound, schema: StatusReport });
  const bytes = (what: string, max: number, at: (text: string) => unknown, field: string, min?: number) =>
    inBytes(what, max, at, field, min).map((b) => ({ ...b, schema: StatusReport }));

  checkBounds([
    inReport({
      what: "applications (count)",
      at: (n) => report({ applications: times(n, (i) => application({ name: `app-${i}` })) }),
      max: REPORT_LIMITS.maxApplications,
      field: "applications",
    }),
    inReport({
      what: "resources of one application (count)",
      at: (n) =>
        report({ applications: [application({ resources: times(n, (i) => ({ ...resource({ name: `r-${i}` }), sync: "Synced", health: "Healthy" })) })] }),
      max: REPORT_LIMITS.maxResourcesPerApplication,
      field: "applications[0].resources",
    }),
    inReport({
      what: "drift events (count)",
      at: (n) => report({ driftEvents: times(n, () => drift()) }),
      max: REPORT_LIMITS.maxDriftEvents,
      field: "driftEvents",
    }),
    inReport({
      what: "conditions (count)",
      at: (n) => report({ conditions: times(n, () => condition()) }),
      max: REPORT_LIMITS.maxConditions,
      field: "conditions",
    }),
    inReport({
      what: "fields of one drift event (count)",
      at: (n) => report({ driftEvents: [drift({ fields: times(n, (i) => `f${i}`) })] }),
      max: REPORT_LIMITS.maxFieldsPerDrift,
      field: "driftEvents[0].fields",
    }),
    inReport({
      what: "resourceCount",
      at: (n) => report({ applications: [application({ resourceCount: n })] }),
      max: 100_000,
      min: 0,
      field: "applications[0].resourceCount",
    }),
    inReport({ what: "cluster name", at: (n) => report({ cluster: ascii(n) }), max: 63, min: 1, field: "cluster" }),
    inReport({
      what: "application name",
      at: (n) => report({ applications: [application({ name: ascii(n) })] }),
      max: 253,
      min: 1,
      field: "applications[0].name",
    }),
    inReport({
      what: "drift event's application name",
      at: (n) => report({ driftEvents: [drift({ application: ascii(n) })] }),
      max: 253,
      min: 1,
      field: "driftEvents[0].application",
    }),
    ...bytes(
      "application message",
      REPORT_LIMITS.maxMessageBytes,
      (text) => report({ applications: [application({ message: text })] }),
      "applications[0].message",
    ),
    ...bytes(
      "resource message",
      REPORT_LIMITS.maxMessageBytes,
      (text) => report({ applications: [application({ resources: [{ ...resource(), sync: "Synced", health: "Degraded", message: text }] })] }),
      "applications[0].resources[0].message",
    ),
    ...bytes("condition message", REPORT_LIMITS.maxMessageBytes, (text) => report({ conditions: [condition({ message: text })] }), "conditions[0].message"),
    ...bytes("drift message", REPORT_LIMITS.maxMessageBytes, (text) => report({ driftEvents: [drift({ message: text })] }), "driftEvents[0].message"),
    ...bytes("condition type", 64, (text) => report({ conditions: [condition({ type: text })] }), "conditions[0].type", 1),
    ...bytes("condition reason", 128, (text) => report({ conditions: [condition({ reason: text })] }), "conditions[0].reason", 1),
    ...bytes("drift field path", 512, (text) => report({ driftEvents: [drift({ fields: [text] })] }), "driftEvents[0].fields[0]", 1),
    ...bytes("drift manager", 128, (text) => report({ driftEvents: [drift({ manager: text })] }), "driftEvents[0].manager"),
    ...bytes("agent version", 64, (text) => report({ agentVersion: text }), "agentVersion", 1),
    ...(
      [
        ["group", 253, undefined],
        ["version", 63, 1],
        ["kind", 63, 1],
        ["namespace", 63, undefined],
        ["name", 253, 1],
      ] as const
    ).flatMap(([key, max, min]) => [
      ...bytes(
        `drift resource ${key}`,
        max,
        (text) => report({ driftEvents: [drift({ resource: resource({ [key]: text }) })] }),
        `driftEvents[0].resource.${key}`,
        min,
      ),
      inReport({
        what: `application resource ${key}`,
        at: (n) => report({ applications: [application({ resources: [{ ...resource({ [key]: ascii(n) }), sync: "Synced", health: "Degraded" }] })] }),
        max,
        ...(min === undefined ? {} : { min }),
        field: `applications[0].resources[0].${key}`,
      }),
    ]),
  ]);

  test("a revision is 40 or 64 hex digits, no other length", () => {
    for (const length of [40, 64]) assert.ok(parseWith(StatusReport, report({ revision: "a".repeat(length) }), "x").ok, `${length}`);
    for (const length of [39, 41, 63, 65]) assert.equal(parseWith(StatusReport, report({ revision: "a".repeat(length) }), "x").ok, false, `${length}`);
  });

  test(`a body of exactly ${REPORT_LIMITS.maxBytes} bytes is read, one byte more is refused before parsing`, () => {
    const json = JSON.stringify(report());
    const exact = json + " ".repeat(REPORT_LIMITS.maxBytes - Buffer.byteLength(json));
    assert.equal(Buffer.byteLength(exact), REPORT_LIMITS.maxBytes);
    assert.equal(parseStatusReport(exact).ok, true, "a body of exactly the limit is read");
    const over = parseStatusReport(`${exact} `);
    assert.equal(over.ok, false);
    assert.deepEqual(over.problems, [{ field: "", problem: "too large" }]);
    // Counted in bytes: 1 MiB of two-byte characters is half as many characters.
    const multiByte = json.replace('"m"', `"${"é".repeat((REPORT_LIMITS.maxBytes - Buffer.byteLength(json)) / 2 + 1)}"`);
    assert.equal(multiByte.length < REPORT_LIMITS.maxBytes, true);
    assert.deepEqual((parseStatusReport(multiByte) as { problems: unknown }).problems, [{ field: "", problem: "too large" }]);
  });
});

describe("generation records", () => {
  const error = (extra: object = {}) => ({ file: "generators/web.yaml", message: "m", ...extra });
  const record = (extra: object = {}) => ({
    id: "2026-11-23T12:00:00.000Z-1",
    startedAt: "2026-11-23T12:00:00.000Z",
    trigger: "api",
    sourceRevision: REVISION,
    durationMs: 1,
    dryRun: false,
    clustersChanged: 0,
    applicationsAdded: 0,
    applicationsChanged: 0,
    applicationsRemoved: 0,
    errors: [],
    errorCount: 0,
    ...extra,
  });
  const bytes = (what: string, max: number, at: (text: string) => unknown, field: string) =>
    inBytes(what, max, at, field).map((b) => ({ ...b, schema: GenerationRecord }));
  checkBounds([
    {
      what: "errors kept (count)",
      schema: GenerationRecord,
      at: (n) => record({ errors: times(n, () => error()), errorCount: n }),
      max: GENERATION_LIMITS.maxErrors,
      field: "errors",
    },
    { what: "id", schema: GenerationRecord, at: (n) => record({ id: ascii(n) }), max: 128, min: 1, field: "id" },
    ...bytes("source revision", GENERATION_LIMITS.maxFieldBytes, (text) => record({ sourceRevision: text }), "sourceRevision"),
    ...bytes("error message", GENERATION_LIMITS.maxMessageBytes, (text) => record({ errors: [error({ message: text })], errorCount: 1 }), "errors[0].message"),
    ...(["file", "applicationSet", "application", "cluster", "field"] as const).flatMap((key) =>
      bytes(`error ${key}`, GENERATION_LIMITS.maxFieldBytes, (text) => record({ errors: [error({ [key]: text })], errorCount: 1 }), `errors[0].${key}`),
    ),
    ...bytes(
      "blocked message",
      GENERATION_LIMITS.maxMessageBytes,
      (text) => record({ blocked: { removed: 1, current: 1, share: 1, maxRemovalShare: 0.5, message: text } }),
      "blocked.message",
    ),
  ]);
});

describe("agent config, hub reply, API errors", () => {
  const config = (extra: object = {}) => ({
    hubUrl: "https://hub.example",
    cluster: "c",
    token: "t".repeat(32),
    repoUrl: "https://git.example/fleet.git",
    ...extra,
  });
  const number = (key: string, min: number, max: number): Bound => ({
    what: `agent config ${key}`,
    schema: AgentConfig,
    at: (n) => config({ [key]: n }),
    max,
    min,
    field: key,
  });
  const text = (key: string, max: number, min?: number): Bound => ({
    what: `agent config ${key}`,
    schema: AgentConfig,
    at: (n) => config({ [key]: ascii(n) }),
    max,
    ...(min === undefined ? {} : { min }),
    field: key,
  });
  checkBounds([
    text("token", 512, 32),
    text("repoUsername", 256),
    text("repoPassword", 4096),
    text("branch", 255, 1),
    number("pollIntervalSeconds", 5, 3600),
    number("heartbeatSeconds", 5, 3600),
    number("metricsPort", 1, 65535),
    number("kubeApiQps", 1, 10_000),
    number("kubeApiBurst", 1, 100_000),
    {
      what: "hub reply poll interval",
      schema: HubReply,
      at: (n) => ({ revision: null, pollIntervalSeconds: n }),
      max: 3600,
      min: 5,
      field: "pollIntervalSeconds",
    },
    {
      what: "API error message",
      schema: ApiError,
      at: (n) => ({ error: { code: "bad_request", message: ascii(n) } }),
      max: 4096,
      min: 1,
      field: "error.message",
    },
  ]);
});
