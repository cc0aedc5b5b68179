// A hub listening on loopback with no RADIAL_HUB_URL would hand agents a URL no pod can reach: it
// refuses to issue such a bootstrap manifest, before anything is stored, unless asked to.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parseAllDocuments } from "yaml";
import { AGENT_VARIABLES, RegisterClusterResponse, RotateTokenResponse } from "../../contract/index.js";
import { isLoopbackUrl } from "../../lambdas/inventory/hub-url.js";
import { adminOf, radial } from "../cli/radial-cli.js";
import { errorOf, startTestHub, type TestHub } from "./harness.js";

/** The hub URL a bootstrap manifest gives the agent. */
function manifestHubUrl(manifest: string): string | undefined {
  for (const document of parseAllDocuments(manifest)) {
    const object = document.toJS() as { kind: string; spec?: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } } };
    if (object.kind === "Deployment") return object.spec?.template.spec.containers[0]?.env.find((v) => v.name === AGENT_VARIABLES.hubUrl)?.value;
  }
  return undefined;
}

test("loopback hub URLs: localhost names, 127.0.0.0/8, ::1 (also IPv4-mapped) and the unspecified addresses", () => {
  const loopback = ["http://127.0.0.1:8420", "http://127.8.9.10", "http://localhost:8420", "https://LOCALHOST.", "http://hub.localhost", "http://[::1]:8420"];
  const alsoUnreachable = ["http://[::ffff:127.0.0.1]:1", "http://0.0.0.0:8420", "http://[::]:8420"];
  const reachable = [
    "https://radial.example.com",
    "http://10.0.0.7:8420",
    "http://192.168.1.2",
    "http://[fd00::1]",
    "http://localhost.example.com",
    "http://128.0.0.1",
  ];
  for (const url of [...loopback, ...alsoUnreachable]) assert.equal(isLoopbackUrl(url), true, url);
  for (const url of reachable) assert.equal(isLoopbackUrl(url), false, url);
});

describe("a hub on 127.0.0.1 without RADIAL_HUB_URL", () => {
  let hub: TestHub;
  before(async () => {
    hub = await startTestHub({ env: { RADIAL_HUB_URL: undefined } });
  });
  after(() => hub.stop());

  test("refuses to register a cluster, naming the setting and the flag, and stores nothing", async () => {
    const refused = await hub.api("POST", "/v1/clusters", { body: { name: "edge-1" } });
    assert.equal(refused.status, 400);
    const error = errorOf(refused);
    assert.equal(error.code, "validation_failed");
    assert.deepEqual(error.details, { field: "allowLoopbackHub" });
    assert.ok(error.message.includes(`would send the agent to ${hub.url}, a loopback address`), error.message);
    assert.match(error.message, /Set RADIAL_HUB_URL on the hub to the URL agents reach it at/);
    assert.match(error.message, /--allow-loopback \(API: "allowLoopbackHub": true\)/);
    assert.equal((await hub.api("GET", "/v1/clusters/edge-1")).status, 404, "nothing was stored");
  });

  test("registers with allowLoopbackHub, and rotates the token only with it", async () => {
    const registered = await hub.api("POST", "/v1/clusters", { body: { name: "edge-2", allowLoopbackHub: true } });
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    const { bootstrap, token } = RegisterClusterResponse.parse(registered.body);
    assert.equal(manifestHubUrl(bootstrap), hub.url);

    const refused = await hub.api("POST", "/v1/clusters/edge-2/token");
    assert.equal(refused.status, 400);
    assert.deepEqual(errorOf(refused).details, { field: "allowLoopbackHub" });
    const unknownField = await hub.api("POST", "/v1/clusters/edge-2/token", { body: { allowLoopback: true } });
    assert.equal(unknownField.status, 400, "a misspelt field is refused, not ignored");
    const rotated = await hub.api("POST", "/v1/clusters/edge-2/token", { body: { allowLoopbackHub: true } });
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    assert.notEqual(RotateTokenResponse.parse(rotated.body).token, token);
  });

  test("radial cluster register exits 1 with the hub's reason, and succeeds with --allow-loopback", async () => {
    const refused = await radial(["cluster", "register", "edge-3"], { env: adminOf(hub) });
    assert.equal(refused.status, 1, refused.stderr);
    assert.match(refused.stderr, /RADIAL_HUB_URL/);
    assert.match(refused.stderr, /--allow-loopback/);
    const allowed = await radial(["cluster", "register", "edge-3", "--allow-loopback", "-o", "json"], { env: adminOf(hub) });
    assert.equal(allowed.status, 0, allowed.stderr);
    assert.equal(manifestHubUrl(RegisterClusterResponse.parse(JSON.parse(allowed.stdout)).bootstrap), hub.url);
    const rotated = await radial(["cluster", "rotate-token", "edge-3", "--allow-loopback", "-o", "json"], { env: adminOf(hub) });
    assert.equal(rotated.status, 0, rotated.stderr);
  });
});

test("a hub with a public RADIAL_HUB_URL issues bootstrap manifests with it, no flag needed", async () => {
  const hub = await startTestHub({ env: { RADIAL_HUB_URL: "https://radial.example.com" } });
  try {
    const registered = await hub.api("POST", "/v1/clusters", { body: { name: "edge-4" } });
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    assert.equal(manifestHubUrl(RegisterClusterResponse.parse(registered.body).bootstrap), "https://radial.example.com");
  } finally {
    await hub.stop();
  }
});
