import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { GenerationResult } from "../../lambdas/generate/pipeline/run.js";
import { GENERATION_LIMITS, GenerationRecord } from "../../contract/generation.js";
import { DynamoDBGenerationHistory } from "../../lambdas/adapters/dynamodb/generation-history.js";
import { recordOf, truncateUtf8 } from "../../lambdas/generate/history.js";
import { InvalidCursorError } from "../../lambdas/ports.js";
import { engines, type Engine } from "./engines.js";

const { maxErrors: MAX_ERRORS, maxMessageBytes: MAX_MESSAGE_BYTES } = GENERATION_LIMITS;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function record(startedAt: Date, id: string, overrides: Partial<GenerationRecord> = {}): GenerationRecord {
  return GenerationRecord.parse({
    id,
    startedAt: startedAt.toISOString(),
    trigger: "schedule",
    sourceRevision: "0123456789abcdef0123456789abcdef01234567",
    durationMs: 1234,
    dryRun: false,
    clustersChanged: 1,
    applicationsAdded: 2,
    applicationsChanged: 0,
    applicationsRemoved: 0,
    errors: [],
    errorCount: 0,
    ...overrides,
  });
}

const result = (overrides: Partial<GenerationResult> = {}): GenerationResult => ({
  sourceRevision: "abc",
  clusters: [
    { name: "a", commit: "c1", added: ["x", "y"], changed: ["z"], removed: [] },
    { name: "b", commit: null, added: [], changed: [], removed: [] },
    { name: "c", commit: "c2", added: [], changed: [], removed: ["w"] },
  ],
  errors: [],
  dryRun: false,
  durationMs: 12.6,
  ...overrides,
});

test("recordOf counts a run's changes", () => {
  const r = recordOf(result(), { id: "run-1", startedAt: new Date("2026-11-23T12:00:00Z"), trigger: "webhook" });
  assert.deepEqual(
    { ...r },
    {
      id: "run-1",
      startedAt: "2026-11-23T12:00:00.000Z",
      trigger: "webhook",
      sourceRevision: "abc",
      durationMs: 13,
      dryRun: false,
      clustersChanged: 2,
      applicationsAdded: 2,
      applicationsChanged: 1,
      applicationsRemoved: 1,
      errors: [],
      errorCount: 0,
    },
  );
  const dry = recordOf(
    result({
      dryRun: true,
      clusters: [
        { name: "a", commit: null, added: ["x"], changed: [], removed: [] },
        { name: "b", commit: null, added: [], changed: [], removed: [] },
      ],
    }),
    {
      id: "run-2",
      startedAt: new Date(),
      trigger: "api",
    },
  );
  assert.equal(dry.clustersChanged, 1, "a dry run counts the clusters that would change");
  const blocked = recordOf(result({ blocked: { removed: 5, current: 10, share: 0.5, maxRemovalShare: 0.25, message: "would remove 50%" } }), {
    id: "run-3",
    startedAt: new Date(),
    trigger: "inventory",
  });
  assert.equal(blocked.blocked?.removed, 5);
});

test("recordOf bounds the errors: at most 100, messages cut to 1 KB without splitting a character", () => {
  const errors = Array.from({ length: 150 }, (_, i) => ({ file: `generators/f${i}.yaml`, application: "a".repeat(1000), message: `é${"€".repeat(2000)}` }));
  const r = recordOf(result({ errors }), { id: "run", startedAt: new Date(), trigger: "api" });
  assert.equal(r.errors.length, MAX_ERRORS);
  assert.equal(r.errorCount, 150);
  assert.equal(r.errors[99]!.file, "generators/f99.yaml");
  for (const e of r.errors) {
    assert.ok(Buffer.byteLength(e.message) <= MAX_MESSAGE_BYTES);
    assert.ok(Buffer.byteLength(e.application!) <= 256);
    assert.ok(e.message.endsWith("…"));
    assert.ok(!e.message.includes("\uFFFD"));
  }
  assert.ok(JSON.stringify(r).length < 200_000, "far below DynamoDB's 400 KB item limit");
  assert.equal(truncateUtf8("short", 10), "short");
  assert.equal(truncateUtf8("€€€€", 9), "€€…", "3 + 3 + 3 bytes");
  assert.throws(() => GenerationRecord.parse({ ...r, errors: [...r.errors, r.errors[0]] }), "the schema itself refuses 101 errors");
  assert.throws(() => GenerationRecord.parse({ ...r, trigger: "cron" }));
  assert.throws(() => GenerationRecord.parse({ ...r, id: "a#b" }), "an id may not contain #");
});

