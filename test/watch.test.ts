import { appendFileSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AnswerService } from '../src/answer/service.js';
import { buildIndex } from '../src/index/build.js';
import { tryLock } from '../src/index/lock.js';
import { currentGeneration, loadIndex } from '../src/index/store.js';
import { buildInBackground, changedSince, followSeeds, watchSeeds, type SeedsWatcher } from '../src/watch/index.js';
import { loadSentencePool, syntheticDocument, syntheticFileName } from '../bench/lib/corpus.js';
import { makeWorkspace, type Workspace } from './helpers/workspace.js';

const lexical = (ws: Workspace) => buildIndex({ seedsDir: ws.config.SEEDS_DIR, indexDir: ws.config.INDEX_DIR, model: null, getEmbedder: async () => ({ embedder: null, reason: 'off' }) });
const ARTICLE = 'Новый мост через Иртыш\nВ Семее построили новый мост длиной 1 250 метров. Его открыли для движения в пятницу.\n';

let ws: Workspace | undefined;
let watcher: SeedsWatcher | undefined;
afterEach(async () => {
  await watcher?.stop();
  watcher = undefined;
  ws?.cleanup();
});

/** Waits until `check` holds, polling; fails after `ms`. */
async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<number> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - t0;
}

/** The documents of the live index, and the text of one document's passages. */
async function docs(ws: Workspace): Promise<string[]> {
  const index = await loadIndex(ws.config.INDEX_DIR, { vectors: false });
  try {
    return [...index.documents()].map(([id]) => id).sort();
  } finally {
    index.close();
  }
}
async function indexedText(ws: Workspace, doc: string): Promise<string> {
  const index = await loadIndex(ws.config.INDEX_DIR, { vectors: false });
  try {
    return (index.document(doc)?.passageIds ?? []).map((id) => index.passage(id)?.text ?? '').join(' ');
  } finally {
    index.close();
  }
}

