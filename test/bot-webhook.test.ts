/** Webhook mode: updates posted to the bot's own HTTP server, Telegram's secret-token header checked. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeTelegram, freePort, testToken, visibleText } from './helpers/telegram.js';
import { startTestBot, type TestBot } from './helpers/telegram-bot.js';
import { makeWorkspace, type Workspace } from './helpers/workspace.js';

let fake: FakeTelegram;
let ws: Workspace;
let bot: TestBot;
let hook: string;
let updateId = 1;

beforeAll(async () => {
  fake = await FakeTelegram.start();
  ws = await makeWorkspace();
  const port = await freePort();
  hook = `http://127.0.0.1:${port}/tg/hook`;
  // No WEBHOOK_SECRET: the bot makes one up.
  bot = await startTestBot(fake, ws, { token: testToken(31), env: { WEBHOOK_URL: hook, WEBHOOK_PORT: String(port) }, webhookHost: '127.0.0.1' });
}, 60_000);

afterAll(async () => {
  await bot?.stop();
  await fake?.close();
  ws?.cleanup();
});

/** Telegram marks a leading /command with a bot_command entity. */
const commandEntity = (text: string) => (/^\/\S+/.test(text) ? { entities: [{ type: 'bot_command', offset: 0, length: /^\/\S+/.exec(text)![0].length }] } : {});

function update(chatId: number, text: string) {
  const from = { id: chatId, is_bot: false, first_name: 'Web', language_code: 'ru' };
  return { update_id: updateId++, message: { message_id: updateId, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'private', first_name: 'Web' }, from, text, ...commandEntity(text) } };
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

it('registers the webhook with a generated secret token', () => {
  expect(bot.running.mode).toBe('webhook');
  const secret = bot.running.webhook!.secret;
  expect(secret).toMatch(/^[A-Za-z0-9_-]{32,256}$/);
  const [call] = fake.callsOf('setWebhook', bot.token);
  expect(call.body).toMatchObject({ url: hook, secret_token: secret, allowed_updates: ['message', 'edited_message', 'callback_query'] });
});

it('answers updates that carry X-Telegram-Bot-Api-Secret-Token', async () => {
  const res = await post(hook, update(501, 'Сколько стран входит в хаб?'), { 'X-Telegram-Bot-Api-Secret-Token': bot.running.webhook!.secret });
  expect(res.status).toBe(200);
  const [reply] = await fake.nextReplies(bot.token, 501, 1);
  expect(visibleText(reply)).toMatch(/\b43\b/);
});

it('refuses requests without the right secret, on another path, or not POST, and reads nothing from them', async () => {
  expect((await post(hook, update(502, 'Сколько стран входит в хаб?'))).status).toBe(403);
  expect((await post(hook, update(502, 'Сколько стран входит в хаб?'), { 'X-Telegram-Bot-Api-Secret-Token': 'wrong' })).status).toBe(403);
  expect((await post(hook.replace('/tg/hook', '/other'), update(502, 'x'), { 'X-Telegram-Bot-Api-Secret-Token': bot.running.webhook!.secret })).status).toBe(403);
  expect((await fetch(hook)).status).toBe(403);
  expect(await fake.pending(bot.token, 502)).toEqual([]);
});

it('answers a malformed body with an error status and keeps serving', async () => {
  const secret = { 'X-Telegram-Bot-Api-Secret-Token': bot.running.webhook!.secret };
  const bad = await fetch(hook, { method: 'POST', headers: { 'content-type': 'application/json', ...secret }, body: '{"update_id": 1, "message": ' });
  expect(bad.status).toBe(415);
  expect((await post(hook, update(503, '/about'), secret)).status).toBe(200);
  expect(visibleText((await fake.nextReplies(bot.token, 503, 1))[0])).toContain('Статей: 5');
});

it('never logs the token or the secret', () => {
  for (const l of bot.logs) {
    expect(l).not.toContain(bot.token);
    expect(l).not.toContain(bot.running.webhook!.secret);
  }
});
