// The per-application work queue: the bound, one item per key, the newest item wins, per-key
// retries, superseding and stopping. Items are plain promises the test resolves, in the order it
// chooses, so every interleaving asserted here is forced, not timed.
import assert from "node:assert/strict";
import { test } from "node:test";
import { WorkQueue } from "../../../agent/reconcile/queue.js";

/** A queue whose items wait until the test releases them; it records what ran and what is running. */
function controlledQueue(options: { workers: number; retryDelay?: (attempt: number) => number; supersedes?: (a: string, b: string) => boolean }) {
  const started: string[] = [];
  const running = new Map<string, { release: (ok: boolean) => void; signal: AbortSignal }>();
  let maxRunning = 0;
  const queue = new WorkQueue<string>({
    workers: options.workers,
    retryDelay: options.retryDelay ?? (() => 60_000),
    ...(options.supersedes ? { supersedes: options.supersedes } : {}),
    process: (key, item, signal) =>
      new Promise<boolean>((resolve) => {
        assert.ok(!running.has(key), `${key} runs twice at once`);
        started.push(`${key}:${item}`);
        const release = (ok: boolean) => {
          running.delete(key);
          resolve(ok);
        };
        running.set(key, { release, signal });
        maxRunning = Math.max(maxRunning, running.size);
      }),
  });
  const release = async (key: string, ok = true) => {
    running.get(key)!.release(ok);
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { queue, started, running, release, maxRunning: () => maxRunning };
}

test("no more than `workers` items run at once; the next starts when one ends", async () => {
  const q = controlledQueue({ workers: 2 });
  for (const key of ["a", "b", "c", "d"]) void q.queue.add(key, "1");
  assert.deepEqual([...q.running.keys()], ["a", "b"]);
  await q.release("b");
  assert.deepEqual([...q.running.keys()], ["a", "c"]);
  await q.release("c");
  await q.release("d");
  assert.deepEqual(q.started, ["a:1", "b:1", "c:1", "d:1"]);
  assert.equal(q.maxRunning(), 2);
  assert.deepEqual([...q.running.keys()], ["a"], "a stuck item holds one worker and nothing else");
  await q.release("a");
});

test("an item added while its key runs waits for it; of several, only the newest runs", async () => {
  const q = controlledQueue({ workers: 4 });
  const first = q.queue.add("a", "1");
  const second = q.queue.add("a", "2");
  const third = q.queue.add("a", "3");
  assert.deepEqual(q.started, ["a:1"]);
  await q.release("a");
  await first;
  assert.deepEqual(q.started, ["a:1", "a:3"]);
  await q.release("a");
  await Promise.all([second, third]);
  assert.deepEqual(q.started, ["a:1", "a:3"]);
});

test("a failed key is retried alone after its backoff, and forgotten once it succeeds", async () => {
  const attempts: number[] = [];
  const q = controlledQueue({ workers: 2, retryDelay: (attempt) => (attempts.push(attempt), 5) });
  /** Waits for the key's retry to start (its 5 ms backoff is a timer), however long a loaded machine takes. */
  const retried = async (key: string) => {
    const deadline = Date.now() + 10_000;
    while (!q.running.has(key)) {
      if (Date.now() > deadline) throw new Error(`${key} was not retried`);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  };
  void q.queue.add("a", "1");
  void q.queue.add("b", "1");
  await q.release("a", false);
  await q.release("b");
  assert.equal(q.queue.failing(), 1);
  await retried("a");
  assert.deepEqual(q.started, ["a:1", "b:1", "a:1"]);
  await q.release("a", false);
  await retried("a");
  await q.release("a", true);
  assert.deepEqual(attempts, [0, 1]);
  assert.equal(q.queue.failing(), 0);
});

test("a newer item that supersedes the running one aborts it; one that does not, waits", async () => {
  const q = controlledQueue({ workers: 2, supersedes: (current, newer) => current !== newer });
  void q.queue.add("a", "v1");
  const { signal } = q.running.get("a")!;
  void q.queue.add("a", "v1");
  assert.equal(signal.aborted, false, "the same content does not end the running sync");
  void q.queue.add("a", "v2");
  assert.equal(signal.aborted, true);
  assert.match(String(signal.reason), /newer version/);
  await q.release("a", false);
  assert.deepEqual(q.started, ["a:v1", "a:v2"]);
  await q.release("a");
});

test("stop aborts what runs, drops what waits, and resolves once the running items ended", async () => {
  const q = controlledQueue({ workers: 1 });
  void q.queue.add("a", "1");
  const waiting = q.queue.add("b", "1");
  const { signal } = q.running.get("a")!;
  let stopped = false;
  const stopping = q.queue.stop().then(() => (stopped = true));
  await waiting;
  assert.equal(signal.aborted, true);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(stopped, false, "stop waits for the running item");
  await q.release("a", false);
  await stopping;
  assert.deepEqual(q.started, ["a:1"]);
  await q.queue.add("c", "1");
  assert.deepEqual(q.started, ["a:1"], "nothing starts after stop");
});
