import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { StatusReport, type ApplicationStatus, type DriftEvent } from "../../contract/index.js";
import { NO_DEPLOY_REVISIONS } from "../../lambdas/status/deploy-revisions.js";
import { StatusError, StatusService } from "../../lambdas/status/status-service.js";
import { DynamoDBStatusStore } from "../../lambdas/adapters/dynamodb/status-store.js";
import type { StatusStore, StoredStatus } from "../../lambdas/ports.js";
import { engines, type Engine } from "../generate/engines.js";

const T0 = Date.parse("2026-11-23T12:00:00Z");
const REGISTERED = "2026-11-23T00:00:00.000Z";

const app = (name: string, overrides: Partial<ApplicationStatus> = {}): ApplicationStatus => ({
  name,
  revision: "0123456789abcdef0123456789abcdef01234567",
  sync: "Synced",
  health: "Healthy",
  resourceCount: 2,
  resources: [],
  ...overrides,
});

const drift = (at: number, application = "web"): DriftEvent => ({
  at: new Date(at).toISOString(),
  application,
  resource: { group: "apps", version: "v1", kind: "Deployment", namespace: "web", name: "web" },
  fields: ["spec.replicas"],
  manager: "kubectl-edit",
  action: "Healed",
});

const report = (cluster: string, applications: ApplicationStatus[], driftEvents: DriftEvent[] = [], heartbeatAt = new Date(T0).toISOString()): StatusReport =>
  StatusReport.parse({
    cluster,
    agentVersion: "0.1.0",
    heartbeatAt,
    revision: "0123456789abcdef0123456789abcdef01234567",
    conditions: [],
    applications,
    driftEvents,
  });

/** A status service on a fresh table, with a clock the test moves (`clock.now`, epoch ms). */
async function freshService(db: Engine, settings: { driftHistory?: number } = {}): Promise<{ service: StatusService; clock: { now: number } }> {
  const clock = { now: T0 };
  const service = new StatusService({
    store: new DynamoDBStatusStore(db.client, await db.table()),
    revisions: NO_DEPLOY_REVISIONS,
    clock: () => new Date(clock.now),
    settings: { pollIntervalSeconds: 30, ...settings },
  });
  return { service, clock };
}

/** Three reports of 100 drift events against a history of 120, then ten of them sent again. */
async function driftHistoryKeepsTheNewest(db: Engine): Promise<void> {
  const { service, clock } = await freshService(db, { driftHistory: 120 });
  // Three reports of 100 events each, one second apart, oldest report first.
  for (let batch = 0; batch < 3; batch++) {
    const events = Array.from({ length: 100 }, (_, i) => drift(T0 + (batch * 100 + i) * 1000));
    await service.accept(report("a", [app("web")], events));
    clock.now += 1000;
  }
  // 100, then 200 (over 120 + the trim slack of 50: back to 120), then 220 (back to 120 again).
  const kept = (await service.read("a", REGISTERED, 200)).driftEvents;
  const times = kept.map((e) => Date.parse(e.at));
  assert.deepEqual(
    times,
    Array.from({ length: 120 }, (_, i) => T0 + (299 - i) * 1000),
    "exactly the newest 120, newest first",
  );

  const before = kept.length;
  const resent = Array.from({ length: 10 }, (_, i) => drift(T0 + (290 + i) * 1000));
  await service.accept(report("a", [app("web")], resent));
  assert.equal((await service.read("a", REGISTERED, 200)).driftEvents.length, before, "re-sent events overwrite themselves");
  assert.equal((await service.read("a", REGISTERED, 5)).driftEvents.length, 5, "the reader's limit holds");
}

/** Two reports of one cluster written at once. */
async function concurrentReportsDoNotMix(db: Engine): Promise<void> {
  const { service } = await freshService(db);
  const first = ["a1", "a2", "a3", "a4"].map((n) => app(n));
  const second = ["b1", "b2", "b3"].map((n) => app(n));
  await Promise.all([service.accept(report("a", first)), service.accept(report("a", second))]);
  const names = (await service.read("a", REGISTERED, 50)).applications.map((a) => a.name);
  assert.ok(
    JSON.stringify(names) === JSON.stringify(["a1", "a2", "a3", "a4"]) || JSON.stringify(names) === JSON.stringify(["b1", "b2", "b3"]),
    `one report's applications, got ${names.join(",")}`,
  );
}

/**
 * The real store, with `beforePut` run before each of its status writes (after the report's read
 * and its application writes): where a test puts another agent's report to make this one's stale.
 * `puts` records what each status write returned.
 */
