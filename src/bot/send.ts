/**
 * The bot's side of the Bot API: middleware around every API call (429 retry, the global send rate), and
 * sending a reply as HTML chunks with a plain-text fallback.
 */
import Bottleneck from 'bottleneck';
import { TelegramError, type Telegram } from 'telegraf';
import type { InlineKeyboardMarkup, Message } from 'telegraf/types';
import { htmlToText } from './format.js';
import { describeError, type Logger } from './log.js';

/** Middleware around one Bot API call: `next` makes the call (through the layers inside this one). */
export type ApiLayer = (method: string, payload: unknown, next: () => Promise<unknown>) => Promise<unknown>;

const LAYERED = Symbol('citebot.apiLayers');

/**
 * Puts `layers` (outermost first) around every API call of `telegram`. telegraf gives each update its own
 * Telegram client, so the bot applies this to each update's client as well as to its own (see bot.ts).
 */
export function layerApi(telegram: Telegram, layers: ReadonlyArray<ApiLayer>): void {
  const t = telegram as Telegram & { [LAYERED]?: true };
  if (t[LAYERED]) return;
  t[LAYERED] = true;
  const call = telegram.callApi.bind(telegram) as (m: string, p: unknown, o?: unknown) => Promise<unknown>;
  const layered = (method: string, payload: unknown, options?: unknown): Promise<unknown> => {
    const run = (i: number): Promise<unknown> => (i === layers.length ? call(method, payload, options) : layers[i](method, payload, () => run(i + 1)));
    return run(0);
  };
  telegram.callApi = layered as Telegram['callApi'];
}

export interface RetryOptions {
  /** Tries per call, the first included. */
  attempts?: number;
  /** A longer `retry_after` than this (seconds) is not waited for: the call fails. */
  maxWaitSeconds?: number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Seconds Telegram asks us to wait, when `e` is its 429 "Too Many Requests". */
export function retryAfter(e: unknown): number | undefined {
  if (!(e instanceof TelegramError) || e.code !== 429) return undefined;
  const s = Number(e.parameters?.retry_after);
  return Number.isFinite(s) && s >= 0 ? s : 1;
}

// getUpdates: telegraf's polling loop already waits out a 429. sendChatAction: a late typing indicator is worthless.
const NOT_RETRIED = new Set(['getUpdates', 'sendChatAction']);

/** Waits out Telegram's 429 (`retry_after`) and tries the call again. */
export function retryOn429(log: Logger, opts: RetryOptions = {}): ApiLayer {
  const attempts = opts.attempts ?? 5;
  const maxWait = opts.maxWaitSeconds ?? 300;
  const sleep = opts.sleep ?? defaultSleep;
  return async (method, _payload, next) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await next();
      } catch (e) {
        const wait = NOT_RETRIED.has(method) ? undefined : retryAfter(e);
        if (wait === undefined || attempt >= attempts || wait > maxWait) throw e;
        log.warn(`Telegram asked to slow down (429) on ${method}; retrying in ${wait} s (attempt ${attempt + 1} of ${attempts})`);
        await sleep(wait * 1000);
      }
    }
  };
}

/**
 * Messages a second the bot sends, all chats together: Telegram allows about 30; 25 leaves room for timers
 * firing late on a busy host (bottleneck spaces the starts it plans, and a late one can bunch with the next).
 */
export const SENDS_PER_SECOND = 25;

/** Calls that put a message in a chat or change one: what Telegram's global limit counts. Typing is not. */
const isSend = (method: string) => /^(send|edit|copy|forward)/.test(method) && method !== 'sendChatAction';

/**
 * Spaces the bot's sends at least 1/perSecond apart (bottleneck's `minTime`), so no second holds more than
 * `perSecond` of them, whichever chats they go to. Returns the layer and the limiter (for shutdown).
 */
export function sendRateLimit(perSecond = SENDS_PER_SECOND): { layer: ApiLayer; limiter: Bottleneck } {
  const limiter = new Bottleneck({ minTime: Math.ceil(1000 / perSecond) });
  return { layer: (method, _payload, next) => (isSend(method) ? limiter.schedule(next) : next()), limiter };
}

/** Telegram rejected our HTML (it should not happen: the formatter escapes everything; this is the safety net). */
export function isMarkupError(e: unknown): boolean {
  return e instanceof TelegramError && e.code === 400 && /can't parse entities|unsupported start tag|can't find end tag|unexpected end tag/i.test(e.description ?? '');
}

export interface SendOptions {
  /** Reply to this message (the first chunk only). */
  replyTo?: number;
  /** Buttons under the last chunk. */
  keyboard?: InlineKeyboardMarkup;
}

/**
 * Sends HTML chunks in order. A chunk Telegram refuses to parse goes out again as the same text without
 * markup, so the reader always gets the answer.
 */
export async function sendChunks(telegram: Telegram, chatId: number, chunks: string[], opts: SendOptions, log: Logger): Promise<Message.TextMessage[]> {
  const sent: Message.TextMessage[] = [];
  for (let i = 0; i < chunks.length; i++) {
    const extra = {
      // Article text may quote a URL; a preview card of it would be noise under an answer.
      link_preview_options: { is_disabled: true },
      ...(i === 0 && opts.replyTo ? { reply_parameters: { message_id: opts.replyTo, allow_sending_without_reply: true } } : {}),
      ...(i === chunks.length - 1 && opts.keyboard ? { reply_markup: opts.keyboard } : {}),
    };
    try {
      sent.push(await telegram.sendMessage(chatId, chunks[i], { ...extra, parse_mode: 'HTML' }));
    } catch (e) {
      if (!isMarkupError(e)) throw e;
      log.warn(`Telegram could not parse a reply's HTML (${describeError(e)}); sending it as plain text`);
      sent.push(await telegram.sendMessage(chatId, htmlToText(chunks[i]), extra));
    }
  }
  return sent;
}
