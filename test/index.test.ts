import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../src/config.js';
import { loadEmbedder } from '../src/embed/embedder.js';
import { buildIndex, type BuildOptions } from '../src/index/build.js';
import { LexicalIndex, textQuery } from '../src/index/lexical.js';
import { VectorIndex } from '../src/index/vectors.js';
import { currentGeneration, loadIndex, SCHEMA_VERSION } from '../src/index/store.js';
import { makeWorkspace, type Workspace } from './helpers/workspace.js';

let ws: Workspace | undefined;
afterEach(() => ws?.cleanup());

function options(config: Config, extra: Partial<BuildOptions> = {}): BuildOptions & { loads: number } {
  const o = {
    loads: 0,
    seedsDir: config.SEEDS_DIR,
    indexDir: config.INDEX_DIR,
    model: config.EMBEDDINGS ? { id: config.EMBEDDING_MODEL, dtype: config.EMBEDDING_DTYPE } : null,
    getEmbedder: async () => {
      o.loads++;
      const r = await loadEmbedder({ modelId: config.EMBEDDING_MODEL, modelsDir: config.MODELS_DIR, dtype: config.EMBEDDING_DTYPE, batchSize: 8, allowDownload: false });
      return r.ok ? { embedder: r.embedder } : { embedder: null, reason: r.reason };
    },
    ...extra,
  };
  return o;
}

const NEW_ARTICLE = 'Новый хаб в Алматы\nВ Алматы открылся новый региональный хаб цифровых решений. В нём работают 17 экспертов из пяти стран. Хаб будет проводить обучение для госслужащих региона.\n';