function interleaved(store: StatusStore, beforePut: () => Promise<void>): StatusStore & { puts: boolean[] } {
  const puts: boolean[] = [];
  const wrapped = Object.assign(Object.create(store) as StatusStore, { puts });
  wrapped.putStatus = async (...args) => {
    await beforePut();
    const written = await store.putStatus(...args);
    puts.push(written);
    return written;
  };
  return wrapped;
}

const serviceOn = (store: StatusStore, clock: { now: number } = { now: T0 }) =>
  new StatusService({ store, revisions: NO_DEPLOY_REVISIONS, clock: () => new Date(clock.now), settings: { pollIntervalSeconds: 30 } });

/** The status item's write is conditional on the sequence it was read at; a stale one changes nothing. */
async function conditionalStatusWrite(db: Engine): Promise<void> {
  const store = new DynamoDBStatusStore(db.client, await db.table());
  const status = (seq: number, app: string): StoredStatus => ({
    summary: {
      agentVersion: "0.1.0",
      heartbeatAt: new Date(T0).toISOString(),
      receivedAt: new Date(T0).toISOString(),
      revision: null,
      conditions: [],
      sync: "Synced",
      health: "Healthy",
      syncCounts: {},
      healthCounts: {},
    },
    digests: { [app]: "digest" },
    driftStored: 0,
    seq,
  });
  assert.equal(await store.putStatus("a", status(1, "first"), undefined), true, "no item yet: written");
  assert.equal(await store.putStatus("a", status(1, "rival"), undefined), false, "an item exists now");
  assert.equal(await store.putStatus("a", status(2, "second"), 1), true, "read at seq 1, still 1: written");
  assert.equal(await store.putStatus("a", status(2, "stale"), 1), false, "read at seq 1, now 2: refused");
  assert.equal(await store.putStatus("a", status(3, "stale"), 0), false);
  const stored = await store.getStatus("a");
  assert.deepEqual([stored?.seq, { ...stored?.digests }], [2, { second: "digest" }], "the refused writes changed nothing");
}

/**
 * Report A reads the status item, then report B is stored whole, then A writes with what it read:
 * the write must be refused and A read again, so A (received last) wins whole. With `prior`, a report is stored first (A's stale write names a sequence number);
 * without, A's stale write expects no item at all.
 */
async function staleReportIsRetried(db: Engine, prior: boolean): Promise<void> {
  const store = new DynamoDBStatusStore(db.client, await db.table());
  if (prior) await serviceOn(store).accept(report("a", [app("old")]));
  const b = serviceOn(store);
  let interleave = true;
  const storeA = interleaved(store, async () => {
    if (!interleave) return;
    interleave = false;
    await b.accept(
      report(
        "a",
        ["b1", "b2", "b3"].map((n) => app(n)),
      ),
    );
  });
  await serviceOn(storeA).accept(
    report(
      "a",
      ["a1", "a2", "a3", "a4"].map((n) => app(n)),
    ),
  );

  assert.deepEqual(storeA.puts, [false, true], "A's first status write was stale and refused, its second (after reading B's) stored");
  assert.deepEqual(
    (await serviceOn(store).read("a", REGISTERED, 50)).applications.map((a) => a.name),
    ["a1", "a2", "a3", "a4"],
    "A, received last, whole",
  );
  assert.equal((await store.getStatus("a"))?.seq, prior ? 3 : 2);
}

/** Another report lands before every one of A's writes: A gives up with a conflict after its attempts. */
async function alwaysPreemptedIsAConflict(db: Engine): Promise<void> {
  const store = new DynamoDBStatusStore(db.client, await db.table());
  const b = serviceOn(store);
  const storeA = interleaved(store, async () => {
    await b.accept(report("a", [app("b")]));
  });
  await assert.rejects(serviceOn(storeA).accept(report("a", [app("a")])), (error: unknown) => error instanceof StatusError && error.reason === "conflict");
  assert.deepEqual(storeA.puts, [false, false, false, false, false]);
  assert.deepEqual(Object.keys((await store.getStatus("a"))?.digests ?? {}), ["b"], "the status item is B's");
  assert.deepEqual(
    (await serviceOn(store).read("a", REGISTERED, 50)).applications.map((a) => a.name),
    ["b"],
    "what A wrote before its refused status writes shows nothing of A, and B's application is whole",
  );
}

