import { LruMap } from "./lru.js";

/** GitHub's (and Gitea's) id of one delivery; a redelivery, by GitHub's "Redeliver" or by a replaying attacker, carries the same one. */
export const DELIVERY_HEADER = "x-github-delivery";

/** Ids are GUIDs; a longer header is not an id worth remembering. */
const MAX_ID_LENGTH = 200;

/**
 * The delivery ids this process answered recently, so a replayed delivery starts no second run.
 * Bounded in count (least recently seen out first) and in time: the signature covers the body but
 * neither the id nor a timestamp, so this narrows replays, it cannot rule them out. On Lambda each
 * instance remembers its own deliveries only.
 */
export class RecentDeliveries {
  private readonly seen: LruMap<string, number>;

  constructor(
    private readonly clock: () => number = Date.now,
    maxEntries = 10_000,
    private readonly ttlMs = 24 * 60 * 60 * 1000,
  ) {
    this.seen = new LruMap(maxEntries);
  }

  /** Whether `id` was answered within the expiry. */
  has(id: string | undefined): boolean {
    if (id === undefined) return false;
    const at = this.seen.get(id);
    if (at === undefined) return false;
    if (this.clock() - at < this.ttlMs) return true;
    this.seen.delete(id);
    return false;
  }

  /** Remembers `id` once its delivery was answered; a failed delivery is not remembered, so redelivering it works. */
  remember(id: string | undefined): void {
    if (id !== undefined && id.length > 0 && id.length <= MAX_ID_LENGTH) this.seen.set(id, this.clock());
  }
}
