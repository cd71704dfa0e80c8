import type { Context, Middleware } from 'telegraf';

/** Verdict on one message of a user. */
export type RateVerdict =
  | { ok: true }
  /** `notify`: the first refusal in this stretch, the only one worth a reply (answering every one would be spam too). */
  | { ok: false; retryAfterSeconds: number; notify: boolean };

/**
 * A sliding-window limit per user: at most `limit` messages in any `windowMs`. Memory stays bounded by
 * forgetting users whose window has emptied.
 */
export class RateLimiter {
  private readonly hits = new Map<number, number[]>();
  private readonly notified = new Set<number>();
  private checks = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  check(userId: number): RateVerdict {
    const t = this.now();
    if (++this.checks % 1000 === 0) this.sweep(t);
    const recent = (this.hits.get(userId) ?? []).filter((h) => h > t - this.windowMs);
    if (recent.length < this.limit) {
      recent.push(t);
      this.hits.set(userId, recent);
      this.notified.delete(userId);
      return { ok: true };
    }
    this.hits.set(userId, recent);
    const notify = !this.notified.has(userId);
    this.notified.add(userId);
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((recent[0] + this.windowMs - t) / 1000)), notify };
  }

  private sweep(t: number): void {
    for (const [user, hits] of this.hits) {
      if (!hits.some((h) => h > t - this.windowMs)) {
        this.hits.delete(user);
        this.notified.delete(user);
      }
    }
  }
}

/**
 * Middleware: a user over the limit is told once per stretch (`onLimited`) and otherwise not answered, so the
 * refusal cannot become spam itself. Keyed by the sender, across chats.
 */
export function rateLimit<C extends Context>(limiter: RateLimiter, onLimited: (ctx: C, retryAfterSeconds: number) => Promise<unknown>): Middleware<C> {
  return (ctx, next) => {
    const user = ctx.from?.id;
    if (user === undefined) return next();
    const verdict = limiter.check(user);
    if (verdict.ok) return next();
    if (verdict.notify) return onLimited(ctx, verdict.retryAfterSeconds);
  };
}
