/** The bot on a hybrid index: the tiny generated ONNX model through the real transformers.js path. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeTelegram, testToken, visibleText } from './helpers/telegram.js';
import { startTestBot, type TestBot } from './helpers/telegram-bot.js';
import { makeWorkspace, type Workspace } from './helpers/workspace.js';

let fake: FakeTelegram;
let ws: Workspace;
let bot: TestBot;

beforeAll(async () => {
  fake = await FakeTelegram.start();
  ws = await makeWorkspace({ model: true });
  bot = await startTestBot(fake, ws, { token: testToken(11) });
}, 120_000);

afterAll(async () => {
  await bot?.stop();
  await fake?.close();
  ws?.cleanup();
});

it('answers “Сколько стран входит в хаб?” with 43 and a citation using the model', async () => {
  expect(bot.service.hybrid).toBe(true);
  const chat = fake.chat(bot.token, { userId: 42, languageCode: 'ru' });
  await chat.send('Сколько стран входит в хаб?');
  const text = visibleText(await chat.reply(20_000));
  expect(text).toMatch(/\b43\b/);
  expect(text).toMatch(/«[^»]*43[^»]*» \[\d\]/);
  expect(text).toMatch(/Источники:\n\[1\] /);
});

it('/about names the embedding model', async () => {
  const chat = fake.chat(bot.token, { userId: 43, languageCode: 'en' });
  await chat.send('/about');
  const text = visibleText(await chat.reply());
  expect(text).toContain(`hybrid, model ${ws.env.EMBEDDING_MODEL}`);
});
