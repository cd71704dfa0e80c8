/** Connects the bot to Telegram: long polling, or a webhook with its secret-token header checked. */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Telegram, TelegramError, type Telegraf } from 'telegraf';
import type { UserFromGetMe } from 'telegraf/types';
import type { AnswerService } from '../answer/service.js';
import { ConfigError, type Config } from '../config.js';
import { ALLOWED_UPDATES, createBot, type Answerer, type BotDeps } from './bot.js';
import { createLogger, describeError } from './log.js';

export interface LaunchOptions extends BotDeps {
  /** Address the webhook server listens on (default: every interface). */
  webhookHost?: string;
  /** The bot's identity from an earlier verifyToken, saving a second getMe. */
  botInfo?: UserFromGetMe;
}

export interface RunningBot {
  bot: Telegraf;
  mode: 'polling' | 'webhook';
  username: string;
  /** Where Telegram posts updates, in webhook mode. `port` is the one actually listened on. */
  webhook?: { url: string; path: string; port: number; secret: string };
  /** Replies queued or under way. */
  readonly inFlight: number;
  /** Settles when the bot stops taking updates; rejects if polling dies (e.g. another instance took over: 409). */
  done: Promise<void>;
  /** Stops taking updates, then waits for the replies in flight. */
  stop(reason?: string): Promise<void>;
}

const COMMAND_MENU = {
  en: [
    ['help', 'What I know, with example questions'],
    ['sources', 'The articles I answer from'],
    ['about', 'The index: articles, passages, model, date'],
  ],
  ru: [
    ['help', 'Что я знаю, примеры вопросов'],
    ['sources', 'Статьи, по которым я отвечаю'],
    ['about', 'Об индексе: статьи, фрагменты, модель, дата'],
  ],
  kk: [
    ['help', 'Не білемін, сұрақ мысалдары'],
    ['sources', 'Жауап беретін мақалаларым'],
    ['about', 'Индекс туралы: мақалалар, үзінділер, модель, күні'],
  ],
} as const;

async function getMe(telegram: Telegram, config: Config): Promise<UserFromGetMe> {
  try {
    return await telegram.getMe();
  } catch (e) {
    if (e instanceof TelegramError && (e.code === 401 || e.code === 404)) throw new ConfigError(`Telegram refused BOT_TOKEN (${e.code} ${e.description}): check the token from @BotFather`);
    throw new Error(`cannot reach the Telegram Bot API at ${config.TELEGRAM_API_ROOT ?? 'https://api.telegram.org'}: ${describeError(e)}`);
  }
}

/**
 * Asks Telegram who the token belongs to, so a wrong token fails in a second, before the index and model are
 * loaded. A refused token is a ConfigError (exit 2).
 */
export async function verifyToken(config: Config): Promise<UserFromGetMe> {
  if (!config.BOT_TOKEN) throw new ConfigError('BOT_TOKEN is not set: put the token from @BotFather in the environment or in .env');
  const telegram = new Telegram(config.BOT_TOKEN, config.TELEGRAM_API_ROOT ? { apiRoot: config.TELEGRAM_API_ROOT } : {});
  return getMe(telegram, config);
}

function canWatch(s: Answerer): s is Answerer & Pick<AnswerService, 'watch'> {
  return typeof (s as Partial<AnswerService>).watch === 'function';
}

export async function launchBot(service: Answerer, config: Config, opts: LaunchOptions = {}): Promise<RunningBot> {
  const log = opts.log ?? createLogger(config.LOG_LEVEL, [config.BOT_TOKEN, config.WEBHOOK_SECRET]);
  const citebot = createBot(service, config, { ...opts, log });
  const { bot } = citebot;

  bot.botInfo = opts.botInfo ?? (await getMe(bot.telegram, config));

  // The command menu is a convenience: a Bot API server without it (or a hiccup) must not stop the bot.
  for (const [lang, cmds] of Object.entries(COMMAND_MENU)) {
    const commands = cmds.map(([command, description]) => ({ command, description }));
    await bot.telegram
      .setMyCommands(commands, lang === 'en' ? {} : { language_code: lang })
      .catch((e) => log.debug(`setMyCommands(${lang}): ${describeError(e)}`));
  }

  if (canWatch(service)) {
    service.watch(
      (info) => log.info(`switched to the new index ${info.generation}: ${info.articles} articles, ${info.passages} passages`),
      (e) => log.warn(`could not switch to the new index: ${describeError(e)}`),
    );
  }

  if (config.WEBHOOK_URL) return startWebhook(citebot, config, opts, log);

  const done = bot.launch({ allowedUpdates: [...ALLOWED_UPDATES] });
  done.catch(() => undefined); // observed by the caller through `done`
  return {
    bot,
    mode: 'polling',
    username: bot.botInfo.username,
    get inFlight() {
      return citebot.queue.size;
    },
    done,
    async stop(reason) {
      await citebot.stop(reason);
      // The polling loop confirms the updates it has handled before it ends.
      await done.catch(() => undefined);
    },
  };
}

async function startWebhook(citebot: ReturnType<typeof createBot>, config: Config, opts: LaunchOptions, log: ReturnType<typeof createLogger>): Promise<RunningBot> {
  const { bot } = citebot;
  const url = new URL(config.WEBHOOK_URL!);
  // Telegram sends it back in X-Telegram-Bot-Api-Secret-Token; requests without it are answered 403 unread.
  const secret = config.WEBHOOK_SECRET ?? randomBytes(32).toString('base64url');
  log.hide(secret);
  // telegraf matches the request path exactly, query included.
  const path = `${url.pathname || '/'}${url.search}`;
  const callback = bot.webhookCallback(path, { secretToken: secret });
  const server = http.createServer((req, res) => {
    callback(req, res).catch((e) => {
      log.error(`webhook request: ${describeError(e)}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.WEBHOOK_PORT, opts.webhookHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const done = new Promise<void>((resolve) => server.once('close', () => resolve()));
  try {
    await bot.telegram.setWebhook(url.href, { secret_token: secret, allowed_updates: [...ALLOWED_UPDATES] });
  } catch (e) {
    server.close();
    throw new Error(`Telegram did not accept the webhook ${url.href}: ${describeError(e)}`);
  }
  if (!config.WEBHOOK_SECRET) log.info('WEBHOOK_SECRET is not set: using a random secret for this run');
  return {
    bot,
    mode: 'webhook',
    username: bot.botInfo!.username,
    webhook: { url: url.href, path, port, secret },
    get inFlight() {
      return citebot.queue.size;
    },
    done,
    async stop(reason) {
      server.close();
      server.closeIdleConnections();
      await citebot.stop(reason);
      await done;
    },
  };
}