describe('the index follows seeds/', () => {
  it('indexes an added file, a changed one and a deleted one in the background, each within 20 s', async () => {
    ws = await makeWorkspace();
    await lexical(ws);
    const indexed: string[] = [];
    watcher = watchSeeds(ws.config, { onIndexed: (s) => indexed.push(`${s.added}/${s.changed}/${s.removed}`) });
    await new Promise((r) => setTimeout(r, 300)); // the watcher is ready
    ws.write('news/bridge.txt', ARTICLE);
    await until(async () => (await docs(ws!)).includes('news/bridge.txt'), 20_000);
    ws.write('news/bridge.txt', ARTICLE.replace('1 250', '1 300'));
    await until(async () => (await indexedText(ws!, 'news/bridge.txt')).includes('1 300 метров'), 20_000);
    ws.remove('news/bridge.txt');
    await until(async () => !(await docs(ws!)).includes('news/bridge.txt'), 20_000);
    await watcher.idle();
    expect(indexed).toEqual(['1/0/0', '0/1/0', '0/0/1']);
  }, 70_000);

  it('follows a folder created while the watcher was still reading the tree, and the file that came with it', async () => {
    ws = await makeWorkspace();
    await lexical(ws);
    // chokidar, left alone, never watched a folder made 1–3 ms after it started (nor reported the file in it).
    for (const ms of [1, 2, 3]) {
      const index = await loadIndex(ws.config.INDEX_DIR, { vectors: false });
      watcher = watchSeeds(ws.config, { index });
      await new Promise((r) => setTimeout(r, ms));
      ws.write(`early${ms}/first.txt`, ARTICLE);
      await until(async () => (await docs(ws!)).includes(`early${ms}/first.txt`), 15_000);
      ws.write(`early${ms}/second.txt`, ARTICLE.replace('1 250', '1 300'));
      await until(async () => (await docs(ws!)).includes(`early${ms}/second.txt`), 15_000);
      await watcher.stop();
      watcher = undefined;
      index.close();
    }
  }, 120_000);

  it('a burst of 500 files copied in is one rebuild; editors’ temporary files are ignored', async () => {
    ws = await makeWorkspace();
    await lexical(ws);
    watcher = watchSeeds(ws.config);
    await new Promise((r) => setTimeout(r, 300));
    const pool = await loadSentencePool(ws.seeds);
    for (let i = 0; i < 500; i++) {
      const text = syntheticDocument(pool, 7, i);
      ws.write(`burst/${syntheticFileName(text, i)}`, text);
    }
    // An editor saving through a temporary file, a swap file and a backup: one article changes.
    ws.write('.note.md.swp', 'swap');
    ws.write('note.md~', 'backup');
    ws.write('note.md.tmp', '# Заметка\n\nТекст заметки о новом парке.\n');
    renameSync(path.join(ws.seeds, 'note.md.tmp'), path.join(ws.seeds, 'note.md'));
    await until(() => watcher!.builds > 0, 30_000);
    await watcher.idle();
    expect(watcher.builds).toBe(1);
    const ids = await docs(ws);
    expect(ids.filter((d) => d.startsWith('burst/'))).toHaveLength(500);
    expect(ids).toContain('note.md');
    expect(ids.some((d) => d.includes('swp') || d.endsWith('~') || d.endsWith('.tmp'))).toBe(false);
  }, 60_000);

  it('waits for a file still being copied: the whole file is indexed, not its first half', async () => {
    ws = await makeWorkspace();
    await lexical(ws);
    watcher = watchSeeds(ws.config, { settleMs: 600 });
    await new Promise((r) => setTimeout(r, 300));
    const file = path.join(ws.seeds, 'slow.txt');
    writeFileSync(file, 'Медленный файл\nПервая половина статьи о строительстве школы на 600 мест.\n');
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 250));
      appendFileSync(file, `Абзац ${i + 1} продолжает рассказ о строительстве школы.\n`);
    }
    appendFileSync(file, 'Последняя строка: школу откроют в сентябре.\n');
    await until(async () => (await docs(ws!)).includes('slow.txt'), 15_000);
    await watcher.idle();
    expect(watcher.builds).toBe(1);
    expect(await indexedText(ws, 'slow.txt')).toContain('школу откроют в сентябре');
  }, 30_000);

  it.each([['an incremental build', true], ['a first build', false]])('SIGTERM during %s leaves no partial generation and no lock; the old index stays', async (_name, indexed) => {
    ws = await makeWorkspace();
    if (indexed) await lexical(ws);
    else mkdirSync(ws.config.INDEX_DIR);
    const before = await currentGeneration(ws.config.INDEX_DIR);
    const entries = () => readdirSync(ws!.config.INDEX_DIR).filter((f) => !f.startsWith('index.lock')).sort();
    const filesBefore = entries();
    const pool = await loadSentencePool(ws.seeds);
    for (let i = 0; i < 3000; i++) {
      const text = syntheticDocument(pool, 11, i);
      ws.write(`many/${syntheticFileName(text, i)}`, text);
    }
    let child: import('node:child_process').ChildProcess | undefined;
    let reading!: () => void;
    const started = new Promise<void>((r) => (reading = r));
    // SIGTERM once the build is reading the 3,000 files (the phase that yields between files).
    const build = buildInBackground(ws.config, { onSpawn: (c) => (child = c), onEvent: (e) => e.kind === 'progress' && e.phase === 'scan' && reading() });
    await started;
    child!.kill('SIGTERM');
    await expect(build).rejects.toThrow(/abort|interrupt|stopped/i);
    expect(await currentGeneration(ws.config.INDEX_DIR)).toBe(before);
    expect(entries()).toEqual(filesBefore);
    const release = tryLock(ws.config.INDEX_DIR);
    expect(release).not.toBeNull();
    release!();
    if (indexed) expect((await docs(ws)).length).toBe(5);
  }, 60_000);

  it('knows which articles changed since the index was built (for `citebot ask`)', async () => {
    ws = await makeWorkspace();
    await lexical(ws);
    const index = await loadIndex(ws.config.INDEX_DIR);
    try {
      expect(await changedSince(ws.seeds, index)).toEqual({ changed: [], removed: 0 });
      ws.write('new.txt', ARTICLE);
      ws.remove('000_d5247af2f4a2beb1.txt');
      expect(await changedSince(ws.seeds, index)).toEqual({ changed: ['new.txt'], removed: 1 });
    } finally {
      index.close();
    }
  });

  it('takes a file skipped at the last build for unchanged while its size and time stay the same', async () => {
    ws = await makeWorkspace();
    ws.write('broken.bin.txt', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 1]));
    ws.write('empty.txt', '');
    const first = await lexical(ws);
    expect(first.warnings.map((w) => w.file).sort()).toEqual(['broken.bin.txt', 'empty.txt']);
    let index = await loadIndex(ws.config.INDEX_DIR);
    try {
      expect(await changedSince(ws.seeds, index)).toEqual({ changed: [], removed: 0 });
    } finally {
      index.close();
    }
    // A bad file added after the build: a change once, recorded by the next (incremental) build.
    ws.write('utf16.txt', Buffer.from('\ufeffПривет, мир. Это статья.', 'utf16le'));
    index = await loadIndex(ws.config.INDEX_DIR);
    try {
      expect(await changedSince(ws.seeds, index)).toEqual({ changed: ['utf16.txt'], removed: 0 });
    } finally {
      index.close();
    }
    expect((await lexical(ws)).warnings.map((w) => w.file)).toContain('utf16.txt');
    index = await loadIndex(ws.config.INDEX_DIR);
    try {
      expect(await changedSince(ws.seeds, index)).toEqual({ changed: [], removed: 0 });
      // Rewritten with other bytes: a change again.
      ws.write('empty.txt', 'x');
      expect((await changedSince(ws.seeds, index)).changed).toEqual(['empty.txt']);
    } finally {
      index.close();
    }
  });

  it('stop() waits for the start-up check: an index closed right after stop() raises nothing', async () => {
    ws = await makeWorkspace();
    await lexical(ws);
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      for (let i = 0; i < 5; i++) {
        const index = await loadIndex(ws.config.INDEX_DIR);
        const warnings: string[] = [];
        const w = watchSeeds(ws.config, { index, onWarning: (t) => warnings.push(t) });
        await w.stop();
        index.close();
        expect(warnings).toEqual([]);
      }
      // An index closed under the check (not through stop()): one warning line, not an unhandled rejection.
      const index = await loadIndex(ws.config.INDEX_DIR);
      const warnings: string[] = [];
      watcher = watchSeeds(ws.config, { index, onWarning: (t) => warnings.push(t) });
      index.close();
      await until(() => warnings.length > 0, 5000);
      expect(warnings).toEqual([expect.stringMatching(/^warning: could not compare .* with the index \(.*not open/)]);
      await new Promise((r) => setTimeout(r, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('never shows a quote whose sentence was edited out of its file: the answer waits for the re-index', async () => {
    ws = await makeWorkspace({ seeds: false, articles: { 'bridge.txt': ARTICLE } });
    await lexical(ws);
    const service = await AnswerService.open(ws.config);
    // A long quiet time: the edit is not yet indexed when the question comes.
    const seeds = followSeeds(ws.config, service, {});
    try {
      const a = await seeds.service.ask('Какой длины новый мост в Семее?');
      expect(a.text).toContain('1 250 метров');
      ws.write('bridge.txt', ARTICLE.replace('длиной 1 250 метров', 'длиной 1 400 метров'));
      const b = await seeds.service.ask('Какой длины новый мост в Семее?');
      expect(b.text).not.toContain('1 250');
      expect(b.text).toContain('1 400 метров');
    } finally {
      await seeds.stop();
      await service.close();
    }
  }, 30_000);

  it('WATCH_SEEDS=0 turns watching off: a new file stays out of the index', async () => {
    ws = await makeWorkspace({ env: { WATCH_SEEDS: '0' } });
    expect(ws.config.WATCH_SEEDS).toBe(false);
    await lexical(ws);
    const service = await AnswerService.open(ws.config);
    const seeds = followSeeds(ws.config, service, {});
    try {
      expect(seeds.watcher).toBeNull();
      expect(seeds.service).toBe(service);
      ws.write('bridge.txt', ARTICLE);
      await new Promise((r) => setTimeout(r, 2500));
      expect(await docs(ws)).not.toContain('bridge.txt');
    } finally {
      await seeds.stop();
      await service.close();
    }
  });

  it('names an unreadable file once, not after every change, and indexes the rest', async () => {
    ws = await makeWorkspace();
    await lexical(ws);
    const warnings: string[] = [];
    watcher = watchSeeds(ws.config, { onWarning: (t) => warnings.push(t) });
    await new Promise((r) => setTimeout(r, 300));
    ws.write('broken.txt', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 1]));
    ws.write('a.txt', ARTICLE);
    await until(async () => (await docs(ws!)).includes('a.txt'), 15_000);
    ws.write('b.txt', ARTICLE.replace('Семее', 'Павлодаре'));
    await until(async () => (await docs(ws!)).includes('b.txt'), 15_000);
    await watcher.idle();
    expect(warnings.filter((w) => w.includes('broken.txt'))).toHaveLength(1);
    expect(warnings[0]).toMatch(/^warning: skipped broken\.txt: binary/);
  }, 40_000);
});
