/**
 * The real bot (telegraf, long polling) against a Bot API emulator on loopback, driven as chats would drive it.
 * Lexical-only workspaces: fast and deterministic.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitMessages } from '../src/bot/bot.js';
import { formatAnswer, formatMore, splitHtml } from '../src/bot/format.js';
import { BOT_TEXTS } from '../src/bot/i18n.js';
import { runIndex } from '../src/app/app.js';
import { FakeTelegram, sleep, testToken, visibleText, type BotReply, type TestChat } from './helpers/telegram.js';
import { startTestBot, type TestBot } from './helpers/telegram-bot.js';
import { makeWorkspace, type Workspace } from './helpers/workspace.js';

const HUB = 'Сколько стран входит в хаб?';
const CHEESE = 'Сколько сортов сыра производит сыроварня?';

/** An article full of markup-like text: title, outlet and body must all reach Telegram escaped. */
const HTML_ARTICLE =
  'Тестовая статья <b>о сыре</b> & "кавычках"\n' +
  'Источник: Test<Outlet>&Co\n\n' +
  'Сыроварня «Ромашка & Co» <script>alert(1)</script> производит 777 сортов сыра <b>в год</b> & больше, сообщает пресс-служба.\n\n' +
  'Директор сыроварни <i>Иван</i> сказал: "x < y && y > z".\n';

let fake: FakeTelegram;
let ws: Workspace;
let main: TestBot;
let chatSeq = 1000;
const ADMIN = 900;

/** A fresh private chat with the main bot, so tests never read each other's replies. */
function newChat(opts: { languageCode?: string; type?: 'private' | 'group'; userId?: number } = {}): TestChat {
  const id = ++chatSeq;
  return fake.chat(main.token, { userId: opts.userId ?? id, chatId: opts.type === 'group' ? -id : id, type: opts.type, languageCode: opts.languageCode ?? 'ru' });
}

function button(r: BotReply): { text: string; callback_data: string } | undefined {
  return r.replyMarkup?.inline_keyboard?.[0]?.[0];
}

beforeAll(async () => {
  fake = await FakeTelegram.start();
  ws = await makeWorkspace({ articles: { 'cheese_html.txt': HTML_ARTICLE } });
  main = await startTestBot(fake, ws, { token: testToken(1), env: { ADMIN_USER_IDS: String(ADMIN) } });
}, 60_000);

afterAll(async () => {
  await main?.stop();
  await fake?.close();
  ws?.cleanup();
});

