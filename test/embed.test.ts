import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutoTokenizer } from '@huggingface/transformers';
import { generateBertModel } from '../scripts/make-test-model.js';
import { loadEmbedder, type Embedder } from '../src/embed/embedder.js';
import { loadThreadedEmbedder } from '../src/embed/threaded.js';
import { ensureTestModel } from './helpers/test-model.js';

const TEXTS = [
  'Представители 30 стран мира обсуждают проблемы и перспективы развития госслужбы.',
  'Әлемнің 40-тан астам елінің өкілдері елордада мемлекеттік басқару саласында бас қосты.',
  'Conference on innovative methods of civil servants’ development.',
  'Ёлка',
  'Указом Президента Республики Казахстан от 17 июля 2024 года № 602 утверждена Концепция развития государственной службы на 2024-2029 годы, которая определяет новые подходы к отбору, оценке и продвижению государственных служащих.',
  'Hub',
  'Нұр-Сұлтанда Мемлекеттік қызмет хабының дәстүрлі конференциясы басталды.',
];

function norm(v: Float32Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s / (norm(a) * norm(b));
}

let tmp: string;
let model: { modelsDir: string; modelId: string };
let embedder: Embedder;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'citebot-embed-'));
  model = await ensureTestModel();
  const r = await loadEmbedder({ ...model, dtype: 'q8', batchSize: 3, allowDownload: false });
  if (!r.ok) throw new Error(r.reason);
  embedder = r.embedder;
});

afterAll(async () => {
  await embedder?.dispose();
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('generated test model', () => {
  it('loads offline through transformers.js and reports its dimension', () => {
    expect(embedder.modelId).toBe(model.modelId);
    expect(embedder.dim).toBe(64);
  });

  it('tokenises Russian, Kazakh and English into known pieces, keeping й and ё', async () => {
    const tok = await AutoTokenizer.from_pretrained(path.join(model.modelsDir, model.modelId), { local_files_only: true });
    const pieces = TEXTS.flatMap((t) => tok.tokenize(t));
    expect(pieces.filter((p) => p === '[UNK]').length).toBe(0);
    expect(tok.tokenize('Ёлка и йогурт').join(' ')).toMatch(/^ё.*й/);
    const ids = tok('passage: hub').input_ids.tolist()[0];
    expect(tok.decode(ids)).toBe('[CLS] passage : hub [SEP]');
  });
});

describe('embedder', () => {
  it('gives unit vectors of the model dimension', async () => {
    const vs = await embedder.embedPassages(TEXTS);
    expect(vs).toHaveLength(TEXTS.length);
    for (const v of vs) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v.length).toBe(embedder.dim);
      expect(Math.abs(norm(v) - 1)).toBeLessThan(1e-5);
    }
    const q = await embedder.embedQuery('сколько стран участвовало');
    expect(q.length).toBe(embedder.dim);
    expect(Math.abs(norm(q) - 1)).toBeLessThan(1e-5);
  });

  it('is deterministic', async () => {
    const a = await embedder.embedQuery('Астанинский хаб государственной службы');
    const b = await embedder.embedQuery('Астанинский хаб государственной службы');
    expect(Array.from(a)).toEqual(Array.from(b));
    const [p1] = await embedder.embedPassages([TEXTS[0]]);
    const [p2] = await embedder.embedPassages([TEXTS[0]]);
    expect(Array.from(p1)).toEqual(Array.from(p2));
  });

  it('embeds queries and passages differently (e5 prefixes)', async () => {
    const q = await embedder.embedQuery(TEXTS[2]);
    const [p] = await embedder.embedPassages([TEXTS[2]]);
    expect(maxAbsDiff(q, p)).toBeGreaterThan(1e-3);
  });

  it('gives the same vectors batched as one by one, in input order, with progress', async () => {
    const progress: Array<[number, number]> = [];
    const batched = await embedder.embedPassages(TEXTS, (done, total) => progress.push([done, total]));
    for (let i = 0; i < TEXTS.length; i++) {
      const [single] = await embedder.embedPassages([TEXTS[i]]);
      expect(maxAbsDiff(batched[i], single)).toBeLessThan(1e-5);
    }
    expect(progress).toEqual([
      [3, 7],
      [6, 7],
      [7, 7],
    ]);
    expect(await embedder.embedPassages([])).toEqual([]);
  });

  it('truncates long inputs to the model length', async () => {
    const long = 'госслужба '.repeat(2000);
    const [v] = await embedder.embedPassages([long]);
    expect(v.length).toBe(embedder.dim);
    expect(Number.isFinite(norm(v))).toBe(true);
  });
});

