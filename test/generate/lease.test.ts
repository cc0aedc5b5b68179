import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DynamoDBGenerationLease } from "../../lambdas/adapters/dynamodb/generation-lease.js";
import { engines, type Engine } from "./engines.js";

const t0 = new Date("2026-11-23T12:00:00.000Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

for (const engine of engines) {
  describe(`generation lease on the ${engine.name}`, { timeout: 10 * 60_000 }, () => {
    let db: Engine;
    const freshLease = async () => new DynamoDBGenerationLease(db.client, await db.table());
    before(async () => {
      db = await engine.start();
    });
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- still unset when before() failed
    after(() => db?.stop());

    test("two holders race: exactly one wins", async () => {
      for (let round = 0; round < 5; round++) {
        const lease = await freshLease();
        const results = await Promise.all(["a", "b", "c", "d"].map((holder) => lease.acquire(holder, 60, t0)));
        assert.equal(results.filter(Boolean).length, 1, `round ${round}: ${results.join(",")}`);
        const winner = ["a", "b", "c", "d"][results.indexOf(true)]!;
        assert.deepEqual(await lease.current(t0), { holder: winner, expiresAt: Math.floor(t0.getTime() / 1000) + 60 });
      }
    });

    test("a held lease refuses others, even the holder itself (renew is for that), until it expires", async () => {
      const lease = await freshLease();
      assert.equal(await lease.acquire("a", 60, t0), true);
      assert.equal(await lease.acquire("b", 60, at(59)), false, "one second before expiry");
      assert.equal(await lease.acquire("a", 60, at(30)), false);
      assert.equal(await lease.acquire("b", 60, at(60)), true, "at expiry a crashed holder's lease is free");
      assert.equal((await lease.current(at(60)))?.holder, "b");
      assert.equal(await lease.renew("a", 60, at(61)), false, "the old holder learns it lost the lease");
      assert.deepEqual(await lease.release("a"), { released: false }, "and cannot release it");
      assert.equal((await lease.current(at(61)))?.holder, "b");
    });

    test("renew extends the holder's lease; others cannot renew; an expired lease cannot be renewed", async () => {
      const lease = await freshLease();
      assert.equal(await lease.renew("a", 60, t0), false, "no lease yet");
      assert.equal(await lease.acquire("a", 60, t0), true);
      assert.equal(await lease.renew("b", 60, at(10)), false);
      assert.equal(await lease.renew("a", 60, at(50)), true);
      assert.equal(await lease.acquire("b", 60, at(100)), false, "renewed to t0+110");
      assert.equal(await lease.renew("a", 60, at(110)), false, "expired at t0+110");
      assert.equal(await lease.acquire("b", 60, at(110)), true);
    });

    test("release: only the holder can, and the lease is then free at once", async () => {
      const lease = await freshLease();
      assert.deepEqual(await lease.release("a"), { released: false }, "nothing to release");
      assert.equal(await lease.acquire("a", 60, t0), true);
      assert.deepEqual(await lease.release("b"), { released: false }, "a non-holder's release fails");
      assert.equal((await lease.current(t0))?.holder, "a", "and changes nothing");
      assert.deepEqual(await lease.release("a"), { released: true, pending: undefined });
      assert.equal(await lease.current(t0), undefined);
      assert.equal(await lease.acquire("b", 60, at(1)), true);
    });

    test("pending: recorded only while the lease is held, handed to the releasing holder once, first trigger kept", async () => {
      const lease = await freshLease();
      assert.equal(await lease.markPending("inventory", t0), false, "a free lease takes no mark: the caller runs itself");
      assert.equal(await lease.acquire("a", 60, t0), true);
      assert.equal(await lease.markPending("webhook", at(1)), true);
      assert.equal(await lease.markPending("inventory", at(2)), true);
      assert.equal(await lease.renew("a", 60, at(3)), true, "renewal keeps the mark");
      assert.deepEqual(await lease.release("b"), { released: false }, "only the holder gets it");
      assert.deepEqual(await lease.release("a"), { released: true, pending: "webhook" });
      assert.equal(await lease.markPending("schedule", at(4)), false, "released: free again");
      assert.equal(await lease.acquire("c", 60, at(4)), true);
      assert.deepEqual(await lease.release("c"), { released: true, pending: undefined }, "the mark went with the release that returned it");
    });

    test("two triggers race a release: each is either handed to the holder or finds the lease free", async () => {
      for (let round = 0; round < 5; round++) {
        const lease = await freshLease();
        assert.equal(await lease.acquire("a", 60, t0), true);
        const [marked, release] = await Promise.all([lease.markPending("inventory", t0), lease.release("a")]);
        assert.equal(release.released, true);
        const handed = release.pending !== undefined;
        assert.equal(marked, handed, `round ${round}: marked ${marked}, handed over ${handed}`);
        assert.equal(await lease.acquire("z", 60, t0), true);
        assert.deepEqual(await lease.release("z"), { released: true, pending: undefined }, "no mark is left behind for the next holder");
      }
    });

    test("a mark left on an expired lease is replaced by the next holder, whose run starts after it", async () => {
      const lease = await freshLease();
      assert.equal(await lease.acquire("a", 60, t0), true);
      assert.equal(await lease.markPending("inventory", at(10)), true);
      assert.equal(await lease.markPending("webhook", at(60)), false, "expired: the trigger's caller runs itself");
      assert.equal(await lease.acquire("b", 60, at(60)), true);
      assert.deepEqual(await lease.release("b"), { released: true, pending: undefined });
    });

    test("bad arguments are refused before any write", async () => {
      const lease = await freshLease();
      await assert.rejects(lease.acquire("", 60, t0), /holder/);
      await assert.rejects(lease.acquire("a", 0, t0), /ttlSeconds/);
      await assert.rejects(lease.renew("a", 1.5, t0), /ttlSeconds/);
      assert.equal(await lease.current(t0), undefined);
    });
  });
}
