import type { GenerationTrigger } from "../../../contract/generation.js";
import type { GenerationDispatch } from "../../ports.js";

/**
 * Runs `drain` in this process, one at a time: triggers arriving while one is under way become a
 * single follow-up, so a burst of inventory changes costs at most two runs here.
 */
export class InProcessDispatch implements GenerationDispatch {
  private active: Promise<void> | undefined;
  private pending: GenerationTrigger | undefined;

  constructor(
    private readonly drain: (trigger: GenerationTrigger) => Promise<void>,
    private readonly onError: (error: unknown, trigger: GenerationTrigger) => void,
  ) {}

  dispatch(trigger: GenerationTrigger): void {
    if (this.active) {
      this.pending ??= trigger;
      return;
    }
    this.active = this.loop(trigger).finally(() => (this.active = undefined));
  }

  private async loop(first: GenerationTrigger): Promise<void> {
    let next: GenerationTrigger | undefined = first;
    while (next !== undefined) {
      const trigger: GenerationTrigger = next;
      this.pending = undefined;
      try {
        await this.drain(trigger);
      } catch (error) {
        this.onError(error, trigger);
      }
      next = this.pending;
    }
  }

  async idle(): Promise<void> {
    while (this.active) await this.active;
  }
}