describe('loading failures', () => {
  it('reports a missing model quickly when downloading is off', async () => {
    const t0 = performance.now();
    const r = await loadEmbedder({ modelId: 'nobody/no-such-model', modelsDir: tmp, dtype: 'q8', batchSize: 4, allowDownload: false });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.kind).toBe('missing');
    expect(r.reason).toContain('nobody/no-such-model');
    expect(r.reason).toContain('ALLOW_MODEL_DOWNLOAD=0');
    expect(r.reason).not.toContain('\n');
  });

  it('reports a corrupt onnx file', async () => {
    const dir = path.join(tmp, 'corrupt', 'citebot', 'broken');
    await fs.cp(path.join(model.modelsDir, model.modelId), dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'onnx', 'model_quantized.onnx'), Buffer.from('this is not an onnx model'));
    const r = await loadEmbedder({ modelId: 'citebot/broken', modelsDir: path.join(tmp, 'corrupt'), dtype: 'q8', batchSize: 4, allowDownload: false });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.kind).toBe('corrupt');
    expect(r.reason).toContain('citebot/broken');
    expect(r.reason).not.toContain('\n');
  });

  it('fails fast when the hub cannot be reached', async () => {
    const saved = process.env.HF_ENDPOINT;
    process.env.HF_ENDPOINT = 'http://127.0.0.1:1'; // nothing listens there
    try {
      const t0 = performance.now();
      const r = await loadEmbedder({ modelId: 'nobody/offline-model', modelsDir: tmp, dtype: 'q8', batchSize: 4, allowDownload: true });
      expect(performance.now() - t0).toBeLessThan(3000);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.kind).toBe('network');
      expect(r.reason).toContain('could not be reached');
    } finally {
      if (saved === undefined) delete process.env.HF_ENDPOINT;
      else process.env.HF_ENDPOINT = saved;
    }
  });
});

