import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Cluster } from "../../contract/index.js";
import { errorOf, type TestHub } from "./harness.js";
import { hubStores, type SharedStore } from "./stores.js";

// Editors of different keys never conflict: each PATCH writes only its own keys. If-Match still
// means "only the version I read", and the key-count bound holds however many editors race.

async function register(hub: TestHub, name: string, labels: Record<string, string> = {}): Promise<Cluster> {
  const response = await hub.api("POST", "/v1/clusters", { body: { name, labels } });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return (await get(hub, name)) satisfies Cluster;
}

async function get(hub: TestHub, name: string): Promise<Cluster> {
  return Cluster.parse((await hub.api("GET", `/v1/clusters/${name}`)).body);
}

const statuses = (responses: { status: number }[]) => responses.map((r) => r.status).sort((a, b) => a - b);

for (const kind of hubStores) {
  describe(`concurrent PATCHes on the ${kind.name}`, { timeout: 5 * 60_000 }, () => {
    let store: SharedStore;
    let hubs: TestHub[];
    before(async () => {
      store = await kind.start();
      // Two hub processes on one table, as two Lambda instances would be.
      hubs = [await store.hub(), await store.hub()];
    });
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- still unset when before() failed
    after(() => store?.stop());

    test("50 editors of different keys all succeed, and every change is kept", async () => {
      await register(hubs[0]!, "busy", { keep: "me" });
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          hubs[i % 2]!.api("PATCH", "/v1/clusters/busy", {
            body: i % 2 ? { labels: { [`editor-${i}`]: `v${i}` } } : { annotations: { [`note-${i}`]: `text ${i}` } },
          }),
        ),
      );
      assert.deepEqual(statuses(responses), Array<number>(50).fill(200), "no 409: editors of different keys do not conflict");
      const cluster = await get(hubs[0]!, "busy");
      assert.equal(Object.keys(cluster.labels).length, 26);
      assert.equal(cluster.labels.keep, "me");
      assert.equal(Object.keys(cluster.annotations).length, 25);
      for (let i = 0; i < 50; i++) {
        if (i % 2) assert.equal(cluster.labels[`editor-${i}`], `v${i}`);
        else assert.equal(cluster.annotations[`note-${i}`], `text ${i}`);
      }
      assert.equal(cluster.resourceVersion, "51", "each edit moved the version once");
    });

    test("removals and changes of different keys race without loss", async () => {
      const labels = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, "old"]));
      await register(hubs[0]!, "churn", labels);
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) => hubs[i % 2]!.api("PATCH", "/v1/clusters/churn", { body: { labels: { [`k${i}`]: i % 2 ? null : "new" } } })),
      );
      assert.deepEqual(statuses(responses), Array<number>(20).fill(200));
      const expected = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${2 * i}`, "new"]));
      assert.deepEqual({ ...(await get(hubs[0]!, "churn")).labels }, expected);
    });

    test("If-Match keeps its strict meaning: of editors who read one version, exactly one writes", async () => {
      const { resourceVersion } = await register(hubs[0]!, "strict");
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          hubs[i % 2]!.api("PATCH", "/v1/clusters/strict", { body: { labels: { [`k${i}`]: "v" } }, headers: { "if-match": `"${resourceVersion}"` } }),
        ),
      );
      assert.deepEqual(statuses(responses), [200, ...Array<number>(9).fill(412)]);
      for (const refused of responses.filter((r) => r.status === 412)) assert.equal(errorOf(refused).code, "precondition_failed");
      const cluster = await get(hubs[0]!, "strict");
      assert.equal(Object.keys(cluster.labels).length, 1, "only the winner's key");
      assert.equal(cluster.resourceVersion, String(Number(resourceVersion) + 1));
    });

    test("the largest PATCH (64 labels and 64 annotations with the longest keys) is one write, and so is removing them all", async () => {
      await register(hubs[0]!, "wide");
      const prefix = ["a", "b", "c"].map((c) => c.repeat(63)).join(".") + "." + "d".repeat(61);
      const keys = Array.from({ length: 64 }, (_, i) => `${prefix}/k${String(i).padStart(2, "0")}${"x".repeat(60)}`);
      const set = await hubs[0]!.api("PATCH", "/v1/clusters/wide", {
        body: { labels: Object.fromEntries(keys.map((k) => [k, "v".repeat(63)])), annotations: Object.fromEntries(keys.map((k) => [k, "note"])) },
      });
      assert.equal(set.status, 200, JSON.stringify(set.body).slice(0, 300));
      const cluster = Cluster.parse(set.body);
      assert.deepEqual([Object.keys(cluster.labels).length, Object.keys(cluster.annotations).length, cluster.resourceVersion], [64, 64, "2"]);
      const removed = await hubs[1]!.api("PATCH", "/v1/clusters/wide", {
        body: { labels: Object.fromEntries(keys.map((k) => [k, null])), annotations: Object.fromEntries(keys.map((k) => [k, null])) },
      });
      assert.equal(removed.status, 200, JSON.stringify(removed.body).slice(0, 300));
      assert.deepEqual([{ ...Cluster.parse(removed.body).labels }, { ...Cluster.parse(removed.body).annotations }], [{}, {}]);
    });

    test("racing editors never take a cluster past 64 labels", async () => {
      await register(hubs[0]!, "nearly-full", Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`base-${i}`, "x"])));
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) => hubs[i % 2]!.api("PATCH", "/v1/clusters/nearly-full", { body: { labels: { [`extra-${i}`]: "y" } } })),
      );
      const accepted = responses.filter((r) => r.status === 200).length;
      assert.equal(accepted, 4, `4 keys fit; statuses ${statuses(responses).join(",")}`);
      for (const refused of responses.filter((r) => r.status !== 200)) {
        assert.equal(refused.status, 400);
        assert.deepEqual(errorOf(refused).details, { field: "labels" });
      }
      assert.equal(Object.keys((await get(hubs[0]!, "nearly-full")).labels).length, 64);
      // At the bound, changing a value that exists still works.
      const changed = await hubs[1]!.api("PATCH", "/v1/clusters/nearly-full", { body: { labels: { "base-0": "z" } } });
      assert.equal(changed.status, 200);
    });
  });
}
