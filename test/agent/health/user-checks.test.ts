// Users' own Lua health checks, run by the real Lua VM (wasmoon) in its sandbox: Argo CD's own
// scripts, copied unchanged (fixtures/<group>/<Kind>/health.lua, see fixtures/README.md), give
// Argo CD's outcome for every case of their health_test.yaml; keys match as Argo CD matches them; a
// user's script comes before a built-in check; a script that loops, allocates without bound, fails
// or reaches for os/io gives that resource Unknown with the reason and leaves the others alone.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, describe, test } from "node:test";
import { parse } from "yaml";
import type { HealthCustomizations } from "../../../contract/health-customizations.js";
import { assessHealth } from "../../../agent/health/index.js";
import { activeHealthChecks, useHealthCustomizations } from "../../../agent/health/user-checks.js";
import type { KubeObject } from "../../../agent/kube/object.js";

const ARGO_SCRIPTS: Record<string, number> = {
  "cert-manager.io/Certificate": 6,
  "keda.sh/ScaledObject": 6,
  "argoproj.io/Rollout": 24,
  "batch/CronJob": 6,
  "postgresql.cnpg.io/Cluster": 5,
  "policy/PodDisruptionBudget": 3,
};

const folder = (key: string) => new URL(`./fixtures/${key}/`, import.meta.url);
const read = (url: URL) => parse(readFileSync(url, "utf8"), { uniqueKeys: false }) as unknown;

const customizations = (checks: Record<string, string>, genericConditions = false): HealthCustomizations => ({
  apiVersion: "radial.dev/v1alpha1",
  kind: "HealthCustomizations",
  spec: { checks: Object.entries(checks).map(([groupKind, lua]) => ({ groupKind, lua })), genericConditions },
});

const object = (apiVersion: string, kind: string, rest: Record<string, unknown> = {}): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name: "x", namespace: "default" },
  ...rest,
});

after(() => useHealthCustomizations(undefined));

describe("Argo CD's scripts, unchanged, give Argo CD's outcomes", async () => {
  const scripts = Object.fromEntries(Object.keys(ARGO_SCRIPTS).map((key) => [key, readFileSync(new URL("health.lua", folder(key)), "utf8")]));
  await useHealthCustomizations(customizations(scripts));
  for (const [key, count] of Object.entries(ARGO_SCRIPTS)) {
    const cases = (read(new URL("health_test.yaml", folder(key))) as { tests: { inputPath: string; healthStatus: { status: string; message?: string } }[] })
      .tests;
    test(`${key}: Argo CD's ${count} cases`, () => {
      assert.equal(cases.length, count);
      for (const { inputPath, healthStatus } of cases) {
        // The user's script alone (assessHealth would fall back to the built-in check, which agrees).
        const health = activeHealthChecks()!.assess(read(new URL(inputPath, folder(key))) as KubeObject);
        assert.deepEqual(
          { status: health?.status, message: health?.message ?? "" },
          { status: healthStatus.status, message: healthStatus.message ?? "" },
          `${key} ${inputPath}`,
        );
      }
    });
  }
});

