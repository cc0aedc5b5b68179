// Agents report an application's last sync only; the hub keeps the recent ones, on both stores:
// the cluster's status and /v1/events show several syncs of one application, newest first,
// bounded, a sync reported again updated rather than repeated.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { AGENT_CLUSTER_HEADER, ClusterStatus, FleetEventPage, RegisterClusterResponse, type ApplicationStatus } from "../../contract/index.js";
import { SYNC_HISTORY } from "../../lambdas/status/sync-history.js";
import { waitFor } from "../engines/process.js";
import type { TestHub } from "../hub/harness.js";
import { hubStores, type SharedStore } from "../hub/stores.js";

const REVISIONS = Array.from({ length: 8 }, (_, i) => String(i + 1).repeat(40));
const START = Date.now() - 10 * 60_000;
/** The i-th sync, a minute apart, all in the last ten minutes. */
const syncedAt = (i: number) => new Date(START + i * 60_000).toISOString();

const web = (i: number, overrides: Partial<ApplicationStatus> = {}): ApplicationStatus => ({
  name: "web",
  revision: REVISIONS[i]!,
  sync: "Synced",
  health: "Healthy",
  resourceCount: 1,
  resources: [],
  lastSyncedAt: syncedAt(i),
  ...overrides,
});
/** An application that never synced (its agent has not applied it). */
const idle: ApplicationStatus = { name: "idle", revision: null, sync: "OutOfSync", health: "Missing", resourceCount: 0, resources: [] };

for (const store of hubStores) {
  describe(`sync history (${store.name})`, () => {
    let shared: SharedStore;
    let hub: TestHub;
    let token: string;

    before(async () => {
      shared = await store.start();
      hub = await shared.hub({ RADIAL_FLEET_REFRESH_SECONDS: "1" });
      token = RegisterClusterResponse.parse((await hub.api("POST", "/v1/clusters", { body: { name: "syncing", labels: { env: "test" } } })).body).token;
    });
    after(() => shared.stop());

    async function report(applications: ApplicationStatus[]): Promise<void> {
      const body = {
        cluster: "syncing",
        agentVersion: "0.1.0",
        heartbeatAt: new Date().toISOString(),
        revision: null,
        conditions: [],
        applications,
        driftEvents: [],
      };
      const response = await hub.api("POST", "/v1/agent/status", { body, token, headers: { [AGENT_CLUSTER_HEADER]: "syncing" } });
      assert.equal(response.status, 200, JSON.stringify(response.body));
    }
    const application = async (name: string) =>
      ClusterStatus.parse((await hub.api("GET", "/v1/clusters/syncing/status")).body).applications.find((app) => app.name === name)!;

    test("a sync reported again is updated, not repeated; the next one goes first", async () => {
      await report([web(0, { health: "Progressing" }), idle]);
      assert.deepEqual((await application("web")).syncs, [{ at: syncedAt(0), revision: REVISIONS[0], sync: "Synced", health: "Progressing" }]);
      assert.equal((await application("idle")).syncs, undefined, "an application that never synced has no history");

      await report([web(0), idle]);
      await report([web(0), idle]); // a heartbeat: nothing changes
      assert.deepEqual((await application("web")).syncs, [{ at: syncedAt(0), revision: REVISIONS[0], sync: "Synced", health: "Healthy" }]);

      await report([web(1, { health: "Degraded" }), idle]);
      assert.deepEqual(
        (await application("web")).syncs?.map((s) => [s.at, s.revision, s.health]),
        [
          [syncedAt(1), REVISIONS[1], "Degraded"],
          [syncedAt(0), REVISIONS[0], "Healthy"],
        ],
      );
    });

    test(`the newest ${SYNC_HISTORY} are kept, and /v1/events shows them`, async () => {
      for (let i = 2; i < REVISIONS.length; i++) await report([web(i), idle]);
      const kept = Array.from({ length: SYNC_HISTORY }, (_, k) => REVISIONS.length - 1 - k);
      assert.deepEqual(
        (await application("web")).syncs?.map((s) => s.revision),
        kept.map((i) => REVISIONS[i]),
      );
      const expected = kept.map((i) => `${syncedAt(i)} ${REVISIONS[i]}`);
      let shown: string[] = [];
      await waitFor(
        "the fleet snapshot shows the history",
        async () => {
          const page = FleetEventPage.parse((await hub.api("GET", "/v1/events?application=web&limit=50")).body);
          shown = page.items.flatMap((event) => (event.type === "sync" ? [`${event.at} ${event.revision}`] : []));
          return shown.length === expected.length && shown[0] === expected[0];
        },
        { timeoutMs: 60_000, intervalMs: 300 },
      );
      assert.deepEqual(shown, expected, "newest first, each sync once");
    });
  });
}
