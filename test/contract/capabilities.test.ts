// What the agent reports of its cluster for helm (`capabilities`) and the users' health checks the
// hub delivers on the deploy branch (`health-customizations.yaml`): each bound at its limit and one
// past it, the forms Kubernetes writes accepted, and a refusal that names the field.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { HEALTH_CUSTOMIZATIONS_FILE, HealthCustomizations, MAX_HEALTH_SCRIPT_BYTES } from "../../contract/health-customizations.js";
import { parseWith, REPORT_LIMITS, StatusReport } from "../../contract/index.js";

const report = (capabilities: unknown) => ({
  cluster: "alpha",
  agentVersion: "0.1.0",
  heartbeatAt: "2026-12-04T08:00:00Z",
  revision: null,
  conditions: [],
  applications: [],
  driftEvents: [],
  capabilities,
});
const capabilities = (overrides: Record<string, unknown> = {}) => ({ kubeVersion: "v1.36.3", apiVersions: ["v1", "apps/v1"], ...overrides });

/** The report's problems, as `field: problem`; none when it parses. */
function problems(capabilitiesValue: unknown): string[] {
  const parsed = parseWith(StatusReport, report(capabilitiesValue), "status report");
  return parsed.ok ? [] : parsed.problems.map((p) => `${p.field}: ${p.problem}`);
}

describe("a report's cluster capabilities", () => {
  test("a report carrying them reads back whole; an unknown field in them is refused by name", () => {
    const parsed = parseWith(StatusReport, report(capabilities()), "status report");
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value.capabilities, capabilities());
    assert.deepEqual(problems(capabilities({ helmVersion: "v3" })), ['capabilities: Unrecognized key: "helmVersion"']);
    assert.deepEqual(problems({ kubeVersion: "v1.36.3" }), ["capabilities.apiVersions: Invalid input: expected array, received undefined"]);
  });

  test("kubeVersion is a gitVersion as /version writes it, any number of digits, with or without a build suffix", () => {
    for (const kubeVersion of ["v1.36.3", "v1.36.10", "v10.2.0", "v1.30.4-eks-a737599", "v1.31.2+k3s1", "v1.29.0-rc.1+build.7"]) {
      assert.deepEqual(problems(capabilities({ kubeVersion })), [], kubeVersion);
    }
    for (const kubeVersion of ["1.36.3", "v1.36", "v1.36.x", "vx.36.3", "v1.x.3", "xv1.36.3", "v1.36.3 ", "v1.36.3_rc", "v1.36.3-rc 1"]) {
      assert.deepEqual(problems(capabilities({ kubeVersion })), ["capabilities.kubeVersion: must be a gitVersion such as v1.36.3"], kubeVersion);
    }
  });

  test("kubeVersion is at most 64 characters", () => {
    const at = (n: number) => `v1.36.3-${"a".repeat(n - 8)}`;
    assert.deepEqual(problems(capabilities({ kubeVersion: at(64) })), []);
    assert.deepEqual(problems(capabilities({ kubeVersion: at(65) })), ["capabilities.kubeVersion: Too big: expected string to have <=64 characters"]);
  });

  test("apiVersions: group/version or group/version/Kind, the core group without a group, as discovery lists them", () => {
    const accepted = [
      "v1",
      "v1/Pod",
      "apps/v1",
      "apps/v1/Deployment",
      "a/v1",
      "a/v1/Pod",
      "networking.k8s.io/v1",
      "monitoring.coreos.com/v1/ServiceMonitor",
      "x-y.example.com/v1beta1/Z9",
    ];
    assert.deepEqual(problems(capabilities({ apiVersions: accepted })), []);
    for (const entry of [
      "",
      "/v1",
      "Apps/v1",
      "apps-/v1",
      ".apps/v1",
      "apps/V1/Pod",
      "apps/v1/",
      "apps/v1/9Kind",
      "apps/v1/Deploy-ment",
      "apps/v1/Deployment/x",
      " v1",
      "v1 ",
    ]) {
      assert.deepEqual(
        problems(capabilities({ apiVersions: ["v1", entry] })),
        ["capabilities.apiVersions[1]: must be group/version or group/version/Kind"],
        entry,
      );
    }
  });

  test("an entry is at most 381 characters: a 253-character group, a 63-character version and a 63-character Kind", () => {
    const group = `${"g".repeat(251)}.x`;
    const longest = `${group}/${"v".repeat(63)}/K${"k".repeat(62)}`;
    assert.equal(longest.length, 381);
    assert.deepEqual(problems(capabilities({ apiVersions: [longest] })), []);
    assert.deepEqual(problems(capabilities({ apiVersions: [`${longest}k`] })), [
      "capabilities.apiVersions[0]: Too big: expected string to have <=381 characters",
      "capabilities.apiVersions[0]: must be group/version or group/version/Kind",
    ]);
  });

  test(`at most ${REPORT_LIMITS.maxApiVersions} entries of at most ${REPORT_LIMITS.maxApiVersionsBytes} bytes together`, () => {
    // 5,000 entries of 60 bytes: exactly the byte bound.
    const entries = (n: number, bytes: number) =>
      Array.from({ length: n }, (_, i) => `g${String(i).padStart(5, "0")}.example.com/v1/K${"k".repeat(bytes - 23)}`);
    assert.equal(entries(1, 60)[0]!.length, 60);
    assert.deepEqual(problems(capabilities({ apiVersions: entries(5000, 60) })), []);
    assert.deepEqual(problems(capabilities({ apiVersions: entries(5001, 30) })), ["capabilities.apiVersions: Too big: expected array to have <=5000 items"]);
    const over = entries(5000, 60);
    over[0] = `${over[0]}k`;
    assert.deepEqual(problems(capabilities({ apiVersions: over })), ["capabilities.apiVersions: must total at most 300000 bytes"]);
  });
});

