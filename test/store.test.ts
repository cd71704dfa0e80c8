import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildIndex, type BuildOptions } from '../src/index/build.js';
import { acquireLock, tryLock } from '../src/index/lock.js';
import { currentFolder, IndexDamagedError, loadIndex } from '../src/index/store.js';
import Database from 'better-sqlite3';
import { planQuery } from '../src/retrieve/query.js';
import { TERM_KEYS } from '../src/text/term-keys.js';
import { makeWorkspace, ROOT, type Workspace } from './helpers/workspace.js';

const BIN = path.join(ROOT, 'bin', 'citebot.js');
const QUESTION = 'Сколько стран входит в хаб?';

let ws: Workspace | undefined;
afterEach(() => ws?.cleanup());

function run(w: Workspace, command: string, args: string[]) {
  const r = spawnSync(process.execPath, [BIN, command, ...args], {
    cwd: w.root,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? w.root, ...w.env },
    encoding: 'utf8',
    timeout: 90_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function options(w: Workspace, extra: Partial<BuildOptions> = {}): BuildOptions {
  return { seedsDir: w.config.SEEDS_DIR, indexDir: w.config.INDEX_DIR, model: null, getEmbedder: async () => ({ embedder: null, reason: 'lexical test' }), ...extra };
}

const liveFile = (w: Workspace, name: string) => path.join(w.config.INDEX_DIR, currentFolder(w.config.INDEX_DIR)!, name);

/** Overwrites `n` bytes at `at` with their complement. */
function flip(file: string, at: number, n: number): void {
  const b = readFileSync(file);
  for (let i = at; i < Math.min(b.length, at + n); i++) b[i] = ~b[i] & 0xff;
  writeFileSync(file, b);
}

/** Replaces the first occurrence of `from` in the file's bytes by `to` (same length): a silent change of content. */
function rewrite(file: string, from: string, to: string): void {
  const b = readFileSync(file);
  const at = b.indexOf(Buffer.from(from));
  expect(at).toBeGreaterThan(0);
  Buffer.from(to).copy(b, at);
  writeFileSync(file, b);
}

/**
 * As after a running chat's watcher saw one rebuild: an incremental commit stays in `index.db-wal` while a reader
 * holds the state before it. Returns that reader (to be closed).
 */
async function commitIntoWal(w: Workspace) {
  const reader = await loadIndex(w.config.INDEX_DIR);
  const first = readdirSync(w.seeds).sort()[0];
  appendFileSync(path.join(w.seeds, first), '\n\nЕщё один абзац, добавленный позже.\n');
  expect(run(w, 'index', []).code).toBe(0);
  expect(statSync(`${liveFile(w, 'index.db')}-wal`).size).toBeGreaterThan(0);
  return reader;
}

describe('a damaged index is one line and rebuilds itself', () => {
  // `index` is tried on three of them (the others take the same path through the build).
  const damages: Array<{ name: string; file: string; model?: boolean; indexToo?: boolean; verify?: boolean; wal?: boolean; damage: (file: string) => void }> = [
    { name: 'index.db cut in half', file: 'index.db', indexToo: true, damage: (f) => truncateSync(f, Math.floor(statSync(f).size / 2)) },
    { name: 'index.db cut in half while its WAL holds a commit', file: 'index.db', indexToo: true, wal: true, damage: (f) => truncateSync(f, Math.floor(statSync(f).size / 2)) },
    { name: 'index.db emptied', file: 'index.db', indexToo: true, damage: (f) => truncateSync(f, 0) },
    { name: 'index.db with its header flipped', file: 'index.db', damage: (f) => flip(f, 0, 64) },
    { name: 'index.db with a figure of a passage changed', file: 'index.db', indexToo: true, verify: true, damage: (f) => rewrite(f, '43 страны-участницы', '99 страны-участницы') },
    { name: 'vec-1.hnsw cut short', file: 'vec-1.hnsw', model: true, damage: (f) => truncateSync(f, statSync(f).size - 100) },
    { name: 'vec-1.hnsw with 64 flipped bytes', file: 'vec-1.hnsw', model: true, indexToo: true, damage: (f) => flip(f, Math.floor(statSync(f).size / 2), 64) },
  ];
  for (const d of damages) {
    it(`ask: ${d.name}`, async () => {
      ws = await makeWorkspace({ model: d.model });
      expect(run(ws, 'index', []).code).toBe(0);
      const reader = d.wal ? await commitIntoWal(ws) : null;
      d.damage(liveFile(ws, d.file));
      const r = run(ws, 'ask', ['--json', QUESTION]);
      expect(r.stderr).toContain(`the index is damaged: ${d.file}; rebuilding`);
      expect(r.stderr.split('\n').filter((l) => l.includes('the index is damaged'))).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout.trim())).toMatchObject({ answered: true, answer: expect.stringMatching(/^43 страны-участницы/) });
      // Rebuilt for good: the next run finds it whole.
      const again = JSON.parse(run(ws, 'index', ['--json']).stdout.trim().split('\n').pop()!);
      expect(again).toMatchObject({ unchanged: 5, added: 0 });
      reader?.close();
    }, 120_000);

    it.runIf(d.indexToo)(`index repairs instead of reporting "unchanged": ${d.name}`, async () => {
      ws = await makeWorkspace({ model: d.model });
      expect(run(ws, 'index', []).code).toBe(0);
      const reader = d.wal ? await commitIntoWal(ws) : null;
      d.damage(liveFile(ws, d.file));
      // A changed passage is only seen by reading every row: --verify (answering checks each row it reads).
      const r = run(ws, 'index', ['--json', ...(d.verify ? ['--verify'] : [])]);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(`the index is damaged: ${d.file}; rebuilding`);
      const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
      expect(summary).toMatchObject({ added: 5, passages: expect.any(Number) });
      // Whole again: answered from the articles' own text, with no word of damage.
      const asked = run(ws, 'ask', ['--json', QUESTION]);
      expect(asked.stderr).not.toContain('damaged');
      expect(JSON.parse(asked.stdout.trim())).toMatchObject({ answered: true, answer: expect.stringMatching(/^43 страны-участницы/) });
      reader?.close();
    }, 120_000);
  }
});

