/**
 * A map that holds at most `maxEntries` entries and, when given a `sizeOf`, at most `maxSize` units
 * (characters, bytes) in all; past either bound the least recently used entries go first. An entry
 * larger than `maxSize` on its own is not kept.
 */
export class LruMap<K, V> {
  private readonly entries = new Map<K, { value: V; size: number }>();
  private total = 0;

  constructor(
    readonly maxEntries: number,
    private readonly sizing?: { sizeOf: (value: V) => number; maxSize: number },
  ) {
    if (!(maxEntries >= 1)) throw new Error(`an LRU map holds at least one entry, not ${maxEntries}`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The units held in all (0 without `sizeOf`). */
  get totalSize(): number {
    return this.total;
  }

  /** The value, marked most recently used. */
  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** The value, leaving the order of use as it is. */
  peek(key: K): V | undefined {
    return this.entries.get(key)?.value;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  set(key: K, value: V): void {
    this.delete(key);
    const size = this.sizing ? this.sizing.sizeOf(value) : 0;
    if (this.sizing && size > this.sizing.maxSize) return;
    this.entries.set(key, { value, size });
    this.total += size;
    this.evict();
  }

  delete(key: K): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    this.entries.delete(key);
    this.total -= entry.size;
    return true;
  }

  /** Re-reads an entry's size (a value whose size was unknown when stored), marks it most recently used and applies the bounds. */
  resize(key: K): void {
    const entry = this.entries.get(key);
    if (entry === undefined || !this.sizing) return;
    const size = this.sizing.sizeOf(entry.value);
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.total += size - entry.size;
    entry.size = size;
    this.evict();
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }

  keys(): IterableIterator<K> {
    return this.entries.keys();
  }

  /** Drops the least recently used entries while a bound is exceeded. */
  private evict(): void {
    const maxSize = this.sizing?.maxSize ?? Infinity;
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.total <= maxSize) return;
      this.entries.delete(key);
      this.total -= entry.size;
    }
  }
}
