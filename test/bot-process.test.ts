/** `npm run bot` as a process (node bin/citebot.js bot): start-up errors, building a missing index, graceful SIGTERM. */
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegram, freePort, testToken, visibleText } from './helpers/telegram.js';
import { makeWorkspace, ROOT, type Workspace } from './helpers/workspace.js';

const BIN = path.join(ROOT, 'bin', 'citebot.js');

interface BotProcess {
  pid: number;
  stderr: () => string;
  kill: (signal: NodeJS.Signals) => void;
  exit: Promise<number | null>;
}

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

/** Runs the bot in the workspace folder (so no developer's .env is read), with every bot setting explicit. */
function startBot(env: Record<string, string>, workspace = ws): BotProcess {
  const child = spawn(process.execPath, [BIN, 'bot'], {
    cwd: workspace.root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...workspace.env,
      BOT_TOKEN: '',
      TELEGRAM_API_ROOT: fake.apiRoot,
      WEBHOOK_URL: '',
      WEBHOOK_SECRET: '',
      ALLOWED_USER_IDS: '',
      ADMIN_USER_IDS: '',
      RATE_LIMIT_PER_MINUTE: '',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => (err += String(d)));
  child.stdout.on('data', (d) => (err += String(d)));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { pid: child.pid!, stderr: () => err, kill: (s) => child.kill(s), exit };
}

it('exits 2 with one clear line when BOT_TOKEN is missing', async () => {
  const p = startBot({});
  expect(await p.exit).toBe(2);
  expect(p.stderr().trim().split('\n')).toEqual([expect.stringMatching(/^citebot: BOT_TOKEN is not set: .*@BotFather/)]);
}, 30_000);

it('exits 2 with one clear line, not echoing it, when BOT_TOKEN is malformed', async () => {
  const p = startBot({ BOT_TOKEN: 'not-a-token-SECRET42' });
  expect(await p.exit).toBe(2);
  const lines = p.stderr().trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^citebot: Invalid BOT_TOKEN=\(hidden\): expected a token from @BotFather/);
  expect(p.stderr()).not.toContain('SECRET42');
}, 30_000);

it('exits 2 with one clear line when Telegram refuses the token', async () => {
  const token = testToken(22);
  fake.addFault((c) => (c.token === token && c.method === 'getMe' ? { status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } } : undefined));
  const p = startBot({ BOT_TOKEN: token });
  expect(await p.exit).toBe(2);
  expect(p.stderr()).toMatch(/^citebot: Telegram refused BOT_TOKEN \(401 Unauthorized\): check the token from @BotFather$/m);
  expect(p.stderr()).not.toContain(token);
  // Checked before anything is loaded or built.
  expect(p.stderr()).not.toContain('No index');
}, 40_000);

it('exits 1 with one line, token masked, when the Bot API cannot be reached', async () => {
  const token = testToken(23);
  const p = startBot({ BOT_TOKEN: token, TELEGRAM_API_ROOT: `http://127.0.0.1:${await freePort()}` });
  expect(await p.exit).toBe(1);
  const lines = p.stderr().trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^citebot: cannot reach the Telegram Bot API at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  expect(p.stderr()).not.toContain(token);
}, 40_000);

it('builds the missing index, answers, and on SIGTERM finishes the reply in flight and exits 0', async () => {
  const token = testToken(21);
  const fresh = await makeWorkspace();
  const p = startBot({ BOT_TOKEN: token }, fresh);
  try {
    // Polling has started once the bot asks for updates.
    await expect.poll(() => fake.callsOf('getUpdates', token).some((c) => Number(c.body.timeout) > 0), { timeout: 40_000, interval: 100 }).toBe(true);
    const chat = fake.chat(token, { userId: 77, languageCode: 'ru' });
    // The reply is held at "Telegram" for a while: SIGTERM arrives while it is in flight.
    fake.addFault((c) => (c.token === token && c.method === 'sendMessage' ? { delayMs: 1200 } : undefined));
    await chat.send('Сколько стран входит в хаб?');
    await expect.poll(() => fake.callsOf('sendMessage', token).length, { timeout: 10_000, interval: 20 }).toBe(1);
    expect(fake.botMessages(token, chat.chatId)).toHaveLength(0);
    p.kill('SIGTERM');
    expect(await p.exit).toBe(0);
    const [reply] = await chat.replies(1, 1000);
    expect(visibleText(reply)).toMatch(/\b43\b/);
    const log = p.stderr();
    expect(log).toContain('No index');
    expect(log).toMatch(/SIGTERM: finishing 1 replies in flight/);
    expect(log).not.toContain(token);
  } finally {
    p.kill('SIGKILL');
    fresh.cleanup();
  }
}, 60_000);

/** What a captive portal or a misconfigured proxy in front of the Bot API answers: a page, not JSON (a 5xx becomes a TelegramError in telegraf; this does not). */
const BAD_GATEWAY = '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>';

