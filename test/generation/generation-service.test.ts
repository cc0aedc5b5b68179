import assert from "node:assert/strict";
import { test } from "node:test";
import { GenerationBusyError, GenerationService } from "../../lambdas/generation/generation-service.js";
import type { GenerationHistory, GenerationRecord } from "../../lambdas/generation/history.js";
import type { GenerationLease } from "../../lambdas/generation/lease.js";
import type { GenerationDeps } from "../../lambdas/generator/run.js";

/** A lease in memory; `held` makes another holder own it. */
function memoryLease(): GenerationLease & { holder: string | undefined; released: number } {
  return {
    holder: undefined,
    released: 0,
    async acquire(holder) {
      if (this.holder) return false;
      this.holder = holder;
      return true;
    },
    async renew(holder) {
      return this.holder === holder;
    },
    async release(holder) {
      if (this.holder !== holder) return false;
      this.holder = undefined;
      this.released++;
      return true;
    },
    async current() {
      return this.holder ? { holder: this.holder, expiresAt: 0 } : undefined;
    },
  };
}

function memoryHistory(): GenerationHistory & { records: GenerationRecord[] } {
  return {
    records: [],
    async record(record) {
      this.records.push(record);
    },
    async list() {
      return { records: [...this.records].reverse() };
    },
  };
}

/** A fleet repo whose fetch waits for `gate`, with no generator files: every run is empty but real. */
function service(gate: () => Promise<void>, fetches: { count: number }) {
  const lease = memoryLease();
  const history = memoryHistory();
  const repo = {
    url: "http://example.invalid/fleet.git",
    async fetch() {
      fetches.count++;
      await gate();
      return "a".repeat(40);
    },
    async remoteBranches() {
      return new Map<string, string>();
    },
    async listFiles() {
      return [];
    },
    async writeBranches() {
      return [];
    },
  };
  const errors: unknown[] = [];
  const svc = new GenerationService({
    lease,
    history,
    registry: { list: async () => ({ items: [], nextPageToken: null, scanned: 0 }) },
    run: { fleet: repo, deploy: repo, sourceBranch: "main", kustomize: { build: async () => "" }, clock: () => new Date(), author: { name: "t", email: "t@t" } } as unknown as GenerationDeps,
    clock: () => new Date("2026-01-01T00:00:00Z"),
    onBackgroundError: (error) => errors.push(error),
  });
  return { svc, lease, history, errors };
}

test("a run records its result and releases the lease; a held lease refuses the run", async () => {
  const fetches = { count: 0 };
  const { svc, lease, history } = service(async () => {}, fetches);
  const result = await svc.run({ trigger: "api", dryRun: true, force: false });
  assert.equal(result.dryRun, true);
  assert.equal(history.records.length, 1);
  assert.equal(history.records[0]!.dryRun, true);
  assert.equal(lease.holder, undefined);
  assert.equal(lease.released, 1);

  lease.holder = "someone-else";
  await assert.rejects(svc.run({ trigger: "api", dryRun: false, force: false }), GenerationBusyError);
  assert.equal(history.records.length, 1, "a refused run records nothing");
  assert.equal(lease.holder, "someone-else", "and leaves the other holder's lease alone");
});

test("triggers arriving during a background run coalesce into one follow-up run", async () => {
  const fetches = { count: 0 };
  let open!: () => void;
  let gate = new Promise<void>((resolve) => (open = resolve));
  const { svc, history, errors } = service(() => gate, fetches);
  svc.trigger("inventory");
  svc.trigger("inventory");
  svc.trigger("webhook");
  svc.trigger("inventory");
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(fetches.count, 1, "one run under way");
  gate = Promise.resolve();
  open();
  await svc.idle();
  assert.deepEqual(errors, []);
  assert.equal(fetches.count, 2, "one follow-up run for the three triggers");
  assert.deepEqual(history.records.map((r) => r.trigger), ["inventory", "inventory"]);
});
