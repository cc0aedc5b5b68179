import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  Cluster,
  ClusterList,
  ClusterStatus,
  RegisterClusterResponse,
  type ApplicationStatus,
  type Condition,
  type DriftEvent,
  type ResourceStatus,
  type StatusReport,
} from "../../contract/index.js";
import { errorOf, type TestHub } from "./harness.js";
import { hubStores, type SharedStore } from "./stores.js";

// DynamoDB counts UTF-8 bytes (a CJK character is 3, an emoji 4); the hub's bounds do too, and every
// request inside them fits its items. On DynamoDB Local, which enforces the 400 KB item limit as AWS
// does, the largest accepted requests are stored whole; just past a bound, a 400 names the field.

const utf8Length = (value: string) => Buffer.byteLength(value);

/** Text of exactly `bytes` UTF-8 bytes, of `character`s (padded with ASCII). */
function text(bytes: number, character: string): string {
  const size = utf8Length(character);
  const out = character.repeat(Math.floor(bytes / size)) + "a".repeat(bytes % size);
  assert.equal(utf8Length(out), bytes);
  return out;
}

const CJK = "界";
const EMOJI = "😀";
/** The longest label key: a 253-character prefix and a 63-character name. */
const PREFIX = ["a", "b", "c"].map((c) => c.repeat(63)).join(".") + "." + "d".repeat(61);
const key = (i: number) => `${PREFIX}/k${String(i).padStart(2, "0")}${"x".repeat(60)}`;

async function largestCluster(hub: TestHub): Promise<void> {
  const labels = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [key(i), "v".repeat(63)]));
  const registered = await hub.api("POST", "/v1/clusters", { body: { name: "big", labels, server: `https://s.example/${"p".repeat(2020)}` } });
  assert.equal(registered.status, 201, JSON.stringify(registered.body).slice(0, 500));
  // 64 annotations of 4,096 bytes each (CJK and emoji by turns), 14 to a PATCH to stay under 64 KiB.
  const annotations = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [key(i), text(4096, i % 2 ? EMOJI : CJK)]));
  const entries = Object.entries(annotations);
  for (let i = 0; i < entries.length; i += 14) {
    const patched = await hub.api("PATCH", "/v1/clusters/big", { body: { annotations: Object.fromEntries(entries.slice(i, i + 14)) } });
    assert.equal(patched.status, 200, `annotations ${i}..: ${JSON.stringify(patched.body).slice(0, 300)}`);
  }
  const stored = Cluster.parse((await hub.api("GET", "/v1/clusters/big")).body);
  assert.deepEqual({ ...stored.annotations }, annotations);
  assert.deepEqual({ ...stored.labels }, labels);
  const listed = ClusterList.parse((await hub.api("GET", "/v1/clusters?selector=" + encodeURIComponent(`${key(0)}=${"v".repeat(63)}`))).body);
  assert.deepEqual(
    listed.items.map((c) => c.name),
    ["big"],
  );
}

async function annotationsPastTheBound(hub: TestHub): Promise<void> {
  assert.equal((await hub.api("POST", "/v1/clusters", { body: { name: "small" } })).status, 201);
  const before = Cluster.parse((await hub.api("GET", "/v1/clusters/small")).body);
  for (const value of [text(4097, CJK), CJK.repeat(4096), EMOJI.repeat(2048)]) {
    const refused = await hub.api("PATCH", "/v1/clusters/small", { body: { annotations: { note: value } } });
    assert.equal(refused.status, 400, `${value.length} characters, ${utf8Length(value)} bytes`);
    assert.match(errorOf(refused).message, /annotations\.note: must be at most 4096 bytes in UTF-8/);
  }
  assert.deepEqual(Cluster.parse((await hub.api("GET", "/v1/clusters/small")).body), before, "nothing changed");
}

const resource = (i: number): ResourceStatus => ({
  group: text(253, CJK),
  version: text(63, CJK),
  kind: text(63, CJK),
  namespace: text(63, EMOJI),
  name: `${text(240, EMOJI)}${String(i).padStart(13, "0")}`,
  sync: "OutOfSync",
  health: "Degraded",
  message: text(2048, i % 2 ? CJK : EMOJI),
});

const application = (name: string, resources: ResourceStatus[] = []): ApplicationStatus => ({
  name,
  revision: null,
  sync: resources.length ? "OutOfSync" : "Synced",
  health: resources.length ? "Degraded" : "Healthy",
  resourceCount: resources.length,
  resources,
  ...(resources.length ? { message: text(2048, CJK) } : {}),
});