describe('the token and the webhook secret are never printed, whatever fails', () => {
  const SECRET = 'webhook-secret-never-printed-0123456789';
  const cases: Array<{ name: string; method: string; env?: (port: number) => Record<string, string> }> = [
    { name: 'getMe (checking the token)', method: 'getMe' },
    { name: 'deleteWebhook (starting long polling)', method: 'deleteWebhook' },
    { name: 'setWebhook (starting the webhook)', method: 'setWebhook', env: (port) => ({ WEBHOOK_URL: `http://127.0.0.1:${port}/hook`, WEBHOOK_PORT: String(port), WEBHOOK_SECRET: SECRET }) },
  ];
  let n = 40;
  for (const c of cases) {
    it(`${c.name} answered with a non-JSON page: exit 1, and no output holds a secret`, async () => {
      const token = testToken(++n);
      fake.addFault((call) => (call.token === token && call.method === c.method ? { status: 200, raw: BAD_GATEWAY } : undefined));
      // Debug level: every line the bot can write is written.
      const p = startBot({ BOT_TOKEN: token, LOG_LEVEL: 'debug', ...(c.env?.(await freePort()) ?? {}) });
      expect(await p.exit).toBe(1);
      const out = p.stderr();
      // The failure is told (the URL it failed at included, with the token masked)...
      expect(out).toMatch(/invalid json response body at http:\/\/127\.0\.0\.1:\d+\/bot\*\*\*\//);
      // ...and neither secret appears anywhere, whole or as the token's secret half.
      expect(out).not.toContain(token);
      expect(out).not.toContain(token.split(':')[1]);
      expect(out).not.toContain(SECRET);
    }, 60_000);
  }

  it('a reply Telegram answers with a non-JSON page is logged without the token, and the bot goes on', async () => {
    const token = testToken(49);
    let broken = true;
    fake.addFault((call) => (call.token === token && call.method === 'sendMessage' && broken ? { status: 200, raw: BAD_GATEWAY } : undefined));
    const p = startBot({ BOT_TOKEN: token, LOG_LEVEL: 'debug' });
    try {
      await expect.poll(() => fake.callsOf('getUpdates', token).some((c) => Number(c.body.timeout) > 0), { timeout: 40_000, interval: 100 }).toBe(true);
      const chat = fake.chat(token, { userId: 78, languageCode: 'ru' });
      await chat.send('Сколько стран входит в хаб?');
      await expect.poll(() => p.stderr(), { timeout: 10_000 }).toMatch(/invalid json response body/);
      broken = false;
      const next = fake.chat(token, { userId: 79, languageCode: 'ru' });
      await next.send('Сколько стран входит в хаб?');
      expect(visibleText(await next.reply())).toMatch(/\b43\b/);
      p.kill('SIGTERM');
      expect(await p.exit).toBe(0);
      expect(p.stderr()).not.toContain(token.split(':')[1]);
    } finally {
      p.kill('SIGKILL');
    }
  }, 60_000);
});

it('SIGTERM with 30 replies in flight: every one is delivered, then exit 0', async () => {
  const token = testToken(50);
  const p = startBot({ BOT_TOKEN: token });
  try {
    await expect.poll(() => fake.callsOf('getUpdates', token).some((c) => Number(c.body.timeout) > 0), { timeout: 40_000, interval: 100 }).toBe(true);
    // Each reply is held at "Telegram" for a while, so all 30 are under way when the signal comes.
    fake.addFault((c) => (c.token === token && c.method === 'sendMessage' ? { delayMs: 1500 } : undefined));
    const chats = Array.from({ length: 30 }, (_, i) => fake.chat(token, { userId: 3000 + i, languageCode: 'ru' }));
    await Promise.all(chats.map((c) => c.send('Сколько стран входит в хаб?')));
    await expect.poll(() => fake.callsOf('sendMessage', token).length, { timeout: 15_000, interval: 20 }).toBeGreaterThanOrEqual(20);
    const delivered = chats.filter((c) => fake.botMessages(token, c.chatId).length > 0).length;
    p.kill('SIGTERM');
    expect(await p.exit).toBe(0);
    for (const c of chats) expect(visibleText((await c.replies(1, 1000))[0])).toMatch(/\b43\b/);
    expect(delivered, 'most replies were still in flight at SIGTERM').toBeLessThan(10);
    expect(p.stderr()).toMatch(/SIGTERM: finishing \d+ replies in flight/);
  } finally {
    p.kill('SIGKILL');
  }
}, 90_000);

/** Process ids whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when there is none
  }
}

it('SIGTERM during /reindex stops the build, tells the admin, and exits 0', async () => {
  const token = testToken(51);
  const big = await makeWorkspace({ seeds: false });
  const article = (i: number, v: number) =>
    `Town ${i} report ${v}\nИсточник: Town${i}.kz\n\n` +
    Array.from({ length: 40 }, (_, k) => `In town ${i} the council opened ${k + v} new parks and ${i + k} schools this spring, the press office said.`).join(' ') + '\n';
  for (let i = 0; i < 600; i++) big.write(`town_${i}.txt`, article(i, 1));
  const p = startBot({ BOT_TOKEN: token, ADMIN_USER_IDS: '900', WATCH_SEEDS: '0' }, big);
  try {
    await expect.poll(() => fake.callsOf('getUpdates', token).some((c) => Number(c.body.timeout) > 0), { timeout: 120_000, interval: 200 }).toBe(true);
    for (let i = 0; i < 600; i++) big.write(`town_${i}.txt`, article(i, 2));
    const admin = fake.chat(token, { userId: 900, languageCode: 'en' });
    await admin.send('/reindex');
    expect(visibleText(await admin.reply(10_000))).toBe('Updating the index…');
    // The signal comes while the build's child process runs.
    await expect.poll(() => childrenOf(p.pid).length, { timeout: 10_000, interval: 25 }).toBeGreaterThan(0);
    p.kill('SIGTERM');
    expect(await p.exit).toBe(0);
    expect(visibleText(await admin.reply(1000))).toMatch(/^Could not update the index: .*stopped/);
    expect(p.stderr()).toMatch(/SIGTERM: finishing 1 replies in flight/);
  } finally {
    p.kill('SIGKILL');
    big.cleanup();
  }
}, 180_000);
