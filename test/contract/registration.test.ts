// What a user types at registration (`radial cluster register`, PATCH) and what an agent starts
// with: which URLs and ARNs pass, and the message that names the field when they do not.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AgentConfig, CLUSTER_LIMITS, parseWith, PatchClusterRequest, RegisterClusterRequest } from "../../contract/index.js";

const refusal = (schema: Parameters<typeof parseWith>[0], value: unknown) => {
  const parsed = parseWith(schema, value, "request");
  return parsed.ok ? undefined : parsed.message;
};
const register = (fields: Record<string, unknown>) => refusal(RegisterClusterRequest, { name: "edge-1", ...fields });
const agent = (fields: Record<string, unknown>) => refusal(AgentConfig, { hubUrl: "https://hub.example", cluster: "edge-1", token: "t".repeat(32), ...fields });

describe("URLs: http or https only, the scheme whole", () => {
  test("a cluster's server", () => {
    for (const ok of ["https://10.0.0.1:6443", "http://kind-control-plane:6443"]) assert.equal(register({ server: ok }), undefined, ok);
    for (const bad of ["ftp://h.example", "httpx://h.example", "xhttps://h.example", "shttp://h.example", "ws://h.example", "h.example"])
      assert.equal(register({ server: bad }), "invalid request: server: must be an https:// (or http://) URL", bad);
    assert.equal(register({ server: `https://h.example/${"é".repeat(1016)}` }), "invalid request: server: must be at most 2048 bytes in UTF-8");
  });

  test("the agent's hub and repository", () => {
    assert.equal(agent({ hubUrl: "http://hub:8420", repoUrl: "https://git.example/fleet.git" }), undefined);
    for (const bad of ["httpx://hub", "xhttp://hub", "https2://hub", "file:///etc/passwd"]) {
      assert.equal(agent({ hubUrl: bad }), "invalid request: hubUrl: must be an http:// or https:// URL", bad);
      assert.equal(agent({ repoUrl: bad }), "invalid request: repoUrl: must be an http:// or https:// URL", bad);
    }
  });
});

describe("the agent's settings", () => {
  test("a token of at least 32 characters; defaults filled in; paths not empty", () => {
    assert.equal(agent({ token: "t".repeat(31) }), "invalid request: token: must be at least 32 characters");
    const config = AgentConfig.parse({ hubUrl: "https://hub.example", cluster: "edge-1", token: "t".repeat(32) });
    assert.deepEqual(
      { dataDir: config.dataDir, poll: config.pollIntervalSeconds, heartbeat: config.heartbeatSeconds, metrics: config.metricsPort },
      { dataDir: "/var/lib/radial", poll: 30, heartbeat: 30, metrics: 8080 },
    );
    assert.match(agent({ kubeconfig: "" }) ?? "", /^invalid request: kubeconfig: /);
    assert.match(agent({ dataDir: "" }) ?? "", /^invalid request: dataDir: /);
    assert.equal(agent({ kubeconfig: "/k", dataDir: "/d" }), undefined, "one character each");
  });
});

describe("EKS cluster ARNs, in every partition and multi-part region", () => {
  test("accepted", () => {
    for (const arn of [
      "arn:aws:eks:eu-west-1:123456789012:cluster/prod",
      "arn:aws-us-gov:eks:us-gov-west-1:123456789012:cluster/gov",
      "arn:aws-cn:eks:cn-north-1:123456789012:cluster/cn",
      "arn:aws:eks:ap-southeast-2:123456789012:cluster/a_b-C9",
    ])
      assert.equal(register({ eksClusterArn: arn }), undefined, arn);
  });

  test("refused, naming the form", () => {
    const message = "invalid request: eksClusterArn: must be an EKS cluster ARN: arn:aws:eks:<region>:<12-digit account>:cluster/<name>";
    for (const arn of [
      "xarn:aws:eks:eu-west-1:123456789012:cluster/prod",
      "arn:aws:eks:eu-west-1:123456789012:cluster/prod/x",
      "arn:aws:eks:eu-west-1:12345678901:cluster/prod",
      "arn:aws:iam:eu-west-1:123456789012:cluster/prod",
      "arn:aws:eks:euwest-1:123456789012:cluster/prod",
      "arn:aws:eks:eu-west-1:123456789012:cluster/-prod",
    ])
      assert.equal(register({ eksClusterArn: arn }), message, arn);
  });
});

describe("label and annotation maps", () => {
  const keyed = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));

  test("at most 64 of each, said in those words", () => {
    assert.equal(register({ labels: keyed(CLUSTER_LIMITS.maxLabels + 1) }), "invalid request: labels: must have at most 64 labels");
    assert.equal(register({ annotations: keyed(CLUSTER_LIMITS.maxAnnotations + 1) }), "invalid request: annotations: must have at most 64 annotations");
    assert.equal(refusal(PatchClusterRequest, { labels: keyed(65) }), "invalid request: labels: must have at most 64 labels");
    assert.equal(refusal(PatchClusterRequest, { annotations: keyed(65) }), "invalid request: annotations: must have at most 64 annotations");
  });

  test("a patch checks keys and label values, a null removes a key, and annotation values are free text", () => {
    assert.equal(refusal(PatchClusterRequest, { labels: { env: null, tier: "web" }, annotations: { note: null, "a.example/b": "any text ✓" } }), undefined);
    assert.equal(
      refusal(PatchClusterRequest, { labels: { tier: "-web" } }),
      `invalid request: labels.tier: label "tier": value "-web" must be empty or consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit`,
    );
    assert.match(
      refusal(PatchClusterRequest, { annotations: { "-a": "x" } }) ?? "",
      /^invalid request: annotations\.-a: label key "-a": the name part must consist/,
    );
    assert.equal(refusal(PatchClusterRequest, { annotations: { a: "-free text-" } }), undefined, "annotation values are not label values");
    assert.equal(register({ annotations: { a: "-free text-" } }), undefined);
  });
});
