/** The bot's small parts on their own: intent parsing, language, rate limit, per-chat queue, 429 retry, send rate, log, middleware on telegraf. */
import { Telegraf, Telegram, TelegramError } from 'telegraf';
import { message } from 'telegraf/filters';
import { describe, expect, it } from 'vitest';
import { parseIntent, type IncomingMessage } from '../src/bot/bot.js';
import { pickLanguage } from '../src/bot/i18n.js';
import { createLogger } from '../src/bot/log.js';
import { ChatQueue, perChatOrder } from '../src/bot/queue.js';
import { RateLimiter, rateLimit } from '../src/bot/ratelimit.js';
import { isMarkupError, layerApi, retryOn429, sendRateLimit } from '../src/bot/send.js';
import { sourcesPage } from '../src/bot/sources.js';
import { parseTelegramHtml } from './helpers/telegram.js';

const msg = (over: Partial<IncomingMessage>): IncomingMessage => ({ media: false, group: false, replyToBot: false, ...over });

describe('parseIntent', () => {
  const me = 'CiteBot';
  it('takes every private text as a question and parses commands, with or without @botname', () => {
    expect(parseIntent(msg({ text: 'Сколько стран?' }), me)).toEqual({ kind: 'question', text: 'Сколько стран?' });
    expect(parseIntent(msg({ text: '/start' }), me)).toEqual({ kind: 'command', name: 'start', args: '' });
    expect(parseIntent(msg({ text: '/Help@citebot' }), me)).toEqual({ kind: 'command', name: 'help', args: '' });
    expect(parseIntent(msg({ text: '/ask@CiteBot  Сколько\nстран? ' }), me)).toEqual({ kind: 'command', name: 'ask', args: 'Сколько\nстран?' });
    expect(parseIntent(msg({ text: '/help@OtherBot' }), me)).toEqual({ kind: 'ignore' });
    expect(parseIntent(msg({ text: '/nonsense' }), me)).toEqual({ kind: 'command', name: 'nonsense', args: '' });
    expect(parseIntent(msg({ text: '/start/../etc' }), me)).toEqual({ kind: 'question', text: '/start/../etc' });
  });

  it('in groups takes only what is addressed to the bot', () => {
    expect(parseIntent(msg({ group: true, text: 'Сколько стран?' }), me)).toEqual({ kind: 'ignore' });
    expect(parseIntent(msg({ group: true, text: '@citebot Сколько стран?' }), me)).toEqual({ kind: 'question', text: 'Сколько стран?' });
    expect(parseIntent(msg({ group: true, text: '@CiteBotFan Сколько стран?' }), me)).toEqual({ kind: 'ignore' });
    expect(parseIntent(msg({ group: true, text: 'А ты что скажешь?', replyToBot: true }), me)).toEqual({ kind: 'question', text: 'А ты что скажешь?' });
    expect(parseIntent(msg({ group: true, text: '/ask Сколько стран?' }), me)).toEqual({ kind: 'command', name: 'ask', args: 'Сколько стран?' });
    expect(parseIntent(msg({ group: true, text: '/ban someone' }), me)).toEqual({ kind: 'ignore' });
    expect(parseIntent(msg({ group: true, text: '/ban@CiteBot' }), me)).toEqual({ kind: 'command', name: 'ban', args: '' });
  });

  it('answers media in private chats (and in groups only when replying to the bot); ignores service messages', () => {
    expect(parseIntent(msg({ media: true }), me)).toEqual({ kind: 'nontext' });
    expect(parseIntent(msg({ media: true, group: true }), me)).toEqual({ kind: 'ignore' });
    expect(parseIntent(msg({ media: true, group: true, replyToBot: true }), me)).toEqual({ kind: 'nontext' });
    expect(parseIntent(msg({}), me)).toEqual({ kind: 'ignore' });
  });
});

describe('pickLanguage', () => {
  it('prefers the language of the words, then language_code (ru, kk, else en)', () => {
    expect(pickLanguage('Сколько стран входит в хаб?', 'en')).toBe('ru');
    expect(pickLanguage('Хабқа неше ел кіреді?', 'ru')).toBe('kk');
    expect(pickLanguage('How many countries?', 'kk')).toBe('en');
    expect(pickLanguage('/help@TestNameBot', 'kk')).toBe('kk');
    expect(pickLanguage('', 'ru-RU')).toBe('ru');
    expect(pickLanguage(undefined, 'de')).toBe('en');
    expect(pickLanguage('?!', undefined)).toBe('en');
  });
});