/** The real store, recording which of its methods the service calls. */
function recording(store: StatusStore): { store: StatusStore; calls: string[] } {
  const calls: string[] = [];
  const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(store)).filter((name) => name !== "constructor");
  const target = store as unknown as Record<string, (...args: unknown[]) => unknown>;
  const wrapped = Object.create(store) as Record<string, unknown>;
  for (const name of methods) {
    wrapped[name] = (...args: unknown[]) => {
      calls.push(name);
      return target[name]!(...args);
    };
  }
  return { store: wrapped as unknown as StatusStore, calls };
}

/**
 * A heartbeat that changes nothing costs one conditional write, and keeps every check of the full
 * path: an older incarnation is refused, changed applications or capabilities are written whole.
 */
async function heartbeatIsOneWrite(db: Engine): Promise<void> {
  const { store, calls } = recording(new DynamoDBStatusStore(db.client, await db.table()));
  const clock = { now: T0 };
  const service = serviceOn(store, clock);
  const capabilities = { kubeVersion: "v1.36.3", apiVersions: ["v1", "apps/v1"] };
  const first = await service.accept({ ...report("a", [app("web"), app("api")]), capabilities }, 2);
  assert.ok(first.capabilitiesDigest, "the capabilities were stored");

  calls.length = 0;
  clock.now += 30_000;
  const reply = await service.accept(report("a", [app("web"), app("api")]), 2);
  assert.deepEqual(calls, ["touchStatus"], "a heartbeat is one write");
  assert.equal(reply.capabilitiesDigest, first.capabilitiesDigest, "the reply still names the stored capabilities");
  let status = await service.read("a", REGISTERED, 50, 2);
  assert.equal(status.receivedAt, new Date(T0 + 30_000).toISOString(), "the heartbeat is recorded");
  assert.deepEqual(
    status.applications.map((a) => [a.name, a.updatedAt]),
    [
      ["api", new Date(T0).toISOString()],
      ["web", new Date(T0).toISOString()],
    ],
  );
  assert.equal((await store.getStatus("a"))?.seq, 2, "the sequence moved, so a report that read before it must retry");

  await assert.rejects(
    service.accept(report("a", [app("web"), app("api")]), 1),
    (error: unknown) => error instanceof StatusError && error.reason === "conflict",
    "the rebuilt cluster's old agent is refused even when it changes nothing",
  );

  calls.length = 0;
  clock.now += 30_000;
  await service.accept(report("a", [app("web"), app("api", { health: "Degraded" })]), 2);
  assert.equal(calls[0], "touchStatus");
  assert.ok(calls.includes("putApplications") && calls.includes("putStatus"), `a changed application takes the full path: ${calls.join(", ")}`);
  status = await service.read("a", REGISTERED, 50, 2);
  assert.equal(status.health, "Degraded");

  calls.length = 0;
  const changed = { kubeVersion: "v1.36.4", apiVersions: ["v1"] };
  const upgraded = await service.accept({ ...report("a", [app("web"), app("api", { health: "Degraded" })]), capabilities: changed }, 2);
  assert.ok(calls.includes("putCapabilities"), "new capabilities are written");
  assert.notEqual(upgraded.capabilitiesDigest, first.capabilitiesDigest);
  assert.deepEqual(await store.getCapabilities("a"), changed);
}

