// Client-side throttling as client-go's flowcontrol token bucket: `burst` requests may go at once,
// then one every 1/qps seconds. Waiting is by reservation, so concurrent callers keep their order.

export interface RateLimiterStats {
  /** Requests let through. */
  granted: number;
  /** Of those, how many had to wait. */
  throttled: number;
  /** Total time spent waiting, in milliseconds. */
  waitMs: number;
  /** The longest single wait, in milliseconds. */
  maxWaitMs: number;
}

export class TokenBucket {
  readonly stats: RateLimiterStats = { granted: 0, throttled: 0, waitMs: 0, maxWaitMs: 0 };
  private tokens: number;
  private last: number;

  /** `qps` Infinity turns throttling off. */
  constructor(
    readonly qps: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(qps > 0) || !(burst >= 1)) throw new RangeError(`rate limit needs qps > 0 and burst >= 1, got qps ${qps}, burst ${burst}`);
    this.tokens = burst;
    this.last = now();
  }

  /** Takes a token now and returns how long to wait, in milliseconds, before using it. */
  reserve(): number {
    if (this.qps === Infinity) return this.account(0);
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.qps) / 1000);
    this.last = now;
    this.tokens -= 1;
    return this.account(this.tokens < 0 ? (-this.tokens * 1000) / this.qps : 0);
  }

  /** Waits for a token; resolves with the milliseconds waited. */
  async take(): Promise<number> {
    const wait = this.reserve();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    return wait;
  }

  private account(wait: number): number {
    this.stats.granted += 1;
    if (wait > 0) {
      this.stats.throttled += 1;
      this.stats.waitMs += wait;
      this.stats.maxWaitMs = Math.max(this.stats.maxWaitMs, wait);
    }
    return wait;
  }
}