describe('damage found while rows are being walked', () => {
  it('is IndexDamagedError, not a bare SqliteError (terms by key, the documents, every passage)', async () => {
    ws = await makeWorkspace();
    expect(run(ws, 'index', []).code).toBe(0);
    type Index = Awaited<ReturnType<typeof loadIndex>>;
    for (const walk of [(i: Index) => i.lexical.termsByKey('prefix', 'стран'), (i: Index) => [...i.documents()], (i: Index) => [...i.allPassages()]]) {
      const idx = await loadIndex(ws.config.INDEX_DIR);
      const file = liveFile(ws, 'index.db');
      const whole = readFileSync(file);
      // Cut to its first page (the schema) while open: SQLite meets the damage only on the pages it reads next.
      truncateSync(file, whole.readUInt16BE(16));
      let err: unknown;
      try {
        walk(idx);
      } catch (e) {
        err = e;
      }
      idx.close();
      writeFileSync(file, whole);
      expect(err).toBeInstanceOf(IndexDamagedError);
    }
  });
});

describe('the index lock', () => {
  it('lets exactly one of four processes in at a time, over 1,000 acquisitions', async () => {
    ws = await makeWorkspace({ seeds: false });
    const dir = ws.config.INDEX_DIR;
    mkdirSync(dir);
    const outs = await Promise.all(
      [0, 1, 2, 3].map(
        () =>
          new Promise<string>((resolve, reject) => {
            const p = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/helpers/lock-contender.ts'), dir, '250'], { cwd: ROOT });
            let out = '';
            p.stdout.on('data', (c) => (out += c));
            p.stderr.on('data', (c) => (out += c));
            p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(out))));
          }),
      ),
    );
    expect(outs.map((o) => o.trim())).toEqual(['violations 0', 'violations 0', 'violations 0', 'violations 0']);
  }, 120_000);

  it('a holder killed with SIGKILL leaves no lock behind (no pid to judge, nothing stale)', async () => {
    ws = await makeWorkspace({ seeds: false });
    const dir = ws.config.INDEX_DIR;
    mkdirSync(dir);
    const holder = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/helpers/lock-holder.ts'), dir], { cwd: ROOT });
    await new Promise<void>((resolve) => holder.stdout.on('data', (c) => String(c).includes('held') && resolve()));
    expect(tryLock(dir)).toBeNull();
    holder.kill('SIGKILL');
    await new Promise((r) => holder.on('exit', r));
    const release = tryLock(dir);
    expect(release).not.toBeNull();
    release!();
  }, 60_000);

  it('a second indexer waits for the first, with a message, and then finds the index up to date', async () => {
    ws = await makeWorkspace();
    const release = await acquireLock(ws.config.INDEX_DIR);
    const said: string[] = [];
    const second = buildIndex(options(ws, { onEvent: (e) => e.kind === 'wait' && said.push(e.message) }));
    await new Promise((r) => setTimeout(r, 300));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/another indexing run \(process \d+\) is working on .*; waiting/);
    release();
    const r = await second;
    expect(r.added).toBe(5);
    expect((await buildIndex(options(ws))).upToDate).toBe(true);
  }, 60_000);

  it('three first `ask`s on an empty index directory all answer (one builds, the others wait)', async () => {
    ws = await makeWorkspace();
    const w = ws;
    const runs = await Promise.all(
      [0, 1, 2].map(
        () =>
          new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
            const p = spawn(process.execPath, [BIN, 'ask', '--json', QUESTION], { cwd: w.root, env: { PATH: process.env.PATH!, HOME: w.root, ...w.env } });
            let stdout = '';
            let stderr = '';
            p.stdout.on('data', (c) => (stdout += c));
            p.stderr.on('data', (c) => (stderr += c));
            p.on('exit', (code) => resolve({ code, stdout, stderr }));
          }),
      ),
    );
    for (const r of runs) {
      expect(r.stderr).not.toMatch(/Another indexing run|\n\s+at /);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout.trim())).toMatchObject({ answered: true });
    }
  }, 120_000);
});

