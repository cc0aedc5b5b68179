import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Application, Cluster, ClusterList, ClusterStatus, RegisterClusterResponse, type ApplicationStatus, type StatusReport } from "../../contract/index.js";
import { radial } from "../cli/radial-cli.js";
import { errorOf, type TestHub } from "./harness.js";
import { hubStores, type SharedStore } from "./stores.js";

// Keys users name that are also names of JavaScript object members, through every place a user
// names a key. Each is either kept exactly, as any other key, or (where the rules of the field
// refuse it) refused with 400 naming it; never a 500, never silently dropped.
const MEMBER_NAMES = ["constructor", "__proto__", "prototype", "toString", "hasOwnProperty", "valueOf"] as const;
/** Valid label and annotation keys (Kubernetes' qualified names); `__proto__` starts with '_'. */
const validKey = (name: string) => name !== "__proto__";
/** Valid application names (DNS-1123 subdomains). */
const validApplication = (name: string) => /^[a-z]+$/.test(name);

/** A JSON object text with `key`, written by hand: JSON.stringify of a literal could not hold `__proto__` as a key. */
const objectWith = (key: string, value: string) => `{${JSON.stringify(key)}:${JSON.stringify(value)}}`;

const app = (name: string, overrides: Partial<ApplicationStatus> = {}): ApplicationStatus => ({
  name,
  revision: null,
  sync: "OutOfSync",
  health: "Progressing",
  resourceCount: 1,
  resources: [],
  ...overrides,
});

function report(cluster: string, applications: ApplicationStatus[], fields: string[] = []): StatusReport {
  return {
    cluster,
    agentVersion: "0.1.0",
    heartbeatAt: new Date().toISOString(),
    revision: null,
    conditions: [],
    applications,
    driftEvents: fields.length
      ? [
          {
            at: new Date().toISOString(),
            application: "web",
            resource: { group: "", version: "v1", kind: "ConfigMap", name: "constructor" },
            fields,
            action: "Healed",
          },
        ]
      : [],
  };
}

async function labelsAndAnnotations(hub: TestHub, key: string, cluster: string): Promise<void> {
  const body = `{"name":"${cluster}","labels":${objectWith(key, "one")},"annotations":${objectWith(key, "note")}}`;
  const registered = await hub.api("POST", "/v1/clusters", { rawBody: body });
  if (!validKey(key)) {
    assert.equal(registered.status, 400, JSON.stringify(registered.body));
    assert.match(errorOf(registered).message, /labels\.__proto__/);
    assert.equal((await hub.api("GET", `/v1/clusters/${cluster}`)).status, 404, "nothing stored");
    const patched = await hub.api("PATCH", "/v1/clusters/plain", { rawBody: `{"annotations":${objectWith(key, "x")}}` });
    assert.equal(patched.status, 400);
    assert.match(errorOf(patched).message, /annotations\.__proto__/);
    return;
  }
  assert.equal(registered.status, 201, JSON.stringify(registered.body));
  const cluster1 = Cluster.parse((await hub.api("GET", `/v1/clusters/${cluster}`)).body);
  assert.deepEqual(Object.entries(cluster1.labels), [[key, "one"]]);
  assert.deepEqual(Object.entries(cluster1.annotations), [[key, "note"]]);
  const changed = await hub.api("PATCH", `/v1/clusters/${cluster}`, { rawBody: `{"labels":${objectWith(key, "two")}}` });
  assert.equal(changed.status, 200, JSON.stringify(changed.body));
  assert.deepEqual(Object.entries(Cluster.parse(changed.body).labels), [[key, "two"]]);
  // A selector on the key finds this cluster and no other; its negation finds the others.
  const names = async (selector: string) =>
    ClusterList.parse((await hub.api("GET", `/v1/clusters?selector=${encodeURIComponent(selector)}`)).body)
      .items.map((c) => c.name)
      .sort();
  assert.deepEqual(await names(`${key}=two`), [cluster]);
  assert.deepEqual(await names(key), [cluster]);
  assert.ok(!(await names(`!${key}`)).includes(cluster));
  assert.ok((await names(`!${key}`)).includes("plain"), "a cluster without the key does not have it");
  const removed = await hub.api("PATCH", `/v1/clusters/${cluster}`, { rawBody: `{"labels":${objectWith(key, "x").replace('"x"', "null")}}` });
  assert.equal(removed.status, 200);
  assert.deepEqual(Cluster.parse(removed.body).labels, {});
}