describe('RateLimiter', () => {
  it('allows `limit` per window per user, replies once when over, and recovers', () => {
    let now = 1_000_000;
    const rl = new RateLimiter(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) expect(rl.check(1)).toEqual({ ok: true });
    expect(rl.check(2)).toEqual({ ok: true });
    expect(rl.check(1)).toEqual({ ok: false, retryAfterSeconds: 60, notify: true });
    now += 30_000;
    expect(rl.check(1)).toEqual({ ok: false, retryAfterSeconds: 30, notify: false });
    now += 30_001;
    expect(rl.check(1)).toEqual({ ok: true });
    for (let i = 0; i < 2; i++) rl.check(1);
    expect(rl.check(1)).toMatchObject({ ok: false, notify: true });
  });
});

describe('ChatQueue', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('runs a chat’s tasks in order, other chats concurrently, and survives a failing task', async () => {
    const errors: unknown[] = [];
    const q = new ChatQueue((e) => errors.push(e));
    const log: string[] = [];
    const t = (name: string, ms: number, fail = false) => async () => {
      await sleep(ms);
      if (fail) throw new Error(name);
      log.push(name);
    };
    void q.run(1, t('a1', 60));
    void q.run(1, t('a2', 0, true));
    void q.run(1, t('a3', 0));
    void q.run(2, t('b1', 10));
    expect(q.size).toBe(4);
    expect(q.chats).toBe(2);
    await q.idle();
    expect(log).toEqual(['b1', 'a1', 'a3']);
    expect(errors).toHaveLength(1);
    expect(q.size).toBe(0);
    expect(q.chats).toBe(0);
    await q.idle();
  });
});

describe('retryOn429', () => {
  const silent = createLogger('silent', []);
  const tooMany = (s: number) => new TelegramError({ error_code: 429, description: `Too Many Requests: retry after ${s}`, parameters: { retry_after: s } });

  function fakeTelegram(failures: unknown[]) {
    const telegram = new Telegram('1:x', { apiRoot: 'http://127.0.0.1:9' });
    const calls: string[] = [];
    telegram.callApi = (async (method: string) => {
      calls.push(method);
      const f = failures.shift();
      if (f) throw f;
      return true;
    }) as Telegram['callApi'];
    return { telegram, calls };
  }

  it('waits retry_after seconds and tries again', async () => {
    const { telegram, calls } = fakeTelegram([tooMany(2), tooMany(1)]);
    const waits: number[] = [];
    layerApi(telegram, [retryOn429(silent, { sleep: async (ms) => void waits.push(ms) })]);
    await expect(telegram.sendMessage(1, 'hi')).resolves.toBe(true);
    expect(calls).toEqual(['sendMessage', 'sendMessage', 'sendMessage']);
    expect(waits).toEqual([2000, 1000]);
  });

  it('gives up after the attempts, on a too long wait, and never retries getUpdates or typing', async () => {
    const a = fakeTelegram([tooMany(1), tooMany(1), tooMany(1)]);
    layerApi(a.telegram, [retryOn429(silent, { attempts: 3, sleep: async () => undefined })]);
    await expect(a.telegram.sendMessage(1, 'hi')).rejects.toThrow('429');
    expect(a.calls).toHaveLength(3);

    const b = fakeTelegram([tooMany(3600)]);
    layerApi(b.telegram, [retryOn429(silent, { maxWaitSeconds: 300, sleep: async () => undefined })]);
    await expect(b.telegram.sendMessage(1, 'hi')).rejects.toThrow('429');

    const c = fakeTelegram([tooMany(1), tooMany(1)]);
    layerApi(c.telegram, [retryOn429(silent, { sleep: async () => undefined })]);
    await expect(c.telegram.sendChatAction(1, 'typing')).rejects.toThrow('429');
    await expect(c.telegram.getUpdates(0, 1, 0, undefined)).rejects.toThrow('429');
    expect(c.calls).toEqual(['sendChatAction', 'getUpdates']);
  });

  it('recognises Telegram’s markup errors', () => {
    expect(isMarkupError(new TelegramError({ error_code: 400, description: "Bad Request: can't parse entities: Unexpected end tag at byte offset 5" }))).toBe(true);
    expect(isMarkupError(new TelegramError({ error_code: 400, description: 'Bad Request: chat not found' }))).toBe(false);
  });
});

describe('createLogger', () => {
  it('masks secrets wherever they appear and honours the level', () => {
    const lines: string[] = [];
    const token = '123456789:AAExampleSecretTokenValue';
    const log = createLogger('info', [token, undefined], (l) => lines.push(l));
    log.debug('not shown');
    log.info(`GET https://api.telegram.org/bot${token}/getMe failed`);
    log.error(`multi\nline ${token}`);
    expect(lines).toHaveLength(2);
    expect(lines.join('')).not.toContain(token);
    expect(lines[0]).toContain('/bot***/getMe');
    expect(lines[1]).toMatch(/error multi \| line \*\*\*\n$/);
    log.hide('made-up-webhook-secret-42');
    log.warn('secret_token=made-up-webhook-secret-42');
    expect(lines[2]).toMatch(/secret_token=\*\*\*\n$/);
  });
});

