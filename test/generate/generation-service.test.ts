import assert from "node:assert/strict";
import { after, before, describe, test, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { GenerationBusyError, GenerationLeaseLostError } from "../../lambdas/generate/service.js";
import { engines, type Engine } from "./engines.js";
import { startFleet } from "./fleet.js";

// The embedded store is enough here: the lease's conditional writes are tested on both engines in lease.test.ts.
const engine = engines[0]!;

/** A run held up by a slow kustomize past a 2 s lease TTL, probed by intruders all along. */
async function heartbeatKeepsTheLease(t: TestContext, db: Engine): Promise<void> {
  const fleet = await startFleet(t, db);
  await fleet.register("edge-1");
  await fleet.register("edge-2");
  await fleet.holdKustomize(5);
  const service = fleet.service({ leaseTtlSeconds: 2 });
  const running = service.run({ trigger: "api", dryRun: false, force: false });
  const run = { done: false };
  void running.finally(() => (run.done = true)).catch(() => undefined);
  await fleet.kustomizeStarted();
  const intruder = fleet.service({ leaseTtlSeconds: 2 });
  // The lease is free only once the run has released it; a probe may land just after that, before
  // `running` settles, so a probe that wins requires the run to be over at once (and, below, to
  // have succeeded: a lease taken during the run makes the run fail, its heartbeat finds it taken).
  const endsAtOnce = () =>
    Promise.race([
      running.then(
        () => true,
        () => true,
      ),
      sleep(1000).then(() => false),
    ]);
  let attempts = 0;
  while (!run.done) {
    const probe = `intruder-${attempts}`;
    if (await fleet.lease.acquire(probe, 2, new Date())) {
      await fleet.lease.release(probe);
      assert.ok(await endsAtOnce(), `attempt ${attempts}: the lease was free during the run`);
      break;
    }
    const intrusion = await intruder.run({ trigger: "api", dryRun: true, force: false }).then(
      () => undefined,
      (error: unknown) => error,
    );
    if (intrusion === undefined) assert.ok(await endsAtOnce(), `attempt ${attempts}: another process ran while the run held the lease`);
    else assert.ok(intrusion instanceof GenerationBusyError, (intrusion as Error).message);
    attempts++;
    await sleep(300);
  }
  const result = await running;
  assert.ok(attempts > 0 && result.durationMs > 2000, "precondition: the run outlived the 2 s TTL while others probed");
  assert.deepEqual(result.errors, []);
  assert.ok(
    result.clusters.every((c) => c.commit !== null),
    "every branch was pushed",
  );
  assert.deepEqual(await fleet.deployBranches(), ["radial/clusters/edge-1", "radial/clusters/edge-2"]);
  assert.equal(await fleet.lease.current(new Date()), undefined, "released at the end");
}

describe(`generation service on the ${engine.name}, a real git server and kustomize`, { timeout: 10 * 60_000 }, () => {
  let db: Engine;
  before(async () => {
    db = await engine.start();
  });
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- still unset when before() failed
  after(() => db?.stop());

  test("a run records its result and releases the lease; a held lease refuses an explicit run", async (t) => {
    const fleet = await startFleet(t, db);
    await fleet.register("edge-1");
    const service = fleet.service();
    const dry = await service.run({ trigger: "api", dryRun: true, force: false });
    assert.deepEqual(
      dry.clusters.map((c) => [c.name, c.added]),
      [["edge-1", ["web-edge-1"]]],
    );
    assert.deepEqual(await fleet.deployBranches(), [], "a dry run writes nothing");
    assert.equal(await fleet.lease.current(new Date()), undefined, "released");

    assert.equal(await fleet.lease.acquire("someone-else", 60, new Date()), true);
    await assert.rejects(service.run({ trigger: "api", dryRun: false, force: false }), GenerationBusyError);
    assert.equal((await fleet.lease.current(new Date()))?.holder, "someone-else", "the other holder's lease is left alone");
    assert.deepEqual(
      (await fleet.history.list(10)).records.map((r) => r.dryRun),
      [true],
      "a refused run records nothing",
    );
  });

  test("a run longer than the lease TTL keeps the lease (heartbeat); no one else can take it meanwhile", (t) => heartbeatKeepsTheLease(t, db));

  test("a run that finds its lease taken stops before pushing and records nothing", async (t) => {
    const fleet = await startFleet(t, db);
    await fleet.register("edge-1");
    await fleet.holdKustomize(4);
    const service = fleet.service({ leaseTtlSeconds: 2 });
    const running = service.run({ trigger: "api", dryRun: false, force: false });
    await fleet.kustomizeStarted();
    // Another process takes over (as after an expiry the run did not notice).
    const holder = (await fleet.lease.current(new Date()))!.holder;
    assert.deepEqual(await fleet.lease.release(holder), { released: true, pending: undefined });
    assert.equal(await fleet.lease.acquire("other-process", 60, new Date()), true);
    await assert.rejects(running, GenerationLeaseLostError);
    assert.deepEqual(await fleet.deployBranches(), [], "nothing was pushed");
    assert.deepEqual((await fleet.history.list(10)).records, [], "nothing was recorded");
    assert.equal((await fleet.lease.current(new Date()))?.holder, "other-process", "the new holder keeps the lease");
  });

  test("a background trigger in another process while the lease is held is run by the holder afterwards", async (t) => {
    const fleet = await startFleet(t, db);
    await fleet.register("edge-1");
    await fleet.holdKustomize(3);
    const errorsA: unknown[] = [];
    const errorsB: unknown[] = [];
    const hubA = fleet.service({ errors: errorsA });
    const hubB = fleet.service({ errors: errorsB });
    const running = hubA.run({ trigger: "api", dryRun: false, force: false });
    await fleet.kustomizeStarted();
    // While A runs on the inventory it read, a cluster registers through hub B.
    await fleet.register("edge-2");
    await hubB.trigger("inventory");
    await hubB.idle();
    assert.deepEqual(errorsB, [], "B left the trigger pending instead of failing");
    assert.deepEqual((await fleet.history.list(10)).records, [], "B ran nothing itself");

    await fleet.holdKustomize(0);
    const first = await running;
    assert.deepEqual(
      first.clusters.map((c) => c.name),
      ["edge-1"],
      "A's first run predates edge-2",
    );
    await hubA.idle();
    assert.deepEqual(errorsA, []);
    const runs = (await fleet.history.list(10)).records;
    assert.deepEqual(
      runs.map((r) => r.trigger),
      ["inventory", "api"],
      "A ran the pending trigger after its own run",
    );
    assert.deepEqual(await fleet.deployBranches(), ["radial/clusters/edge-1", "radial/clusters/edge-2"], "the change B saw reached its branch");
    assert.equal(await fleet.lease.current(new Date()), undefined);
  });

  test("triggers arriving during a background run coalesce into one follow-up run", async (t) => {
    const fleet = await startFleet(t, db);
    await fleet.register("edge-1");
    await fleet.holdKustomize(2);
    const errors: unknown[] = [];
    const service = fleet.service({ errors });
    await service.trigger("inventory");
    await fleet.kustomizeStarted();
    await service.trigger("inventory");
    await service.trigger("webhook");
    await service.trigger("inventory");
    await fleet.holdKustomize(0);
    await service.idle();
    assert.deepEqual(errors, []);
    assert.deepEqual(
      (await fleet.history.list(10)).records.map((r) => r.trigger),
      ["inventory", "inventory"],
      "one follow-up run for the three triggers",
    );
  });
});