describe('answers', () => {
  it('answers “Сколько стран входит в хаб?” with 43 and a resolved citation, as HTML with a More sources button', async () => {
    const chat = newChat();
    await chat.send(HUB);
    const [reply] = await chat.replies(1);
    expect(reply.parseMode).toBe('HTML');
    const text = visibleText(reply);
    expect(text).toMatch(/\b43\b/);
    expect(text).toMatch(/\[1\]/);
    const expected = await main.service.ask(HUB);
    // The reply is the command line's answer, word for word.
    expect(text).toBe(expected.text);
    const c1 = expected.citations.find((c) => c.n === 1)!;
    expect(text).toContain(`[1] ${c1.title} — `);
    if (c1.outlet) expect(text).toContain(c1.outlet);
    expect(text).toMatch(/\[1\] .*(\d{4}|дата не указана)/);
    const b = button(reply)!;
    expect(b.text).toBe(BOT_TEXTS.ru.moreButton);
    expect(Buffer.byteLength(b.callback_data)).toBeLessThan(64);
    expect(fake.callsOf('sendChatAction', main.token).some((c) => c.body.chat_id === chat.chatId && c.body.action === 'typing')).toBe(true);
  });

  it('shows the further passages on “More sources” in at most 3 messages under 4,096 characters, whole passages first to last', async () => {
    const chat = newChat();
    await chat.send(HUB);
    const [answer] = await chat.replies(1);
    const a = await main.service.ask(HUB);
    const expectedChunks = fitMessages(formatMore(a.more, a.language, BOT_TEXTS[a.language].moreHeader), 3);
    expect(expectedChunks.length, 'the sample corpus gives a More sources reply over 4,096 characters').toBeGreaterThan(1);
    await chat.press(answer, button(answer)!.callback_data);
    const more = await chat.replies(expectedChunks.length);
    expect(more.length).toBeLessThanOrEqual(3);
    const texts = more.map(visibleText);
    for (const t of texts) expect(t.length).toBeLessThanOrEqual(4096);
    expect(more[0].replyTo).toBe(answer.messageId);
    const all = texts.join('\n').replace(/\s+/g, ' ');
    // The passages shown are the first ones, each whole with its source line.
    const shown = a.more.filter((c) => all.includes(c.quote.trim().replace(/\s+/g, ' ')));
    expect(shown.length).toBeGreaterThan(0);
    expect(shown).toEqual(a.more.slice(0, shown.length));
    for (const c of shown) expect(all).toContain(`[${c.n}] ${c.title}`);
    expect(await chat.pending()).toEqual([]);
    // The button has done its job and is gone.
    expect(fake.botMessages(main.token, chat.chatId).find((m) => m.messageId === answer.messageId)!.replyMarkup).toEqual({ inline_keyboard: [] });
  });

  it('tells the user when a More sources button is no longer known', async () => {
    const chat = newChat();
    await chat.send(HUB);
    const [answer] = await chat.replies(1);
    await chat.press(answer, 'more:unknown1');
    await expect.poll(() => fake.callsOf('answerCallbackQuery', main.token).some((c) => c.body.text === BOT_TEXTS.ru.moreGone)).toBe(true);
    expect(await chat.pending()).toEqual([]);
  });

  it('escapes HTML special characters of articles: the reply is valid HTML and shows them literally', async () => {
    const chat = newChat();
    await chat.send(CHEESE);
    const [reply] = await chat.replies(1);
    const text = visibleText(reply);
    expect(text).toContain('777');
    expect(text).toContain('«Сыроварня «Ромашка & Co» <script>alert(1)</script> производит 777 сортов сыра <b>в год</b> & больше');
    expect(text).toContain('Тестовая статья <b>о сыре</b> & "кавычках" — Test<Outlet>&Co');
    expect(reply.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(reply.text).not.toContain('<script>');
    expect(reply.text).toContain('Ромашка &amp; Co');
  });

  it('escapes HTML in questions and keeps answering', async () => {
    const chat = newChat();
    for (const q of ['<b>Сколько</b> стран & входит в хаб? <a href="javascript:x">', 'Где <i>находится</i> «Атлантида & Co» <script>?', '</b></i><pre>&amp;&#0;&#xZZ;']) {
      await chat.send(q);
      const [reply] = await chat.replies(1);
      expect(visibleText(reply).length).toBeGreaterThan(0);
      expect(reply.text).not.toMatch(/<(script|a |pre)/);
    }
    await chat.send(HUB);
    expect(visibleText(await chat.reply())).toMatch(/\b43\b/);
  });
});

describe('commands', () => {
  it('/start and /help answer in the language of Telegram’s language_code', async () => {
    const ru = newChat({ languageCode: 'ru' });
    await ru.send('/start');
    expect(visibleText(await ru.reply())).toContain('Здравствуйте');
    const kk = newChat({ languageCode: 'kk' });
    await kk.send('/help');
    const help = visibleText(await kk.reply());
    expect(help).toContain('Мысалдар');
    // Examples are about the loaded articles: the Kazakh one first for a Kazakh user.
    const kkTitle = main.service.info().titles.find((t) => t.doc.startsWith('002'))!.title;
    expect(help).toContain(`«${kkTitle.slice(0, 30)}`);
    expect(help).toContain('мақаласы не туралы?');
    const en = newChat({ languageCode: 'en' });
    await en.send('/help');
    const enHelp = visibleText(await en.reply());
    expect(enHelp).toContain('What is the article “Conference on innovative methods of civil servants’ development” about?');
  });

  it('an example question from /help is answered from its article', async () => {
    const chat = newChat({ languageCode: 'en' });
    await chat.send('/help');
    const example = /• (What is the article .*)/.exec(visibleText(await chat.reply()))![1];
    await chat.send(example);
    const text = visibleText(await chat.reply());
    expect(text).toContain('Conference on innovative methods of civil servants’ development —');
  });

  it('/sources lists every indexed article by title, escaped', async () => {
    const chat = newChat({ languageCode: 'en' });
    await chat.send('/sources');
    const text = visibleText(await chat.reply());
    const titles = main.service.info().titles;
    expect(titles.length).toBe(6);
    for (const t of titles) expect(text).toContain(t.title);
    expect(text).toContain('Тестовая статья <b>о сыре</b> & "кавычках"');
  });

  it('/about tells articles, passages, “lexical only” and when the index was built', async () => {
    const chat = newChat({ languageCode: 'en' });
    await chat.send('/about');
    const text = visibleText(await chat.reply());
    const info = main.service.info();
    expect(text).toContain(`Articles: ${info.articles}`);
    expect(text).toContain(`Passages: ${info.passages}`);
    expect(text).toContain('lexical only');
    expect(text).toContain(info.builtAt.slice(0, 10));
  });

  it('understands commands addressed with @botname and ignores those for other bots', async () => {
    const chat = newChat({ languageCode: 'en' });
    await chat.send('/about@TestNameBot');
    expect(visibleText(await chat.reply())).toContain('Articles:');
    const group = newChat({ type: 'group', languageCode: 'en' });
    await group.send('/help@SomeOtherBot');
    await group.send('/frobnicate');
    expect(await group.pending()).toEqual([]);
    await chat.send('/frobnicate');
    expect(visibleText(await chat.reply())).toContain('/frobnicate');
  });

  it('answers in the language of the words after a command rather than language_code', async () => {
    const chat = newChat({ languageCode: 'en' });
    await chat.send('/ask Сколько стран входит в хаб?');
    const text = visibleText(await chat.reply());
    expect(text).toMatch(/\b43\b/);
    expect(text).toContain('Источники:');
  });
});

describe('what else a chat sends', () => {
  it('answers stickers, photos, voice messages and files with “send me a question as text”', async () => {
    const chat = newChat({ languageCode: 'en' });
    const shapes = [
      { sticker: { file_id: 'st1', file_unique_id: 'u1', type: 'regular', width: 512, height: 512, is_animated: false, is_video: false } },
      { photo: [{ file_id: 'ph1', file_unique_id: 'u2', width: 90, height: 90 }], caption: 'what is this?' },
      { voice: { file_id: 'vo1', file_unique_id: 'u3', duration: 3 } },
      { document: { file_id: 'do1', file_unique_id: 'u4', file_name: 'questions.pdf' } },
    ];
    for (const s of shapes) await chat.sendRaw(s);
    const replies = await chat.replies(shapes.length);
    for (const r of replies) expect(visibleText(r)).toBe(BOT_TEXTS.en.textOnly);
  });

  it('answers an edited message again, as a reply to it', async () => {
    const chat = newChat();
    const id = await chat.send('Сколько стран');
    await chat.replies(1);
    await chat.edit(id, HUB);
    const [again] = await chat.replies(1);
    expect(again.replyTo).toBe(id);
    expect(visibleText(again)).toMatch(/\b43\b/);
  });

  it('in groups answers only when mentioned, replied to, or on /ask', async () => {
    const group = newChat({ type: 'group' });
    await group.send(HUB);
    await group.sendRaw({ sticker: { file_id: 'st2', file_unique_id: 'u5', type: 'regular', width: 1, height: 1, is_animated: false, is_video: false } });
    expect(await group.pending()).toEqual([]);

    const mentionId = await group.send(`@TestNameBot ${HUB}`);
    const [byMention] = await group.replies(1);
    expect(byMention.replyTo).toBe(mentionId);
    expect(visibleText(byMention)).toMatch(/\b43\b/);

    await group.replyTo(byMention, CHEESE);
    expect(visibleText(await group.reply())).toContain('777');

    await group.send(`/ask ${HUB}`);
    expect(visibleText(await group.reply())).toMatch(/\b43\b/);
    await group.send('/ask');
    expect(visibleText(await group.reply())).toContain('/ask');
  });
});

describe('hostile input', () => {
  it('refuses huge, control-character and empty questions with one clear line and keeps working', async () => {
    const chat = newChat({ languageCode: 'en' });
    await chat.send('Сколько стран? '.repeat(400));
    expect(visibleText(await chat.reply())).toContain('слишком длинный');
    await chat.send('Сколько\u0000стран\u0007 входит в хаб?');
    expect(visibleText(await chat.reply())).toBe(BOT_TEXTS.ru.controlChars);
    await chat.send('\u202e<<<&&&>>>\ud800');
    visibleText(await chat.reply());
    await chat.send(HUB);
    expect(visibleText(await chat.reply())).toMatch(/\b43\b/);
  });

  it('survives an answering service that throws: the user is told, the next question is answered', async () => {
    const chat = newChat({ languageCode: 'en' });
    const ask = main.service.ask.bind(main.service);
    main.service.ask = async (q: string) => {
      if (q.includes('boom')) throw new Error('boom: the index exploded');
      return ask(q);
    };
    try {
      await chat.send('boom');
      expect(visibleText(await chat.reply())).toBe(BOT_TEXTS.en.failed);
      await chat.send(HUB);
      expect(visibleText(await chat.reply())).toMatch(/\b43\b/);
    } finally {
      main.service.ask = ask;
    }
  });
});

describe('delivery', () => {
  it('replies in each chat in order, while other chats go on concurrently', async () => {
    const slow = newChat();
    const fast = newChat();
    let delayed = false;
    const remove = fake.addFault((c) => {
      if (c.method === 'sendMessage' && c.body.chat_id === slow.chatId && !delayed) {
        delayed = true;
        return { delayMs: 700 };
      }
      return undefined;
    });
    try {
      await slow.send(HUB);
      await slow.send(CHEESE);
      await slow.send('/about');
      await sleep(100);
      await fast.send(CHEESE);
      const [fastReply] = await fast.replies(1);
      const slowReplies = await slow.replies(3);
      expect(visibleText(slowReplies[0])).toMatch(/\b43\b/);
      expect(visibleText(slowReplies[1])).toContain('777');
      expect(visibleText(slowReplies[2])).toContain('Статей:');
      expect(fastReply.time).toBeLessThan(slowReplies[0].time);
    } finally {
      remove();
    }
  });

  it('waits out Telegram’s 429 retry_after and sends the reply', async () => {
    const chat = newChat();
    let refused = 0;
    const remove = fake.addFault((c) => {
      if (c.method === 'sendMessage' && c.body.chat_id === chat.chatId && refused === 0) {
        refused++;
        return { status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } } };
      }
      return undefined;
    });
    try {
      const t0 = Date.now();
      await chat.send(HUB);
      const [reply] = await chat.replies(1, 10_000);
      expect(visibleText(reply)).toMatch(/\b43\b/);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
      expect(fake.callsOf('sendMessage', main.token).filter((c) => c.body.chat_id === chat.chatId)).toHaveLength(2);
      expect(main.logs.some((l) => l.includes('429'))).toBe(true);
    } finally {
      remove();
    }
  });

  it('sends the same text as plain text when Telegram cannot parse the markup', async () => {
    const chat = newChat();
    const remove = fake.addFault((c) =>
      c.method === 'sendMessage' && c.body.chat_id === chat.chatId && c.body.parse_mode === 'HTML'
        ? { status: 400, body: { ok: false, error_code: 400, description: "Bad Request: can't parse entities: Unsupported start tag \"script\" at byte offset 10" } }
        : undefined,
    );
    try {
      await chat.send(CHEESE);
      const [reply] = await chat.replies(1);
      expect(reply.parseMode).toBeUndefined();
      const a = await main.service.ask(CHEESE);
      expect(reply.text).toBe(a.text);
      expect(reply.text).toContain('<script>alert(1)</script>');
    } finally {
      remove();
    }
  });

  it('answers a burst of 30 questions from 30 users without losing a reply or breaking the HTML', async () => {
    const questions = [HUB, CHEESE, 'How many countries are members of the Hub?', 'Хабқа неше ел кіреді?', 'Кто возглавляет управляющий комитет хаба?'];
    const chats = Array.from({ length: 30 }, () => newChat());
    const t0 = performance.now();
    await Promise.all(chats.map((c, i) => c.send(questions[i % questions.length])));
    const replies = await Promise.all(chats.map((c) => c.replies(1, 30_000)));
    const ms = Math.round(performance.now() - t0);
    for (const [r] of replies) expect(visibleText(r).length).toBeGreaterThan(0);
    for (let i = 0; i < chats.length; i++) if (i % questions.length !== 1) expect(visibleText(replies[i][0])).toMatch(/43|Байменов/);
    for (const c of chats) expect(await c.pending(0)).toEqual([]);
    console.info(`[bot burst] 30 questions from 30 users: ${replies.length} replies in ${ms} ms`);
    expect(ms).toBeLessThan(20_000);
  });

  it('never writes the bot token to its log', () => {
    expect(main.logs.length).toBeGreaterThan(0);
    for (const l of main.logs) expect(l).not.toContain(main.token);
  });
});

