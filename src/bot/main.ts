/**
 * `npm run bot`: citebot in Telegram. Loads the index (building it first when there is none) and the model once,
 * then answers by long polling, or by webhook when WEBHOOK_URL is set. SIGINT / SIGTERM finish the replies in
 * flight and exit 0.
 */
import { openService } from '../app/app.js';
import { printError } from '../app/main.js';
import { ConfigError, loadConfigFromEnvironment } from '../config.js';
import { launchBot, verifyToken, type RunningBot } from './launch.js';
import { createLogger, describeError } from './log.js';
import { describeChange, followSeeds } from '../watch/index.js';

/** How long a signal waits for the replies in flight before giving up on them. */
const DRAIN_SECONDS = 30;

export const usage = `usage: citebot bot
The Telegram bot: BOT_TOKEN from the environment or .env (every setting in .env.example). Builds the index first if
there is none. SIGINT / SIGTERM finish the replies in flight, then exit 0. In Docker or systemd run \`node bin/citebot.js bot\`.`;

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    return 0;
  }
  const config = await loadConfigFromEnvironment();
  const log = createLogger(config.LOG_LEVEL, [config.BOT_TOKEN, config.WEBHOOK_SECRET]);
  // A stray rejection somewhere in a library must not take every chat down with it. Both go through the logger's
  // redaction rather than node's default printing of the raw error.
  process.on('unhandledRejection', (e) => log.error(`unhandled rejection: ${describeError(e)}`));
  process.on('uncaughtException', (e) => {
    log.error(`unexpected error: ${e.stack ?? describeError(e)}`);
    process.exit(1);
  });

  let botInfo;
  try {
    botInfo = await verifyToken(config);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    // Telegram unreachable: one line, like every other start-up problem.
    printError(describeError(e));
    return 1;
  }
  const service = await openService(config, {
    buildIfMissing: true,
    onEvent: (e) => (e.kind === 'warning' ? log.warn(e.text) : e.kind === 'notice' ? log.info(e.text) : log.debug(e.text)),
  });
  // Articles added, edited or deleted in SEEDS_DIR are re-indexed in the background (WATCH_SEEDS=0: off).
  let running: RunningBot | undefined;
  const seeds = followSeeds(config, service, {
    onIndexed: (s) => {
      const line = `articles changed in ${config.SEEDS_DIR} (${describeChange(s)}): now ${s.passages} passages`;
      log.info(line);
      // NOTIFY_ADMINS=1: each admin gets the same line in Telegram.
      if (config.NOTIFY_ADMINS) for (const id of config.ADMIN_USER_IDS) running?.bot.telegram.sendMessage(id, `citebot: ${line}`).catch((e) => log.warn(`notifying admin ${id}: ${describeError(e)}`));
    },
    onWarning: (t) => log.warn(t),
  });
  try {
    // /reindex builds in a child process too (bot.ts): answering goes on meanwhile, and stopping the bot stops it.
    running = await launchBot(seeds.service, config, { log, botInfo });
  } catch (e) {
    await seeds.stop();
    await service.close();
    throw e;
  }
  const info = service.info();
  log.info(
    `@${running.username} is answering (${running.mode === 'webhook' ? `webhook ${running.webhook!.url}, port ${running.webhook!.port}` : 'long polling'}): ` +
      `${info.articles} articles, ${info.passages} passages, ${info.model ? `model ${info.model}` : 'lexical only'}`,
  );

  const bot = running;
  const code = await new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn(`${signal} again: exiting without waiting`);
        process.exit(signal === 'SIGINT' ? 130 : 143);
      }
      stopping = true;
      log.info(`${signal}: finishing ${bot.inFlight} replies in flight, then exiting`);
      const timer = setTimeout(() => {
        log.error(`gave up after ${DRAIN_SECONDS} s with ${bot.inFlight} replies unsent`);
        resolve(1);
      }, DRAIN_SECONDS * 1000);
      bot.stop(signal).then(
        () => {
          clearTimeout(timer);
          resolve(0);
        },
        (e) => {
          clearTimeout(timer);
          log.error(`stopping: ${describeError(e)}`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    bot.done.then(
      () => !stopping && resolve(0),
      (e) => {
        log.error(`stopped receiving updates: ${describeError(e)}`);
        resolve(1);
      },
    );
  });
  await seeds.stop();
  await service.close();
  log.info('stopped');
  // Idle keep-alive sockets must not hold the process open once everything is done.
  setTimeout(() => process.exit(code), 2000).unref();
  return code;
}