describe("users' health checks on the deploy branch", () => {
  const file = (checks: unknown[], extra: Record<string, unknown> = {}) => ({
    apiVersion: "radial.dev/v1alpha1",
    kind: "HealthCustomizations",
    spec: { checks, genericConditions: false, ...extra },
  });
  const check = (groupKind: string, lua = 'return { status = "Healthy" }') => ({ groupKind, lua });
  const problemsOf = (value: unknown) => {
    const parsed = parseWith(HealthCustomizations, value, "health customizations");
    return parsed.ok ? [] : parsed.problems.map((p) => `${p.field}: ${p.problem}`);
  };

  test("sit beside the application folders as health-customizations.yaml, the name agents already read", () => {
    assert.equal(HEALTH_CUSTOMIZATIONS_FILE, "health-customizations.yaml");
  });

  test("a file with Argo CD's keys, exact and wildcard, reads back whole; a wrong kind, version or field is refused by name", () => {
    const value = file([check("ConfigMap"), check("cert-manager.io/Certificate"), check("*.example.com/*")], { genericConditions: true });
    assert.deepEqual(HealthCustomizations.parse(value), value);
    assert.deepEqual(problemsOf({ ...value, kind: "Health" }), ['kind: Invalid input: expected "HealthCustomizations"']);
    assert.deepEqual(problemsOf({ ...value, apiVersion: "radial.dev/v1" }), ['apiVersion: Invalid input: expected "radial.dev/v1alpha1"']);
    assert.deepEqual(problemsOf(file([{ ...check("Pod"), action: "x" }])), ['spec.checks[0]: Unrecognized key: "action"']);
    assert.deepEqual(problemsOf({ ...value, spec: { checks: [] } }), ["spec.genericConditions: Invalid input: expected boolean, received undefined"]);
  });

  test(`a script of 1 to ${MAX_HEALTH_SCRIPT_BYTES} characters (64 KiB), a key of 1 to 317`, () => {
    assert.equal(MAX_HEALTH_SCRIPT_BYTES, 65_536);
    const script = (n: number) => `--${"x".repeat(n - 2)}`;
    assert.deepEqual(problemsOf(file([check("Pod", script(65_536))])), []);
    assert.deepEqual(problemsOf(file([check("Pod", script(65_537))])), ["spec.checks[0].lua: Too big: expected string to have <=65536 characters"]);
    assert.deepEqual(problemsOf(file([check("Pod", "")])), ["spec.checks[0].lua: Too small: expected string to have >=1 characters"]);
    const key = (n: number) => `${"g".repeat(n - 5)}/Kind`;
    assert.deepEqual(problemsOf(file([check(key(317))])), []);
    assert.deepEqual(problemsOf(file([check(key(318))])), ["spec.checks[0].groupKind: Too big: expected string to have <=317 characters"]);
    assert.deepEqual(problemsOf(file([check("")])), ["spec.checks[0].groupKind: Too small: expected string to have >=1 characters"]);
  });

  test("at most 1000 checks", () => {
    const checks = (n: number) => Array.from({ length: n }, (_, i) => check(`g${i}.example.com/Kind`));
    assert.deepEqual(problemsOf(file(checks(1000))), []);
    assert.deepEqual(problemsOf(file(checks(1001))), ["spec.checks: Too big: expected array to have <=1000 items"]);
  });
});
