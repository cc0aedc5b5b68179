import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { ApplicationStatus, Cluster, StatusReport } from "../../contract/index.js";
import { DynamoDBInventoryStore } from "../../lambdas/adapters/dynamodb/inventory-store.js";
import { DynamoDBStatusStore } from "../../lambdas/adapters/dynamodb/status-store.js";
import { ensureTable } from "../../lambdas/adapters/dynamodb/table.js";
import { AwsEksLookup } from "../../lambdas/adapters/eks/eks-lookup.js";
import { ClusterRegistry } from "../../lambdas/inventory/cluster-registry.js";
import { RegistryError } from "../../lambdas/inventory/errors.js";
import { startEmbeddedDynamoDB } from "../../lambdas/local/embedded-dynamodb.js";
import { NO_DEPLOY_REVISIONS } from "../../lambdas/status/deploy-revisions.js";
import { StatusService } from "../../lambdas/status/status-service.js";
import { startDynamoDBLocal } from "../engines/dynamodb-local.js";

// A crash (kill -9) between any two writes leaves the hub showing nothing of the change in flight,
// or all of it: never a cluster that lists but cannot be read, never a roll-up that contradicts its
// applications, never a leftover that blocks later requests. A wrapper around the store stops every
// write after the Nth, for each N in turn; then a fresh hub on the same table checks what it sees.
// On DynamoDB Local the wrapper stops requests (each request is atomic there); on the embedded store
// it stops LevelDB writes under dynalite, which writes an index entry and its item separately.

/** Counts writes and refuses every one after `limit`, as a process killed at that point would never make them. */
class Crash {
  writes = 0;
  limit = Infinity;
  /** Whether a write was refused: the process is dead from then on. */
  stopped = false;
  /** Whether the write about to happen is past the crash; counts it otherwise. */
  stops(): boolean {
    if (this.writes >= this.limit) return (this.stopped = true);
    this.writes++;
    return false;
  }
}

class Crashed extends Error {}

const WRITE_REQUESTS = new Set(["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"]);

function clientOf(endpoint: string, crash?: Crash): DynamoDBClient {
  const client = new DynamoDBClient({ endpoint, region: "local", credentials: { accessKeyId: "x", secretAccessKey: "x" }, maxAttempts: 1 });
  if (crash) {
    client.middlewareStack.add(
      (next) => (args) => {
        const target = (args.request as { headers?: Record<string, string> }).headers?.["x-amz-target"] ?? "";
        if (WRITE_REQUESTS.has(target.split(".")[1] ?? "") && crash.stops()) throw new Crashed("crashed before this write");
        return next(args);
      },
      { step: "finalizeRequest", name: "crashAfterWrites" },
    );
  }
  return client;
}

/**
 * Makes dynalite's LevelDB drop every write past the crash (as a killed process never makes them);
 * dynalite goes on answering, so the rest of the run goes on against the state the crash left and
 * persists nothing. Returns the undo.
 */
function crashLevelDB(crash: () => Crash | undefined): () => void {
  const level = createRequire(createRequire(import.meta.url).resolve("dynalite"))("level") as { Level: { prototype: Record<string, unknown> } };
  const prototype = level.Level.prototype;
  const originals = (["put", "del", "batch"] as const).map((method) => [method, prototype[method] as (...args: unknown[]) => unknown] as const);
  for (const [method, original] of originals) {
    prototype[method] = function (this: unknown, ...args: unknown[]) {
      if (crash()?.stops()) return Promise.resolve();
      return original.apply(this, args);
    };
  }
  return () => {
    for (const [method, original] of originals) prototype[method] = original;
  };
}

interface Hub {
  registry: ClusterRegistry;
  status: StatusService;
}

let tick = Date.parse("2026-12-01T00:00:00Z");
/** One clock for every hub here, the restarted ones included: each reading is a later millisecond, so "stored before this cluster was registered" is exact. */
const clock = () => new Date(tick++);

function hubOn(client: DynamoDBClient, table: string): Hub {
  return {
    registry: new ClusterRegistry({
      store: new DynamoDBInventoryStore(client, table),
      eks: new AwsEksLookup({ clock }),
      clock,
      settings: { hubUrl: "http://hub.test", repoUrl: null, agentImage: "radial/agent:test", tokenGraceSeconds: 600 },
    }),
    status: new StatusService({ store: new DynamoDBStatusStore(client, table), revisions: NO_DEPLOY_REVISIONS, clock, settings: { pollIntervalSeconds: 30 } }),
  };
}

