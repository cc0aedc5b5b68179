import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parse } from "yaml";
import { ClusterStatus, RegisterClusterResponse } from "../../contract/index.js";
import { startTestHub, type TestHub } from "../hub/harness.js";
import { adminOf, radial } from "./radial-cli.js";

const REVISION = "0123456789abcdef0123456789abcdef01234567";

describe("radial status against a real hub", () => {
  let hub: TestHub;

  before(async () => {
    hub = await startTestHub();
    const registered = RegisterClusterResponse.parse((await hub.api("POST", "/v1/clusters", { body: { name: "prod-1" } })).body);
    await hub.api("POST", "/v1/clusters", { body: { name: "quiet-1" } });
    const now = new Date().toISOString();
    const response = await hub.api("POST", "/v1/agent/status", {
      token: registered.token,
      body: {
        cluster: "prod-1",
        agentVersion: "0.1.0",
        heartbeatAt: now,
        revision: REVISION,
        conditions: [],
        applications: [
          { name: "web", revision: REVISION, sync: "Synced", health: "Healthy", resourceCount: 3, resources: [] },
          { name: "api", revision: REVISION, sync: "OutOfSync", health: "Degraded", message: "Deployment api: 0/2 ready", resourceCount: 2, resources: [] },
        ],
        driftEvents: [
          {
            at: now,
            application: "web",
            resource: { group: "apps", version: "v1", kind: "Deployment", namespace: "web", name: "web" },
            fields: ["spec.replicas"],
            manager: "kubectl-edit",
            action: "Healed",
          },
        ],
      },
    });
    assert.equal(response.status, 200);
  });
  after(() => hub.stop());

  test("without a cluster: one line per cluster with sync, health, last report and staleness", async () => {
    const run = await radial(["status"], { env: adminOf(hub) });
    assert.equal(run.status, 0, run.stderr);
    const [header, ...rows] = run.stdout
      .trimEnd()
      .split("\n")
      .map((line) => line.split(/\s{2,}/));
    assert.deepEqual(header, ["CLUSTER", "SYNC", "HEALTH", "APPS", "REVISION", "LAST REPORT", "STALE"]);
    assert.equal(rows.length, 2);
    assert.deepEqual(rows[0]!.slice(0, 5), ["prod-1", "OutOfSync", "Degraded", "2", "01234567"]);
    assert.match(rows[0]![5]!, /^\d+s ago$/);
    assert.equal(rows[0]![6], "no");
    assert.deepEqual(rows[1], ["quiet-1", "Unknown", "Unknown", "0", "-", "never", "-"]);
  });

  test("with a cluster: its applications and drift events; -o json and yaml give the API's object", async () => {
    const run = await radial(["status", "prod-1"], { env: adminOf(hub) });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^Cluster prod-1: OutOfSync, Degraded, revision 01234567, last report \d+s ago \(agent 0\.1\.0\)\n/);
    assert.match(run.stdout, /\napi\s+01234567\s+OutOfSync\s+Degraded\s+Deployment api: 0\/2 ready\n/);
    assert.match(run.stdout, /\nweb\s+01234567\s+Synced\s+Healthy\n/);
    assert.match(
      run.stdout,
      /Drift events, newest first:\nTIME\s+APPLICATION\s+RESOURCE\s+ACTION\s+FIELDS\s+MANAGER\n\S+\s+web\s+Deployment\/web\/web\s+Healed\s+spec\.replicas\s+kubectl-edit\n/,
    );

    const json = await radial(["status", "prod-1", "-o", "json"], { env: adminOf(hub) });
    assert.equal(json.status, 0, json.stderr);
    const status = ClusterStatus.parse(JSON.parse(json.stdout));
    assert.deepEqual(
      status.applications.map((a) => a.name),
      ["api", "web"],
    );
    const yaml = await radial(["status", "-o", "yaml"], { env: adminOf(hub) });
    assert.deepEqual(
      (parse(yaml.stdout) as ClusterStatus[]).map((s) => [s.cluster, s.reported]),
      [
        ["prod-1", true],
        ["quiet-1", false],
      ],
    );
  });

  test("a cluster that never reported says so; an unknown cluster exits 4, a bad name 2", async () => {
    const quiet = await radial(["status", "quiet-1"], { env: adminOf(hub) });
    assert.equal(quiet.status, 0);
    assert.match(quiet.stdout, /quiet-1: no report yet/);
    const unknown = await radial(["status", "nope"], { env: adminOf(hub) });
    assert.equal(unknown.status, 4);
    assert.match(unknown.stderr, /cluster nope is not registered/);
    const bad = await radial(["status", "Not_A_Name"], { env: adminOf(hub) });
    assert.equal(bad.status, 2);
  });
});
