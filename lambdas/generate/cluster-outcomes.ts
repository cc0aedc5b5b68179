/**
 * A cluster generator's outcome per cluster, kept between runs, and the order in which a run visits
 * clusters. Each run's inventory is compared once with the last run's (by each cluster's view key:
 * name, server, labels, annotations): a set evaluated against the last inventory then visits only
 * the clusters new or changed since, and takes every other outcome from its last run's list of
 * picked clusters. So a run after one relabel renders and visits that one cluster per set, not the
 * whole fleet. A set with no outcomes from the last run (new, edited, evicted, or not evaluated
 * then) visits every cluster once, an unchanged one costing a map lookup.
 */
import type { ClusterView, InventoryView } from "./inventory-view.js";
import type { LruMap } from "./lru.js";

/** What changed between the last inventory evaluated and this one. */
export interface InventoryDelta {
  /** This inventory's number, and the last one's (undefined for the first). */
  current: number;
  previous: number | undefined;
  /** View keys of the last inventory that this one lacks (clusters gone, or changed). */
  removed: ReadonlySet<string>;
  /** Views of this inventory the last one lacks (clusters new, or changed), by name. */
  added: readonly ClusterView[];
}

/** The inventories a cache has seen, each numbered, and the keys of the last. */
export class InventoryHistory {
  private last: { id: number; keys: ReadonlySet<string> } | undefined;
  private readonly deltas = new WeakMap<InventoryView, InventoryDelta>();

  /** The delta of `inventory` from the last inventory seen; the same object for the same inventory. */
  deltaOf(inventory: InventoryView): InventoryDelta {
    const known = this.deltas.get(inventory);
    if (known) return known;
    const keys = new Set(inventory.sorted.map((view) => view.key));
    const before = this.last?.keys ?? new Set<string>();
    const delta: InventoryDelta = {
      current: (this.last?.id ?? 0) + 1,
      previous: this.last?.id,
      removed: new Set([...before].filter((key) => !keys.has(key))),
      added: inventory.sorted.filter((view) => !before.has(view.key)),
    };
    this.last = { id: delta.current, keys };
    this.deltas.set(inventory, delta);
    return delta;
  }
}

export interface Picked<V> {
  name: string;
  key: string;
  outcome: V;
}

/** One set's outcomes: per view key of the inventory it last saw, and its picked clusters by name. */
export interface ClusterGroup<V> {
  entries: Map<string, V>;
  inventory: number;
  picked: readonly Picked<V>[];
}

export interface ClusterOutcomesInput<V> {
  cache: LruMap<string, ClusterGroup<V>>;
  /** The set (and generator) the outcomes belong to. */
  groupKey: string;
  inventory: InventoryView;
  history: InventoryHistory;
  /** Computes one cluster's outcome (a miss). */
  outcome: (view: ClusterView) => V;
  /** Whether an outcome takes part in the result (a cluster the generator does not pick does not). */
  picks: (outcome: V) => boolean;
}

/** Two lists in name order, merged in name order. */
function mergeByName<V>(a: readonly Picked<V>[], b: readonly Picked<V>[]): Picked<V>[] {
  const merged: Picked<V>[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j === b.length || (i < a.length && a[i]!.name <= b[j]!.name)) merged.push(a[i++]!);
    else merged.push(b[j++]!);
  }
  return merged;
}

/** Every cluster of the inventory visited, reusing the outcomes of an unchanged view. */
function visitAll<V>(input: ClusterOutcomesInput<V>, last: ClusterGroup<V> | undefined): Pick<ClusterGroup<V>, "entries" | "picked"> {
  const entries = new Map<string, V>();
  const picked: Picked<V>[] = [];
  for (const view of input.inventory.sorted) {
    const outcome = last?.entries.get(view.key) ?? input.outcome(view);
    entries.set(view.key, outcome);
    if (input.picks(outcome)) picked.push({ name: view.cluster.name, key: view.key, outcome });
  }
  return { entries, picked };
}

/** Only the clusters that changed since `last`'s inventory visited; every other outcome is `last`'s. */
function visitChanged<V>(input: ClusterOutcomesInput<V>, last: ClusterGroup<V>, delta: InventoryDelta): Pick<ClusterGroup<V>, "entries" | "picked"> {
  const { entries } = last;
  for (const key of delta.removed) entries.delete(key);
  const added: Picked<V>[] = [];
  for (const view of delta.added) {
    const outcome = input.outcome(view);
    entries.set(view.key, outcome);
    if (input.picks(outcome)) added.push({ name: view.cluster.name, key: view.key, outcome });
  }
  const kept = delta.removed.size === 0 ? last.picked : last.picked.filter((one) => !delta.removed.has(one.key));
  return { entries, picked: added.length === 0 ? kept : mergeByName(kept, added) };
}

/** The clusters a set picks with their outcomes, in cluster name order. */
export function clusterOutcomes<V>(input: ClusterOutcomesInput<V>): readonly Picked<V>[] {
  const delta = input.history.deltaOf(input.inventory);
  const last = input.cache.get(input.groupKey);
  if (last?.inventory === delta.current) return last.picked;
  const fresh =
    last !== undefined && delta.previous !== undefined && last.inventory === delta.previous ? visitChanged(input, last, delta) : visitAll(input, last);
  input.cache.set(input.groupKey, { ...fresh, inventory: delta.current });
  return fresh.picked;
}
