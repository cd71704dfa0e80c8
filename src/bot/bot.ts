/**
 * citebot in Telegram: turns updates into questions for the answering service and answers into messages.
 * Intake (allowlist, rate limit, group filter) is synchronous and never throws; the work itself runs in a
 * per-chat queue, so one chat's replies stay in order while other chats are served concurrently, and a slow
 * answer never holds up the polling loop.
 */
import { Telegraf } from 'telegraf';
import type { CallbackQuery, Message, Update } from 'telegraf/types';
import { exampleQuestions } from '../answer/examples.js';
import { MAX_QUESTION_CHARS, QuestionError, type AnswerService } from '../answer/service.js';
import { runIndex } from '../app/app.js';
import { ConfigError, type Config } from '../config.js';
import type { BuildSummary } from '../index/build.js';
import { IndexBusyError } from '../index/store.js';
import type { Citation, Lang } from '../types.js';
import { answerMessages, escapeHtml, formatMore, splitHtml } from './format.js';
import { BOT_TEXTS, pickLanguage, type IndexFacts } from './i18n.js';
import { createLogger, describeError, type Logger } from './log.js';
import { LruStore } from './lru.js';
import { ChatQueue } from './queue.js';
import { RateLimiter } from './ratelimit.js';
import { retryOn429, sendChunks, type RetryOptions } from './send.js';

/** What the bot needs of the answering service. */
export type Answerer = Pick<AnswerService, 'ask' | 'info' | 'reload'>;

export interface BotDeps {
  log?: Logger;
  /** Runs the incremental index build for /reindex (default: the same build as `npm run index`). */
  reindex?: () => Promise<BuildSummary>;
  now?: () => number;
  retry?: RetryOptions;
  /** How often the typing indicator is renewed while an answer is being made (Telegram shows it ~5 s). */
  typingEveryMs?: number;
  /** "More sources" entries kept for their buttons. */
  moreCapacity?: number;
}

export interface CitebotBot {
  bot: Telegraf;
  queue: ChatQueue;
  /** Stops taking updates (when launched), then waits for the replies already under way. */
  stop(reason?: string): Promise<void>;
}

/** The updates the bot acts on; everything else is not even fetched. */
export const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query'] as const;

const COMMANDS = new Set(['start', 'help', 'sources', 'about', 'reindex', 'ask']);

// The same characters validateQuestion refuses; checked first so the refusal is in the user's language.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

const MEDIA_KEYS = ['sticker', 'photo', 'voice', 'audio', 'video', 'video_note', 'document', 'animation', 'location', 'contact', 'poll', 'dice', 'venue', 'game', 'story'];

export type Intent =
  | { kind: 'ignore' }
  | { kind: 'command'; name: string; args: string }
  | { kind: 'question'; text: string }
  | { kind: 'nontext' };

export interface IncomingMessage {
  text?: string;
  /** A sticker, photo, voice message, file…: something to read that is not text. */
  media: boolean;
  group: boolean;
  /** The message answers one of the bot's. */
  replyToBot: boolean;
}

/**
 * What a message asks of the bot. In private chats every text is a question; in groups only what is addressed
 * to the bot (a mention, a reply to it, a command) is, so the bot does not talk over people.
 */
export function parseIntent(m: IncomingMessage, botUsername: string): Intent {
  if (m.text === undefined) return m.media && (!m.group || m.replyToBot) ? { kind: 'nontext' } : { kind: 'ignore' };
  const cmd = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]+))?(?=\s|$)([\s\S]*)$/.exec(m.text);
  if (cmd) {
    const [, name, to, rest] = cmd;
    if (to && to.toLowerCase() !== botUsername.toLowerCase()) return { kind: 'ignore' };
    const command = name.toLowerCase();
    // In a group a bare unknown command is likely another bot's.
    if (m.group && !to && !COMMANDS.has(command)) return { kind: 'ignore' };
    return { kind: 'command', name: command, args: rest.trim() };
  }
  if (!m.group) return { kind: 'question', text: m.text };
  const mention = botUsername ? new RegExp(`@${botUsername.replace(/\W/g, '')}\\b`, 'gi') : null;
  if (mention?.test(m.text)) return { kind: 'question', text: m.text.replace(mention, ' ').trim() };
  if (m.replyToBot) return { kind: 'question', text: m.text };
  return { kind: 'ignore' };
}

interface MoreEntry {
  citations: Citation[];
  language: Lang;
}