describe('an interrupted full build', () => {
  it('leaves no partial generation folder and no lock; the next build completes', async () => {
    ws = await makeWorkspace();
    for (let i = 0; i < 600; i++) ws.write(`bulk/${i}.txt`, `Статья ${i}\n` + `В районе ${i} построили мост длиной ${100 + i} метров. `.repeat(20));
    const abort = new AbortController();
    // Stopped after its first batch of 256 articles is written (the signal is checked between batches).
    const run = buildIndex(options(ws, { signal: abort.signal, onEvent: (e) => e.kind === 'plan' && setImmediate(() => abort.abort()) }));
    await expect(run).rejects.toThrow(/abort/i);
    expect(readdirSync(ws.config.INDEX_DIR).filter((f) => f.startsWith('gen-'))).toEqual([]);
    const free = tryLock(ws.config.INDEX_DIR);
    expect(free).not.toBeNull();
    free!();
    const r = await buildIndex(options(ws));
    expect(r.added).toBe(605);
  }, 60_000);
});

describe('incremental re-index', () => {
  it('a reader keeps the state it opened while a build commits; the next one sees the new state', async () => {
    ws = await makeWorkspace();
    await buildIndex(options(ws));
    const before = await loadIndex(ws.config.INDEX_DIR);
    const doc = '000_d5247af2f4a2beb1.txt';
    // What the old state holds, read through another reader (`before` reads nothing until after the commit).
    const probe = await loadIndex(ws.config.INDEX_DIR);
    const oldIds = probe.document(doc)!.passageIds;
    const oldText = probe.passage(oldIds[0])!.text;
    probe.close();
    ws.write(doc, readFileSync(path.join(ws.seeds, doc), 'utf8').replace('43 страны-участницы', '47 стран-участниц'));
    ws.write('new.txt', 'Новая статья\nВ Алматы открыли библиотеку на 300 мест.\n');
    const r = await buildIndex(options(ws));
    expect(r).toMatchObject({ added: 1, changed: 1 });
    // The old snapshot: same passages, same documents, same search results as before the commit.
    expect(before.passage(oldIds[0])!.text).toBe(oldText);
    expect(before.document(doc)!.passageIds).toEqual(oldIds);
    expect(before.document('new.txt')).toBeUndefined();
    expect(before.lexical.search([{ term: 'библиотек', weight: 1 }], 5)).toEqual([]);
    const after = await loadIndex(ws.config.INDEX_DIR);
    expect(after.generation).not.toBe(before.generation);
    expect(after.passage(oldIds[0])).toBeUndefined();
    expect(after.lexical.search([{ term: 'библиотек', weight: 1 }], 5).map((h) => after.passage(h.id)!.docId)).toEqual(['new.txt']);
    before.close();
    after.close();
  }, 60_000);

  it('one changed article writes a small segment, not the index again', async () => {
    ws = await makeWorkspace();
    const extra: Record<string, string> = {};
    for (let i = 0; i < 40; i++) extra[`more/${i}.txt`] = `Статья ${i}\n` + `В городе ${i} открыли новую школу на ${100 + i} мест. Строительство шло два года. `.repeat(30);
    for (const [f, t] of Object.entries(extra)) ws.write(f, t);
    await buildIndex(options(ws));
    const db = liveFile(ws, 'index.db');
    const sizeOf = () => statSync(db).size + (statSync(`${db}-wal`, { throwIfNoEntry: false })?.size ?? 0);
    const before = sizeOf();
    ws.write('more/7.txt', extra['more/7.txt'].replace('новую школу', 'новую больницу'));
    const r = await buildIndex(options(ws));
    expect(r).toMatchObject({ changed: 1, unchanged: 44 });
    const written = sizeOf() - before;
    expect(written).toBeLessThan(before / 4);
    const idx = await loadIndex(ws.config.INDEX_DIR);
    const hits = idx.lexical.search([{ term: 'больниц', weight: 1 }], 5);
    expect(hits.map((h) => idx.passage(h.id)!.docId)).toContain('more/7.txt');
    expect(idx.lexical.search([{ term: 'школ', weight: 1 }], 100).map((h) => idx.passage(h.id)!.docId)).not.toContain('more/7.txt');
    idx.close();
  }, 60_000);
});

