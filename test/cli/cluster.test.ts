import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parse, parseAllDocuments } from "yaml";
import * as z from "zod";
import { Cluster, ClusterList } from "../../contract/index.js";
import { bearerAuth } from "../../cli/hub-auth.js";
import { HubClient } from "../../cli/hub-client.js";
import { startTestHub, type TestHub } from "../hub/harness.js";
import { adminOf, radial, type Run } from "./radial-cli.js";

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function names(hub: TestHub): Promise<string[]> {
  const { items } = ClusterList.parse((await hub.api("GET", "/v1/clusters?limit=500")).body);
  return items.map((c) => c.name).sort();
}

async function stored(hub: TestHub, name: string): Promise<Cluster> {
  return Cluster.parse((await hub.api("GET", `/v1/clusters/${name}`)).body);
}

const TokenSecret = z.object({ kind: z.literal("Secret"), stringData: z.object({ token: z.string() }) });

/** The agent token in a bootstrap manifest: its Secret's stringData.token. */
function manifestToken(manifest: string): string | undefined {
  for (const document of parseAllDocuments(manifest)) {
    const secret = TokenSecret.safeParse(document.toJS());
    if (secret.success) return secret.data.stringData.token;
  }
  return undefined;
}

// One hub for the whole file: the tests run in order, each on what the ones before it left.
let hub: TestHub;
let dir: string;
let cli: (...args: string[]) => Promise<Run>;

