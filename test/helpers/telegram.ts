/**
 * A Telegram for tests: the Bot API emulator of `telegram-test-api` on loopback, behind a small proxy that
 *  - long-polls getUpdates like the real server (the emulator answers at once, which would make the bot spin),
 *  - answers the methods the emulator lacks (sendChatAction, setMyCommands) and records every call,
 *  - turns messages marked as edits into `edited_message` updates,
 *  - injects faults on demand (429 with retry_after, 400 "can't parse entities", latency).
 * Chats are driven through the emulator's client API, as a person would; replies are read from its storage.
 */
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';

/** The emulator's fixed identity of every bot (its getMe). */
export const EMULATED_BOT = { id: 666, username: 'TestNameBot' };

/** A well-formed token (config checks the shape); each bot under test gets its own so their updates stay apart. */
export function testToken(n = 1): string {
  return `${100000 + n}:TEST-citebot-token-${String(n).padStart(4, '0')}-abcdefghij`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = Record<string, any>;

interface StoredBotMessage {
  time: number;
  botToken: string;
  messageId: number;
  message: Json;
}

interface StoredUserUpdate {
  botToken: string;
  updateId: number;
  messageId: number;
  message?: Json;
}

/** The part of telegram-test-api's TelegramServer these helpers use. */
interface Emulator {
  config: { apiURL: string };
  storage: { userMessages: StoredUserUpdate[]; botMessages: StoredBotMessage[] };
  start(): Promise<void>;
  stop(): Promise<boolean>;
  getUpdates(token: string): Json[];
}

const require = createRequire(import.meta.url);
const TelegramServer = require('telegram-test-api') as new (config: Json) => Emulator;

export interface ApiCall {
  token: string;
  method: string;
  body: Json;
  at: number;
}

/** A fault for one call: a response instead of the emulator's (JSON, or a raw page such as a proxy's error), or latency before it. */
export type FaultResult = { status: number; body: Json } | { status: number; raw: string } | { delayMs: number } | undefined;
export type Fault = (call: ApiCall) => FaultResult;

// What the emulator does not implement and the bot may call: answered "ok" here.
const LOCAL_OK = new Set(['sendChatAction', 'setMyCommands', 'deleteMyCommands', 'setMyDescription']);

export interface BotReply {
  messageId: number;
  chatId: number;
  text: string;
  parseMode?: string;
  replyMarkup?: Json;
  replyTo?: number;
  time: number;
}

export class FakeTelegram {
  readonly calls: ApiCall[] = [];
  private faults: Fault[] = [];
  private readonly consumed = new Set<number>();

  private constructor(
    readonly emulator: Emulator,
    private readonly proxy: http.Server,
    /** What TELEGRAM_API_ROOT should be. */
    readonly apiRoot: string,
  ) {}

  static async start(): Promise<FakeTelegram> {
    const emulatorPort = await freePort();
    const emulator = new TelegramServer({ port: emulatorPort, host: '127.0.0.1', storeTimeout: 3600 });
    await emulator.start();
    let fake: FakeTelegram | undefined;
    const proxy = http.createServer((req, res) => {
      fake!.handle(req, res).catch((e) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error_code: 500, description: String(e) }));
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const { port } = proxy.address() as net.AddressInfo;
    fake = new FakeTelegram(emulator, proxy, `http://127.0.0.1:${port}`);
    return fake;
  }

  /** Adds a fault consulted on every call until the returned function removes it. */
  addFault(f: Fault): () => void {
    this.faults.push(f);
    return () => {
      this.faults = this.faults.filter((x) => x !== f);
    };
  }

  callsOf(method: string, token?: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method && (!token || c.token === token));
  }

  /** A person in a chat with the bot of `token`. */
  chat(token: string, opts: { userId: number; chatId?: number; type?: 'private' | 'group' | 'supergroup'; languageCode?: string; firstName?: string }): TestChat {
    return new TestChat(this, token, opts.userId, opts.chatId ?? opts.userId, opts.type ?? 'private', opts.languageCode, opts.firstName ?? `User${opts.userId}`);
  }

  /** Every message the bot of `token` sent to `chatId`, oldest first (as stored: edits applied). */
  botMessages(token: string, chatId: number): BotReply[] {
    return this.emulator.storage.botMessages
      .filter((m) => m.botToken === token && Number(m.message.chat_id) === chatId)
      .sort((a, b) => a.messageId - b.messageId)
      .map(toReply);
  }

  /** Waits for `n` bot messages in the chat not returned before, and marks them returned. */
  async nextReplies(token: string, chatId: number, n: number, timeoutMs = 10_000): Promise<BotReply[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const fresh = this.botMessages(token, chatId).filter((m) => !this.consumed.has(m.messageId));
      if (fresh.length >= n) {
        const got = fresh.slice(0, n);
        for (const m of got) this.consumed.add(m.messageId);
        return got;
      }
      if (Date.now() > deadline) throw new Error(`expected ${n} replies in chat ${chatId} within ${timeoutMs} ms, got ${fresh.length}: ${JSON.stringify(fresh.map((m) => m.text.slice(0, 80)))}`);
      await sleep(20);
    }
  }

  /** Unreturned bot messages in the chat (after waiting `ms` for stragglers). */
  async pending(token: string, chatId: number, ms = 300): Promise<BotReply[]> {
    await sleep(ms);
    return this.botMessages(token, chatId).filter((m) => !this.consumed.has(m.messageId));
  }

  async close(): Promise<void> {
    this.proxy.closeAllConnections();
    await new Promise<void>((r) => this.proxy.close(() => r()));
    await this.emulator.stop();
  }

  /** Posts to the emulator's client API (what a Telegram app would send). */
  async clientPost(route: 'sendMessage' | 'sendCallback', body: Json): Promise<void> {
    const res = await fetch(`${this.emulator.config.apiURL}/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`emulator ${route}: ${res.status} ${await res.text()}`);
  }

  /** The message id the emulator gave the latest message of this chat. */
  lastUserMessageId(token: string, chatId: number): number {
    const mine = this.emulator.storage.userMessages.filter((u) => u.botToken === token && u.message?.chat?.id === chatId);
    if (!mine.length) throw new Error(`no message stored for chat ${chatId}`);
    return Math.max(...mine.map((u) => u.messageId));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const m = /^\/bot([^/]+)\/(\w+)/.exec(req.url ?? '');
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    if (!m) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token, method] = m;
    const body: Json = raw ? JSON.parse(raw) : {};
    const call: ApiCall = { token, method, body, at: Date.now() };
    this.calls.push(call);
    for (const f of this.faults) {
      const r = f(call);
      if (r && 'raw' in r) {
        res.writeHead(r.status, { 'content-type': 'text/html' });
        return void res.end(r.raw);
      }
      if (r && 'status' in r) return send(res, r.status, r.body);
      if (r && 'delayMs' in r) await sleep(r.delayMs);
    }
    if (LOCAL_OK.has(method)) return send(res, 200, { ok: true, result: true });
    if (method === 'getUpdates') return this.longPoll(token, body, res);
    const upstream = await fetch(`${this.emulator.config.apiURL}${req.url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    res.writeHead(upstream.status, { 'content-type': 'application/json' });
    res.end(await upstream.text());
  }

  private async longPoll(token: string, body: Json, res: http.ServerResponse): Promise<void> {
    // Without a timeout telegraf is only confirming an offset on its way out: nothing is taken from the queue.
    if (!Number(body.timeout)) return send(res, 200, { ok: true, result: [] });
    let gone = false;
    res.on('close', () => (gone = true));
    const deadline = Date.now() + Math.min(Number(body.timeout), 50) * 1000;
    for (;;) {
      if (gone) return;
      const updates = this.emulator.getUpdates(token);
      if (updates.length || Date.now() >= deadline) return send(res, 200, { ok: true, result: updates.map(asEdited) });
      await sleep(15);
    }
  }
}

function send(res: http.ServerResponse, status: number, body: Json): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** A message sent with `edit_date` is delivered as an edit of message `x_edit_of`. */
function asEdited(update: Json): Json {
  const msg = update.message;
  if (!msg?.edit_date) return update;
  const { x_edit_of, botToken: _t, ...rest } = msg;
  return { update_id: update.update_id, edited_message: { ...rest, message_id: x_edit_of } };
}

function toReply(m: StoredBotMessage): BotReply {
  const rm = m.message.reply_markup;
  const rp = m.message.reply_parameters;
  return {
    messageId: m.messageId,
    chatId: Number(m.message.chat_id),
    text: String(m.message.text ?? ''),
    parseMode: m.message.parse_mode,
    replyMarkup: typeof rm === 'string' ? JSON.parse(rm) : rm,
    replyTo: rp ? Number((typeof rp === 'string' ? JSON.parse(rp) : rp).message_id) : undefined,
    time: m.time,
  };
}

export class TestChat {
  constructor(
    readonly fake: FakeTelegram,
    readonly token: string,
    readonly userId: number,
    readonly chatId: number,
    readonly type: 'private' | 'group' | 'supergroup',
    readonly languageCode: string | undefined,
    readonly firstName: string,
  ) {}

  private base(): Json {
    return {
      botToken: this.token,
      date: Math.floor(Date.now() / 1000),
      from: { id: this.userId, is_bot: false, first_name: this.firstName, ...(this.languageCode ? { language_code: this.languageCode } : {}) },
      chat: this.type === 'private' ? { id: this.chatId, type: 'private', first_name: this.firstName } : { id: this.chatId, type: this.type, title: 'Test group' },
    };
  }

  /** Sends a text message (a leading /command gets its bot_command entity, as Telegram adds); returns its id. */
  async send(text: string, extra: Json = {}): Promise<number> {
    const cmd = /^\/\S+/.exec(text);
    const entities = cmd ? [{ type: 'bot_command', offset: 0, length: cmd[0].length }] : undefined;
    return this.sendRaw({ text, ...(entities ? { entities } : {}), ...extra });
  }

  /** Sends any message fields (a sticker, a photo…); returns the message id. */
  async sendRaw(fields: Json): Promise<number> {
    await this.fake.clientPost('sendMessage', { ...this.base(), ...fields });
    return this.fake.lastUserMessageId(this.token, this.chatId);
  }

  /** Edits an earlier message of this chat to `text`. */
  async edit(messageId: number, text: string): Promise<void> {
    await this.fake.clientPost('sendMessage', { ...this.base(), text, edit_date: Math.floor(Date.now() / 1000), x_edit_of: messageId });
  }

  /** A reply to one of the bot's messages. */
  async replyTo(botMessage: BotReply, text: string): Promise<number> {
    return this.send(text, {
      reply_to_message: { message_id: botMessage.messageId, date: Math.floor(botMessage.time / 1000), chat: this.base().chat, from: { id: EMULATED_BOT.id, is_bot: true, first_name: 'Bot', username: EMULATED_BOT.username }, text: botMessage.text },
    });
  }

  /** Presses an inline button of a bot message. */
  async press(botMessage: BotReply, data: string): Promise<void> {
    const b = this.base();
    await this.fake.clientPost('sendCallback', {
      botToken: this.token,
      date: b.date,
      from: b.from,
      data,
      message: { message_id: botMessage.messageId, date: Math.floor(botMessage.time / 1000), chat: b.chat, from: { id: EMULATED_BOT.id, is_bot: true, first_name: 'Bot' }, text: botMessage.text },
    });
  }

  replies(n = 1, timeoutMs?: number): Promise<BotReply[]> {
    return this.fake.nextReplies(this.token, this.chatId, n, timeoutMs);
  }

  async reply(timeoutMs?: number): Promise<BotReply> {
    return (await this.replies(1, timeoutMs))[0];
  }

  pending(ms?: number): Promise<BotReply[]> {
    return this.fake.pending(this.token, this.chatId, ms);
  }
}

const TELEGRAM_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler', 'a', 'tg-emoji', 'code', 'pre', 'blockquote']);

/**
 * Parses text as Telegram's HTML parse mode does, strictly: only its tags, properly nested; every `<`, `>` and `&`
 * outside a tag part of an entity. Returns what the reader sees; throws on anything Telegram would reject.
 */
export function parseTelegramHtml(html: string): string {
  let out = '';
  const stack: string[] = [];
  for (let i = 0; i < html.length; ) {
    const ch = html[i];
    if (ch === '<') {
      const end = html.indexOf('>', i);
      if (end < 0) throw new Error(`unclosed "<" at ${i}: ${JSON.stringify(html.slice(i, i + 40))}`);
      const tag = /^<(\/?)([a-z][a-z-]*)(\s+[a-z-]+="[^"<>]*")*\s*>$/i.exec(html.slice(i, end + 1));
      if (!tag) throw new Error(`malformed tag at ${i}: ${JSON.stringify(html.slice(i, end + 1))}`);
      const name = tag[2].toLowerCase();
      if (!TELEGRAM_TAGS.has(name)) throw new Error(`unsupported tag <${name}> at ${i}`);
      if (tag[1]) {
        const open = stack.pop();
        if (open !== name) throw new Error(`</${name}> at ${i} closes <${open ?? 'nothing'}>`);
      } else stack.push(name);
      i = end + 1;
    } else if (ch === '>') {
      throw new Error(`unescaped ">" at ${i}: ${JSON.stringify(html.slice(Math.max(0, i - 30), i + 10))}`);
    } else if (ch === '&') {
      const m = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);/i.exec(html.slice(i, i + 12));
      if (!m) throw new Error(`unescaped "&" at ${i}: ${JSON.stringify(html.slice(i, i + 20))}`);
      const e = m[1].toLowerCase();
      out += e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'amp' ? '&' : e === 'quot' ? '"' : String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
      i += m[0].length;
    } else {
      out += ch;
      i++;
    }
  }
  if (stack.length) throw new Error(`unclosed <${stack.join('>, <')}>`);
  return out;
}

/** What the reader sees of a bot message; throws if Telegram would refuse it (bad markup, empty, too long). */
export function visibleText(reply: Pick<BotReply, 'text' | 'parseMode'>): string {
  const text = reply.parseMode === 'HTML' ? parseTelegramHtml(reply.text) : reply.text;
  if (!text.trim()) throw new Error('empty message');
  if (text.length > 4096) throw new Error(`message of ${text.length} characters (limit 4096)`);
  return text;
}