describe('safety settings', () => {
  let guarded: TestBot;
  let ws2: Workspace;
  beforeAll(async () => {
    ws2 = await makeWorkspace();
    guarded = await startTestBot(fake, ws2, { token: testToken(2), env: { ALLOWED_USER_IDS: '111,112', ADMIN_USER_IDS: '222', RATE_LIMIT_PER_MINUTE: '3' } });
  }, 60_000);
  afterAll(async () => {
    await guarded?.stop();
    ws2?.cleanup();
  });

  it('refuses users outside ALLOWED_USER_IDS politely; allowed users and admins are answered', async () => {
    const stranger = fake.chat(guarded.token, { userId: 333, languageCode: 'en' });
    await stranger.send(HUB);
    // In the language of the message; a bare command falls back to language_code.
    expect(visibleText(await stranger.reply())).toBe(BOT_TEXTS.ru.notAllowed);
    await stranger.send('/sources');
    expect(visibleText(await stranger.reply())).toBe(BOT_TEXTS.en.notAllowed);
    const friend = fake.chat(guarded.token, { userId: 111 });
    await friend.send(HUB);
    expect(visibleText(await friend.reply())).toMatch(/\b43\b/);
    const admin = fake.chat(guarded.token, { userId: 222 });
    await admin.send(HUB);
    expect(visibleText(await admin.reply())).toMatch(/\b43\b/);
  });

  it('limits questions per user per minute with one polite reply, then silence', async () => {
    const user = fake.chat(guarded.token, { userId: 112, languageCode: 'en' });
    for (let i = 0; i < 5; i++) await user.send('How many countries are members of the Hub?');
    const replies = await user.replies(4);
    for (const r of replies.slice(0, 3)) expect(visibleText(r)).toMatch(/\b43\b/);
    expect(visibleText(replies[3])).toMatch(/^Too many questions in a minute\. Please wait \d+ s and ask again\.$/);
    expect(await user.pending(400)).toEqual([]);
    // Another user is not affected.
    const other = fake.chat(guarded.token, { userId: 111, chatId: 5111 });
    await other.send(HUB);
    expect(visibleText(await other.reply())).toMatch(/\b43\b/);
  });
});