describe('terms by key (cross-script and prefix matches without a walk over the vocabulary)', () => {
  const NAME_ARTICLE = 'Новый мост в Зюмбрановске\nВ городе Зюмбрановске открыли мост длиной 820 метров. Мост соединил два района.\n';
  /** The documents the question's plan finds, as retrieval searches them. */
  const docsFor = (idx: Awaited<ReturnType<typeof loadIndex>>, question: string, lang: 'en' | 'ru') =>
    idx.lexical.search(planQuery(question, idx.lexical, lang).terms, 10).map((h) => idx.passage(h.id)!.docId);
  /** The keys table against what it must equal: every term of the postings under each of its keys. */
  function keysMatchPostings(w: Workspace): void {
    const db = new Database(liveFile(w, 'index.db'), { readonly: true });
    const stored = (db.prepare('SELECT kind, key, term FROM term_keys ORDER BY kind, key, term').raw().all() as string[][]).map((r) => r.join(' '));
    const expected: string[] = [];
    for (const term of db.prepare('SELECT DISTINCT term FROM postings').pluck().all() as string[]) {
      for (const [kind, keyOf] of Object.entries(TERM_KEYS)) {
        const key = keyOf(term);
        if (key !== null) expected.push(`${kind} ${key} ${term}`);
      }
    }
    db.close();
    expect(stored).toEqual(expected.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  it('a term added by an incremental re-index is found by its keys; a removed article breaks nothing', async () => {
    ws = await makeWorkspace();
    await buildIndex(options(ws));
    keysMatchPostings(ws);
    const before = await loadIndex(ws.config.INDEX_DIR);
    expect(before.lexical.termsByKey('prefix', 'зюмбр')).toEqual([]);
    before.close();

    ws.write('name.txt', NAME_ARTICLE);
    const added = await buildIndex(options(ws));
    expect(added).toMatchObject({ added: 1, unchanged: 5 });
    expect(added.fullRebuild).toBeUndefined();
    keysMatchPostings(ws);
    let idx = await loadIndex(ws.config.INDEX_DIR);
    const [term] = idx.lexical.termsByKey('prefix', 'зюмбр');
    expect(term).toMatch(/^зюмбрановск/);
    expect(idx.lexical.termsByKey('sound', TERM_KEYS.sound(term)!)).toContain(term);
    // What a user sees: the name written in Latin letters finds the article (sound key), as does another case form (prefix).
    expect(docsFor(idx, 'How long is the bridge in Ziumbranovsk?', 'en')[0]).toBe('name.txt');
    expect(docsFor(idx, 'Какой мост в Зюмбрановском районе?', 'ru')[0]).toBe('name.txt');
    idx.close();

    ws.remove('name.txt');
    expect(await buildIndex(options(ws))).toMatchObject({ removed: 1 });
    idx = await loadIndex(ws.config.INDEX_DIR);
    expect(docsFor(idx, 'How long is the bridge in Ziumbranovsk?', 'en')).not.toContain('name.txt');
    idx.close();
    // Edits of another article add segments until the small ones are merged: the removed article's postings go,
    // and its terms' keys with them.
    const doc = '000_d5247af2f4a2beb1.txt';
    const text = readFileSync(path.join(ws.seeds, doc), 'utf8');
    for (let i = 1; i <= 6; i++) {
      ws.write(doc, `${text}\n\nДополнение номер ${i}.\n`);
      expect(await buildIndex(options(ws))).toMatchObject({ changed: 1 });
      keysMatchPostings(ws);
    }
    idx = await loadIndex(ws.config.INDEX_DIR);
    expect(idx.lexical.termsByKey('prefix', 'зюмбр')).toEqual([]);
    expect(docsFor(idx, 'Сколько стран входит в хаб?', 'ru').length).toBeGreaterThan(0);
    idx.close();
  }, 60_000);
});