const condition = (i: number): Condition => ({
  type: text(64, CJK),
  status: "False",
  reason: `${text(120, CJK)}${String(i).padStart(8, "0")}`,
  message: text(2048, EMOJI),
  lastTransitionTime: new Date().toISOString(),
});

const drift = (i: number): DriftEvent => ({
  at: new Date(Date.now() - i * 1000).toISOString(),
  application: "huge",
  resource: { group: "", version: "v1", kind: "ConfigMap", name: text(253, CJK) },
  fields: Array.from({ length: 50 }, (_, f) => `data.${text(500, CJK)}${String(f).padStart(7, "0")}`),
  manager: text(128, CJK),
  action: "Healed",
  message: text(2048, CJK),
});

/** The largest report of its kind: one application at every bound, 499 more, full conditions and five drift events at every bound. */
function largestReport(cluster: string): StatusReport {
  const others = Array.from({ length: 499 }, (_, i) => application(`${"a".repeat(240)}-${String(i).padStart(12, "0")}`));
  return {
    cluster,
    agentVersion: text(64, CJK),
    heartbeatAt: new Date().toISOString(),
    revision: null,
    conditions: Array.from({ length: 16 }, (_, i) => condition(i)),
    applications: [
      application(
        "huge",
        Array.from({ length: 100 }, (_, i) => resource(i)),
      ),
      ...others,
    ],
    driftEvents: Array.from({ length: 5 }, (_, i) => drift(i)),
  };
}

async function largestReportIsStored(hub: TestHub): Promise<void> {
  const token = RegisterClusterResponse.parse((await hub.api("POST", "/v1/clusters", { body: { name: "reporter" } })).body).token;
  const sent = largestReport("reporter");
  const reply = await hub.api("POST", "/v1/agent/status", { body: sent, token });
  assert.equal(reply.status, 200, JSON.stringify(reply.body).slice(0, 500));
  const status = ClusterStatus.parse((await hub.api("GET", "/v1/clusters/reporter/status?events=200")).body);
  const huge = status.applications.find((a) => a.name === "huge");
  assert.deepEqual(huge?.resources, sent.applications[0]!.resources);
  assert.equal(status.applications.length, 500);
  assert.deepEqual(status.conditions, sent.conditions);
  assert.deepEqual(
    status.driftEvents.map((e) => e.fields),
    sent.driftEvents.map((e) => e.fields),
  );
}

async function reportPastTheBounds(hub: TestHub): Promise<void> {
  const token = RegisterClusterResponse.parse((await hub.api("POST", "/v1/clusters", { body: { name: "overflow" } })).body).token;
  // What the issue sent: 100 resources whose 2,048-character messages are 6,144 bytes each.
  const cjkMessages = application(
    "web",
    Array.from({ length: 100 }, (_, i) => ({ ...resource(i), message: CJK.repeat(2048) })),
  );
  const cases: [StatusReport, RegExp][] = [
    [{ ...largestReport("overflow"), applications: [cjkMessages] }, /applications\[0\]\.resources\[0\]\.message: must be at most 2048 bytes in UTF-8/],
    [
      { ...largestReport("overflow"), applications: [], conditions: [{ ...condition(0), message: text(2049, CJK) }] },
      /conditions\[0\]\.message: must be at most 2048 bytes/,
    ],
    [
      { ...largestReport("overflow"), applications: [], driftEvents: [{ ...drift(0), fields: [text(513, EMOJI)] }] },
      /driftEvents\[0\]\.fields\[0\]: must be at most 512 bytes/,
    ],
  ];
  for (const [report, message] of cases) {
    const refused = await hub.api("POST", "/v1/agent/status", { body: report, token });
    assert.equal(refused.status, 400, JSON.stringify(refused.body).slice(0, 300));
    assert.match(errorOf(refused).message, message);
  }
  assert.equal(ClusterStatus.parse((await hub.api("GET", "/v1/clusters/overflow/status")).body).reported, false, "nothing stored");
}

for (const kind of hubStores) {
  describe(`sizes in UTF-8 bytes on the ${kind.name}`, { timeout: 5 * 60_000 }, () => {
    let store: SharedStore;
    let hub: TestHub;
    before(async () => {
      store = await kind.start();
      hub = await store.hub();
    });
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- still unset when before() failed
    after(() => store?.stop());

    test("the largest cluster the bounds allow (64 labels, 64 annotations of 4,096 bytes) is stored whole", () => largestCluster(hub));
    test("an annotation value past 4,096 bytes is refused naming it, however few its characters", () => annotationsPastTheBound(hub));
    test("the largest report the bounds allow is stored whole", () => largestReportIsStored(hub));
    test("text past its byte bound is refused naming the field, and nothing is stored", () => reportPastTheBounds(hub));
  });
}