describe('index updates', () => {
  let bot: TestBot;
  let ws3: Workspace;
  beforeAll(async () => {
    ws3 = await makeWorkspace();
    bot = await startTestBot(fake, ws3, { token: testToken(3), env: { ADMIN_USER_IDS: '700' } });
  }, 60_000);
  afterAll(async () => {
    await bot?.stop();
    ws3?.cleanup();
  });

  it('lets only admins /reindex; an added article is answered right after', async () => {
    const user = fake.chat(bot.token, { userId: 701, languageCode: 'en' });
    await user.send('/reindex');
    expect(visibleText(await user.reply())).toBe(BOT_TEXTS.en.adminOnly);

    ws3.write('giraffes.txt', 'Жирафы Алматинского зоопарка\nИсточник: Zoo.kz\n\nВ Алматинском зоопарке сейчас живёт 57 жирафов, сообщает пресс-служба зоопарка.\n');
    const admin = fake.chat(bot.token, { userId: 700, languageCode: 'ru' });
    await admin.send('/reindex');
    await admin.send('Сколько жирафов живёт в Алматинском зоопарке?');
    const [started, done, answer] = await admin.replies(3, 20_000);
    expect(visibleText(started)).toBe(BOT_TEXTS.ru.reindexing);
    expect(visibleText(done)).toMatch(/Индекс обновлён.*добавлено 1, изменено 0, удалено 0, без изменений 5/);
    expect(visibleText(answer)).toContain('57');
    expect(visibleText(answer)).toContain('Жирафы Алматинского зоопарка — Zoo.kz');
  });

  it('switches to an index rebuilt outside the bot (npm run index) without a restart', async () => {
    const before = bot.service.info().generation;
    ws3.write('owls.txt', 'Совы Астаны\nИсточник: Birds.kz\n\nВ ботаническом саду Астаны гнездятся 19 пар сов, сообщает Birds.kz.\n');
    await runIndex(bot.config);
    await expect.poll(() => bot.service.info().generation, { timeout: 5000, interval: 50 }).not.toBe(before);
    const user = fake.chat(bot.token, { userId: 702 });
    await user.send('Сколько пар сов гнездится в ботаническом саду Астаны?');
    const text = visibleText(await user.reply());
    expect(text).toContain('19');
    expect(bot.logs.some((l) => l.includes('switched to the new index'))).toBe(true);
  });
});