describe('middleware on telegraf', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  let updateId = 0;
  const textUpdate = (chat: number, text: string, user = chat) => ({
    update_id: ++updateId,
    message: { message_id: updateId, date: 0, chat: { id: chat, type: 'private' as const, first_name: 'U' }, from: { id: user, is_bot: false, first_name: 'U' }, text },
  });
  /** A bot that is never launched: updates are handed to it as telegraf's polling would. */
  const offlineBot = () => {
    const bot = new Telegraf('1:offline', { telegram: { apiRoot: 'http://127.0.0.1:9' } });
    bot.botInfo = { id: 1, is_bot: true, first_name: 'B', username: 'B', can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false };
    return bot;
  };

  it('perChatOrder: lets each update go at once, runs a chat’s updates in order and other chats alongside', async () => {
    const bot = offlineBot();
    const queue = new ChatQueue();
    const done: string[] = [];
    bot.use(perChatOrder(queue));
    bot.on(message('text'), async (ctx) => {
      await sleep(ctx.message.text === 'slow' ? 80 : 5);
      done.push(`${ctx.chat.id}:${ctx.message.text}`);
    });
    const t0 = performance.now();
    await Promise.all([bot.handleUpdate(textUpdate(1, 'slow')), bot.handleUpdate(textUpdate(1, 'second')), bot.handleUpdate(textUpdate(2, 'other'))]);
    // telegraf's polling awaits the handlers of a batch before fetching more: they must not hold it.
    expect(performance.now() - t0).toBeLessThan(40);
    expect(queue.size).toBe(3);
    await queue.idle();
    expect(done).toEqual(['2:other', '1:slow', '1:second']);
  });

  it('rateLimit: passes `limit` messages a minute per user, tells the user once, then stays silent', async () => {
    const bot = offlineBot();
    let now = 0;
    const told: number[] = [];
    const handled: string[] = [];
    bot.use(rateLimit(new RateLimiter(2, 60_000, () => now), async (_ctx, seconds) => void told.push(seconds)));
    bot.on(message('text'), (ctx) => void handled.push(`${ctx.from.id}:${ctx.message.text}`));
    for (const t of ['a', 'b', 'c', 'd']) await bot.handleUpdate(textUpdate(5, t));
    await bot.handleUpdate(textUpdate(6, 'x'));
    expect(handled).toEqual(['5:a', '5:b', '6:x']);
    expect(told).toEqual([60]);
    now += 60_001;
    await bot.handleUpdate(textUpdate(5, 'e'));
    expect(handled).toContain('5:e');
  });

  it('sendRateLimit: no second holds more than Telegram’s 30 sends, all chats together; typing is not held back', async () => {
    const telegram = new Telegram('1:x', { apiRoot: 'http://127.0.0.1:9' });
    const starts: number[] = [];
    telegram.callApi = (async (method: string) => {
      if (method === 'sendMessage') starts.push(performance.now());
      return true;
    }) as Telegram['callApi'];
    layerApi(telegram, [sendRateLimit().layer]);
    const t0 = performance.now();
    await Promise.all([...Array.from({ length: 45 }, (_, i) => telegram.sendMessage(i, 'hi')), telegram.sendChatAction(1, 'typing')]);
    expect(starts).toHaveLength(45);
    for (const s of starts) expect(starts.filter((x) => x >= s && x < s + 1000).length).toBeLessThanOrEqual(30);
    expect(performance.now() - t0).toBeGreaterThan(1500);
  });
});

describe('sourcesPage', () => {
  const titles = Array.from({ length: 45 }, (_, i) => `Title ${i + 1} <b>&</b>`);
  it('a stale button (the index shrank since) shows the last page there is; an empty index says so', () => {
    const p = sourcesPage(titles.slice(0, 25), 2, 'en');
    expect(p.page).toBe(1);
    expect(parseTelegramHtml(p.html)).toMatch(/^Articles in the index \(25\), page 2 of 2:\n21\. Title 21 <b>&<\/b>\n/);
    expect(p.keyboard.inline_keyboard).toEqual([[{ text: '‹ Previous', callback_data: 'src:0' }]]);
    expect(sourcesPage([], 0, 'ru')).toMatchObject({ html: 'В индексе нет статей.', keyboard: { inline_keyboard: [] } });
  });

  it('keeps a page of long titles within one message', () => {
    const p = sourcesPage(Array.from({ length: 45 }, () => 'Очень длинный заголовок статьи '.repeat(30)), 0, 'ru');
    expect(parseTelegramHtml(p.html).length).toBeLessThanOrEqual(4096);
    expect(p.keyboard.inline_keyboard).toEqual([[{ text: 'Далее ›', callback_data: 'src:1' }]]);
  });
});
