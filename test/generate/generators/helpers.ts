// Shared fixtures for the generator tests: the cluster_test.go inventory, a context, and an
// assertion on the field an ApplicationSetError names.
import assert from "node:assert/strict";
import type { GeneratorContext } from "../../../lambdas/generate/generators/context.js";
import { generateParams as generate } from "../../../lambdas/generate/generators/index.js";
import { inventoryView } from "../../../lambdas/generate/inventory-view.js";
import { ApplicationSetError, type InventoryCluster, type Params } from "../../../lambdas/generate/params.js";
import { memoryRepo, revision } from "./memory-repo.js";

// cluster_test.go TestGenerateParams: two cluster Secrets (staging-01, production_01/west).
export const clusters: InventoryCluster[] = [
  {
    name: "staging-01",
    server: "https://staging-01.example.com",
    labels: { environment: "staging", org: "foo" },
    annotations: { "foo.argoproj.io": "staging" },
  },
  {
    name: "production_01/west",
    server: "https://production-01.example.com",
    labels: { environment: "production", org: "bar" },
    annotations: { "foo.argoproj.io": "production" },
  },
];

/** A generator's params, as plain objects (they may come with a null prototype, which deepEqual would tell apart). */
export async function generateParams(...args: Parameters<typeof generate>): Promise<Params[]> {
  return (await generate(...args)).map((params) => ({ ...params }));
}

export function context(overrides: Partial<GeneratorContext> = {}): GeneratorContext {
  return {
    inventory: inventoryView(clusters),
    repo: memoryRepo({}),
    revision,
    goTemplate: false,
    goTemplateOptions: [],
    field: "spec.generators[0]",
    ...overrides,
  };
}

/** Asserts an ApplicationSetError naming `field`, whose message holds every one of `includes`. */
export function fieldError(field: string, ...includes: string[]) {
  return (error: unknown) => {
    assert.ok(error instanceof ApplicationSetError, `expected an ApplicationSetError, got ${String(error)}`);
    assert.equal(error.field, field);
    for (const text of includes) assert.ok(error.message.includes(text), `${JSON.stringify(text)} not in: ${error.message}`);
    return true;
  };
}

/** A generator entry of the list kind. */
export const list = (...elements: Record<string, unknown>[]) => ({ list: { elements } });
