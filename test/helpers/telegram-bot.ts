/**
 * Runs the real bot in this process against a FakeTelegram: the same openService and launchBot as
 * `npm run bot`, with its log captured.
 */
import type { AnswerService } from '../../src/answer/service.js';
import type { BotDeps } from '../../src/bot/bot.js';
import { launchBot, type RunningBot } from '../../src/bot/launch.js';
import { createLogger } from '../../src/bot/log.js';
import { openService, runIndex } from '../../src/app/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { afterAll, beforeAll } from 'vitest';
import { FakeTelegram } from './telegram.js';
import { makeWorkspace, type Workspace } from './workspace.js';

export interface TestBot {
  running: RunningBot;
  service: AnswerService;
  config: Config;
  token: string;
  /** Every log line the bot wrote. */
  logs: string[];
  stop(): Promise<void>;
}

export async function startTestBot(
  fake: FakeTelegram,
  ws: Workspace,
  opts: { token: string; env?: Record<string, string>; deps?: BotDeps; webhookHost?: string },
): Promise<TestBot> {
  const config = loadConfig({ ...ws.env, BOT_TOKEN: opts.token, TELEGRAM_API_ROOT: fake.apiRoot, LOG_LEVEL: 'info', ...opts.env });
  const logs: string[] = [];
  const log = createLogger(config.LOG_LEVEL, [config.BOT_TOKEN, config.WEBHOOK_SECRET], (line) => {
    logs.push(line);
    if (process.env.BOT_TEST_LOG) process.stderr.write(line);
  });
  // Built quietly here; main's build-if-missing path is exercised by the child-process test.
  await runIndex(config);
  const service = await openService(config);
  const running = await launchBot(service, config, { log, webhookHost: opts.webhookHost, ...opts.deps });
  let stopped = false;
  return {
    running,
    service,
    config,
    token: opts.token,
    logs,
    async stop() {
      if (stopped) return;
      stopped = true;
      await running.stop('test over');
      await service.close();
    },
  };
}

/** The emulator, a workspace and the bot on it for one test file: started before its tests, stopped after. */
export function useTestBot(opts: { token: string; workspace?: Parameters<typeof makeWorkspace>[0] }): { fake: FakeTelegram; ws: Workspace; bot: TestBot } {
  const t = {} as { fake: FakeTelegram; ws: Workspace; bot: TestBot };
  beforeAll(async () => {
    t.fake = await FakeTelegram.start();
    t.ws = await makeWorkspace(opts.workspace);
    t.bot = await startTestBot(t.fake, t.ws, { token: opts.token });
  }, 120_000);
  afterAll(async () => {
    await t.bot?.stop();
    await t.fake?.close();
    t.ws?.cleanup();
  });
  return t;
}
