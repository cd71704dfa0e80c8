/**
 * The scale tier: `npm run bench -- --scale 100k [--json]` (also 10k, 30k). For each corpus size up to the one
 * given (1k, 10k, 30k, 100k; the bench's synthetic generator), as a user runs citebot, in child processes:
 * a full lexical build (time, peak RSS, index size, the most it took on disk meanwhile), the cold start of `ask` to its first answer (lexical, and with
 * hash vectors where built), answering RSS and latency over the dev questions (`ask --file`), and the re-index
 * after one changed article (time, bytes written). Writes bench/scale.json and bench/scale.svg; with --json the
 * last line of stdout holds the figures named in issue 15.
 */
import { existsSync, promises as fs, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildIndex } from '../src/index/build.js';
import { runCli, type SpawnResult } from './lib/coldstart.js';
import { ensureCorpus, loadSentencePool } from './lib/corpus.js';
import { HashEmbedder } from './lib/hash-embedder.js';
import { BENCH_CACHE, BENCH_DIR } from './lib/paths.js';
import { readQuestions, usageExit } from './lib/questions.js';
import { median, percentile, round } from './lib/stats.js';
import { lineChart } from './lib/svg.js';
import { ensureTimingModel } from './lib/timing-model.js';

const SIZES = [1_000, 10_000, 30_000, 100_000];
const key = (n: number) => `${n / 1000}k`;

function du(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? du(p) : statSync(p).size;
  }
  return total;
}

/** `du`, or null when a file vanished while it was walked (a build renames and removes as it goes). */
function duNow(dir: string): number | null {
  try {
    return du(dir);
  } catch {
    return null;
  }
}

/** Samples the size of `dir` every 200 ms while `work` runs; returns its result and the largest size seen. */
async function withPeakSize<T>(dir: string, work: Promise<T>): Promise<{ result: T; peakBytes: number }> {
  let peak = 0;
  const sample = () => (peak = Math.max(peak, duNow(dir) ?? 0));
  const timer = setInterval(sample, 200);
  try {
    const result = await work;
    sample();
    return { result, peakBytes: peak };
  } finally {
    clearInterval(timer);
  }
}

/** Median of three cold starts (`ask` spawned, to its first answer): the machine is shared, one run is noise. */
async function coldStart(question: string, env: Record<string, string>, what: string): Promise<{ ms: number; runs: number[]; last: SpawnResult }> {
  const runs: number[] = [];
  let last: SpawnResult | null = null;
  for (let i = 0; i < 3; i++) {
    last = await runCli('ask', ['--json', question], env);
    if (last.code !== 0) fail(what, last);
    runs.push(round(last.firstAnswerMs));
  }
  return { ms: median(runs), runs, last: last! };
}

function fail(what: string, r: SpawnResult): never {
  throw new Error(`${what} failed (exit ${r.code}): ${r.stderr.slice(-2000)}`);
}

