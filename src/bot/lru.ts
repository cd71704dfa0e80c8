import { randomBytes } from 'node:crypto';

/**
 * A bounded map from short random ids to values, least recently used evicted first. Keeps what does not fit
 * in 64 bytes of callback data (the "More sources" passages) in the bot.
 */
export class LruStore<V> {
  private readonly map = new Map<string, V>();

  constructor(private readonly capacity = 1000) {}

  /** Stores `value` under a new 8-character id (URL-safe base64). */
  put(value: V): string {
    let id: string;
    do id = randomBytes(6).toString('base64url');
    while (this.map.has(id));
    this.map.set(id, value);
    while (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
    return id;
  }

  get(id: string): V | undefined {
    const v = this.map.get(id);
    if (v !== undefined) {
      this.map.delete(id);
      this.map.set(id, v);
    }
    return v;
  }

  get size(): number {
    return this.map.size;
  }
}