async function statusReports(hub: TestHub, name: string, cluster: string): Promise<void> {
  const registered = await hub.api("POST", "/v1/clusters", { body: { name: cluster } });
  const token = RegisterClusterResponse.parse(registered.body).token;
  const send = (body: StatusReport | string) => hub.api("POST", "/v1/agent/status", { token, ...(typeof body === "string" ? { rawBody: body } : { body }) });
  const fields = [name, `metadata.annotations.${name}`, `data.${name}`];
  if (validApplication(name)) {
    // Twice: the first report must not leave the cluster unable to report again.
    for (const sync of ["OutOfSync", "Synced"] as const) {
      const reply = await send(report(cluster, [app(name, { sync }), app("web")], fields));
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
    }
    const status = ClusterStatus.parse((await hub.api("GET", `/v1/clusters/${cluster}/status`)).body);
    assert.deepEqual(
      status.applications.map((a) => [a.name, a.sync]),
      [
        [name, "Synced"],
        ["web", "OutOfSync"],
      ].sort(),
    );
    assert.deepEqual(status.syncCounts, { Synced: 1, OutOfSync: 1 }, "the roll-up agrees with its applications");
  } else {
    const refused = await send(report(cluster, [app(name)]));
    assert.equal(refused.status, 400);
    assert.match(errorOf(refused).message, /applications\[0\]\.name/);
    const fine = await send(report(cluster, [app("web")], fields));
    assert.equal(fine.status, 200, JSON.stringify(fine.body));
  }
  const events = ClusterStatus.parse((await hub.api("GET", `/v1/clusters/${cluster}/status`)).body).driftEvents;
  assert.deepEqual(events.at(0)?.fields, fields, "drift field paths are kept verbatim");
  // A member name as an extra field of the report is refused naming it, like any unknown field.
  const extra = JSON.stringify(report(cluster, [app("web")])).replace(/^\{/, `{${JSON.stringify(name)}:{"x":1},`);
  const refused = await send(extra);
  assert.equal(refused.status, 400, JSON.stringify(refused.body));
  assert.match(errorOf(refused).message, new RegExp(name === "__proto__" ? "__proto__" : `Unrecognized key.*${name}|${name}`));
}

for (const kind of hubStores) {
  describe(`keys named like object members on the ${kind.name}`, { timeout: 5 * 60_000 }, () => {
    let store: SharedStore;
    let hub: TestHub;
    before(async () => {
      store = await kind.start();
      hub = await store.hub();
      assert.equal((await hub.api("POST", "/v1/clusters", { body: { name: "plain" } })).status, 201);
    });
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- still unset when before() failed
    after(() => store?.stop());

    for (const [i, name] of MEMBER_NAMES.entries()) {
      test(`${name}: as a label and annotation key, in PATCH and selectors`, () => labelsAndAnnotations(hub, name, `keys-${i}`));
      test(`${name}: as an application name, a drift field path and a report field`, () => statusReports(hub, name, `reports-${i}`));
    }
  });
}

describe("keys named like object members in generators", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "radial-member-keys-"));
    await mkdir(join(dir, "generators"));
    const labels = MEMBER_NAMES.filter(validKey)
      .map((name) => `${name}: l-${name.toLowerCase()}`)
      .join(", ");
    await writeFile(join(dir, "clusters.yaml"), `- { name: c1, server: https://c1, labels: { ${labels} } }\n`);
    const element = MEMBER_NAMES.map((name) => `${JSON.stringify(name)}: e-${name.replaceAll("_", "").toLowerCase()}`).join(", ");
    const set = (name: string, goTemplate: boolean, template: string) =>
      `apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: { name: ${name} }\nspec:\n  goTemplate: ${goTemplate}\n${template}`;
    await writeFile(
      join(dir, "generators", "list.yaml"),
      set(
        "list",
        false,
        `  generators: [{ list: { elements: [{ ${element} }] } }]\n  template:\n    metadata: { name: 'list-{{constructor}}', annotations: { a: '{{toString}}', b: '{{valueOf}}', c: '{{__proto__}}', d: '{{hasOwnProperty}}' } }\n    spec: { project: default, source: { repoURL: https://g/r.git, path: '{{prototype}}' }, destination: { server: https://c1, namespace: x } }\n`,
      ),
    );
    await writeFile(
      join(dir, "generators", "clusters.yaml"),
      set(
        "clusters",
        true,
        `  generators: [{ clusters: { selector: { matchLabels: { constructor: l-constructor } } } }]\n  template:\n    metadata: { name: 'c-{{.name}}', annotations: { a: '{{index .metadata.labels "toString"}}', b: '{{index .metadata.labels "valueOf"}}' } }\n    spec: { project: default, source: { repoURL: https://g/r.git, path: '{{index .metadata.labels "prototype"}}' }, destination: { server: '{{.server}}', namespace: x } }\n`,
      ),
    );
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test("generator parameters and values named like members render as any other", async () => {
    const result = await radial(["render", "--clusters", join(dir, "clusters.yaml"), "--generators", join(dir, "generators"), "-o", "json"]);
    assert.equal(result.status, 0, result.stderr);
    const applications = (JSON.parse(result.stdout) as unknown[]).map((a) => Application.parse(a));
    const byName = new Map(applications.map((a) => [a.metadata.name, a]));
    const list = byName.get("list-e-constructor");
    assert.ok(list, `rendered: ${[...byName.keys()].join(", ")}`);
    assert.deepEqual(list.metadata.annotations, { a: "e-tostring", b: "e-valueof", c: "e-proto", d: "e-hasownproperty" });
    assert.equal(list.spec.source?.path, "e-prototype");
    const cluster = byName.get("c-c1");
    assert.ok(cluster, `rendered: ${[...byName.keys()].join(", ")}`);
    assert.deepEqual(cluster.metadata.annotations, { a: "l-tostring", b: "l-valueof" });
    assert.equal(cluster.spec.source?.path, "l-prototype");
  });
});
