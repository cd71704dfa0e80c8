import type { Context, Middleware } from 'telegraf';

/**
 * One queue per chat: a chat's tasks run one after another, in the order they came, so its replies stay in
 * order; different chats run concurrently. A task's failure goes to `onError` and never stops its queue.
 */
export class ChatQueue {
  private readonly tails = new Map<string, Promise<void>>();
  private pending = 0;
  private waiters: Array<() => void> = [];

  constructor(private readonly onError: (e: unknown) => void = () => undefined) {}

  /** Queues `task` behind the chat's earlier ones; resolves when it has run (never rejects). */
  run(chat: number | string, task: () => Promise<void>): Promise<void> {
    const key = String(chat);
    this.pending++;
    const next = (this.tails.get(key) ?? Promise.resolve())
      .then(task)
      .catch(this.onError)
      .finally(() => {
        if (this.tails.get(key) === next) this.tails.delete(key);
        if (--this.pending === 0) for (const w of this.waiters.splice(0)) w();
      });
    this.tails.set(key, next);
    return next;
  }

  /** Tasks queued or running. */
  get size(): number {
    return this.pending;
  }

  /** Chats with something queued or running. */
  get chats(): number {
    return this.tails.size;
  }

  /** Resolves once every queued task has run. */
  idle(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** The chat an update belongs to (a button press: the chat of its message), else its sender. */
const chatOf = (ctx: Context): number | undefined => ctx.chat?.id ?? ctx.from?.id;

/**
 * Middleware: the rest of the chain runs in the update's chat queue, and the update is let go at once. telegraf's
 * polling waits for every handler of a batch before it fetches the next one, so an answer being made here must not
 * hold up the updates of other chats.
 */
export function perChatOrder(queue: ChatQueue): Middleware<Context> {
  return (ctx, next) => {
    const chat = chatOf(ctx);
    if (chat === undefined) return next();
    void queue.run(chat, () => next());
  };
}