describe("keys, order and limits", () => {
  test("an exact key, then a wildcard in key order; the core group's key is the kind; other kinds keep their checks", async () => {
    await useHealthCustomizations(
      // Not in key order, as a hand-written branch might be: the agent orders the wildcards itself.
      customizations({
        "{a,b}.example.com/Queue": 'return { status = "Progressing", message = "braces" }',
        "*.example.com/*": 'return { status = "Degraded", message = "wildcard " .. obj.kind }',
        "db.example.com/Database": 'return { status = "Suspended", message = "exact" }',
        ConfigMap: 'return { status = "Healthy", message = "core " .. obj.metadata.name }',
      }),
    );
    assert.deepEqual(assessHealth(object("db.example.com/v1", "Database")), { status: "Suspended", message: "exact" });
    assert.deepEqual(assessHealth(object("db.example.com/v1", "Table")), { status: "Degraded", message: "wildcard Table" });
    // Both wildcards match a.example.com/Queue: the first in key order ("*" sorts before "{") wins.
    assert.deepEqual(assessHealth(object("a.example.com/v1", "Queue")), { status: "Degraded", message: "wildcard Queue" });
    assert.deepEqual(assessHealth(object("v1", "ConfigMap")), { status: "Healthy", message: "core x" });
    assert.equal(assessHealth(object("example.org/v1", "Database")), undefined);
    assert.equal(assessHealth(object("v1", "Secret")), undefined);
  });

  test("a null in a list is a hole, as Argo CD decodes it: the script sees the other items", async () => {
    await useHealthCustomizations(
      customizations({
        "db.example.com/Database": "local n = 0 for _ in pairs(obj.status.conditions) do n = n + 1 end return { status = 'Healthy', message = tostring(n) }",
      }),
    );
    const holed = object("db.example.com/v1", "Database", { status: { conditions: [null, { type: "Ready" }, null] } });
    assert.deepEqual(assessHealth(holed), { status: "Healthy", message: "1" });
  });

  test("a user's script comes before a built-in check (gitops-engine's Go ones and the custom-resource ones)", async () => {
    const deployment = object("apps/v1", "Deployment", { spec: { replicas: 1 }, status: { replicas: 1, availableReplicas: 1, updatedReplicas: 1 } });
    await useHealthCustomizations(undefined);
    assert.equal(assessHealth(deployment)?.status, "Healthy");
    await useHealthCustomizations(
      customizations({
        "apps/Deployment": 'return { status = "Degraded", message = "replicas " .. obj.spec.replicas }',
        "cert-manager.io/Certificate": 'return { status = "Suspended" }',
      }),
    );
    assert.deepEqual(assessHealth(deployment), { status: "Degraded", message: "replicas 1" });
    assert.deepEqual(assessHealth(object("cert-manager.io/v1", "Certificate")), { status: "Suspended" });
    // Pending deletion still comes first, as in gitops-engine.
    const deleting = { ...deployment, metadata: { ...deployment.metadata, deletionTimestamp: "2026-01-01T00:00:00Z" } };
    assert.deepEqual(assessHealth(deleting), { status: "Progressing", message: "Pending deletion" });
  });

  test("a loop, unbounded allocation, an error, os, io and a bad return: Unknown with the reason, and the next resource is assessed as usual", async () => {
    await useHealthCustomizations(
      customizations({
        "t.example.com/Loop": "while true do end",
        "t.example.com/CatchLoop": "while true do pcall(function() while true do end end) end",
        "t.example.com/Grow": 'local t = {} while true do t[#t + 1] = string.rep("x", 1048576) .. #t end',
        "t.example.com/CatchGrow": 'local t = {} while true do pcall(function() t[#t + 1] = string.rep("y", 1048576) .. #t end) end',
        "t.example.com/Fails": "local x = obj.status.missing.deeper return { status = 'Healthy' }",
        "t.example.com/Os": 'os.execute("touch /tmp/radial-lua-escaped") return { status = "Healthy" }',
        "t.example.com/Io": 'local f = io.open("/etc/passwd") return { status = "Healthy" }',
        "t.example.com/Require": 'local io = require("io") return { status = "Healthy" }',
        "t.example.com/Load": 'return { status = "Healthy", message = type(load) .. type(dofile) .. type(loadfile) .. type(debug) .. type(collectgarbage) }',
        "t.example.com/Number": "return 3",
        "t.example.com/Status": 'return { status = "Great" }',
        "t.example.com/Syntax": "return {",
        "t.example.com/Fine": 'hs = {} hs.status = "Healthy" hs.message = obj.status.phase return hs',
      }),
    );
    const fine = object("t.example.com/v1", "Fine", { status: { phase: "Running" } });
    const cases: [string, string | RegExp][] = [
      ["Loop", "health script stopped: it ran more than 10000000 Lua instructions"],
      ["CatchLoop", "health script stopped: it ran more than 10000000 Lua instructions"],
      ["Grow", "health script stopped: it allocated more than 33554432 bytes"],
      ["CatchGrow", "health script stopped: it allocated more than 33554432 bytes"],
      ["Fails", /^t\.example\.com\/Fails:1: attempt to index a nil value \(field 'missing'\)/],
      ["Os", /attempt to call a nil value \(field 'execute'\)/],
      ["Io", /attempt to index a nil value \(global 'io'\)/],
      ["Require", /module 'io' not found/],
      ["Number", "expect table output from Lua script, not number"],
      ["Status", "Lua returned an invalid health status"],
      ["Syntax", /^t\.example\.com\/Syntax:1: unexpected symbol near <eof>$/],
    ];
    for (const [kind, reason] of cases) {
      const health = assessHealth(object("t.example.com/v1", kind, { status: {} }));
      assert.equal(health?.status, "Unknown", kind);
      if (typeof reason === "string") assert.equal(health.message, reason, kind);
      else assert.match(health.message ?? "", reason, kind);
      assert.deepEqual(assessHealth(fine), { status: "Healthy", message: "Running" }, `after ${kind}`);
    }
    assert.equal(assessHealth(object("t.example.com/v1", "Load"))?.message, "nilnilnilnilnil");
  });

  test("a run's globals and changes to the libraries do not reach the next run", async () => {
    await useHealthCustomizations(
      customizations({
        "t.example.com/Writer": 'leaked = "yes" string.format = nil table.insert = nil getmetatable("").__index = nil return { status = "Healthy" }',
        "t.example.com/Reader":
          'return { status = "Healthy", message = tostring(leaked) .. " " .. type(string.format) .. " " .. type(table.insert) .. " " .. ("a"):upper() }',
      }),
    );
    assert.match(assessHealth(object("t.example.com/v1", "Writer"))?.message ?? "", /attempt to index a boolean value/);
    assert.deepEqual(assessHealth(object("t.example.com/v1", "Reader")), { status: "Healthy", message: "nil function function A" });
  });
});

