import assert from "node:assert/strict";
import { test } from "node:test";
import { REPORT_LIMITS, StatusReport, type ResourceStatus } from "../../../contract/status-report.js";
import { buildReport, Conditions, type ApplicationState } from "../../../agent/report/build.js";

const REVISION = "a".repeat(40);

function resource(i: number, troubled: boolean, message = ""): ResourceStatus {
  return {
    group: "apps",
    version: "v1",
    kind: "Deployment",
    namespace: "web",
    name: `d-${i}`,
    sync: "Synced",
    health: troubled ? "Degraded" : "Healthy",
    ...(message ? { message } : {}),
  };
}

function app(name: string, resources: ResourceStatus[]): ApplicationState {
  return { name, revision: REVISION, sync: "Synced", health: "Degraded", resources };
}

test("lists only troubled resources, at most the contract's bound, with the total count", () => {
  const resources = Array.from({ length: 300 }, (_, i) => resource(i, i % 2 === 0));
  const report = buildReport({
    cluster: "edge-1",
    agentVersion: "1.0.0",
    now: new Date(),
    revision: REVISION,
    conditions: [],
    applications: [app("web", resources)],
    driftEvents: [],
  });
  const web = report.applications[0]!;
  assert.equal(web.resourceCount, 300);
  assert.equal(web.resources.length, REPORT_LIMITS.maxResourcesPerApplication);
  assert.ok(web.resources.every((r) => r.health === "Degraded"));
  assert.ok(StatusReport.safeParse(report).success);
});

test("a report over the size bound is cut down until the hub accepts it", () => {
  const long = "x".repeat(10_000);
  const applications = Array.from({ length: 100 }, (_, a) =>
    app(
      `app-${a}`,
      Array.from({ length: 100 }, (_, i) => resource(i, true, long)),
    ),
  );
  const driftEvents = Array.from({ length: 150 }, (_, i) => ({
    at: new Date().toISOString(),
    application: "app-0",
    resource: { group: "", version: "v1", kind: "ConfigMap", namespace: "web", name: `c-${i}` },
    fields: Array.from({ length: 80 }, (_, f) => `data.k${f}`),
    action: "Detected" as const,
    message: long,
  }));
  const report = buildReport({ cluster: "edge-1", agentVersion: "1.0.0", now: new Date(), revision: REVISION, conditions: [], applications, driftEvents });
  assert.ok(Buffer.byteLength(JSON.stringify(report)) <= REPORT_LIMITS.maxBytes);
  const parsed = StatusReport.safeParse(report);
  assert.ok(parsed.success, parsed.success ? "" : parsed.error.message);
  assert.equal(report.applications.length, 100);
  assert.ok(report.applications.every((a) => a.resourceCount === 100));
  // The newest drift events are the ones kept.
  assert.equal(report.driftEvents.at(-1)?.resource.name, "c-149");
});

test("a condition keeps its transition time while its status holds, and moves when it flips", () => {
  const conditions = new Conditions();
  conditions.set("Fetched", "False", "FetchFailed", "boom", new Date("2026-01-01T00:00:00Z"));
  conditions.set("Fetched", "False", "FetchFailed", "boom again", new Date("2026-01-01T00:01:00Z"));
  assert.equal(conditions.get("Fetched")?.lastTransitionTime, "2026-01-01T00:00:00.000Z");
  assert.equal(conditions.get("Fetched")?.message, "boom again");
  conditions.set("Fetched", "True", "Succeeded", "ok", new Date("2026-01-01T00:02:00Z"));
  assert.equal(conditions.get("Fetched")?.lastTransitionTime, "2026-01-01T00:02:00.000Z");
});