for (const engine of engines) {
  describe(`status service on ${engine.name}`, () => {
    let db: Engine;

    before(async () => {
      db = await engine.start();
    });
    after(() => db.stop());
    const fresh = () => freshService(db);

    test("a report is kept per application; the next one replaces it, deleting applications it no longer names", async () => {
      const { service, clock } = await fresh();
      const reply = await service.accept(report("a", [app("web"), app("api", { sync: "OutOfSync", health: "Degraded" }), app("db")]));
      assert.deepEqual(reply, { revision: null, pollIntervalSeconds: 30, capabilitiesDigest: null });
      let status = await service.read("a", REGISTERED, 50);
      assert.deepEqual(
        status.applications.map((a) => a.name),
        ["api", "db", "web"],
      );
      assert.equal(status.sync, "OutOfSync");
      assert.equal(status.health, "Degraded");
      assert.deepEqual(status.syncCounts, { Synced: 2, OutOfSync: 1 });

      clock.now += 5000;
      await service.accept(report("a", [app("web"), app("api")]));
      status = await service.read("a", REGISTERED, 50);
      assert.deepEqual(
        status.applications.map((a) => a.name),
        ["api", "web"],
        "db left the report, so it left the hub",
      );
      assert.equal(status.sync, "Synced");
      assert.equal(status.health, "Healthy");
    });

    test("updatedAt moves only for applications whose status changed", async () => {
      const { service, clock } = await fresh();
      await service.accept(report("a", [app("web"), app("api")]));
      clock.now += 30_000;
      await service.accept(report("a", [app("web"), app("api", { health: "Progressing", message: "rolling out" })]));
      const status = await service.read("a", REGISTERED, 50);
      const updated = Object.fromEntries(status.applications.map((a) => [a.name, a.updatedAt]));
      assert.equal(updated.web, new Date(T0).toISOString(), "an unchanged application is not rewritten");
      assert.equal(updated.api, new Date(T0 + 30_000).toISOString());
      assert.equal(status.receivedAt, new Date(T0 + 30_000).toISOString(), "the heartbeat itself is recorded");
    });

    test("a cluster turns stale after three poll intervals by the hub's clock, whatever the agent's clock says", async () => {
      const { service, clock } = await fresh();
      const agentClockAnHourBehind = new Date(T0 - 3_600_000).toISOString();
      await service.accept(report("a", [app("web")], [], agentClockAnHourBehind));
      let status = await service.read("a", REGISTERED, 50);
      assert.equal(status.stale, false);
      assert.equal(status.heartbeatAt, agentClockAnHourBehind);
      assert.equal(status.staleAt, new Date(T0 + 90_000).toISOString());
      clock.now = T0 + 89_999;
      assert.equal((await service.read("a", REGISTERED, 50)).stale, false);
      clock.now = T0 + 90_000;
      status = await service.read("a", REGISTERED, 50);
      assert.equal(status.stale, true);
      await service.accept(report("a", [app("web")]));
      assert.equal((await service.read("a", REGISTERED, 50)).stale, false, "a new report makes it fresh again");
    });

    test("a cluster that never reported says so and is not stale", async () => {
      const { service } = await fresh();
      const status = await service.read("quiet", REGISTERED, 50);
      assert.equal(status.reported, false);
      assert.equal(status.stale, false);
      assert.equal(status.sync, "Unknown");
      assert.deepEqual(status.applications, []);
    });

    test("status stored before the cluster was (re-)registered is not shown", async () => {
      const { service } = await fresh();
      await service.accept(report("a", [app("web")], [drift(T0)]));
      const reRegistered = new Date(T0 + 1000).toISOString();
      const status = await service.read("a", reRegistered, 50);
      assert.equal(status.reported, false);
      assert.deepEqual(status.driftEvents, []);
    });

    test("drift history keeps the newest events, newest first, and stores a re-sent event once", () => driftHistoryKeepsTheNewest(db));

    test("drift events expire after the retention period even before DynamoDB's TTL removes them", async () => {
      const { service, clock } = await fresh();
      await service.accept(report("a", [app("web")], [drift(T0)]));
      assert.equal((await service.read("a", REGISTERED, 50)).driftEvents.length, 1);
      clock.now = T0 + 7 * 86_400_000 + 1000;
      assert.equal((await service.read("a", REGISTERED, 50)).driftEvents.length, 0);
    });

    test("concurrent reports of one cluster leave exactly one report's applications, never a mix", () => concurrentReportsDoNotMix(db));

    test("the status item's write is refused when its sequence is stale", () => conditionalStatusWrite(db));

    test("a report whose read went stale (first report) is refused and retried, and wins whole", () => staleReportIsRetried(db, false));

    test("a report whose read went stale (sequence moved on) is refused and retried, and wins whole", () => staleReportIsRetried(db, true));

    test("a report preempted on every attempt is a conflict and leaves the status item to the other", () => alwaysPreemptedIsAConflict(db));

    test("a heartbeat that changes nothing is one conditional write that keeps the incarnation and capabilities checks", () => heartbeatIsOneWrite(db));

    test("a report naming an application twice is refused and changes nothing", async () => {
      const { service, clock } = await fresh();
      await service.accept(report("a", [app("web")]));
      const before = await service.read("a", REGISTERED, 50);
      clock.now += 1000;
      await assert.rejects(service.accept(report("a", [app("api"), app("web"), app("api")])), (error: unknown) => {
        assert.ok(error instanceof StatusError);
        assert.equal(error.reason, "invalid");
        assert.match(error.message, /applications\[2\]\.name: "api" is reported twice \(also applications\[0\]\)/);
        return true;
      });
      assert.deepEqual(await service.read("a", REGISTERED, 50), before);
    });
  });
}
