/**
 * `npm run bot` under `docker stop` / systemd: SIGTERM sent to npm must reach the bot (the script `exec`s node, so
 * no shell stands between), the reply in flight is delivered, and npm exits 0 once the bot has.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeTelegram, testToken, visibleText } from './helpers/telegram.js';
import { makeWorkspace, ROOT, type Workspace } from './helpers/workspace.js';

let fake: FakeTelegram;
let ws: Workspace;

beforeAll(async () => {
  fake = await FakeTelegram.start();
  ws = await makeWorkspace();
});

afterAll(async () => {
  await fake?.close();
  ws?.cleanup();
});

it('SIGTERM to `npm run bot` finishes the reply in flight; npm exits 0 once the bot has', async () => {
  const token = testToken(31);
  const env: Record<string, string> = { PATH: process.env.PATH!, HOME: process.env.HOME ?? ws.root, ...ws.env, BOT_TOKEN: token, TELEGRAM_API_ROOT: fake.apiRoot, LOG_LEVEL: 'info' };
  const npm = spawn('npm', ['--prefix', ROOT, 'run', '-s', 'bot'], { cwd: ws.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  npm.stderr.on('data', (d) => (log += String(d)));
  npm.stdout.on('data', (d) => (log += String(d)));
  const exit = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)));
  try {
    await expect.poll(() => fake.callsOf('getUpdates', token).some((c) => Number(c.body.timeout) > 0), { timeout: 40_000, interval: 100 }).toBe(true);
    const chat = fake.chat(token, { userId: 78, languageCode: 'ru' });
    fake.addFault((c) => (c.token === token && c.method === 'sendMessage' ? { delayMs: 1200 } : undefined));
    await chat.send('Сколько стран входит в хаб?');
    await expect.poll(() => fake.callsOf('sendMessage', token).length, { timeout: 10_000, interval: 20 }).toBe(1);
    npm.kill('SIGTERM');
    expect(await exit).toBe(0);
    const [reply] = await chat.replies(1, 1000);
    expect(visibleText(reply)).toMatch(/\b43\b/);
    expect(log).toMatch(/SIGTERM: finishing 1 replies in flight/);
    expect(log).toMatch(/stopped/);
  } finally {
    npm.kill('SIGKILL');
  }
}, 60_000);