describe('download', () => {
  /** A stand-in for the hub on 127.0.0.1 serving `root/<model id>/<file>` at `/<model id>/resolve/main/<file>`. */
  async function startHub(root: string, hang = false): Promise<{ url: string; close: () => Promise<void> }> {
    const server = http.createServer(async (req, res) => {
      if (hang) return; // accept and never answer
      const m = /^\/(.+?)\/resolve\/[^/]+\/(.+)$/.exec(decodeURIComponent(req.url ?? ''));
      const file = m ? path.join(root, m[1], m[2]) : '';
      let data: Buffer;
      try {
        data = await fs.readFile(file);
      } catch {
        res.writeHead(404).end('Entry not found');
        return;
      }
      const range = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '');
      if (range) {
        const [a, b] = [Number(range[1]), Math.min(Number(range[2]), data.length - 1)];
        res.writeHead(206, { 'content-range': `bytes ${a}-${b}/${data.length}`, 'content-length': b - a + 1 }).end(data.subarray(a, b + 1));
        return;
      }
      res.writeHead(200, { 'content-length': data.length }).end(data);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }

  async function withHub<T>(url: string, fn: () => Promise<T>): Promise<T> {
    const saved = process.env.HF_ENDPOINT;
    process.env.HF_ENDPOINT = url;
    try {
      return await fn();
    } finally {
      if (saved === undefined) delete process.env.HF_ENDPOINT;
      else process.env.HF_ENDPOINT = saved;
    }
  }

  it('downloads into modelsDir/<modelId>/ with progress, then loads from there offline', async () => {
    const hub = await startHub(model.modelsDir);
    const modelsDir = path.join(tmp, 'downloaded');
    const seen = new Map<string, [number, number]>();
    try {
      const r = await withHub(hub.url, () =>
        loadEmbedder({
          ...model,
          modelsDir,
          dtype: 'q8',
          batchSize: 4,
          allowDownload: true,
          onDownloadProgress: (file, loaded, total) => seen.set(file, [loaded, total]),
        }),
      );
      if (!r.ok) throw new Error(r.reason);
      const q1 = await r.embedder.embedQuery('госслужба');
      await r.embedder.dispose();

      const size = (await fs.stat(path.join(model.modelsDir, model.modelId, 'onnx', 'model_quantized.onnx'))).size;
      expect(seen.get('onnx/model_quantized.onnx')).toEqual([size, size]);
      for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx']) {
        await expect(fs.stat(path.join(modelsDir, model.modelId, f))).resolves.toBeTruthy();
      }

      const again = await loadEmbedder({ ...model, modelsDir, dtype: 'q8', batchSize: 4, allowDownload: false });
      if (!again.ok) throw new Error(again.reason);
      expect(Array.from(await again.embedder.embedQuery('госслужба'))).toEqual(Array.from(q1));
      await again.embedder.dispose();
    } finally {
      await hub.close();
    }
  });

  it('gives up on a hub that does not answer', async () => {
    const hub = await startHub(model.modelsDir, true);
    try {
      const t0 = performance.now();
      const r = await withHub(hub.url, () =>
        loadEmbedder({ modelId: 'nobody/slow-model', modelsDir: tmp, dtype: 'q8', batchSize: 4, allowDownload: true, timeoutMs: 300 }),
      );
      expect(performance.now() - t0).toBeLessThan(3000);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.kind).toBe('network');
      expect(r.reason).toContain('did not answer');
    } finally {
      await hub.close();
    }
  });
});

describe('generator', () => {
  const corpusTexts = ['Астана хабы госслужба конференция', 'Мемлекеттік қызмет хабы', 'civil service hub conference'];

  it('is deterministic: same seed, same bytes', async () => {
    const a = await generateBertModel({ outDir: path.join(tmp, 'gen-a'), corpusTexts, seed: 7, quantized: true });
    const b = await generateBertModel({ outDir: path.join(tmp, 'gen-b'), corpusTexts, seed: 7, quantized: true });
    const c = await generateBertModel({ outDir: path.join(tmp, 'gen-c'), corpusTexts, seed: 8, quantized: true });
    expect(a.vocabSize).toBe(b.vocabSize);
    for (const f of ['onnx/model.onnx', 'onnx/model_quantized.onnx', 'tokenizer.json', 'config.json']) {
      const [x, y] = await Promise.all([fs.readFile(path.join(a.outDir, f)), fs.readFile(path.join(b.outDir, f))]);
      expect(x.equals(y)).toBe(true);
    }
    const [x, z] = await Promise.all([fs.readFile(path.join(a.outDir, 'onnx/model.onnx')), fs.readFile(path.join(c.outDir, 'onnx/model.onnx'))]);
    expect(x.equals(z)).toBe(false);
  });

  it('makes an int8 graph that runs and stays close to the fp32 one', async () => {
    const modelsDir = path.join(tmp, 'quant');
    const r = await generateBertModel({ outDir: path.join(modelsDir, 'citebot', 'quant'), corpusTexts, seed: 3, quantized: true, vocabSize: 500 });
    expect(r.vocabSize).toBe(500);
    const fp32 = await loadEmbedder({ modelId: 'citebot/quant', modelsDir, dtype: 'fp32', batchSize: 4, allowDownload: false });
    const q8 = await loadEmbedder({ modelId: 'citebot/quant', modelsDir, dtype: 'q8', batchSize: 4, allowDownload: false });
    if (!fp32.ok) throw new Error(fp32.reason);
    if (!q8.ok) throw new Error(q8.reason);
    const [a] = await fp32.embedder.embedPassages([corpusTexts[0]]);
    const [b] = await q8.embedder.embedPassages([corpusTexts[0]]);
    expect(maxAbsDiff(a, b)).toBeGreaterThan(0);
    expect(cosine(a, b)).toBeGreaterThan(0.98);
    await fp32.embedder.dispose();
    await q8.embedder.dispose();
    const [s32, s8] = await Promise.all(
      ['model.onnx', 'model_quantized.onnx'].map(async (f) => (await fs.stat(path.join(r.outDir, 'onnx', f))).size),
    );
    expect(s8).toBeLessThan(s32 / 2);
  });
});

