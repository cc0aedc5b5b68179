import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AgentConfig, ApiError, HubReply, parseStatusReport, parseWith, REPORT_LIMITS, type StatusReport } from "../../contract/index.js";

const sha = "0123456789abcdef0123456789abcdef01234567";

function report(): StatusReport {
  return {
    cluster: "prod-eu-1",
    agentVersion: "0.1.0",
    heartbeatAt: "2026-11-23T10:00:00Z",
    revision: sha,
    conditions: [{ type: "Ready", status: "True", reason: "Synced", message: "all applications synced", lastTransitionTime: "2026-11-23T09:59:00Z" }],
    applications: [
      {
        name: "guestbook",
        revision: sha,
        sync: "OutOfSync",
        health: "Progressing",
        resourceCount: 3,
        resources: [
          {
            group: "apps",
            version: "v1",
            kind: "Deployment",
            namespace: "web",
            name: "guestbook",
            sync: "OutOfSync",
            health: "Progressing",
            message: "Waiting for rollout to finish: 1 of 2 updated replicas are available...",
          },
        ],
      },
    ],
    driftEvents: [
      {
        at: "2026-11-23T09:58:00Z",
        application: "guestbook",
        resource: { group: "apps", version: "v1", kind: "Deployment", namespace: "web", name: "guestbook" },
        fields: ["spec.replicas"],
        manager: "kubectl-scale",
        action: "Healed",
      },
    ],
  };
}

describe("status report", () => {
  test("a well-formed report parses and keeps its content", () => {
    const parsed = parseStatusReport(JSON.stringify(report()));
    assert.equal(parsed.ok, true);
    assert.deepEqual(parsed.value, report());
  });

  test("too many resources for one application is rejected naming the field", () => {
    const r = report();
    const resource = r.applications[0]!.resources[0]!;
    r.applications[0]!.resources = Array.from({ length: REPORT_LIMITS.maxResourcesPerApplication + 1 }, (_, i) => ({ ...resource, name: `d${i}` }));
    const parsed = parseStatusReport(JSON.stringify(r));
    assert.equal(parsed.ok, false);
    assert.match(parsed.message, /^invalid status report: applications\[0\]\.resources: .*100/);
  });

  test("a body over the byte limit is rejected before it is parsed", () => {
    const r = report();
    const body = JSON.stringify({ ...r, padding: "x".repeat(REPORT_LIMITS.maxBytes) });
    const parsed = parseStatusReport(body);
    assert.equal(parsed.ok, false);
    assert.match(parsed.message, /over the limit of 1048576/);
  });

  test("an over-long message is rejected naming the field", () => {
    const r = report();
    r.applications[0]!.resources[0]!.message = "m".repeat(REPORT_LIMITS.maxMessageBytes + 1);
    const parsed = parseStatusReport(JSON.stringify(r));
    assert.match(!parsed.ok ? parsed.message : "", /applications\[0\]\.resources\[0\]\.message: /);
  });

  test("malformed values are rejected naming each field", () => {
    const r = report() as unknown as Record<string, unknown>;
    r.cluster = "Prod_EU";
    r.revision = "main";
    (r.applications as Record<string, unknown>[])[0]!.health = "Fine";
    const parsed = parseStatusReport(JSON.stringify(r));
    assert.equal(parsed.ok, false);
    const fields = parsed.problems.map((p) => p.field);
    assert.deepEqual(fields.sort(), ["applications[0].health", "cluster", "revision"]);
    assert.match(parsed.message, /cluster: must be a DNS-1123 label/);
  });

  test("an unknown field is rejected, not ignored", () => {
    const parsed = parseStatusReport(JSON.stringify({ ...report(), clusterr: "x" }));
    assert.match(!parsed.ok ? parsed.message : "", /clusterr/);
  });

  test("a body that is not JSON says so", () => {
    const parsed = parseStatusReport("{cluster:");
    assert.match(!parsed.ok ? parsed.message : "", /not JSON/);
  });
});

describe("hub reply, agent config and error shape", () => {
  test("hub reply bounds the poll interval", () => {
    assert.equal(HubReply.safeParse({ revision: sha, pollIntervalSeconds: 30 }).success, true);
    assert.equal(HubReply.safeParse({ revision: null, pollIntervalSeconds: 30 }).success, true);
    const tooFast = parseWith(HubReply, { revision: sha, pollIntervalSeconds: 1 }, "hub reply");
    assert.match(!tooFast.ok ? tooFast.message : "", /pollIntervalSeconds/);
  });

  test("agent config fills defaults and rejects a non-HTTP hub URL", () => {
    const parsed = AgentConfig.parse({ hubUrl: "https://hub.example", cluster: "edge-1", token: "t".repeat(43), repoUrl: "https://git.example/fleet.git" });
    assert.equal(parsed.pollIntervalSeconds, 30);
    assert.equal(parsed.dataDir, "/var/lib/radial");
    const bad = parseWith(
      AgentConfig,
      { hubUrl: "file:///etc/passwd", cluster: "edge-1", token: "t".repeat(43), repoUrl: "https://git.example/fleet.git" },
      "agent config",
    );
    assert.match(!bad.ok ? bad.message : "", /hubUrl: must be an http/);
  });

  test("API errors have a known code and a message", () => {
    assert.equal(ApiError.safeParse({ error: { code: "not_found", message: "cluster x not found" } }).success, true);
    assert.equal(ApiError.safeParse({ error: { code: "oops", message: "x" } }).success, false);
    assert.equal(ApiError.safeParse({ error: { code: "not_found", message: "" } }).success, false);
  });
});
