import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { AgentConfigError, loadAgentConfig } from "../../../agent/config.js";

const TOKEN = "t".repeat(40);
const base = {
  RADIAL_HUB_URL: "https://hub.example/",
  RADIAL_CLUSTER: "edge-1",
  RADIAL_TOKEN: TOKEN,
  RADIAL_REPO_URL: "https://git.example/fleet.git",
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

test("flags win over the environment; durations take s and m; the token file wins over RADIAL_TOKEN and is trimmed", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "radial-agent-config-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, "token"), `${"f".repeat(40)}\n`);
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
    { ...base, RADIAL_GIT_USERNAME: "bot", RADIAL_GIT_PASSWORD: "secret", KUBECONFIG: "/other", RADIAL_KUBE_API_QPS: "10", RADIAL_KUBE_API_BURST: "40" },
  );
  assert.equal(config.cluster, "edge-2");
  assert.equal(config.pollIntervalSeconds, 120);
  assert.equal(config.heartbeatSeconds, 45);
  assert.equal(config.token, "f".repeat(40));
  assert.equal(config.kubeconfig, "/k/config");
  assert.equal(config.metricsPort, 9090);
  assert.deepEqual([config.kubeApiQps, config.kubeApiBurst], [20, 40]);
  assert.deepEqual([config.repoUsername, config.repoPassword], ["bot", "secret"]);
});

test("bad values are refused naming the flag and variable, all problems at once", () => {
  assert.throws(
    () => loadAgentConfig({ hub: "ftp://hub", pollInterval: "1s", metricsPort: "http" }, { ...base, RADIAL_CLUSTER: "Edge_1", RADIAL_TOKEN: "short" }),
    (error: unknown) => {
      assert.ok(error instanceof AgentConfigError);
      assert.match(error.message, /--hub or RADIAL_HUB_URL .*: must be an http:\/\/ or https:\/\/ URL/);
      assert.match(error.message, /--cluster or RADIAL_CLUSTER .*: must be a DNS-1123 label/);
      assert.match(error.message, /RADIAL_TOKEN .*: must be at least 32 characters/);
      assert.match(error.message, /--poll-interval or RADIAL_POLL_INTERVAL .*: /);
      assert.match(error.message, /--metrics-port or RADIAL_METRICS_PORT: must be a whole number/);
      return true;
    },
  );
  assert.throws(() => loadAgentConfig({}, { ...base, RADIAL_GIT_PASSWORD: "p" }), /RADIAL_GIT_PASSWORD is set without RADIAL_GIT_USERNAME/);
});