export async function runScale(max: string, json: boolean, questionsFile: string, say: (s: string) => void): Promise<void> {
  const maxN = SIZES.find((n) => key(n) === max);
  if (!maxN) usageExit(`--scale takes one of ${SIZES.map(key).join(', ')}`);
  const sizes = SIZES.filter((n) => n <= maxN);
  const questions = readQuestions(questionsFile).map((q) => q.question);
  const qFile = path.join(BENCH_CACHE, 'scale-questions.jsonl');
  await fs.mkdir(BENCH_CACHE, { recursive: true });
  // Each question twice: the second sight is what a warm service answers.
  writeFileSync(qFile, [...questions, ...questions].map((q, i) => JSON.stringify({ id: i, question: q })).join('\n') + '\n');
  const model = await ensureTimingModel(say);
  const pool = await loadSentencePool();
  const rows: Array<Record<string, number>> = [];
  const figures: Record<string, number> = {};
  for (const n of sizes) {
    const k = key(n);
    const corpus = await ensureCorpus(String(n), n, { pool, log: say });
    const lexDir = path.join(BENCH_CACHE, 'index', `scale-${k}-lexical`);
    await fs.rm(lexDir, { recursive: true, force: true });
    const env = { SEEDS_DIR: corpus.dir, INDEX_DIR: lexDir, EMBEDDINGS: '0', ALLOW_MODEL_DOWNLOAD: '0', MODELS_DIR: model.modelsDir, LOG_LEVEL: 'silent' };
    say(`${k}: full lexical build…`);
    const { result: build, peakBytes } = await withPeakSize(lexDir, runCli('index', ['--json'], env));
    if (build.code !== 0) fail('build', build);
    const summary = JSON.parse(build.stdout.trim().split('\n').pop()!);
    const final = du(lexDir);
    const row: Record<string, number> = {
      documents: n,
      passages: summary.passages,
      build_s: round(build.exitMs / 1000),
      build_peak_rss_mb: round(build.maxRssMb),
      index_mb: round(final / 1e6),
      build_disk_peak_ratio: Math.round((peakBytes / final) * 100) / 100,
    };
    say(`  ${summary.passages} passages in ${row.build_s} s, peak RSS ${row.build_peak_rss_mb} MB, index ${row.index_mb} MB (on disk during the build at most ${row.build_disk_peak_ratio}× that)`);

    const cold = await coldStart(questions[0], env, 'ask');
    row.cold_start_ms_lexical = cold.ms;
    const batch = await runCli('ask', ['--file', qFile], env);
    if (batch.code !== 0) fail('ask --file', batch);
    const totals = batch.stdout.trim().split('\n').map((l) => JSON.parse(l).timings_ms?.total as number).filter((x) => Number.isFinite(x));
    const warm = totals.slice(questions.length);
    row.query_p50_ms_lexical = round(median(warm));
    row.query_p95_ms_lexical = round(percentile(warm, 95));
    row.query_p95_ms_lexical_first_sight = round(percentile(totals.slice(0, questions.length), 95));
    row.rss_mb_lexical = round(batch.maxRssMb);
    say(`  cold start ${row.cold_start_ms_lexical} ms (median of ${cold.runs.join(', ')}); answering p50 ${row.query_p50_ms_lexical} / p95 ${row.query_p95_ms_lexical} ms (first sight p95 ${row.query_p95_ms_lexical_first_sight}); RSS ${row.rss_mb_lexical} MB`);

    // One changed article: its passages replaced, a small segment written.
    const file = path.join(corpus.dir, corpus.editable!);
    const original = readFileSync(file, 'utf8');
    const live = () => path.join(lexDir, readFileSync(path.join(lexDir, 'CURRENT'), 'utf8').split(' ')[0]);
    const times: number[] = [];
    let written = 0;
    for (const text of [original + '\nДополнение: в проекте участвуют 12 новых партнеров.\n', original]) {
      writeFileSync(file, text);
      const before = du(live());
      const r = await runCli('index', ['--json'], env);
      if (r.code !== 0) fail('re-index', r);
      times.push(r.exitMs / 1000);
      written = Math.max(written, du(live()) - before);
    }
    row.reindex_one_doc_s = round(median(times));
    row.reindex_one_doc_growth_kb = round(written / 1024);
    say(`  re-index of one changed article: ${times.map((t) => t.toFixed(2)).join(', ')} s (process start included); index grew ≤ ${row.reindex_one_doc_growth_kb} KB`);

    if (n === maxN || n === 10_000) {
      // Vectors: hash vectors of the timing model's dimension (the model itself would take hours here).
      const hybDir = path.join(BENCH_CACHE, 'index', `scale-${k}-hashvec`);
      await fs.rm(hybDir, { recursive: true, force: true });
      say(`${k}: build with hash vectors (384-d HNSW)…`);
      const t = performance.now();
      const dim = 384;
      const b = await buildIndex({ seedsDir: corpus.dir, indexDir: hybDir, model: { id: model.modelId, dtype: 'q8' }, getEmbedder: async () => ({ embedder: new HashEmbedder(model.modelId, dim) }) });
      row.build_s_hash_vectors = round((performance.now() - t) / 1000);
      say(`  ${b.passages} passages with vectors in ${row.build_s_hash_vectors} s`);
      const henv = { ...env, INDEX_DIR: hybDir, EMBEDDINGS: '1', EMBEDDING_MODEL: model.modelId, EMBEDDING_DTYPE: 'q8' };
      const hc = await coldStart(questions[0], henv, 'hybrid ask');
      row.cold_start_ms_hybrid = hc.ms;
      const hb = await runCli('ask', ['--file', qFile], henv);
      if (hb.code !== 0) fail('hybrid ask --file', hb);
      const ht = hb.stdout.trim().split('\n').map((l) => JSON.parse(l).timings_ms?.total as number).filter((x) => Number.isFinite(x)).slice(questions.length);
      row.query_p50_ms_hybrid = round(median(ht));
      row.rss_mb_hybrid = round(hb.maxRssMb);
      say(`  hybrid: cold start ${row.cold_start_ms_hybrid} ms (median of ${hc.runs.join(', ')}), p50 ${row.query_p50_ms_hybrid} ms, RSS ${row.rss_mb_hybrid} MB${/lexical index only/.test(hb.stderr) ? ' (WARNING: answered lexical only)' : ''}`);
      await fs.rm(hybDir, { recursive: true, force: true });
    }
    rows.push(row);
    if (n !== maxN) await fs.rm(lexDir, { recursive: true, force: true });
    for (const [name, v] of Object.entries(row)) if (name !== 'documents') figures[`${name}_${k}`] = v;
  }
  const top = rows[rows.length - 1];
  const k = key(maxN);
  const keys: Record<string, number> = {
    [`cold_start_ms_${k}_lexical`]: top.cold_start_ms_lexical,
    [`cold_start_ms_${k}_hybrid`]: top.cold_start_ms_hybrid,
    [`rss_mb_${k}_lexical`]: top.rss_mb_lexical,
    [`rss_mb_${k}_hybrid`]: top.rss_mb_hybrid,
    [`query_p95_ms_lexical_${k}`]: top.query_p95_ms_lexical,
    [`reindex_one_doc_s_${k}`]: top.reindex_one_doc_s,
    [`build_s_${k}_lexical`]: top.build_s,
    [`build_peak_rss_mb_${k}`]: top.build_peak_rss_mb,
    [`build_disk_peak_ratio_${k}`]: top.build_disk_peak_ratio,
  };
  const out = { measured_at: new Date().toISOString(), rows, figures: { ...figures, ...keys } };
  if (maxN >= 30_000) {
    writeFileSync(path.join(BENCH_DIR, 'scale.json'), JSON.stringify(out, null, 1) + '\n');
    writeFileSync(path.join(BENCH_DIR, 'scale.svg'), chart(rows));
  }
  say(JSON.stringify(rows));
  if (json) process.stdout.write(JSON.stringify(keys) + '\n');
}

