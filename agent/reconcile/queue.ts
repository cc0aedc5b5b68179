/**
 * Work per application, handed to a bounded set of workers as client-go's workqueue hands keys to
 * a controller: at most `workers` items run at once and one item per key at a time; an item added
 * while its key runs waits and runs right after, and a newer item of a key replaces the one still
 * waiting (the newest wins). A failed item runs again after a backoff kept per key, unless a newer
 * one of its key came meanwhile; a success forgets the key's failures.
 */
export interface WorkQueueOptions<T> {
  workers: number;
  /** Runs one item; true when it succeeded. A throw counts as a failure. */
  process: (key: string, item: T, signal: AbortSignal) => Promise<boolean>;
  /** The wait before retry number `attempt` (0-based) of a failed key. */
  retryDelay: (attempt: number) => number;
  /** Whether `newer` makes the running `current` of its key pointless: then the running one is told to stop. */
  supersedes?: (current: T, newer: T) => boolean;
}

interface Waiting<T> {
  item: T;
  /** Callers of `add` waiting for this item (or one that replaced it) to have run. */
  settled: (() => void)[];
}

interface Running<T> {
  item: T;
  abort: AbortController;
  done: Promise<void>;
}

export class WorkQueue<T> {
  private readonly waiting = new Map<string, Waiting<T>>();
  /** Keys ready to run, oldest first; a key waiting for its running item is not among them. */
  private readonly ready: string[] = [];
  private readonly running = new Map<string, Running<T>>();
  private readonly failures = new Map<string, number>();
  private readonly retries = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly options: WorkQueueOptions<T>) {}

  /** Queues `item` for `key`; resolves once it, or a newer item of its key, has run (or the queue stopped). */
  add(key: string, item: T): Promise<void> {
    if (this.stopped) return Promise.resolve();
    clearTimeout(this.retries.get(key));
    this.retries.delete(key);
    let waiting = this.waiting.get(key);
    if (waiting) waiting.item = item;
    else {
      waiting = { item, settled: [] };
      this.waiting.set(key, waiting);
      if (!this.running.has(key)) this.ready.push(key);
    }
    const current = this.running.get(key);
    if (current && this.options.supersedes?.(current.item, item)) current.abort.abort("a newer version of the application arrived");
    const settled = new Promise<void>((resolve) => waiting.settled.push(resolve));
    this.pump();
    return settled;
  }

  /** Keys whose last run failed (each is retried or waits for a newer item). */
  failing(): number {
    return this.failures.size;
  }

  /** Stops retries, tells running items to stop and waits for them; what waits is dropped. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.retries.values()) clearTimeout(timer);
    this.retries.clear();
    for (const waiting of this.waiting.values()) for (const settle of waiting.settled) settle();
    this.waiting.clear();
    this.ready.length = 0;
    for (const running of this.running.values()) running.abort.abort("the agent is stopping");
    await Promise.all([...this.running.values()].map((running) => running.done));
  }

  private pump(): void {
    while (!this.stopped && this.running.size < this.options.workers && this.ready.length > 0) {
      const key = this.ready.shift()!;
      const waiting = this.waiting.get(key)!;
      this.waiting.delete(key);
      this.start(key, waiting);
    }
  }

  private start(key: string, waiting: Waiting<T>): void {
    const abort = new AbortController();
    const done = this.options
      .process(key, waiting.item, abort.signal)
      .catch(() => false)
      .then((ok) => this.finished(key, waiting, ok));
    this.running.set(key, { item: waiting.item, abort, done });
  }

  private finished(key: string, waiting: Waiting<T>, ok: boolean): void {
    this.running.delete(key);
    for (const settle of waiting.settled) settle();
    if (ok) this.failures.delete(key);
    else this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
    if (this.waiting.has(key)) this.ready.push(key);
    else if (!ok && !this.stopped) this.retryLater(key, waiting.item);
    this.pump();
  }

  private retryLater(key: string, item: T): void {
    const timer = setTimeout(
      () => {
        this.retries.delete(key);
        void this.add(key, item);
      },
      this.options.retryDelay(this.failures.get(key)! - 1),
    );
    this.retries.set(key, timer);
  }
}
