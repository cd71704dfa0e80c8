import { TelegramError, type Telegram } from 'telegraf';
import type { InlineKeyboardMarkup, Message } from 'telegraf/types';
import { htmlToText } from './format.js';
import { describeError, type Logger } from './log.js';

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

/** Telegram rejected our HTML (it should not happen: the formatter escapes everything; this is the safety net). */
export function isMarkupError(e: unknown): boolean {
  return e instanceof TelegramError && e.code === 400 && /can't parse entities|unsupported start tag|can't find end tag|unexpected end tag/i.test(e.description ?? '');
}

// getUpdates: telegraf's polling loop already waits out a 429. sendChatAction: a late typing indicator is worthless.
const NOT_RETRIED = new Set(['getUpdates', 'sendChatAction']);

/**
 * Makes the API calls of `telegram` wait out Telegram's 429 (`retry_after`) and try again.
 */
export function retryOn429(telegram: Telegram, log: Logger, opts: RetryOptions = {}): void {
  const attempts = opts.attempts ?? 5;
  const maxWait = opts.maxWaitSeconds ?? 300;
  const sleep = opts.sleep ?? defaultSleep;
  const call = telegram.callApi.bind(telegram);
  const patched = async (method: string, payload: unknown, options?: unknown): Promise<unknown> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await (call as (m: string, p: unknown, o?: unknown) => Promise<unknown>)(method, payload, options);
      } catch (e) {
        const wait = NOT_RETRIED.has(method) ? undefined : retryAfter(e);
        if (wait === undefined || attempt >= attempts || wait > maxWait) throw e;
        log.warn(`Telegram asked to slow down (429) on ${method}; retrying in ${wait} s (attempt ${attempt + 1} of ${attempts})`);
        await sleep(wait * 1000);
      }
    }
  };
  telegram.callApi = patched as Telegram['callApi'];
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