export function createBot(service: Answerer, config: Config, deps: BotDeps = {}): CitebotBot {
  if (!config.BOT_TOKEN) throw new ConfigError('BOT_TOKEN is not set: put the token from @BotFather in the environment or in .env');
  const log = deps.log ?? createLogger(config.LOG_LEVEL, [config.BOT_TOKEN, config.WEBHOOK_SECRET]);
  const bot = new Telegraf(config.BOT_TOKEN, {
    telegram: { ...(config.TELEGRAM_API_ROOT ? { apiRoot: config.TELEGRAM_API_ROOT } : {}), webhookReply: false },
  });
  const telegram = bot.telegram;
  retryOn429(telegram, log, deps.retry);

  const queue = new ChatQueue((e) => log.error(`a reply failed: ${describeError(e)}`));
  const limiter = new RateLimiter(config.RATE_LIMIT_PER_MINUTE, 60_000, deps.now);
  const moreStore = new LruStore<MoreEntry>(deps.moreCapacity ?? 1000);
  const admins = new Set(config.ADMIN_USER_IDS);
  const allowed = new Set([...config.ALLOWED_USER_IDS, ...config.ADMIN_USER_IDS]);
  const isAllowed = (userId: number) => config.ALLOWED_USER_IDS.length === 0 || allowed.has(userId);
  const reindexBuild = deps.reindex ?? (() => runIndex(config, { onEvent: (e) => e.kind === 'warning' && log.warn(e.text) }));
  let reindexRunning = false;

  const facts = (): IndexFacts => {
    const i = service.info();
    return { articles: i.articles, passages: i.passages, model: i.model, builtAt: i.builtAt };
  };

  const examples = (lang: Lang) => exampleQuestions(service.info().titles, lang);

  const reply = (chatId: number, html: string, replyTo?: number) => sendChunks(telegram, chatId, splitHtml(html), { replyTo }, log);

  /** Queues a chat's task; an unexpected failure is logged and the user told, and the bot goes on. */
  const enqueue = (chatId: number, lang: Lang, task: () => Promise<unknown>) =>
    queue.run(chatId, async () => {
      try {
        await task();
      } catch (e) {
        log.error(`chat ${chatId}: ${describeError(e)}`);
        await reply(chatId, BOT_TEXTS[lang].failed).catch((e2) => log.debug(`chat ${chatId}: could not report the failure: ${describeError(e2)}`));
      }
    });

  const typing = (chatId: number) => {
    const send = () => void telegram.sendChatAction(chatId, 'typing').catch((e) => log.debug(`typing indicator: ${describeError(e)}`));
    send();
    const timer = setInterval(send, deps.typingEveryMs ?? 4500);
    return () => clearInterval(timer);
  };

  const answer = async (chatId: number, question: string, lang: Lang, replyTo?: number) => {
    const T = BOT_TEXTS[lang];
    if (!question.trim()) return reply(chatId, T.emptyQuestion, replyTo);
    if (question.length > MAX_QUESTION_CHARS) return reply(chatId, T.tooLong(question.length, MAX_QUESTION_CHARS), replyTo);
    if (CONTROL.test(question)) return reply(chatId, T.controlChars, replyTo);
    const stopTyping = typing(chatId);
    let a;
    try {
      a = await service.ask(question);
    } catch (e) {
      if (e instanceof QuestionError) return reply(chatId, escapeHtml(e.message), replyTo);
      throw e;
    } finally {
      stopTyping();
    }
    log.debug(`chat ${chatId}: answered in ${a.timings_ms.total} ms (${a.answered ? `${a.citations.length} citations` : 'no answer'})`);
    const keyboard = a.more.length
      ? { inline_keyboard: [[{ text: BOT_TEXTS[a.language].moreButton, callback_data: `more:${moreStore.put({ citations: a.more, language: a.language })}` }]] }
      : undefined;
    return sendChunks(telegram, chatId, answerMessages(a), { replyTo, keyboard }, log);
  };

  const reindex = async (chatId: number, lang: Lang, replyTo?: number) => {
    const T = BOT_TEXTS[lang];
    if (reindexRunning) return reply(chatId, T.reindexBusy(), replyTo);
    reindexRunning = true;
    try {
      await reply(chatId, T.reindexing, replyTo);
      const summary = await reindexBuild();
      // Switch now rather than waiting for the file watcher, so the next question already sees the new index.
      await service.reload();
      log.info(`reindexed on request of chat ${chatId}: ${summary.added} added, ${summary.changed} changed, ${summary.removed} removed`);
      await reply(chatId, T.reindexDone(summary, facts()), replyTo);
    } catch (e) {
      if (e instanceof IndexBusyError) return reply(chatId, T.reindexBusy(e.message), replyTo);
      log.error(`reindex: ${describeError(e)}`);
      await reply(chatId, T.reindexFailed(describeError(e)), replyTo);
    } finally {
      reindexRunning = false;
    }
  };

  const command = (chatId: number, userId: number, name: string, args: string, lang: Lang, replyTo?: number) => {
    const T = BOT_TEXTS[lang];
    switch (name) {
      case 'start':
        return reply(chatId, T.start(facts(), examples(lang)), replyTo);
      case 'help':
        return reply(chatId, T.help(facts(), examples(lang)), replyTo);
      case 'sources':
        return reply(chatId, T.sources(service.info().titles.map((t) => t.title)), replyTo);
      case 'about':
        return reply(chatId, T.about(facts()), replyTo);
      case 'reindex':
        return admins.has(userId) ? reindex(chatId, lang, replyTo) : reply(chatId, T.adminOnly, replyTo);
      case 'ask':
        return answer(chatId, args, lang, replyTo);
      default:
        return reply(chatId, T.unknownCommand(name), replyTo);
    }
  };

  /** Allowlist and rate limit; a refusal is sent at most once per stretch so it cannot become spam itself. */
  const admit = (chatId: number, userId: number, lang: Lang): boolean => {
    const verdict = limiter.check(userId);
    if (!isAllowed(userId)) {
      if (verdict.ok || verdict.notify) void enqueue(chatId, lang, () => reply(chatId, BOT_TEXTS[lang].notAllowed));
      return false;
    }
    if (!verdict.ok) {
      if (verdict.notify) void enqueue(chatId, lang, () => reply(chatId, BOT_TEXTS[lang].rateLimited(verdict.retryAfterSeconds)));
      return false;
    }
    return true;
  };

  const onMessage = (msg: Message, edited: boolean, botId: number, botUsername: string) => {
    const from = msg.from;
    if (!from || from.is_bot || msg.chat.type === 'channel') return;
    const group = msg.chat.type === 'group' || msg.chat.type === 'supergroup';
    const text = 'text' in msg ? msg.text : undefined;
    const replyToBot = 'reply_to_message' in msg && msg.reply_to_message?.from?.id === botId;
    const intent = parseIntent({ text, media: MEDIA_KEYS.some((k) => k in msg), group, replyToBot }, botUsername);
    if (intent.kind === 'ignore') return;
    const chatId = msg.chat.id;
    const lang = pickLanguage(intent.kind === 'question' ? intent.text : intent.kind === 'command' ? intent.args : undefined, from.language_code);
    if (!admit(chatId, from.id, lang)) return;
    // In groups, and for an edited question, the reply points at the message it answers.
    const replyTo = group || edited ? msg.message_id : undefined;
    switch (intent.kind) {
      case 'question':
        return void enqueue(chatId, lang, () => answer(chatId, intent.text, lang, replyTo));
      case 'command':
        return void enqueue(chatId, lang, () => command(chatId, from.id, intent.name, intent.args, lang, replyTo));
      case 'nontext':
        return void enqueue(chatId, lang, () => reply(chatId, BOT_TEXTS[lang].textOnly, replyTo));
    }
  };

  const onCallback = (q: CallbackQuery) => {
    const lang = pickLanguage(undefined, q.from.language_code);
    const T = BOT_TEXTS[lang];
    const notify = (text: string) => void telegram.answerCbQuery(q.id, text).catch((e) => log.debug(`answerCallbackQuery: ${describeError(e)}`));
    const verdict = limiter.check(q.from.id);
    if (!isAllowed(q.from.id)) return notify(T.notAllowed);
    if (!verdict.ok) return notify(T.rateLimited(verdict.retryAfterSeconds));
    const id = /^more:([\w-]{1,16})$/.exec('data' in q ? q.data : '')?.[1];
    const entry = id ? moreStore.get(id) : undefined;
    const source = q.message;
    if (!entry || !source) return notify(BOT_TEXTS[entry?.language ?? lang].moreGone);
    notify('');
    const chatId = source.chat.id;
    void enqueue(chatId, entry.language, async () => {
      const html = formatMore(entry.citations, entry.language, BOT_TEXTS[entry.language].moreHeader);
      await sendChunks(telegram, chatId, splitHtml(html), { replyTo: source.message_id }, log);
      // The passages are out: the button has done its job.
      await telegram
        .editMessageReplyMarkup(chatId, source.message_id, undefined, { inline_keyboard: [] })
        .catch((e) => log.debug(`removing the button: ${describeError(e)}`));
    });
  };

  bot.use((ctx) => {
    const u: Update = ctx.update;
    const me = ctx.botInfo;
    if ('callback_query' in u) onCallback(u.callback_query);
    else if ('message' in u) onMessage(u.message, false, me.id, me.username);
    else if ('edited_message' in u) onMessage(u.edited_message, true, me.id, me.username);
  });
  bot.catch((e, ctx) => log.error(`update ${ctx.update.update_id}: ${describeError(e)}`));

  return {
    bot,
    queue,
    async stop(reason = 'stop') {
      try {
        bot.stop(reason);
      } catch {
        // Not launched (e.g. driven through handleUpdate): nothing to stop taking.
      }
      await queue.idle();
    },
  };
}