before(async () => {
  hub = await startTestHub();
  dir = await mkdtemp(join(tmpdir(), "radial-cli-"));
  cli = (...args) => radial(args, { env: adminOf(hub), cwd: dir });
});
after(async () => {
  await hub.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("radial cluster against a real hub: register, list, get", () => {
  test("register with --bootstrap-out writes the manifest with the token to a 0600 file and shows the token once", async () => {
    const run = await cli(
      "cluster",
      "register",
      "prod-eu-1",
      "--label",
      "env=prod",
      "--label",
      "tier=web",
      "--annotation",
      "owner=team-a",
      "--server",
      "https://10.0.0.1:6443",
      "--bootstrap-out",
      "prod-eu-1.yaml",
    );
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^NAME\s+LABELS\s+SERVER\s+EKS\s+AGE\nprod-eu-1\s+env=prod,tier=web\s+https:\/\/10\.0\.0\.1:6443\s+-\s+\d+s\n/);
    const token = /^\s+(rdl_agent_\S+)$/m.exec(run.stdout)?.[1];
    assert.ok(token, run.stdout);
    assert.match(run.stdout, /shown only this once/);
    assert.match(run.stdout, /kubectl apply --server-side -f prod-eu-1\.yaml/);

    const file = join(dir, "prod-eu-1.yaml");
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal(manifestToken(await readFile(file, "utf8")), token);
    const cluster = await stored(hub, "prod-eu-1");
    assert.deepEqual([cluster.labels, cluster.annotations], [{ env: "prod", tier: "web" }, { owner: "team-a" }]);
  });

  test("register without --bootstrap-out puts the manifest on stdout and the summary on stderr", async () => {
    const run = await cli("cluster", "register", "dev-1", "--label", "env=dev");
    assert.equal(run.status, 0, run.stderr);
    const documents = parseAllDocuments(run.stdout).map((d) => d.toJS() as unknown);
    assert.equal(documents.length, 6, "stdout is exactly the manifest, ready for kubectl apply -f -");
    const token = manifestToken(run.stdout);
    assert.ok(token && run.stderr.includes(token));
    assert.match(run.stderr, /follows on stdout/);
    await hub.api("POST", "/v1/clusters", { body: { name: "prod-us-1", labels: { env: "prod" } } });
  });

  test("list with a selector, as a table sorted by name and as JSON", async () => {
    const [table, json] = await Promise.all([cli("cluster", "list", "--selector", "env=prod"), cli("-o", "json", "cluster", "list", "--selector", "env=prod")]);
    assert.equal(table.status, 0, table.stderr);
    assert.deepEqual(
      table.stdout
        .trim()
        .split("\n")
        .map((line) => line.split(/\s+/).slice(0, 2)),
      [
        ["NAME", "LABELS"],
        ["prod-eu-1", "env=prod,tier=web"],
        ["prod-us-1", "env=prod"],
      ],
    );
    assert.equal(json.status, 0, json.stderr);
    const listed = (JSON.parse(json.stdout) as unknown[]).map((item) => Cluster.parse(item));
    assert.deepEqual(
      listed.map((c) => c.name),
      ["prod-eu-1", "prod-us-1"],
    );
  });

  test("get prints the cluster as the hub holds it", async () => {
    const run = await cli("cluster", "get", "prod-eu-1", "-o", "yaml");
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(parse(run.stdout), (await hub.api("GET", "/v1/clusters/prod-eu-1")).body);
  });
});

describe("radial cluster against a real hub: label, rotate-token, delete, errors, paging", () => {
  test("label adds and removes; changing a value needs --overwrite", async () => {
    const change = await cli("cluster", "label", "prod-eu-1", "team=a", "tier-");
    assert.equal(change.status, 0, change.stderr);
    assert.match(change.stdout, /prod-eu-1\s+env=prod,team=a\s/);

    const refused = await cli("cluster", "label", "prod-eu-1", "env=dev");
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /'env' already has a value \(prod\), and --overwrite is false/);
    assert.deepEqual((await stored(hub, "prod-eu-1")).labels, { env: "prod", team: "a" });

    const overwritten = await cli("cluster", "label", "prod-eu-1", "env=dev", "--overwrite");
    assert.equal(overwritten.status, 0, overwritten.stderr);
    assert.deepEqual((await stored(hub, "prod-eu-1")).labels, { env: "dev", team: "a" });
  });

  test("rotate-token rewrites the manifest file with a new token and says how long the old one lasts", async () => {
    const file = join(dir, "prod-eu-1.yaml");
    const before = await readFile(file, "utf8");
    const run = await cli("cluster", "rotate-token", "prod-eu-1", "--bootstrap-out", "prod-eu-1.yaml");
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /previous token stays valid until \d{4}-\d\d-\d\dT/);
    const token = /^\s+(rdl_agent_\S+)$/m.exec(run.stdout)?.[1];
    const after = await readFile(file, "utf8");
    assert.ok(token && after.includes(token) && !before.includes(token));
    assert.equal((await stat(file)).mode & 0o777, 0o600);
  });

  test("delete prints what it deleted and the cluster is gone", async () => {
    const run = await cli("cluster", "delete", "prod-us-1");
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /deleted cluster prod-us-1 \(labels env=prod\)/);
    assert.equal((await hub.api("GET", "/v1/clusters/prod-us-1")).status, 404);
  });

  test("exit codes: 4 not found, 2 usage (nothing sent), 3 unreachable, 2 no token", async () => {
    const before = await names(hub);
    const [missing, badLabel, unreachable, noToken] = await Promise.all([
      cli("cluster", "get", "nope"),
      cli("cluster", "register", "staging-1", "--label", "env"),
      radial(["cluster", "list"], { env: { ...adminOf(hub), RADIAL_HUB: `http://127.0.0.1:${await closedPort()}` }, cwd: dir }),
      radial(["cluster", "list"], { env: { RADIAL_HUB: hub.url }, cwd: dir }),
    ]);
    assert.equal(missing.status, 4);
    assert.match(missing.stderr, /^error: .*nope.*\(not_found, HTTP 404\)$/m);
    assert.equal(badLabel.status, 2);
    assert.match(badLabel.stderr, /argument 'env' is invalid\. expected key=value/);
    assert.deepEqual(await names(hub), before, "nothing was registered");
    assert.equal(unreachable.status, 3);
    assert.match(unreachable.stderr, /cannot reach the hub at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED \(is it running\? set --hub or RADIAL_HUB\)/);
    assert.equal(noToken.status, 2);
    assert.match(noToken.stderr, /set RADIAL_TOKEN/);
  });

  test("the client follows nextPageToken to the last page", async () => {
    await hub.api("POST", "/v1/clusters", { body: { name: "edge-1" } });
    const listed = await new HubClient(hub.url, bearerAuth(hub.adminToken)).listAll(undefined, 1);
    assert.deepEqual(listed.map((c) => c.name).sort(), ["dev-1", "edge-1", "prod-eu-1"]);
  });
});