describe('in a worker thread', () => {
  it('gives the same vectors as in the main thread, for questions and passages', async () => {
    const r = await loadThreadedEmbedder({ ...model, dtype: 'q8', batchSize: 3, allowDownload: false });
    if (!r.ok) throw new Error(r.reason);
    const w = r.embedder;
    try {
      expect(w.modelId).toBe(model.modelId);
      expect(w.dim).toBe(embedder.dim);
      // Many questions at once (as from several chats): each gets its own vector back.
      const together = await Promise.all(TEXTS.map((t) => w.embedQuery(t)));
      for (const [i, t] of TEXTS.entries()) expect(maxAbsDiff(together[i], await embedder.embedQuery(t))).toBe(0);
      const seen: number[] = [];
      const ps = await w.embedPassages(TEXTS, (done) => seen.push(done));
      const local = await embedder.embedPassages(TEXTS);
      ps.forEach((v, i) => expect(maxAbsDiff(v, local[i])).toBe(0));
      expect(seen.at(-1)).toBe(TEXTS.length);
      // A long text (truncated by the model) gives the same result too.
      const long = TEXTS[4].repeat(400);
      expect(maxAbsDiff(await w.embedQuery(long), await embedder.embedQuery(long))).toBe(0);
    } finally {
      await w.dispose();
    }
    await expect(w.embedQuery('x')).rejects.toThrow(/disposed/);
  });

  it('never blocks the caller\'s event loop while it embeds, and wakes from idle for new work', async () => {
    const r = await loadThreadedEmbedder({ ...model, dtype: 'q8', batchSize: 3, allowDownload: false });
    if (!r.ok) throw new Error(r.reason);
    const w = r.embedder;
    const delay = monitorEventLoopDelay({ resolution: 1 });
    try {
      const long = TEXTS[4].repeat(20);
      const t0 = performance.now();
      await embedder.embedPassages(Array(6).fill(long));
      const inline = performance.now() - t0;
      delay.enable();
      const vs = await Promise.all([w.embedPassages(Array(6).fill(long)), ...TEXTS.map((t) => w.embedQuery(t))]);
      delay.disable();
      expect(vs).toHaveLength(TEXTS.length + 1);
      // The same work on this thread blocks it for `inline` ms; through the worker, the loop keeps turning.
      expect(inline).toBeGreaterThan(20);
      expect(delay.max / 1e6).toBeLessThan(Math.max(15, inline / 2));
      await new Promise((r) => setTimeout(r, 300));
      const t1 = performance.now();
      await w.embedQuery('госслужба');
      expect(performance.now() - t1).toBeLessThan(300);
    } finally {
      await w.dispose();
    }
  });

  it('reports a missing model like the main-thread loader, in one line', async () => {
    const r = await loadThreadedEmbedder({ modelId: 'nobody/no-such-model', modelsDir: tmp, dtype: 'q8', batchSize: 4, allowDownload: false });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.kind).toBe('missing');
    expect(r.reason).toContain('nobody/no-such-model');
    expect(r.reason).not.toContain('\n');
  });
});