describe('/sources on a larger index', () => {
  let bot: TestBot;
  let ws4: Workspace;
  const N = 45;
  beforeAll(async () => {
    const articles: Record<string, string> = {};
    for (let i = 1; i <= N; i++) articles[`town_${String(i).padStart(2, '0')}.txt`] = `Town <${i}> news & notes\nИсточник: Town${i}.kz\n\nIn town ${i} the council opened ${i} new parks this spring, the press office said.\n`;
    ws4 = await makeWorkspace({ seeds: false, articles });
    bot = await startTestBot(fake, ws4, { token: testToken(4) });
  }, 60_000);
  afterAll(async () => {
    await bot?.stop();
    ws4?.cleanup();
  });

  it('is one message with a page of titles; next / previous edit that message', async () => {
    const chat = fake.chat(bot.token, { userId: 801, languageCode: 'en' });
    await chat.send('/sources');
    const [page1] = await chat.replies(1);
    const text1 = visibleText(page1);
    expect(text1).toMatch(/^Articles in the index \(45\), page 1 of 3:/);
    expect(text1.split('\n').filter((l) => /^\d+\. Town <\d+> news & notes$/.test(l))).toHaveLength(20);
    const buttons = (r: BotReply) => (r.replyMarkup?.inline_keyboard?.[0] ?? []) as Array<{ text: string; callback_data: string }>;
    expect(buttons(page1).map((b) => b.text)).toEqual(['Next ›']);

    const current = () => fake.botMessages(bot.token, chat.chatId).find((m) => m.messageId === page1.messageId)!;
    await chat.press(page1, buttons(page1)[0].callback_data);
    await expect.poll(() => current().text, { timeout: 5000 }).toMatch(/page 2 of 3/);
    expect(buttons(current()).map((b) => b.text)).toEqual(['‹ Previous', 'Next ›']);
    expect(visibleText(current())).toContain('21. ');

    await chat.press(current(), buttons(current())[1].callback_data);
    await expect.poll(() => current().text, { timeout: 5000 }).toMatch(/page 3 of 3/);
    const last = visibleText(current());
    expect(last.split('\n').filter((l) => /^\d+\. /.test(l))).toHaveLength(5);
    expect(buttons(current()).map((b) => b.text)).toEqual(['‹ Previous']);

    await chat.press(current(), buttons(current())[0].callback_data);
    await expect.poll(() => current().text, { timeout: 5000 }).toMatch(/page 2 of 3/);
    // Every page was an edit: the chat holds the one message.
    expect(await chat.pending()).toEqual([]);
    expect(fake.botMessages(bot.token, chat.chatId)).toHaveLength(1);
  });
});

describe('formatting of real answers', () => {
  it('the HTML of every sample answer parses and reads as the command line text', async () => {
    for (const q of [HUB, CHEESE, 'How many countries are members of the Hub?', 'Хабқа неше ел кіреді?', 'Где находится Атлантида?']) {
      const a = await main.service.ask(q);
      const chunks = splitHtml(formatAnswer(a));
      expect(chunks.map((c) => visibleText({ text: c, parseMode: 'HTML' })).join('\n')).toBe(a.text);
    }
  });
});
