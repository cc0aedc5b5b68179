import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { AgentConfigError, legacyVariables, loadAgentConfig } from "../../../agent/config.js";

const TOKEN = `rdl_agent_${"t".repeat(43)}`;
const base = {
  RADIAL_AGENT_HUB_URL: "https://hub.example/",
  RADIAL_AGENT_CLUSTER: "edge-1",
  RADIAL_AGENT_TOKEN: TOKEN,
  RADIAL_AGENT_REPO_URL: "https://git.example/fleet.git",
  KUBERNETES_SERVICE_HOST: "10.0.0.1",
};

test("environment alone configures the agent as the bootstrap manifest runs it, with the documented defaults", () => {
  const config = loadAgentConfig({}, base);
  assert.deepEqual(config, {
    hubUrl: "https://hub.example",
    cluster: "edge-1",
    token: TOKEN,
    repoUrl: "https://git.example/fleet.git",
    pollIntervalSeconds: 30,
    heartbeatSeconds: 30,
    dataDir: "/var/lib/radial",
    metricsPort: 8080,
    kubeApiQps: 50,
    kubeApiBurst: 500,
  });
});

test("flags win over the environment; durations take s and m; the token file wins over RADIAL_AGENT_TOKEN and is trimmed", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "radial-agent-config-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, "token"), `rdl_agent_${"f".repeat(43)}\n`);
  const config = loadAgentConfig(
    {
      cluster: "edge-2",
      pollInterval: "2m",
      heartbeatInterval: "45s",
      tokenFile: join(dir, "token"),
      kubeconfig: "/k/config",
      metricsPort: "9090",
      dataDir: dir,
      kubeApiQps: "20",
    },
    {
      ...base,
      RADIAL_AGENT_GIT_USERNAME: "bot",
      RADIAL_AGENT_GIT_PASSWORD: "secret",
      KUBECONFIG: "/other",
      RADIAL_AGENT_KUBE_API_QPS: "10",
      RADIAL_AGENT_KUBE_API_BURST: "40",
    },
  );
  assert.equal(config.cluster, "edge-2");
  assert.equal(config.pollIntervalSeconds, 120);
  assert.equal(config.heartbeatSeconds, 45);
  assert.equal(config.token, `rdl_agent_${"f".repeat(43)}`);
  assert.equal(config.kubeconfig, "/k/config");
  assert.equal(config.metricsPort, 9090);
  assert.deepEqual([config.kubeApiQps, config.kubeApiBurst], [20, 40]);
  assert.deepEqual([config.repoUsername, config.repoPassword], ["bot", "secret"]);
});

test("bad values are refused naming the flag and variable, all problems at once", () => {
  assert.throws(
    () =>
      loadAgentConfig({ hub: "ftp://hub", pollInterval: "1s", metricsPort: "http" }, { ...base, RADIAL_AGENT_CLUSTER: "Edge_1", RADIAL_AGENT_TOKEN: "short" }),
    (error: unknown) => {
      assert.ok(error instanceof AgentConfigError);
      assert.match(error.message, /--hub or RADIAL_AGENT_HUB_URL .*: must be an http:\/\/ or https:\/\/ URL/);
      assert.match(error.message, /--cluster or RADIAL_AGENT_CLUSTER .*: must be a DNS-1123 label/);
      assert.match(error.message, /RADIAL_AGENT_TOKEN .*: must be at least 32 characters/);
      assert.match(error.message, /--poll-interval or RADIAL_AGENT_POLL_INTERVAL .*: /);
      assert.match(error.message, /--metrics-port or RADIAL_AGENT_METRICS_PORT: must be a whole number/);
      return true;
    },
  );
  assert.throws(() => loadAgentConfig({}, { ...base, RADIAL_AGENT_GIT_PASSWORD: "p" }), /RADIAL_AGENT_GIT_PASSWORD is set without RADIAL_AGENT_GIT_USERNAME/);
});

test("the CLI's RADIAL_TOKEN (the admin token) is never the agent's token: without an agent token the agent says which one it needs", () => {
  const { RADIAL_AGENT_TOKEN: _agentToken, ...shell } = base;
  assert.throws(
    () => loadAgentConfig({}, { ...shell, RADIAL_TOKEN: `rdl_admin_${"a".repeat(43)}` }),
    /--token-file, RADIAL_AGENT_TOKEN_FILE or RADIAL_AGENT_TOKEN .*: required \(RADIAL_TOKEN is set, but that is the radial CLI's admin token, which the agent does not read\)/,
  );
});

test("an admin token given as the agent's token is refused, naming the agent token it needs and where it comes from", async (t) => {
  const refusal =
    /this is the hub's admin token \(rdl_admin_\.\.\.\); the agent needs its cluster's agent token \(rdl_agent_\.\.\.\), which `radial cluster register` and `radial cluster rotate-token` print/;
  assert.throws(() => loadAgentConfig({}, { ...base, RADIAL_AGENT_TOKEN: `rdl_admin_${"a".repeat(43)}` }), refusal);
  const dir = await mkdtemp(join(tmpdir(), "radial-agent-config-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, "token"), `rdl_admin_${"a".repeat(43)}\n`);
  assert.throws(() => loadAgentConfig({ tokenFile: join(dir, "token") }, base), refusal);
  // RADIAL_ADMIN_TOKEN may be any string of 16+ characters: anything without the agent prefix is refused.
  assert.throws(
    () => loadAgentConfig({}, { ...base, RADIAL_AGENT_TOKEN: "a-hand-picked-admin-token-of-32-chars" }),
    /this is not an agent token; the agent needs/,
  );
});

test("the names bootstrap manifests set before RADIAL_AGENT_ still work, and are reported for renaming; the new name wins", () => {
  const legacy = {
    RADIAL_HUB_URL: "https://hub.example",
    RADIAL_CLUSTER: "edge-9",
    RADIAL_TOKEN_FILE: "/etc/radial/token",
    RADIAL_REPO_URL: "https://git.example/fleet.git",
    RADIAL_DATA_DIR: "/var/lib/radial",
  };
  assert.deepEqual(legacyVariables({ ...legacy, RADIAL_AGENT_CLUSTER: "edge-1", RADIAL_TOKEN: "admin" }), [
    { legacy: "RADIAL_HUB_URL", use: "RADIAL_AGENT_HUB_URL" },
    { legacy: "RADIAL_TOKEN_FILE", use: "RADIAL_AGENT_TOKEN_FILE" },
    { legacy: "RADIAL_REPO_URL", use: "RADIAL_AGENT_REPO_URL" },
    { legacy: "RADIAL_DATA_DIR", use: "RADIAL_AGENT_DATA_DIR" },
  ]);
  const { RADIAL_TOKEN_FILE: _file, ...withoutFile } = legacy;
  const config = loadAgentConfig({}, { ...withoutFile, RADIAL_AGENT_CLUSTER: "edge-1", RADIAL_AGENT_TOKEN: TOKEN, KUBERNETES_SERVICE_HOST: "10.0.0.1" });
  assert.deepEqual([config.hubUrl, config.cluster, config.repoUrl], ["https://hub.example", "edge-1", "https://git.example/fleet.git"]);
});