/** Start, latency and memory against corpus size: one chart, memory in tens of MB to share the axis. */
function chart(rows: Array<Record<string, number>>): string {
  const pts = (f: string, scale = 1) => rows.filter((r) => Number.isFinite(r[f])).map((r) => [r.documents, r[f] * scale] as [number, number]);
  return lineChart({
    title: 'citebot at scale (synthetic corpus, one machine, 2 cores)',
    subtitle: 'lexical unless marked; RSS ÷ 10 to share the axis',
    xLabel: 'articles',
    yLabel: 'ms (RSS: MB ÷ 10)',
    series: [
      { name: 'cold start → 1st answer', color: '#1f77b4', points: pts('cold_start_ms_lexical') },
      { name: 'answer p95', color: '#d62728', points: pts('query_p95_ms_lexical') },
      { name: 'answering RSS ÷ 10', color: '#2ca02c', points: pts('rss_mb_lexical', 0.1) },
      { name: 'build peak RSS ÷ 10', color: '#9467bd', dash: '4 3', points: pts('build_peak_rss_mb', 0.1) },
      { name: 'hybrid RSS ÷ 10', color: '#8c564b', dash: '2 2', points: pts('rss_mb_hybrid', 0.1) },
    ],
    hlines: [{ y: 2000, label: 'cold start target', color: '#1f77b4' }],
  });
}

export const scaleExists = () => existsSync(path.join(BENCH_DIR, 'scale.json'));