const app = (name: string, sync: ApplicationStatus["sync"]): ApplicationStatus => ({
  name,
  revision: null,
  sync,
  health: "Healthy",
  resourceCount: 1,
  resources: [],
});
const REPORTS = {
  first: [app("db", "Synced"), app("web", "OutOfSync")],
  second: [app("db", "OutOfSync"), app("api", "Synced")],
};
const report = (cluster: string, applications: ApplicationStatus[]): StatusReport => ({
  cluster,
  agentVersion: "0.1.0",
  heartbeatAt: "2026-12-01T00:00:00Z",
  revision: null,
  conditions: [],
  applications,
  driftEvents: [
    {
      at: "2026-12-01T00:00:00Z",
      application: "web",
      resource: { group: "", version: "v1", kind: "ConfigMap", name: "x" },
      fields: ["data"],
      action: "Healed",
    },
  ],
});

/** What the clusters look like after each step: registered (with which report last stored) or gone. */
type Model = Map<string, { report: keyof typeof REPORTS | null } | null>;

const STEPS: { name: string; run(hub: Hub): Promise<unknown>; apply(model: Model): void }[] = [
  { name: "register a", run: (h) => h.registry.register({ name: "a", labels: { env: "prod" } }), apply: (m) => m.set("a", { report: null }) },
  { name: "register b", run: (h) => h.registry.register({ name: "b", annotations: { toString: "x" } }), apply: (m) => m.set("b", { report: null }) },
  { name: "report a", run: (h) => h.status.accept(report("a", REPORTS.first)), apply: (m) => m.set("a", { report: "first" }) },
  { name: "patch a", run: (h) => h.registry.patch("a", { labels: { tier: "web", env: null } }), apply: () => undefined },
  { name: "report a again", run: (h) => h.status.accept(report("a", REPORTS.second)), apply: (m) => m.set("a", { report: "second" }) },
  { name: "rotate a", run: (h) => h.registry.rotateToken("a"), apply: () => undefined },
  { name: "delete a", run: (h) => h.registry.delete("a"), apply: (m) => m.set("a", null) },
  { name: "register a anew", run: (h) => h.registry.register({ name: "a" }), apply: (m) => m.set("a", { report: null }) },
  { name: "delete b", run: (h) => h.registry.delete("b"), apply: (m) => m.set("b", null) },
];

/** Runs the steps until one of them meets the crash; the model before and after that step. */
async function runUntilCrash(hub: Hub, crash: Crash): Promise<{ before: Model; after: Model; stoppedIn: string | null }> {
  const model: Model = new Map([
    ["a", null],
    ["b", null],
  ]);
  for (const step of STEPS) {
    const before: Model = new Map(model);
    step.apply(model);
    try {
      await step.run(hub);
    } catch (error) {
      // Whatever the store answered once its writes stopped is the dead process's business.
      if (!crash.stopped) throw error;
    }
    if (crash.stopped) return { before, after: model, stoppedIn: step.name };
  }
  return { before: model, after: model, stoppedIn: null };
}

async function listed(registry: ClusterRegistry): Promise<Map<string, Cluster>> {
  const out = new Map<string, Cluster>();
  let token: string | undefined;
  do {
    const page = await registry.list([], 2, token);
    for (const cluster of page.items) out.set(cluster.name, cluster);
    token = page.nextPageToken ?? undefined;
  } while (token);
  return out;
}

