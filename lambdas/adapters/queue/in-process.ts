import type { GenerationMessage, GenerationQueue } from "../../generate/queue.js";
import { isRequestedRun } from "../../generate/queue.js";

/**
 * The embedded hub's queue: the worker runs in this process, one message at a time, in order.
 * A background trigger already waiting covers a new one (a run reads the inventory and the sources
 * when it starts), so a burst of inventory changes costs at most two runs here; requested runs are
 * each run as asked.
 */
export class InProcessQueue implements GenerationQueue {
  private active: Promise<void> | undefined;
  private readonly waiting: GenerationMessage[] = [];

  constructor(
    private readonly worker: (message: GenerationMessage) => Promise<void>,
    private readonly onError: (error: unknown, message: GenerationMessage) => void,
  ) {}

  send(message: GenerationMessage): Promise<void> {
    const covered = !isRequestedRun(message) && this.waiting.some((waiting) => !isRequestedRun(waiting));
    if (!covered) this.waiting.push(message);
    this.start();
    return Promise.resolve();
  }

  private start(): void {
    if (this.active || this.waiting.length === 0) return;
    this.active = this.loop().finally(() => {
      this.active = undefined;
      this.start();
    });
  }

  private async loop(): Promise<void> {
    for (let message = this.waiting.shift(); message !== undefined; message = this.waiting.shift()) {
      try {
        await this.worker(message);
      } catch (error) {
        this.onError(error, message);
      }
    }
  }

  async idle(): Promise<void> {
    while (this.active) await this.active;
  }
}
