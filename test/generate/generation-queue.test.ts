// The generation queue's worker side on the embedded store, a real git server and kustomize:
// requested runs from queued to finished or failed, and the worker's batches (coalescing,
// dead letters, redelivery in order).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { GenerationRun } from "../../contract/index.js";
import { workBatch, type DeliveredMessage } from "../../lambdas/generate/worker.js";
import { engines, type Engine } from "./engines.js";
import { startFleet } from "./fleet.js";

const engine = engines[0]!;
const message = (messageId: string, body: unknown): DeliveredMessage => ({ messageId, body: typeof body === "string" ? body : JSON.stringify(body) });

describe(`generation queue on the ${engine.name}, a real git server and kustomize`, { timeout: 10 * 60_000 }, () => {
  let db: Engine;
  before(async () => {
    db = await engine.start();
  });
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- still unset when before() failed
  after(() => db?.stop());

  test("a requested run is queued, then runs as asked and is finished with its result under its id", async (t) => {
    const fleet = await startFleet(t, db);
    await fleet.register("edge-1");
    await fleet.holdKustomize(1);
    const service = fleet.service();
    const queued = await service.request({ dryRun: true, force: false });
    assert.equal(queued.state, "queued");
    assert.ok(GenerationRun.safeParse(queued).success);
    await fleet.kustomizeStarted();
    assert.equal((await service.getRun(queued.id))?.state, "running", "the worker took it");
    await fleet.holdKustomize(0);
    await service.idle();
    const finished = GenerationRun.parse(await service.getRun(queued.id));
    assert.equal(finished.state, "finished");
    assert.ok(finished.startedAt && finished.finishedAt);
    assert.deepEqual(
      finished.result?.clusters.map((c) => [c.name, c.added, c.diffs?.length]),
      [["edge-1", ["web-edge-1"], 2]],
      "the dry run's result, diffs included",
    );
    assert.deepEqual(
      (await fleet.history.list(10)).records.map((r) => [r.id, r.trigger, r.dryRun]),
      [[queued.id, "api", true]],
      "the history knows the run by the same id",
    );
    assert.deepEqual(await fleet.deployBranches(), [], "a dry run writes nothing");
    assert.equal(await service.getRun("no-such-run"), undefined);
  });

  test("a requested run that cannot run ends failed with why, once, and the history shows it", async (t) => {
    const fleet = await startFleet(t, db);
    await fleet.register("edge-1");
    assert.equal(await fleet.lease.acquire("another-hub", 60, new Date()), true);
    const errors: unknown[] = [];
    const service = fleet.service({ errors });
    const queued = await service.request({ dryRun: false, force: false });
    await service.idle();
    const failed = await service.getRun(queued.id);
    assert.equal(failed?.state, "failed");
    assert.match(failed.error ?? "", /a generation run is in progress/);
    assert.deepEqual(errors, [], "a requested run's failure is the run's, not the queue's: it is not retried");
    const [record] = (await fleet.history.list(10)).records;
    assert.deepEqual([record?.id, record?.trigger, record?.errorCount, record?.errors[0]?.file], [queued.id, "api", 1, "(run)"]);
    await service.process({ id: queued.id, trigger: "api", dryRun: false, force: false });
    assert.equal((await fleet.history.list(10)).records.length, 1, "a redelivery of a run that ended does nothing");
    assert.deepEqual(await fleet.deployBranches(), []);
  });

  test("a batch's triggers cost one run; a requested run in between runs on its own", async (t) => {
    const fleet = await startFleet(t, db);
    await fleet.register("edge-1");
    const service = fleet.service();
    const dryRun = { id: "run-1", trigger: "api", dryRun: true, force: false };
    const batch = [
      message("m1", { trigger: "inventory" }),
      message("m2", { trigger: "webhook" }),
      message("m3", dryRun),
      message("m4", { trigger: "inventory" }),
      message("m5", { trigger: "schedule" }),
    ];
    const deadLetters: unknown[] = [];
    assert.deepEqual(
      await workBatch(batch, { generation: service, deadLetter: (m, reason) => Promise.resolve(void deadLetters.push([m.messageId, reason])) }),
      [],
    );
    assert.deepEqual(deadLetters, []);
    assert.deepEqual(
      (await fleet.history.list(10)).records.map((r) => [r.trigger, r.dryRun]),
      [
        ["schedule", false],
        ["api", true],
        ["webhook", false],
      ],
      "m1 is covered by m2's run and m4 by m5's; the requested dry run keeps its place",
    );
    assert.deepEqual(await fleet.deployBranches(), ["radial/clusters/edge-1"]);
  });

  test("a message that is no generation message is dead-lettered with its reason and shown in the history; the rest run", async (t) => {
    const fleet = await startFleet(t, db);
    await fleet.register("edge-1");
    const service = fleet.service();
    const deadLetters: [string, string][] = [];
    const batch = [message("bad-json", "{trigger"), message("bad-trigger", { trigger: "cron" }), message("good", { trigger: "webhook" })];
    const failed = await workBatch(batch, { generation: service, deadLetter: (m, reason) => Promise.resolve(void deadLetters.push([m.messageId, reason])) });
    assert.deepEqual(failed, []);
    assert.deepEqual(
      deadLetters.map(([id]) => id),
      ["bad-json", "bad-trigger"],
    );
    assert.match(deadLetters[0]![1], /not JSON/);
    assert.match(deadLetters[1]![1], /trigger/);
    const records = (await fleet.history.list(10)).records;
    assert.deepEqual(
      records.map((r) => [r.trigger, r.errorCount]),
      [
        ["webhook", 0],
        ["api", 1],
        ["api", 1],
      ],
    );
    assert.match(records[1]!.errors[0]!.message, /bad-trigger was dead-lettered: not a generation message: trigger/);
  });

  test("when a message cannot be worked, it and every later one are handed back for redelivery, in order", async (t) => {
    const fleet = await startFleet(t, db);
    await fleet.register("edge-1");
    const service = fleet.service();
    const batch = [message("first", { trigger: "webhook" }), message("bad", "nonsense"), message("later", { trigger: "inventory" })];
    const failed = await workBatch(batch, {
      generation: service,
      deadLetter: () => Promise.reject(new Error("the dead-letter queue is unreachable")),
    });
    assert.deepEqual(failed, ["bad", "later"]);
    assert.deepEqual(
      (await fleet.history.list(10)).records.map((r) => r.trigger),
      ["webhook"],
    );
  });
});