/** What a fresh hub sees is the state before the step in flight or after it, whole, for every cluster; and it keeps working. */
async function checkAfterRestart(hub: Hub, outcome: Awaited<ReturnType<typeof runUntilCrash>>, where: string): Promise<void> {
  const clusters = await listed(hub.registry);
  for (const name of ["a", "b"]) {
    const read = await hub.registry.get(name).catch((error: unknown) => {
      if (error instanceof RegistryError && error.reason === "not_found") return undefined;
      throw error;
    });
    assert.deepEqual(clusters.get(name), read, `${where}: cluster ${name} is listed as it is read`);
    const allowed = [outcome.before.get(name), outcome.after.get(name)];
    if (!read) {
      assert.ok(allowed.includes(null), `${where}: cluster ${name} is gone, but it must exist`);
      continue;
    }
    const status = await hub.status.read(name, read.createdAt, 50);
    const shown = status.reported ? status.applications.map((a) => `${a.name}:${a.sync}`) : null;
    const whole = allowed.flatMap((state) => (state ? [state.report ? REPORTS[state.report].map((a) => `${a.name}:${a.sync}`).sort() : null] : []));
    assert.ok(
      whole.some((expected) => JSON.stringify(expected) === JSON.stringify(shown)),
      `${where}: cluster ${name} shows ${JSON.stringify(shown)}, one of ${JSON.stringify(whole)}`,
    );
    if (status.reported)
      assert.equal(
        Object.values(status.syncCounts).reduce((n, c) => n + c, 0),
        status.applications.length,
        `${where}: roll-up of ${name}`,
      );
    // And it takes reports again.
    await hub.status.accept(report(name, REPORTS.first));
    const after = await hub.status.read(name, read.createdAt, 50);
    assert.deepEqual(
      after.applications.map((a) => `${a.name}:${a.sync}`),
      REPORTS.first.map((a) => `${a.name}:${a.sync}`).sort(),
      `${where}: ${name} reports again`,
    );
  }
  // A name the crash left free can be registered.
  for (const name of ["a", "b"]) if (!clusters.has(name)) await hub.registry.register({ name });
}

async function everyCrashPoint(start: () => Promise<{ endpoint: string; stop(): Promise<void> }>, level: boolean): Promise<number> {
  let crash: Crash | undefined;
  // Before dynalite opens its LevelDB: it binds the methods it writes with when it opens.
  const undo = level ? crashLevelDB(() => crash) : () => undefined;
  const store = await start().catch((error: unknown) => {
    undo();
    throw error;
  });
  const plain = clientOf(store.endpoint);
  try {
    let tables = 0;
    const fresh = async () => {
      const table = `crash-${++tables}`;
      await ensureTable(plain, table);
      return table;
    };
    // A run without a crash counts the writes there are to crash between.
    const counting = new Crash();
    const table = await fresh();
    crash = level ? counting : undefined;
    await runUntilCrash(hubOn(level ? plain : clientOf(store.endpoint, counting), table), counting);
    crash = undefined;
    const total = counting.writes;
    for (let limit = 0; limit < total; limit++) {
      const table = await fresh();
      const stop = Object.assign(new Crash(), { limit });
      crash = level ? stop : undefined;
      const outcome = await runUntilCrash(hubOn(level ? plain : clientOf(store.endpoint, stop), table), stop);
      crash = undefined;
      await checkAfterRestart(hubOn(plain, table), outcome, `crash after ${limit} of ${total} writes (in "${outcome.stoppedIn}")`);
    }
    return total;
  } finally {
    undo();
    plain.destroy();
    await store.stop();
  }
}

/** The embedded store; on the main thread when the test reaches into its LevelDB (`level`), which the worker's is out of reach of. */
async function embedded(level = false) {
  const dir = await mkdtemp(join(tmpdir(), "radial-crash-"));
  const dynamo = await startEmbeddedDynamoDB(dir, undefined, { thread: level ? "main" : "worker" });
  return {
    endpoint: dynamo.endpoint,
    async stop() {
      await dynamo.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describe("a crash between any two writes", { timeout: 10 * 60_000 }, () => {
  let local: Awaited<ReturnType<typeof startDynamoDBLocal>>;
  before(async () => (local = await startDynamoDBLocal()));
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- still unset when before() failed
  after(() => local?.stop());

  test("on DynamoDB Local (requests stop after each write in turn)", async (t) => {
    const total = await everyCrashPoint(() => Promise.resolve({ endpoint: local.endpoint, stop: () => Promise.resolve() }), false);
    assert.ok(total > 15, `${total} writes`);
    t.diagnostic(`${total} crash points`);
  });
  test("on the embedded store (requests stop after each write in turn)", async (t) => {
    const total = await everyCrashPoint(() => embedded(), false);
    assert.ok(total > 15, `${total} writes`);
    t.diagnostic(`${total} crash points`);
  });
  test("on the embedded store (dynalite's LevelDB stops after each write in turn)", async (t) => {
    const total = await everyCrashPoint(() => embedded(true), true);
    assert.ok(total > 15, `${total} LevelDB writes`);
    t.diagnostic(`${total} crash points`);
  });
});