for (const engine of engines) {
  describe(`generation history on the ${engine.name}`, { timeout: 10 * 60_000 }, () => {
    let db: Engine;
    before(async () => {
      db = await engine.start();
    });
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- still unset when before() failed
    after(() => db?.stop());

    test("lists newest first across day partitions, page by page, within the retention", async () => {
      const now = new Date("2026-11-23T12:00:00.000Z");
      const history = new DynamoDBGenerationHistory(db.client, await db.table(), () => now, { retentionDays: 30 });
      const times = [
        now.getTime() - 1000,
        now.getTime() - 2 * HOUR,
        now.getTime() - 2 * HOUR, // same millisecond, another id
        now.getTime() - 13 * HOUR, // yesterday
        now.getTime() - 3 * DAY,
        now.getTime() - 3 * DAY - HOUR,
        now.getTime() - 29 * DAY,
        now.getTime() - 30 * DAY + 1000, // in the oldest day, not yet expired
      ];
      const kept = times.map((t, i) => record(new Date(t), `run-${i}`));
      // Older than the retention: one expired but still in the oldest walked day (TTL deletes lazily), one beyond it.
      const expired = [record(new Date(now.getTime() - 30 * DAY - 1000), "expired"), record(new Date(now.getTime() - 45 * DAY), "ancient")];
      for (const r of [...expired, ...kept].reverse()) await history.record(r);

      const newestFirst = [...kept].sort((a, b) => (`${b.startedAt}#${b.id}` < `${a.startedAt}#${a.id}` ? -1 : 1));
      const all = await history.list(100);
      assert.deepEqual(
        all.records.map((r) => r.id),
        newestFirst.map((r) => r.id),
      );
      assert.equal(all.cursor, undefined, "the walk stops at the retention");
      assert.deepEqual(all.records[0], newestFirst[0], "records come back as written");

      for (const limit of [1, 2, 3, 5]) {
        const ids: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await history.list(limit, cursor);
          assert.ok(page.records.length <= limit);
          ids.push(...page.records.map((r) => r.id));
          cursor = page.cursor;
          assert.ok(++pages < 50, "paging terminates");
        } while (cursor);
        assert.deepEqual(
          ids,
          newestFirst.map((r) => r.id),
          `limit ${limit}`,
        );
      }
    });

    test("an empty history is one empty page; a bad cursor is refused", async () => {
      const history = new DynamoDBGenerationHistory(db.client, await db.table(), () => new Date("2026-11-23T12:00:00Z"), { retentionDays: 3 });
      assert.deepEqual(await history.list(10), { records: [] });
      await assert.rejects(history.list(10, "nonsense"), InvalidCursorError);
      await assert.rejects(history.list(10, Buffer.from(JSON.stringify({ day: "2026-13-45" })).toString("base64url")), InvalidCursorError);
      await assert.rejects(history.list(0), /limit/);
    });

    test("a record is never overwritten, and an invalid one is never written", async () => {
      const now = new Date("2026-11-23T12:00:00Z");
      const history = new DynamoDBGenerationHistory(db.client, await db.table(), () => now);
      const r = record(now, "once");
      await history.record(r);
      await assert.rejects(history.record({ ...r, durationMs: 1 }), /already recorded/);
      await assert.rejects(history.record({ ...r, id: "other", errors: Array.from({ length: 101 }, () => ({ file: "f", message: "m" })) }));
      assert.deepEqual((await history.list(10)).records, [r]);
    });
  });
}