describe('indexing with the real transformers.js pipeline (generated model)', () => {
  it('builds vectors and lexical index, then re-embeds only what changed', async () => {
    ws = await makeWorkspace({ model: true });
    const first = await buildIndex(options(ws.config));
    expect(first).toMatchObject({ added: 5, changed: 0, removed: 0, unchanged: 0, upToDate: false });
    expect(first.embedded).toBe(first.passages);
    expect(first.model?.id).toBe(ws.config.EMBEDDING_MODEL);
    const idx = await loadIndex(ws.config.INDEX_DIR);
    expect(idx.vectors?.count).toBe(first.passages);
    expect(idx.lexical.passageCount).toBe(first.passages);
    expect(idx.header).toMatchObject({ schemaVersion: SCHEMA_VERSION, model: { id: ws.config.EMBEDDING_MODEL, dim: 64 } });
    for (const [doc, meta] of idx.documents()) {
      expect(meta.hash).toMatch(/^[0-9a-f]{64}$/);
      const text = readFileSync(path.join(ws.seeds, doc), 'utf8');
      for (const id of idx.document(doc)!.passageIds) {
        const p = idx.passage(id)!;
        expect(text.slice(p.start, p.end)).toBe(p.text);
      }
    }

    // Second run: nothing to do, no model load, no new generation.
    const gen = await currentGeneration(ws.config.INDEX_DIR);
    const again = options(ws.config);
    const second = await buildIndex(again);
    expect(second).toMatchObject({ added: 0, changed: 0, removed: 0, unchanged: 5, embedded: 0, upToDate: true });
    expect(again.loads).toBe(0);
    expect(await currentGeneration(ws.config.INDEX_DIR)).toBe(gen);

    // A file touched but not changed is read again, found equal, and not re-embedded.
    const touchedFile = path.join(ws.seeds, '001_6b6724220e226ad6.txt');
    utimesSync(touchedFile, new Date(), new Date(Date.now() + 5000));
    const touched = await buildIndex(options(ws.config));
    expect(touched).toMatchObject({ added: 0, changed: 0, removed: 0, unchanged: 5, embedded: 0 });

    // A new file is embedded alone.
    ws.write('extra/new.txt', NEW_ARTICLE);
    const added = await buildIndex(options(ws.config));
    expect(added).toMatchObject({ added: 1, changed: 0, removed: 0, unchanged: 5 });
    const idx2 = await loadIndex(ws.config.INDEX_DIR);
    const newIds = idx2.document('extra/new.txt')!.passageIds;
    expect(added.embedded).toBe(newIds.length);
    expect(idx2.vectors!.count).toBe(first.passages + newIds.length);
    expect(idx2.lexical.search(textQuery('экспертов Алматы', idx2.lexical.analyzer), 3)[0].id).toBe(newIds[0]);
    // Unchanged documents keep their passage ids (their vectors were not recomputed).
    for (const [doc] of idx.documents()) expect(idx2.document(doc)!.passageIds).toEqual(idx.document(doc)!.passageIds);

    // A changed file is re-embedded, alone.
    ws.write('extra/new.txt', NEW_ARTICLE.replace('17 экспертов', '19 экспертов'));
    const changed = await buildIndex(options(ws.config));
    expect(changed).toMatchObject({ added: 0, changed: 1, removed: 0, unchanged: 5, embedded: newIds.length });

    // Deleting it removes its passages from every index.
    ws.remove('extra/new.txt');
    const removed = await buildIndex(options(ws.config));
    expect(removed).toMatchObject({ added: 0, changed: 0, removed: 1, unchanged: 5, embedded: 0, passages: first.passages });
    const idx3 = await loadIndex(ws.config.INDEX_DIR);
    expect(idx3.document('extra/new.txt')).toBeUndefined();
    expect(idx3.lexical.passageCount).toBe(first.passages);
    expect(idx3.vectors!.count).toBe(first.passages);
    expect(idx3.lexical.search(textQuery('экспертов Алматы', idx3.lexical.analyzer), 5).every((h) => idx3.passage(h.id)!.docId !== 'extra/new.txt')).toBe(true);
    const q = await (await loadEmbedder({ modelId: ws.config.EMBEDDING_MODEL, modelsDir: ws.config.MODELS_DIR, dtype: 'q8', batchSize: 8, allowDownload: false }) as { ok: true; embedder: import('../src/embed/embedder.js').Embedder }).embedder.embedQuery('экспертов Алматы');
    expect(idx3.vectors!.search(q, 50).every((h) => idx3.passage(h.id) !== undefined)).toBe(true);
    // Incremental builds commit into the one generation folder.
    expect(readdirSync(ws.config.INDEX_DIR).filter((f) => f.startsWith('gen-')).length).toBe(1);
  }, 120_000);

  it('an interrupted build leaves the previous index whole and loadable', async () => {
    ws = await makeWorkspace({ model: true });
    await buildIndex(options(ws.config));
    const before = await loadIndex(ws.config.INDEX_DIR);
    for (let i = 0; i < 6; i++) ws.write(`bulk/${i}.txt`, NEW_ARTICLE.replace('17', String(20 + i)).repeat(3));
    const abort = new AbortController();
    const run = buildIndex(
      options(ws.config, {
        signal: abort.signal,
        onEvent: (e) => {
          if (e.kind === 'embed' && e.done > 0) abort.abort();
        },
      }),
    );
    await expect(run).rejects.toThrow();
    const after = await loadIndex(ws.config.INDEX_DIR);
    expect(after.generation).toBe(before.generation);
    expect([...after.documents()].map(([d]) => d)).toEqual([...before.documents()].map(([d]) => d));
    expect(after.vectors!.count).toBe(before.vectors!.count);
    // No half-written generation is left behind, and the lock is released for the next run.
    expect(readdirSync(ws.config.INDEX_DIR).filter((f) => f.startsWith('gen-'))).toEqual([before.generation.split(' ')[0]]);
    const next = await buildIndex(options(ws.config));
    expect(next.added).toBe(6);
  }, 120_000);

  it('a different embedding model (or dtype) rebuilds everything by itself', async () => {
    ws = await makeWorkspace({ model: true });
    const first = await buildIndex(options(ws.config));
    const other = { ...ws.config, EMBEDDING_DTYPE: 'fp32' as const };
    const rebuilt = await buildIndex(options(other));
    expect(rebuilt.fullRebuild).toMatch(/embedding model changed/);
    expect(rebuilt.embedded).toBe(first.passages);
    expect((await loadIndex(ws.config.INDEX_DIR)).info.model).toMatchObject({ dtype: 'fp32' });
  }, 120_000);

  it('without the model, indexing completes lexical-only, says why, and upgrades once the model is there', async () => {
    ws = await makeWorkspace({ model: true });
    const missing = { ...ws.config, EMBEDDING_MODEL: 'nobody/not-downloaded-model' };
    const t0 = performance.now();
    const r = await buildIndex(options(missing));
    expect(performance.now() - t0).toBeLessThan(15_000);
    expect(r.model).toBeNull();
    expect(r.fallback?.reason).toBeTruthy();
    expect(r.passages).toBeGreaterThan(20);
    const idx = await loadIndex(ws.config.INDEX_DIR);
    expect(idx.vectors).toBeNull();
    expect(idx.lexical.search(textQuery('хаб', idx.lexical.analyzer), 1).length).toBe(1);
    // The model becomes available: vectors are added by a full re-embed.
    const up = await buildIndex(options(ws.config));
    expect(up.fullRebuild).toMatch(/now available/);
    expect(up.model?.id).toBe(ws.config.EMBEDDING_MODEL);
  }, 120_000);

  it('a bad article never stops the run', async () => {
    ws = await makeWorkspace();
    ws.write('broken.txt', new Uint8Array([0xff, 0xfe, 0x00, 0x41, 0x00]));
    ws.write('empty.md', '');
    const r = await buildIndex(options(ws.config));
    expect(r.added).toBe(5);
    expect(r.warnings.map((w) => w.file).sort()).toEqual(['broken.txt', 'empty.md']);
  });

  it('keeps the index consistent when the seeds folder is emptied', async () => {
    ws = await makeWorkspace();
    await buildIndex(options(ws.config));
    for (const f of readdirSync(ws.seeds)) ws.remove(f);
    const r = await buildIndex(options(ws.config));
    expect(r).toMatchObject({ removed: 5, passages: 0 });
    expect((await loadIndex(ws.config.INDEX_DIR)).info.passages).toBe(0);
    writeFileSync(path.join(ws.seeds, 'back.txt'), NEW_ARTICLE);
    expect((await buildIndex(options(ws.config))).added).toBe(1);
    expect(existsSync(path.join(ws.config.INDEX_DIR, 'index.lock'))).toBe(true); // never deleted: see lock.ts
  });
});

