/**
 * What "wedged" means for /healthz: a piece of work in hand has not moved for longer than its
 * limit. The work is the reconcile pass, the wait between passes, and each application's sync; a
 * sync moves at every step it takes (a kind written, a wave's objects read again while it waits
 * for health), so an application that waits a long time for health is progress, not a wedge. A
 * request that never returns, or a loop that stopped turning, is.
 */
import type { Probe } from "../server.js";

interface Work {
  movedAt: number;
  limitMs: number;
}

export class Liveness {
  private readonly work = new Map<string, Work>();

  constructor(private readonly now: () => number = Date.now) {}

  /** `what` is in hand from now on, and must move at least every `limitMs`. */
  begin(what: string, limitMs: number): void {
    this.work.set(what, { movedAt: this.now(), limitMs });
  }

  moved(what: string): void {
    const work = this.work.get(what);
    if (work) work.movedAt = this.now();
  }

  end(what: string): void {
    this.work.delete(what);
  }

  /** Fails naming the work that stalled longest past its limit, if any did. */
  probe(): Probe {
    const now = this.now();
    let worst: { what: string; stalledMs: number } | undefined;
    for (const [what, work] of this.work) {
      const stalledMs = now - work.movedAt;
      if (stalledMs > work.limitMs && stalledMs > (worst?.stalledMs ?? 0)) worst = { what, stalledMs };
    }
    if (!worst) return { ok: true, message: "ok" };
    return { ok: false, message: `wedged: ${worst.what} has not moved for ${Math.round(worst.stalledMs / 1000)} s` };
  }
}
