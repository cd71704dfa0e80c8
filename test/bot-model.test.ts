/** The bot on a hybrid index: the tiny generated ONNX model through the real transformers.js path. */
import { expect, it } from 'vitest';
import { testToken, visibleText } from './helpers/telegram.js';
import { useTestBot } from './helpers/telegram-bot.js';

const t = useTestBot({ token: testToken(11), workspace: { model: true } });

it('answers “Сколько стран входит в хаб?” with 43 and a citation using the model', async () => {
  expect(t.bot.service.hybrid).toBe(true);
  const chat = t.fake.chat(t.bot.token, { userId: 42, languageCode: 'ru' });
  await chat.send('Сколько стран входит в хаб?');
  const text = visibleText(await chat.reply(20_000));
  expect(text).toMatch(/\b43\b/);
  expect(text).toMatch(/«[^»]*43[^»]*» \[\d\]/);
  expect(text).toMatch(/Источники:\n\[1\] /);
});

it('/about names the embedding model', async () => {
  const chat = t.fake.chat(t.bot.token, { userId: 43, languageCode: 'en' });
  await chat.send('/about');
  const text = visibleText(await chat.reply());
  expect(text).toContain(`hybrid, model ${t.ws.env.EMBEDDING_MODEL}`);
});