describe('BM25', () => {
  const docs = [
    'хаб объединяет страны региона',
    'хаб хаб хаб проводит исследования для стран',
    'конференция по меритократии собрала экспертов из многих стран и организаций мира',
    'исследования хаба',
  ];

  it('scores idf · tf · (k1 + 1) / (tf + k1 · (1 − b + b · len / avg)) and ranks by it', () => {
    const idx = new LexicalIndex('exact');
    docs.forEach((d, i) => idx.add(i, d));
    const lens = docs.map((d) => d.split(' ').length);
    const avg = lens.reduce((a, b) => a + b) / lens.length;
    const bm25 = (tf: number, len: number, df: number) =>
      Math.log(1 + (docs.length - df + 0.5) / (df + 0.5)) * ((tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * len) / avg)));
    const hits = idx.search([{ term: 'хаб', weight: 1 }], 10);
    expect(hits.map((h) => h.id)).toEqual([1, 0]);
    // Per-posting factors are kept as float32 (half the memory of a cached posting list): 7 significant digits.
    expect(hits[0].score).toBeCloseTo(bm25(3, lens[1], 2), 6);
    expect(hits[1].score).toBeCloseTo(bm25(1, lens[0], 2), 6);
  });

  it('after adding and removing passages, scores equal those of an index built from scratch', () => {
    const edited = new LexicalIndex('stem');
    docs.forEach((d, i) => edited.add(i, d));
    const queries = ['хаб стран', 'исследования', 'хаб', 'конференция экспертов'];
    for (const q of queries) edited.search(textQuery(q, edited.analyzer), 10); // caches made for the first state must not survive the edits
    edited.remove(0, docs[0]);
    edited.add(7, 'новый хаб в алматы для стран центральной азии');
    const fresh = new LexicalIndex('stem');
    docs.forEach((d, i) => i !== 0 && fresh.add(i, d));
    fresh.add(7, 'новый хаб в алматы для стран центральной азии');
    for (const q of queries) {
      const a = edited.search(textQuery(q, edited.analyzer), 10);
      const b = fresh.search(textQuery(q, fresh.analyzer), 10);
      expect(a.length).toBeGreaterThan(0);
      expect(a.map((h) => h.id)).toEqual(b.map((h) => h.id));
      a.forEach((h, i) => expect(h.score).toBeCloseTo(b[i].score, 12));
    }
  });
});

describe('vector index', () => {
  // Deterministic unit vectors: a few clusters, so that neighbours are well defined.
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5;
  const unit = (v: Float32Array) => {
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
  const vec = (centre?: Float32Array) => unit(Float32Array.from({ length: 32 }, (_, i) => (centre ? centre[i] : 0) + rnd()));
  const cosine = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);
  const exactTop = (vs: Map<number, Float32Array>, q: Float32Array, k: number) =>
    [...vs].map(([id, v]) => ({ id, score: cosine(q, v) })).sort((a, b) => b.score - a.score || a.id - b.id).slice(0, k);

  for (const size of [40, 600]) {
    it(`finds the nearest vectors, best first, and follows additions and removals (${size} vectors)`, () => {
      const centres = Array.from({ length: 5 }, () => vec());
      const vs = new Map<number, Float32Array>();
      const index = VectorIndex.create(32, 16);
      for (let id = 0; id < size; id++) {
        const v = vec(centres[id % 5].map((x) => x * 3));
        vs.set(id, v);
        index.add(id, v);
      }
      const queries = Array.from({ length: 10 }, (_, i) => vec(centres[i % 5].map((x) => x * 3)));
      const agree = () => {
        let found = 0;
        for (const q of queries) {
          const got = index.search(q, 10);
          const want = exactTop(vs, q, 10);
          expect(got.map((h) => h.score)).toEqual([...got.map((h) => h.score)].sort((a, b) => b - a));
          for (const h of got) expect(h.score).toBeCloseTo(cosine(q, vs.get(h.id)!), 5);
          found += got.filter((h) => want.some((w) => w.id === h.id)).length;
        }
        return found / (queries.length * 10);
      };
      expect(agree()).toBeGreaterThanOrEqual(size <= 128 ? 1 : 0.9);
      // Removed vectors are never found again; added ones are.
      for (let id = 0; id < size; id += 3) {
        index.remove(id);
        vs.delete(id);
      }
      for (const q of queries) for (const h of index.search(q, 10)) expect(vs.has(h.id)).toBe(true);
      const extra = vec(centres[0].map((x) => x * 3));
      index.add(size + 1, extra);
      vs.set(size + 1, extra);
      expect(index.count).toBe(vs.size);
      expect(index.search(extra, 1)[0].id).toBe(size + 1);
      for (const q of queries) for (const h of index.search(q, 10)) expect(vs.has(h.id)).toBe(true);
      expect(agree()).toBeGreaterThanOrEqual(size <= 128 ? 1 : 0.9);
    });
  }
});
