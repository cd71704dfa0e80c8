/**
 * citebot in Telegram, on telegraf's routing. An update goes through:
 *   api layers (429 retry, the global send rate)  →  addressed (groups: only what is meant for the bot)
 *   →  perChatOrder (the chat's queue; the update is let go at once)  →  reportFailures  →  rateLimit
 *   →  allowlist  →  the routes: commands, text, edited text, buttons, anything else.
 * A question is validated in one place, the answering service; the bot words its refusals.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { Composer, Telegraf, type Context, type Middleware } from 'telegraf';
import { anyOf, editedMessage, message } from 'telegraf/filters';
import { exampleQuestions } from '../answer/examples.js';
import { MAX_QUESTION_CHARS, IndexRebuildingError, QuestionError, type AnswerService, type ServiceInfo } from '../answer/service.js';
import { ConfigError, type Config } from '../config.js';
import type { BuildSummary } from '../index/build.js';
import { IndexBusyError } from '../index/store.js';
import type { Citation, Lang } from '../types.js';
import { buildInBackground } from '../watch/index.js';
import { answerMessages, escapeHtml, formatMore, splitHtml } from './format.js';
import { BOT_TEXTS, pickLanguage, type BotTexts, type IndexFacts } from './i18n.js';
import { createLogger, describeError, type Logger } from './log.js';
import { ChatQueue, perChatOrder } from './queue.js';
import { RateLimiter, rateLimit } from './ratelimit.js';
import { layerApi, retryOn429, sendChunks, sendRateLimit, type RetryOptions } from './send.js';
import { SOURCES_ACTION, sourcesPage } from './sources.js';

/** What the bot needs of the answering service. */
export type Answerer = Pick<AnswerService, 'ask' | 'info' | 'reload'>;

