/** Smoke tests of the benchmark's own parts (fast: no model, no index); the benchmark itself is `npm run bench`. */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSentencePool, rng, syntheticDocument, syntheticFileName } from '../bench/lib/corpus.js';
import { hashVector } from '../bench/lib/hash-embedder.js';
import { renderMarkdown, renderSvg, TARGETS } from '../bench/lib/report.js';
import { median, percentile, round } from '../bench/lib/stats.js';
import { lineChart } from '../bench/lib/svg.js';
import { detectLanguage } from '../src/text/language.js';
import { ROOT } from './helpers/workspace.js';

describe('synthetic corpus', () => {
  it('is deterministic: the same seed and index give the same document and file name', async () => {
    const pool = await loadSentencePool();
    const a = syntheticDocument(pool, 7, 42);
    const b = syntheticDocument(pool, 7, 42);
    expect(a).toBe(b);
    expect(syntheticFileName(a, 42)).toBe(syntheticFileName(b, 42));
    expect(syntheticDocument(pool, 7, 43)).not.toBe(a);
    expect(syntheticDocument(pool, 8, 42)).not.toBe(a);
  });

  it('looks like the seed articles: a title line, 200–800 words, one language, sentences of the seeds', async () => {
    const pool = await loadSentencePool();
    const langs = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const doc = syntheticDocument(pool, 1, i);
      const [title, blank] = doc.split('\n');
      expect(title.length).toBeGreaterThan(10);
      expect(blank).toBe('');
      const words = doc.split(/\s+/).filter(Boolean).length;
      expect(words).toBeGreaterThan(180);
      expect(words).toBeLessThan(1100);
      langs.add(detectLanguage(doc));
    }
    expect([...langs].sort()).toEqual(['en', 'kk', 'ru']);
  });

  it('has a reproducible random stream', () => {
    const a = rng(5);
    const b = rng(5);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('stand-in vectors', () => {
  it('are unit vectors of the asked dimension, the same for the same text, closer for texts sharing words', () => {
    const a = hashVector('хаб государственной службы', 384);
    const b = hashVector('хаб государственной службы', 384);
    const c = hashVector('хаб службы Астана', 384);
    const d = hashVector('weather in Paris tomorrow', 384);
    const dot = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * y[i], 0);
    expect(a.length).toBe(384);
    expect(dot(a, a)).toBeCloseTo(1, 5);
    expect([...a]).toEqual([...b]);
    expect(dot(a, c)).toBeGreaterThan(dot(a, d));
  });
});

describe('report', () => {
  it('computes nearest-rank percentiles', () => {
    const xs = [5, 1, 4, 2, 3];
    expect(median(xs)).toBe(3);
    expect(percentile(xs, 95)).toBe(5);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 95)).toBe(95);
    expect(round(12.345)).toBe(12.3);
    expect(round(0.12345)).toBe(0.123);
  });

  it('renders the table with every target and a well-formed chart', () => {
    const result = {
      figures: { query_p50_ms_lexical_10k: 4, query_p95_ms_lexical_10k: 20, hybrid_over_bare_p50: 1.2, reindex_one_doc_s_10k: 3, peer_ratio_minisearch: 9 },
      meta: {
        date: '2026-01-01T00:00:00.000Z',
        quick: true,
        machine: { cpus: 2, cpu: 'cpu', memory_gb: 4, node: 'v20', platform: 'linux' },
        load_average_start: [0, 0, 0],
        load_average_end: [0, 0, 0],
        corpora: { '5': 5, '1k': 1000, '10k': 10000 },
        questions: 22,
        recall_questions: 20,
        passes: { lexical: 1, hybrid: 1, peers: 1 },
        seconds: 1,
        large_index_reused: false,
      },
      details: {
        latency: { lexical_5: { p50: 1, p95: 2 }, lexical_1k: { p50: 2, p95: 3 }, lexical_10k: { p50: 4, p95: 20 }, hybrid_10k: { p50: 7, bare_embed_p50: 6 } },
        peers: {
          '5': { citebot_lexical: { path: 'lexical', recall5: 0.9 }, minisearch: { path: 'lexical', recall5: 0.8 } },
          '10k': { citebot_lexical: { path: 'lexical', p50_ms: 1, recall5: 0.1 }, minisearch: { path: 'lexical', p50_ms: 9, ratio: 9, recall5: 0.2 } },
        },
      },
      notes: [],
    };
    const md = renderMarkdown(result);
    for (const t of TARGETS) expect(md).toContain(t.figure);
    expect(md).toMatch(/query_p95_ms_lexical_10k` \| 20 \| \*\*no\*\*/);
    expect(md).toMatch(/peer_ratio_minisearch` \| ×9; recall@5 ours 0.9, peer 0.8 \| yes/);
    const svg = renderSvg(result);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 'a', color: '#000', points: [[5, 1], [1000, NaN]] }] })).toContain('<path');
  });
});

describe('a fresh clone without ../shared', () => {
  // The repository's bench/ copied (its .cache left out), the rest linked: ../shared is not beside it.
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'citebot-bench-clone-'));
  const repo = path.join(tmp, 'repo');
  mkdirSync(path.join(repo, 'bench'), { recursive: true });
  for (const e of readdirSync(path.join(ROOT, 'bench'))) if (e !== '.cache') cpSync(path.join(ROOT, 'bench', e), path.join(repo, 'bench', e), { recursive: true });
  for (const e of ['src', 'scripts', 'seeds', 'node_modules', 'package.json', 'tsconfig.json']) symlinkSync(path.join(ROOT, e), path.join(repo, e));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const bench = (file: string, args: string[]) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${file}`, ...args], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const oneLine = (r: { stderr: string }) => {
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  };

  it('npm run bench, --scale and reindex-latency say in one line that they need the dev questions, exit 2', () => {
    const missing = path.join(tmp, 'shared', 'eval', 'dev.jsonl');
    for (const [file, args] of [['run.ts', ['--quick']], ['run.ts', ['--scale', '1k']], ['reindex-latency.ts', []]] as const) {
      const r = bench(file, [...args]);
      expect(r.code, `${file} ${args.join(' ')}: ${r.stderr}`).toBe(2);
      oneLine(r);
      expect(r.stderr).toContain(`needs the shared dev questions at ${missing}`);
      expect(r.stderr).toContain('--questions FILE');
    }
  }, 120_000);

  it('--help names --questions; a missing or malformed --questions file is one line too', () => {
    const help = bench('run.ts', ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--questions FILE/);
    const none = bench('run.ts', ['--quick', '--questions', path.join(tmp, 'nope.jsonl')]);
    expect(none.code).toBe(2);
    oneLine(none);
    expect(none.stderr).toMatch(/nope\.jsonl not found/);
    writeFileSync(path.join(tmp, 'bad.jsonl'), '{"question": "ok?"}\nnot json\n');
    const bad = bench('run.ts', ['--quick', '--questions', path.join(tmp, 'bad.jsonl')]);
    expect(bad.code).toBe(2);
    oneLine(bad);
    expect(bad.stderr).toMatch(/bad\.jsonl:2: not JSON/);
  }, 120_000);
});