describe("the generic conditions check (kstatus)", () => {
  const resource = (conditions: unknown[], extra: Record<string, unknown> = {}) =>
    object("db.example.com/v1", "Database", { metadata: { name: "x", generation: 2 }, status: { observedGeneration: 2, conditions }, ...extra });

  test("is off by default, as in Argo CD", async () => {
    await useHealthCustomizations(customizations({}));
    assert.equal(assessHealth(resource([{ type: "Ready", status: "False", message: "down" }])), undefined);
  });

  test("when on: Ready or Available, Stalled, Reconciling and the observed generation decide", async () => {
    const certificate = object("cert-manager.io/v1", "Certificate", { status: { conditions: [{ type: "Ready", status: "False", message: "no" }] } });
    await useHealthCustomizations(customizations({}));
    const builtIn = assessHealth(certificate);
    await useHealthCustomizations(customizations({}, true));
    assert.deepEqual(assessHealth(resource([{ type: "Ready", status: "True" }])), { status: "Healthy" });
    assert.deepEqual(assessHealth(resource([{ type: "Available", status: "True", message: "up" }])), { status: "Healthy", message: "up" });
    assert.deepEqual(assessHealth(resource([{ type: "Ready", status: "False", reason: "Provisioning" }])), { status: "Progressing", message: "Provisioning" });
    assert.deepEqual(
      assessHealth(
        resource([
          { type: "Ready", status: "False" },
          { type: "Stalled", status: "True", message: "quota exceeded" },
        ]),
      ),
      {
        status: "Degraded",
        message: "quota exceeded",
      },
    );
    assert.deepEqual(assessHealth(resource([{ type: "Reconciling", status: "True", reason: "Progressing" }])), {
      status: "Progressing",
      message: "Progressing",
    });
    const stale = object("db.example.com/v1", "Database", {
      metadata: { name: "x", generation: 3 },
      status: { observedGeneration: 2, conditions: [{ type: "Ready", status: "True" }] },
    });
    assert.deepEqual(assessHealth(stale), { status: "Progressing", message: "waiting for the controller to observe generation 3" });
    assert.equal(assessHealth(resource([{ type: "Synced", status: "True" }])), undefined);
    // A kind with a check of its own keeps it.
    assert.deepEqual(assessHealth(certificate), builtIn);
    assert.equal(builtIn?.status, "Degraded");
  });
});