export interface BotDeps {
  log?: Logger;
  /** Runs the incremental index build for /reindex (default: the same build as `npm run index`). */
  reindex?: () => Promise<BuildSummary>;
  now?: () => number;
  retry?: RetryOptions;
  /** Messages per second the bot may send, all chats together (default 25; Telegram allows about 30). */
  sendsPerSecond?: number;
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

/** No command makes the bot send more than this many messages (Telegram's flood limits are per bot). */
export const MAX_MESSAGES_PER_COMMAND = 3;

const COMMANDS = new Set(['start', 'help', 'sources', 'about', 'reindex', 'ask']);
const MORE_ACTION = /^more:([\w-]{1,16})$/;

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

/** What `addressed` learnt about an update, for the middleware after it. */
interface Intake {
  lang: Lang;
  intent: Intent;
  /** In groups, and for an edited question, the reply points at the message it answers. */
  replyTo?: number;
}

const intake = (ctx: Context): Intake => ctx.state.intake as Intake;
const texts = (ctx: Context): BotTexts => BOT_TEXTS[intake(ctx).lang];

/** Middleware: drops what is not meant for the bot and records the intent, language and reply target. */
const addressed: Middleware<Context> = (ctx, next) => {
  if (ctx.callbackQuery) {
    ctx.state.intake = { lang: pickLanguage(undefined, ctx.from?.language_code), intent: { kind: 'ignore' } } satisfies Intake;
    return next();
  }
  const edited = !ctx.message;
  const msg = ctx.message ?? ctx.editedMessage;
  if (!msg?.from || msg.from.is_bot) return;
  const group = msg.chat.type === 'group' || msg.chat.type === 'supergroup';
  const text = 'text' in msg ? msg.text : undefined;
  const replyToBot = 'reply_to_message' in msg && msg.reply_to_message?.from?.id === ctx.botInfo.id;
  const intent = parseIntent({ text, media: MEDIA_KEYS.some((k) => k in msg), group, replyToBot }, ctx.me);
  if (intent.kind === 'ignore') return;
  const words = intent.kind === 'question' ? intent.text : intent.kind === 'command' ? intent.args : undefined;
  ctx.state.intake = { lang: pickLanguage(words, msg.from.language_code), intent, replyTo: group || edited ? msg.message_id : undefined } satisfies Intake;
  return next();
};

interface MoreEntry {
  citations: Citation[];
  language: Lang;
}

/** `blocks` as messages: as many whole blocks, from the first, as fit in `max` messages. */
export function fitMessages(blocks: string[], max: number): string[] {
  for (let n = blocks.length; n > 1; n--) {
    const chunks = splitHtml(blocks.slice(0, n).join('\n\n'));
    if (chunks.length <= max) return chunks;
  }
  return splitHtml(blocks[0] ?? '').slice(0, max);
}

export function createBot(service: Answerer, config: Config, deps: BotDeps = {}): CitebotBot {
  if (!config.BOT_TOKEN) throw new ConfigError('BOT_TOKEN is not set: put the token from @BotFather in the environment or in .env');
  const log = deps.log ?? createLogger(config.LOG_LEVEL, [config.BOT_TOKEN, config.WEBHOOK_SECRET]);
  const bot = new Telegraf(config.BOT_TOKEN, {
    telegram: { ...(config.TELEGRAM_API_ROOT ? { apiRoot: config.TELEGRAM_API_ROOT } : {}), webhookReply: false },
  });

  // Around every Bot API call, the bot's own and each update's: retry outside, so a retried call queues again.
  const sends = sendRateLimit(deps.sendsPerSecond);
  const layers = [retryOn429(log, deps.retry), sends.layer];
  layerApi(bot.telegram, layers);

  const queue = new ChatQueue((e) => log.error(`a reply failed: ${describeError(e)}`));
  const limiter = new RateLimiter(config.RATE_LIMIT_PER_MINUTE, 60_000, deps.now);
  // What a "More sources" button shows does not fit in its 64 bytes of callback data: kept here under a short id.
  const moreStore = new LRUCache<string, MoreEntry>({ max: deps.moreCapacity ?? 1000 });
  const keepMore = (entry: MoreEntry) => {
    const id = randomBytes(6).toString('base64url');
    moreStore.set(id, entry);
    return id;
  };
  const admins = new Set(config.ADMIN_USER_IDS);
  const allowed = new Set([...config.ALLOWED_USER_IDS, ...config.ADMIN_USER_IDS]);
  const isAllowed = (userId: number) => config.ALLOWED_USER_IDS.length === 0 || allowed.has(userId);
  // /reindex builds in a child process (the watcher's), so answering goes on meanwhile; stopping the bot stops it.
  let reindexChild: ChildProcess | undefined;
  const reindexBuild =
    deps.reindex ??
    (() => buildInBackground(config, { onEvent: (e) => e.kind === 'warning' && log.warn(e.text), onSpawn: (c) => (reindexChild = c) }).finally(() => (reindexChild = undefined)));
  let reindexRunning = false;

  const facts = (): IndexFacts => {
    const i = service.info();
    return { articles: i.articles, passages: i.passages, model: i.model, builtAt: i.builtAt };
  };
  // The titles are read once per index generation (all documents: slow at 100k), not per /help or page turn.
  let titleCache: { generation: string; titles: ServiceInfo['titles'] } | undefined;
  const allTitles = () => {
    const i = service.info();
    if (titleCache?.generation !== i.generation) titleCache = { generation: i.generation, titles: i.titles };
    return titleCache.titles;
  };
  const examples = (lang: Lang) => exampleQuestions(allTitles(), lang);
  const chatId = (ctx: Context) => ctx.chat!.id;

  /** Sends HTML to the update's chat, split into at most MAX_MESSAGES_PER_COMMAND messages. */
  const say = (ctx: Context, html: string, keyboard?: Parameters<typeof sendChunks>[3]['keyboard']) =>
    sendChunks(ctx.telegram, chatId(ctx), splitHtml(html).slice(0, MAX_MESSAGES_PER_COMMAND), { replyTo: intake(ctx).replyTo, keyboard }, log);

  /** A refusal: a toast for a button press, a message otherwise. */
  const refuse = (ctx: Context, text: string) =>
    ctx.callbackQuery ? ctx.answerCbQuery(text).catch((e) => log.debug(`answerCallbackQuery: ${describeError(e)}`)) : say(ctx, escapeHtml(text));

  const typing = (ctx: Context) => {
    const send = () => void ctx.telegram.sendChatAction(chatId(ctx), 'typing').catch((e) => log.debug(`typing indicator: ${describeError(e)}`));
    send();
    const timer = setInterval(send, deps.typingEveryMs ?? 4500);
    return () => clearInterval(timer);
  };

  /** The one way a question is answered: the service validates it; a refusal is worded in the user's language. */
  const ask = async (ctx: Context, question: string) => {
    const T = texts(ctx);
    const stopTyping = typing(ctx);
    let a;
    try {
      // A bot must not hold a chat for a whole rebuild: it says the index is being rebuilt instead.
      a = await service.ask(question, { waitForRepair: false });
    } catch (e) {
      if (e instanceof IndexRebuildingError) return say(ctx, T.rebuilding);
      if (!(e instanceof QuestionError)) throw e;
      const why = e.reason === 'empty' ? T.emptyQuestion : e.reason === 'too-long' ? T.tooLong(question.length, MAX_QUESTION_CHARS) : e.reason === 'control' ? T.controlChars : escapeHtml(e.message);
      return say(ctx, why);
    } finally {
      stopTyping();
    }
    log.debug(`chat ${chatId(ctx)}: answered in ${a.timings_ms.total} ms (${a.answered ? `${a.citations.length} citations` : 'no answer'})`);
    const keyboard = a.more.length
      ? { inline_keyboard: [[{ text: BOT_TEXTS[a.language].moreButton, callback_data: `more:${keepMore({ citations: a.more, language: a.language })}` }]] }
      : undefined;
    return sendChunks(ctx.telegram, chatId(ctx), answerMessages(a).slice(0, MAX_MESSAGES_PER_COMMAND), { replyTo: intake(ctx).replyTo, keyboard }, log);
  };

  const reindex = async (ctx: Context) => {
    const T = texts(ctx);
    if (reindexRunning) return say(ctx, T.reindexBusy());
    reindexRunning = true;
    try {
      await say(ctx, T.reindexing);
      const summary = await reindexBuild();
      // Switch now rather than waiting for the file watcher, so the next question already sees the new index.
      await service.reload();
      log.info(`reindexed on request of chat ${chatId(ctx)}: ${summary.added} added, ${summary.changed} changed, ${summary.removed} removed`);
      await say(ctx, T.reindexDone(summary, facts()));
    } catch (e) {
      if (e instanceof IndexBusyError) return say(ctx, T.reindexBusy(e.message));
      log.error(`reindex: ${describeError(e)}`);
      await say(ctx, T.reindexFailed(describeError(e)));
    } finally {
      reindexRunning = false;
    }
  };

  const titles = () => allTitles().map((t) => t.title);

  const routes = new Composer<Context>();
  routes.command('start', (ctx) => say(ctx, texts(ctx).start(facts(), examples(intake(ctx).lang))));
  routes.command('help', (ctx) => say(ctx, texts(ctx).help(facts(), examples(intake(ctx).lang))));
  routes.command('about', (ctx) => say(ctx, texts(ctx).about(facts())));
  routes.command('sources', (ctx) => {
    const page = sourcesPage(titles(), 0, intake(ctx).lang);
    return say(ctx, page.html, page.keyboard);
  });
  routes.command('reindex', (ctx) => (admins.has(ctx.from.id) ? reindex(ctx) : say(ctx, texts(ctx).adminOnly)));
  routes.command('ask', (ctx) => ask(ctx, ctx.payload));
  routes.action(SOURCES_ACTION, async (ctx) => {
    await ctx.answerCbQuery().catch((e) => log.debug(`answerCallbackQuery: ${describeError(e)}`));
    const page = sourcesPage(titles(), Number(ctx.match[1]), intake(ctx).lang);
    await ctx
      .editMessageText(page.html, { parse_mode: 'HTML', reply_markup: page.keyboard, link_preview_options: { is_disabled: true } })
      // "message is not modified": the same page pressed twice.
      .catch((e) => log.debug(`turning a /sources page: ${describeError(e)}`));
  });
  routes.action(MORE_ACTION, async (ctx) => {
    const entry = moreStore.get(ctx.match[1]);
    const source = ctx.callbackQuery.message;
    if (!entry || !source) return refuse(ctx, BOT_TEXTS[entry?.language ?? intake(ctx).lang].moreGone);
    await ctx.answerCbQuery().catch((e) => log.debug(`answerCallbackQuery: ${describeError(e)}`));
    const blocks = formatMore(entry.citations, entry.language, BOT_TEXTS[entry.language].moreHeader);
    await sendChunks(ctx.telegram, source.chat.id, fitMessages(blocks, MAX_MESSAGES_PER_COMMAND), { replyTo: source.message_id }, log);
    // The passages are out: the button has done its job.
    await ctx.telegram
      .editMessageReplyMarkup(source.chat.id, source.message_id, undefined, { inline_keyboard: [] })
      .catch((e) => log.debug(`removing the button: ${describeError(e)}`));
  });
  routes.on('callback_query', (ctx) => refuse(ctx, texts(ctx).moreGone));
  routes.on(message('text'), (ctx) => {
    const i = intake(ctx).intent;
    // Known commands were routed above; a command reaching here is one the bot does not have.
    return i.kind === 'command' ? say(ctx, texts(ctx).unknownCommand(i.name)) : ask(ctx, i.kind === 'question' ? i.text : ctx.message.text);
  });
  routes.on(editedMessage('text'), (ctx) => {
    const i = intake(ctx).intent;
    if (i.kind === 'question') return ask(ctx, i.text);
  });
  routes.on(anyOf(message(), editedMessage()), (ctx) => say(ctx, texts(ctx).textOnly));

  /** Middleware: an unexpected failure is logged and the user told; the chat's queue goes on. */
  const reportFailures: Middleware<Context> = async (ctx, next) => {
    try {
      await next();
    } catch (e) {
      log.error(`chat ${ctx.chat?.id}: ${describeError(e)}`);
      if (!ctx.callbackQuery) await say(ctx, texts(ctx).failed).catch((e2) => log.debug(`could not report the failure: ${describeError(e2)}`));
    }
  };

  const allowlist: Middleware<Context> = (ctx, next) => (ctx.from && isAllowed(ctx.from.id) ? next() : refuse(ctx, BOT_TEXTS[intake(ctx).lang].notAllowed));

  bot.use((ctx, next) => {
    layerApi(ctx.telegram, layers);
    return next();
  });
  bot.use(addressed);
  bot.use(perChatOrder(queue));
  bot.use(reportFailures);
  bot.use(rateLimit(limiter, (ctx, seconds) => refuse(ctx, BOT_TEXTS[intake(ctx).lang].rateLimited(seconds))));
  bot.use(allowlist);
  bot.use(routes);
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
      // A /reindex under way is cut short (the build cleans up after itself); its chat is told.
      if (reindexChild) {
        log.info(`stopping the /reindex build (process ${reindexChild.pid})`);
        reindexChild.kill('SIGTERM');
      }
      await queue.idle();
    },
  };
}
