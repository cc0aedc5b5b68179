// What the benchmark sees of the apiserver, through watches of its own (never the agent's logs or
// metrics): when every object of a run has appeared, and when an edited object is back at Git's value.
import { performance } from "node:perf_hooks";
import type { KubeClient, Watch } from "../../agent/kube/client.js";
import type { KubeObject } from "../../agent/kube/object.js";

export const keyOf = (object: Pick<KubeObject, "kind" | "metadata">) => `${object.kind} ${object.metadata.namespace ?? ""}/${object.metadata.name}`;

interface Waiter {
  key: string;
  until: (object: KubeObject) => boolean;
  resolve: (at: number) => void;
}

/** List-then-watch of some kinds under one label selector, recording when each event arrived. */
export class ObjectWatch {
  private readonly seen = new Set<string>();
  private readonly waiters = new Set<Waiter>();
  private counted: { count: number; resolve: (at: number) => void } | undefined;

  private constructor(private readonly watches: Watch[]) {}

  /** Resolves once every kind has been listed, so what follows is timed against a live watch. */
  static async start(kube: KubeClient, kinds: [apiVersion: string, kind: string][], labelSelector: string): Promise<ObjectWatch> {
    const watches: Watch[] = [];
    const self = new ObjectWatch(watches);
    await Promise.all(
      kinds.map(
        ([apiVersion, kind]) =>
          new Promise<void>((listed) => {
            watches.push(
              kube.watch(apiVersion, kind, { labelSelector }, (event) => {
                if (event.type === "RESYNC") {
                  for (const object of event.objects) self.onObject(object);
                  listed();
                } else if (event.type === "ADDED" || event.type === "MODIFIED") self.onObject(event.object);
                else if (event.type === "ERROR") process.stderr.write(`bench watch ${kind}: ${event.error.message}\n`);
              }),
            );
          }),
      ),
    );
    return self;
  }

  /** performance.now() when at least `count` distinct objects have been seen. */
  whenCount(count: number): Promise<number> {
    if (this.seen.size >= count) return Promise.resolve(performance.now());
    return new Promise((resolve) => (this.counted = { count, resolve }));
  }

  get count(): number {
    return this.seen.size;
  }

  /** performance.now() when an event of `key` satisfies `until`. Arm it before making the change. */
  when(key: string, until: (object: KubeObject) => boolean): Promise<number> {
    return new Promise((resolve) => this.waiters.add({ key, until, resolve }));
  }

  async stop(): Promise<void> {
    await Promise.all(this.watches.map((watch) => watch.stop()));
  }

  private onObject(object: KubeObject): void {
    const at = performance.now();
    const key = keyOf(object);
    this.seen.add(key);
    if (this.counted && this.seen.size >= this.counted.count) {
      this.counted.resolve(at);
      this.counted = undefined;
    }
    for (const waiter of this.waiters) {
      if (waiter.key !== key || !waiter.until(object)) continue;
      this.waiters.delete(waiter);
      waiter.resolve(at);
    }
  }
}
