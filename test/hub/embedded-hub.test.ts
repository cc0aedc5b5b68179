import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Logger } from "@aws-lambda-powertools/logger";
import { ApiError } from "../../contract/index.js";
import { startHub } from "../../lambdas/local/hub.js";
import { freePort } from "../engines/process.js";

/** Starts the embedded hub with the command `npm start` runs and returns the URL it prints. */
async function startNpmStart(dataDir: string): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ["bin/radial.js", "hub", "up"], {
    env: { ...process.env, PORT: "0", RADIAL_DATA_DIR: dataDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hub did not print its URL in 30 s:\n${output}`)), 30_000);
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Radial hub listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once("exit", (code) => reject(new Error(`hub exited with ${code}:\n${output}`)));
  });
  return { url, child, output: () => output };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill("SIGTERM");
  return exited;
}

/** The API description lists every route, the registration schema, and the credential each operation takes. */
async function describesItsRoutes(url: string): Promise<void> {
  const response = await fetch(`${url}/v1/openapi.json`);
  assert.equal(response.status, 200);
  const document = (await response.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
  assert.equal(document.openapi, "3.1.0");
  const operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
  assert.deepEqual(operations.sort(), [
    "DELETE /v1/clusters/{name}",
    "GET /healthz",
    "GET /metrics",
    "GET /v1/agent/revision",
    "GET /v1/applications",
    "GET /v1/applications/{app}",
    "GET /v1/clusters",
    "GET /v1/clusters/{name}",
    "GET /v1/clusters/{name}/applications/{app}",
    "GET /v1/clusters/{name}/rebuilds",
    "GET /v1/clusters/{name}/status",
    "GET /v1/events",
    "GET /v1/fleet",
    "GET /v1/fleet/clusters",
    "GET /v1/generations",
    "GET /v1/generations/{id}",
    "GET /v1/openapi.json",
    "PATCH /v1/clusters/{name}",
    "POST /v1/agent/status",
    "POST /v1/clusters",
    "POST /v1/clusters/{name}/rebuild",
    "POST /v1/clusters/{name}/token",
    "POST /v1/generate",
    "POST /v1/webhooks/git",
  ]);
  const register = document.paths["/v1/clusters"]!.post as {
    requestBody: { content: { "application/json": { schema: { properties: Record<string, unknown>; additionalProperties: boolean } } } };
  };
  const schema = register.requestBody.content["application/json"].schema;
  assert.deepEqual(Object.keys(schema.properties).sort(), ["allowLoopbackHub", "annotations", "eksClusterArn", "labels", "name", "server"]);
  assert.equal(schema.additionalProperties, false, "unknown fields are refused, and the description says so");

  // Each operation says which credential it takes: the admin token by default, or its own.
  const security = (path: string, method: string) => (document.paths[path]![method] as { security?: unknown }).security;
  assert.deepEqual((document as unknown as { security: unknown }).security, [{ adminToken: [] }]);
  assert.equal(security("/v1/clusters", "post"), undefined, "admin routes inherit the document's adminToken");
  assert.deepEqual(security("/v1/agent/status", "post"), [{ agentToken: [] }]);
  assert.deepEqual(security("/v1/webhooks/git", "post"), [{ webhookSignature: [] }]);
  assert.deepEqual(security("/healthz", "get"), []);
}

describe("embedded hub (npm start)", () => {
  let dataDir: string;
  let hub: Awaited<ReturnType<typeof startNpmStart>>;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "radial-hub-"));
    hub = await startNpmStart(dataDir);
  });
  after(async () => {
    await stop(hub.child);
    await rm(dataDir, { recursive: true, force: true });
  });

  test("/healthz answers ok once the inventory table is reachable", async () => {
    const response = await fetch(`${hub.url}/healthz`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: "ok", version: "0.1.0" });
  });

  test("/v1/openapi.json describes the routes it serves", () => describesItsRoutes(hub.url));

  test("/metrics counts requests by route template and status", async () => {
    await fetch(`${hub.url}/healthz`);
    await fetch(`${hub.url}/v1/clusters/some-name`);
    const response = await fetch(`${hub.url}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/plain/);
    const text = await response.text();
    assert.match(text, /radial_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} [1-9]/);
    assert.match(text, /radial_http_request_duration_seconds_count\{method="GET",route="\/v1\/clusters\/\{name\}",status="401"\} 1/);
    assert.match(text, /radial_hub_process_resident_memory_bytes/);
  });

  test("malformed percent-encoding in a path gets a 400, not a 500", async () => {
    const token = (await readFile(join(dataDir, "admin-token"), "utf8")).trim();
    const response = await fetch(`${hub.url}/v1/clusters/%E0%A4%A`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 400);
    assert.match(ApiError.parse(await response.json()).error.message, /not valid percent-encoding/);
  });

  test("an unknown route gets a 404 in the API error shape", async () => {
    const response = await fetch(`${hub.url}/v1/nothing-here`);
    assert.equal(response.status, 404);
    const body = ApiError.parse(await response.json());
    assert.equal(body.error.code, "not_found");
    assert.match(body.error.message, /no route GET \/v1\/nothing-here/);
  });

  test("a wrong method gets a 405 naming the allowed ones", async () => {
    const response = await fetch(`${hub.url}/healthz`, { method: "POST", body: "{}" });
    assert.equal(response.status, 405);
    assert.match(ApiError.parse(await response.json()).error.message, /allowed: GET/);
  });

  test("a body over the limit gets a 413 and the hub keeps serving", async () => {
    const response = await fetch(`${hub.url}/healthz`, { method: "POST", body: "x".repeat(2 * 1024 * 1024) });
    assert.equal(response.status, 413);
    assert.equal(ApiError.parse(await response.json()).error.code, "payload_too_large");
    assert.equal((await fetch(`${hub.url}/healthz`)).status, 200);
  });

  test("the admin token is generated once, and the inventory survives a restart", async () => {
    const token = (await readFile(join(dataDir, "admin-token"), "utf8")).trim();
    assert.ok(hub.output().includes(`RADIAL_TOKEN=${token}`), "the first start prints the token");
    assert.equal((await stat(join(dataDir, "admin-token"))).mode & 0o777, 0o600);
    const registered = await fetch(`${hub.url}/v1/clusters`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "kept", labels: { env: "prod" }, allowLoopbackHub: true }),
    });
    assert.equal(registered.status, 201);
    assert.ok(existsSync(join(dataDir, "inventory", "CURRENT")), "LevelDB files under <data>/inventory");

    assert.equal(await stop(hub.child), 0);
    hub = await startNpmStart(dataDir);
    assert.ok(!hub.output().includes(token), "later starts do not print the token again");
    const kept = await fetch(`${hub.url}/v1/clusters/kept`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(kept.status, 200);
    assert.deepEqual(((await kept.json()) as { labels: unknown }).labels, { env: "prod" });
  });
});

test("a hub refused at start releases its port and data dir: with the setting fixed it starts there again", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "radial-hub-refused-"));
  const port = await freePort();
  const logger = new Logger({ serviceName: "radial-hub-test", logLevel: "SILENT" });
  try {
    const settings = { port, host: "127.0.0.1", dataDir, logger };
    await assert.rejects(startHub({ ...settings, env: { RADIAL_AGENT_GIT_USERNAME: "reader" } }), /RADIAL_AGENT_GIT_PASSWORD must be set together/);
    // The embedded store locks its folder and the server holds the port: either left open fails this start.
    const hub = await startHub({ ...settings, env: {} });
    try {
      assert.equal(new URL(hub.url).port, String(port));
      assert.equal((await fetch(`${hub.url}/healthz`)).status, 200);
    } finally {
      await hub.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
