/**
 * citebot benchmark: `npm run bench` (full, ~10 minutes on 2 cores) or `npm run bench -- --quick` (smoke test,
 * under a minute). `--json` prints the figures as one JSON object on the last line of stdout (progress goes to
 * stderr). Writes bench/results.json, bench/results.md and bench/latency.svg (with --quick:
 * bench/.cache/quick/…, so a smoke test never overwrites the real results).
 *
 * Every figure is a median (or a percentile) over repeated runs in this one process after a warm-up; every
 * comparison (ours against a peer, hybrid against the bare model) is measured interleaved, question by question,
 * in the same run. See bench/README.md for what each figure means and how it is made.
 */
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AnswerService } from '../src/answer/service.js';
import { loadConfig, type Config } from '../src/config.js';
import { defaultThreadCount, loadEmbedder, type Embedder } from '../src/embed/embedder.js';
import { loadThreadedEmbedder, questionThreads } from '../src/embed/threaded.js';
import { buildIndex, type BuildEvent } from '../src/index/build.js';
import type { SqliteIndex } from '../src/index/sqlite.js';
import { loadIndex } from '../src/index/store.js';
import { retrieve } from '../src/retrieve/hybrid.js';
import type { Answer } from '../src/types.js';
import { runAsk } from './lib/coldstart.js';
import { ensureCorpus, loadSentencePool, rng, type Corpus } from './lib/corpus.js';
import { HashEmbedder, hashVector, ModelCostHashEmbedder } from './lib/hash-embedder.js';
import { BENCH_CACHE, BENCH_DIR, DEV_QUESTIONS, ROOT } from './lib/paths.js';
import { exactTopK, memoryVectorStorePeer, miniSearchPeer, miniSearchStemPeer, oramaPeer, storedVectors, type DensePeer, type LexicalPeer } from './lib/peers.js';
import { renderMarkdown, renderSvg, TARGETS } from './lib/report.js';
import { median, percentile, round } from './lib/stats.js';
import { readQuestions, usageExit } from './lib/questions.js';
import { ensureTimingModel } from './lib/timing-model.js';

// ---------------------------------------------------------------------------------------------------------
// options

interface Options {
  quick: boolean;
  json: boolean;
  /** Reuse the large corpus's index from an earlier run when corpus and src/ are unchanged (development aid). */
  reuse: boolean;
  cold: boolean;
  peers: boolean;
  /** JSON lines with a "question" field; default the shared dev split (../shared/eval/dev.jsonl). */
  questions: string;
}

const USAGE = `usage: npm run bench -- [--quick] [--json] [--reuse] [--no-cold] [--no-peers] [--questions FILE]
       npm run bench -- --scale 1k|10k|30k|100k [--json] [--questions FILE]
--questions FILE: the questions asked (JSON lines with a "question" field; "sources" and "answerable" for recall);
default ../shared/eval/dev.jsonl beside the repository, the public dev split.
`;

/** The command line through node:util's parseArgs; a mistake is one line and exit 2. */
function readArgs(argv: string[]): Options & { scale?: string } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean' },
        json: { type: 'boolean' },
        reuse: { type: 'boolean' },
        'no-cold': { type: 'boolean' },
        'no-peers': { type: 'boolean' },
        questions: { type: 'string' },
        scale: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    usageExit(`${(e as Error).message} (try --help)`);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  return {
    quick: !!values.quick,
    json: !!values.json,
    reuse: !!values.reuse,
    cold: !values['no-cold'],
    peers: !values['no-peers'],
    questions: values.questions ?? DEV_QUESTIONS,
    scale: values.scale,
  };
}

const opts = readArgs(process.argv.slice(2));
// The scale tier runs on its own (bench/scale.ts): `--scale 100k [--json]`.
if (opts.scale !== undefined) {
  const { runScale } = await import('./scale.js');
  const started = performance.now();
  await runScale(opts.scale, opts.json, opts.questions, (s) => process.stderr.write(`[scale ${((performance.now() - started) / 1000).toFixed(0).padStart(5)} s] ${s}\n`));
  process.exit(0);
}
const t0 = performance.now();
const say = (s: string) => process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${s}\n`);

/** Document counts of the three corpora and repetitions; quick mode keeps the figure names but shrinks everything. */
const PLAN = opts.quick
  ? { small: 5, mid: 30, large: 300, lexicalPasses: 3, hybridPasses: 2, barePasses: 2, peerPasses: 2, reindexPairs: 1, coldRuns: 1 }
  : { small: 5, mid: 1000, large: 10000, lexicalPasses: 15, hybridPasses: 10, barePasses: 4, peerPasses: 5, reindexPairs: 2, coldRuns: 3 };
const OUT_DIR = opts.quick ? path.join(BENCH_CACHE, 'quick') : BENCH_DIR;
const SIZE_KEY = { small: '5', mid: '1k', large: '10k' } as const;
type SizeName = keyof typeof SIZE_KEY;

// ---------------------------------------------------------------------------------------------------------
// questions

const items = readQuestions(opts.questions);
const questions = items.map((i) => i.question);
const recallItems = items.filter((i) => i.answerable && i.sources?.length);

function recallAt5(ranked: Map<string, number[]>, index: SqliteIndex): number {
  let hit = 0;
  for (const it of recallItems) {
    const docs = new Set((ranked.get(it.question) ?? []).slice(0, 5).map((id) => index.passage(id)?.docId));
    if (it.sources.some((s) => docs.has(s))) hit++;
  }
  return recallItems.length ? hit / recallItems.length : NaN;
}

// ---------------------------------------------------------------------------------------------------------
// setup

const figures: Record<string, number | string | null> = {};
const details: Record<string, unknown> = {};
const notes: string[] = [];
const loadStart = os.loadavg();

say(`${opts.quick ? 'quick' : 'full'} run on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}; load average ${loadStart.map((x) => x.toFixed(2)).join(' ')}`);
if (loadStart[0] > 0.5 * os.cpus().length) say(`warning: the machine is busy (load ${loadStart[0].toFixed(2)}): timings will be noisy`);

const model = await ensureTimingModel(say);
const modelRef = { id: model.modelId, dtype: 'q8' };
const tLoad = performance.now();
const loaded = await loadEmbedder({ modelId: model.modelId, modelsDir: model.modelsDir, dtype: 'q8', batchSize: 16, allowDownload: false });
if (!loaded.ok) throw new Error(`timing model: ${loaded.reason}`);
const timingModel = loaded.embedder;
figures.model_load_ms = round(performance.now() - tLoad);
say(`timing model loaded in ${figures.model_load_ms} ms (dim ${timingModel.dim})`);

/** The shared model, handed to services and builds without letting them dispose of it. */
const shared = (e: Embedder): Embedder => ({
  modelId: e.modelId,
  get dim() {
    return e.dim;
  },
  embedPassages: (t, p) => e.embedPassages(t, p),
  embedQuery: (t) => e.embedQuery(t),
  dispose: async () => undefined,
});

const pool = await loadSentencePool();
const corpora: Record<SizeName, Corpus> = {
  small: { name: 'seeds', dir: path.join(ROOT, 'seeds'), documents: pool.seeds.length },
  mid: await ensureCorpus(String(PLAN.mid), PLAN.mid, { pool, log: say }),
  large: await ensureCorpus(String(PLAN.large), PLAN.large, { pool, log: say }),
};
const indexDir = (s: SizeName) => path.join(BENCH_CACHE, 'index', `${corpora[s].name}-${s === 'large' ? 'hashvec' : 'model'}`);

/** The settings of one benchmark index, as environment variables (for child processes too). */
function envFor(s: SizeName, embeddings: boolean, logLevel = 'silent'): Record<string, string> {
  return {
    SEEDS_DIR: corpora[s].dir,
    INDEX_DIR: indexDir(s),
    MODELS_DIR: model.modelsDir,
    EMBEDDING_MODEL: model.modelId,
    EMBEDDING_DTYPE: 'q8',
    EMBEDDINGS: embeddings ? '1' : '0',
    ALLOW_MODEL_DOWNLOAD: '0',
    LOG_LEVEL: logLevel,
  };
}

function configFor(s: SizeName, embeddings: boolean): Config {
  return loadConfig(envFor(s, embeddings));
}

// ---------------------------------------------------------------------------------------------------------
// index builds

/**
 * Wall time between buildIndex's own progress events. What happens in each depends on build.ts; at the time of
 * writing: until `scan` = read the manifest, list/stat the articles and read the new or changed ones; `scan`→`plan`
 * = chunk them; `plan`→`write` = load the previous index (if something changed), embed, update the indexes in
 * memory; `write`→end = write the new generation.
 */
interface PhaseTimes {
  until_scan_s: number;
  scan_to_plan_s: number;
  plan_to_write_s: number;
  write_s: number;
}

async function timedBuild(s: SizeName, embedder: Embedder, fresh: boolean) {
  const dir = indexDir(s);
  if (fresh) await fs.rm(dir, { recursive: true, force: true });
  const marks: Partial<Record<BuildEvent['kind'], number>> = {};
  const start = performance.now();
  const summary = await buildIndex({
    seedsDir: corpora[s].dir,
    indexDir: dir,
    model: modelRef,
    getEmbedder: async () => ({ embedder }),
    onEvent: (e) => {
      if (!(e.kind in marks)) marks[e.kind] = performance.now();
    },
  });
  const end = performance.now();
  const scan = marks.scan ?? start;
  const plan = marks.plan ?? scan;
  const write = marks.write ?? end;
  const phases: PhaseTimes = {
    until_scan_s: round((scan - start) / 1000),
    scan_to_plan_s: round((plan - scan) / 1000),
    plan_to_write_s: round((write - plan) / 1000),
    write_s: round((end - write) / 1000),
  };
  return { summary, seconds: (end - start) / 1000, phases };
}

say(`building the ${corpora.small.documents}-document index (timing model)…`);
const buildSmall = await timedBuild('small', shared(timingModel), true);
details.build_small = { passages: buildSmall.summary.passages, seconds: round(buildSmall.seconds), phases: buildSmall.phases };

say(`building the ${PLAN.mid}-document index with the timing model (throughput figure)…`);
const buildMid = await timedBuild('mid', shared(timingModel), true);
figures.index_passages_per_s = round(buildMid.summary.passages / buildMid.seconds);
figures.index_build_s_1k = round(buildMid.seconds);
figures.passages_1k = buildMid.summary.passages;
details.build_mid = { documents: PLAN.mid, passages: buildMid.summary.passages, seconds: round(buildMid.seconds), phases: buildMid.phases };
say(`  ${buildMid.summary.passages} passages in ${buildMid.seconds.toFixed(1)} s → ${figures.index_passages_per_s} passages/s (${JSON.stringify(buildMid.phases)})`);

// The large corpus: bulk vectors from the hashing stand-in (the timing model would need ~15 minutes).
const largeDir = indexDir('large');
const srcStamp = await treeStamp(path.join(ROOT, 'src'));
const largeStamp = JSON.stringify({ corpus: await fs.readFile(path.join(corpora.large.dir, '.stamp.json'), 'utf8'), src: srcStamp, hash: 1 });
const largeStampFile = path.join(largeDir, '.bench-stamp');
let reused = false;
if (opts.reuse && existsSync(path.join(largeDir, 'CURRENT')) && existsSync(largeStampFile) && (await fs.readFile(largeStampFile, 'utf8')) === largeStamp) {
  reused = true;
  say(`reusing the ${PLAN.large}-document index from an earlier run (--reuse)`);
} else {
  say(`building the ${PLAN.large}-document index (bulk vectors: hashing stand-in, see README)…`);
  const b = await timedBuild('large', new HashEmbedder(model.modelId, timingModel.dim), true);
  await fs.writeFile(largeStampFile, largeStamp);
  figures.index_build_s_10k_hash_vectors = round(b.seconds);
  details.build_large = { documents: PLAN.large, passages: b.summary.passages, seconds: round(b.seconds), phases: b.phases };
  say(`  ${b.summary.passages} passages in ${b.seconds.toFixed(1)} s (${JSON.stringify(b.phases)})`);
}

// ---------------------------------------------------------------------------------------------------------
// question → answer latency

async function openService(s: SizeName, embedder: Embedder | null): Promise<{ service: AnswerService; loadMs: number }> {
  const start = performance.now();
  const service = await AnswerService.open(configFor(s, !!embedder), embedder ? { getEmbedder: async () => ({ embedder }) } : {});
  return { service, loadMs: performance.now() - start };
}

async function askAll(service: AnswerService, passes: number, between?: (q: string) => Promise<number>) {
  const total: number[] = [];
  const parts: Record<string, number[]> = {};
  const bare: number[] = [];
  for (let p = 0; p < passes; p++) {
    for (const q of questions) {
      if (between) bare.push(await between(q));
      const a: Answer = await service.ask(q);
      total.push(a.timings_ms.total);
      for (const [k, v] of Object.entries(a.timings_ms)) (parts[k] ??= []).push(v);
    }
  }
  return { total, parts, bare };
}

const stats = (xs: number[]) => ({ p50: round(median(xs)), p95: round(percentile(xs, 95)), n: xs.length });
const latency: Record<string, Record<string, unknown>> = {};
// Answering runs the model as the product does (openService): in a worker thread, while the lexical search runs.
const workerLoad = await loadThreadedEmbedder({ modelId: model.modelId, modelsDir: model.modelsDir, dtype: 'q8', batchSize: 16, allowDownload: false });
if (!workerLoad.ok) throw new Error(`timing model in a worker: ${workerLoad.reason}`);
const answeringModel = workerLoad.embedder;
const bareModels: Array<[number, Embedder]> = [[defaultThreadCount(), timingModel]];
if (questionThreads() !== defaultThreadCount()) {
  const one = await loadEmbedder({ modelId: model.modelId, modelsDir: model.modelsDir, dtype: 'q8', batchSize: 16, allowDownload: false, threads: questionThreads() });
  if (!one.ok) throw new Error(`timing model: ${one.reason}`);
  bareModels.push([questionThreads(), one.embedder]);
}

for (const s of ['small', 'mid', 'large'] as SizeName[]) {
  const key = SIZE_KEY[s];
  // lexical only
  {
    const { service, loadMs } = await openService(s, null);
    if (service.hybrid) throw new Error('lexical service unexpectedly hybrid');
    await askAll(service, 2); // warm-up
    const r = await askAll(service, PLAN.lexicalPasses);
    const st = stats(r.total);
    figures[`query_p50_ms_lexical_${key}`] = st.p50;
    figures[`query_p95_ms_lexical_${key}`] = st.p95;
    latency[`lexical_${key}`] = { ...st, retrieve_p50: round(median(r.parts.retrieve)), compose_p50: round(median(r.parts.compose)), retrieve_p95: round(percentile(r.parts.retrieve, 95)), compose_p95: round(percentile(r.parts.compose, 95)), index_load_ms: round(loadMs) };
    say(`lexical ${key}: p50 ${st.p50} ms, p95 ${st.p95} ms (retrieve p50 ${latency[`lexical_${key}`].retrieve_p50}, compose p50 ${latency[`lexical_${key}`].compose_p50}); index loaded in ${round(loadMs)} ms`);
    await service.close();
    if (s === 'large') {
      // First sight: each question once on a freshly loaded index, so that no per-index cache has seen it (the
      // code is warm). Keeps the warm figures honest if answering caches work across questions.
      const first: number[] = [];
      for (let i = 0; i < (opts.quick ? 1 : 2); i++) {
        const fresh = await openService(s, null);
        first.push(...(await askAll(fresh.service, 1)).total);
        await fresh.service.close();
      }
      const fs1 = stats(first);
      figures[`query_p50_ms_lexical_${key}_first`] = fs1.p50;
      figures[`query_p95_ms_lexical_${key}_first`] = fs1.p95;
      latency[`lexical_${key}`].first_sight = fs1;
      say(`lexical ${key}, first sight of each question on a fresh index: p50 ${fs1.p50} ms, p95 ${fs1.p95} ms`);
    }
  }
  // hybrid, interleaved with the bare forward pass of the model on the same question
  {
    const embedder = s === 'large' ? new ModelCostHashEmbedder(shared(answeringModel)) : shared(answeringModel);
    const { service } = await openService(s, embedder);
    if (!service.hybrid) throw new Error(`hybrid service for ${key} is lexical only`);
    // The bare forward pass on the main thread, with the default threads and with as many as the answering
    // worker uses: the faster of the two is the floor the whole answer is compared with. The two are timed
    // against each other first, then the faster one alone is interleaved with the answers: a third model call in
    // the loop (the other thread count, another copy of the weights) changed the caches the answer's model ran
    // in more than those of the bare call (hybrid ÷ bare 1.38 against 1.29, means of three runs each at 10k).
    const bareBy = new Map<number, number[]>(bareModels.map(([n]) => [n, []]));
    for (let pass = 0; pass < PLAN.barePasses; pass++) {
      for (const q of questions) {
        for (const [n, m] of bareModels) {
          const t = performance.now();
          await m.embedQuery(q);
          if (pass > 0) bareBy.get(n)!.push(performance.now() - t);
        }
      }
    }
    const bareStats = [...bareBy].map(([n, xs]) => ({ threads: n, ...stats(xs) }));
    const floor = bareStats.reduce((a, b) => (b.p50 < a.p50 ? b : a));
    const floorModel = bareModels.find(([n]) => n === floor.threads)![1];
    const bareTimes: number[] = [];
    const bareEmbed = async (q: string) => {
      const t = performance.now();
      await floorModel.embedQuery(q);
      bareTimes.push(performance.now() - t);
      return 0;
    };
    await askAll(service, 1, bareEmbed); // warm-up
    bareTimes.length = 0;
    const r = await askAll(service, PLAN.hybridPasses, bareEmbed);
    const st = stats(r.total);
    const bare = { threads: floor.threads, ...stats(bareTimes) };
    figures[`query_p50_ms_hybrid_${key}`] = st.p50;
    figures[`query_p95_ms_hybrid_${key}`] = st.p95;
    latency[`hybrid_${key}`] = {
      ...st,
      embed_p50: round(median(r.parts.embed)),
      retrieve_p50: round(median(r.parts.retrieve)),
      compose_p50: round(median(r.parts.compose)),
      bare_embed_p50: bare.p50,
      bare_embed_p95: bare.p95,
      bare_embed_threads: bare.threads,
      bare_embed_p50_by_threads: Object.fromEntries(bareStats.map((b) => [b.threads, b.p50])),
    };
    if (s === 'large') {
      figures.embed_query_p50_ms = bare.p50;
      figures.hybrid_over_bare_p50 = round(st.p50 / bare.p50);
      figures.hybrid_minus_bare_p50_ms = round(st.p50 - bare.p50);
    }
    say(`hybrid ${key}: p50 ${st.p50} ms, p95 ${st.p95} ms; bare query embedding p50 ${bare.p50} ms (embed ${latency[`hybrid_${key}`].embed_p50}, retrieve ${latency[`hybrid_${key}`].retrieve_p50}, compose ${latency[`hybrid_${key}`].compose_p50})`);

    // The peers are fed this index's own passages and stored vectors, read from its files.
    if (opts.peers) await comparePeers(s, await loadIndex(indexDir(s)));
    await service.close();
  }
}
details.latency = latency;
await answeringModel.dispose();
for (const [, m] of bareModels.slice(1)) await m.dispose();

// ---------------------------------------------------------------------------------------------------------
// peers: retrieval only, same passages, same vectors, interleaved question by question

async function comparePeers(s: SizeName, index: SqliteIndex): Promise<void> {
  const key = SIZE_KEY[s];
  const passages = [...index.allPassages()];
  say(`peers on ${key} (${passages.length} passages): building…`);
  const lexPeers: LexicalPeer[] = [await miniSearchPeer(passages), await miniSearchStemPeer(passages, index.lexical.analyzer), await oramaPeer(passages)];
  const vectors = storedVectors(index);
  const vectorOf = (id: number) => vectors.get(id)!;
  const densePeers: DensePeer[] = [await memoryVectorStorePeer(passages.filter((p) => vectors.has(p.id)), vectorOf)];
  const queryVectors = new Map<string, Float32Array>();
  for (const q of questions) queryVectors.set(q, s === 'large' ? hashVector('query: ' + q, timingModel.dim) : await timingModel.embedQuery(q));

  type System = { name: string; path: 'lexical' | 'dense'; run: (q: string) => Promise<number[]> | number[] };
  const systems: System[] = [
    { name: 'citebot_lexical', path: 'lexical', run: (q) => retrieve(index, q, { k: 5 }).passages.map((p) => p.passage.id) },
    ...lexPeers.map((p): System => ({ name: p.name, path: 'lexical', run: (q) => p.search(q, 5) })),
    { name: 'citebot_dense', path: 'dense', run: (q) => index.vectors!.search(queryVectors.get(q)!, 5).map((h) => index.passage(h.id)!.id) },
    ...densePeers.map((p): System => ({ name: p.name, path: 'dense', run: (q) => p.search(queryVectors.get(q)!, 5) })),
  ];
  // Interleaved question by question; a slow peer stops being timed once it has used its budget (after at least
  // one full pass), so that a 750 ms/question peer does not take minutes.
  const BUDGET_MS = opts.quick ? 1500 : 8000;
  const times = new Map<string, number[]>(systems.map((x) => [x.name, []]));
  const spent = new Map<string, number>(systems.map((x) => [x.name, 0]));
  const ranks = new Map<string, Map<string, number[]>>(systems.map((x) => [x.name, new Map()]));
  // Warm-up: each system answers the questions again and again for WARM_MS (at least three questions). V8
  // optimises a function only after many calls, so three questions measured code not yet optimised, and the more
  // code a system runs per question, the longer it stays so (5 articles: ours 0.096 ms after three questions,
  // 0.050 after a hundred passes; MiniSearch fed our analyzer 0.063 → 0.039).
  const WARM_MS = opts.quick ? 100 : 400;
  for (const x of systems) {
    let warm = 0;
    for (let n = 0; n < 3 || (warm < WARM_MS && n < 500 * questions.length); n++) {
      const t = performance.now();
      await x.run(questions[n % questions.length]);
      warm += performance.now() - t;
    }
  }
  // A new order for each question, drawn from a fixed seed. A system finds the caches (data, code, branch
  // history) as the one before it left them: a fixed order, even turning, puts the same system after the same one,
  // and MiniSearch's two configurations (the same library code) ran back to back in five turns of six.
  const draw = rng(20261122);
  for (let pass = 0; pass < PLAN.peerPasses; pass++) {
    for (const q of questions) {
      const order = [...systems];
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(draw() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (const x of order) {
        if (pass > 0 && spent.get(x.name)! > BUDGET_MS) continue;
        const t = performance.now();
        const r = await x.run(q);
        const dt = performance.now() - t;
        times.get(x.name)!.push(dt);
        spent.set(x.name, spent.get(x.name)! + dt);
        if (pass === 0) ranks.get(x.name)!.set(q, r);
      }
    }
  }
  const allIds = [...vectors.keys()];
  const exact = new Map(questions.map((q) => [q, exactTopK(queryVectors.get(q)!, allIds, vectorOf, 5)]));
  const agreement = (r: Map<string, number[]>) =>
    round(questions.reduce((acc, q) => acc + (r.get(q) ?? []).filter((id) => exact.get(q)!.includes(id)).length / 5, 0) / questions.length);
  const ours = { lexical: median(times.get('citebot_lexical')!), dense: median(times.get('citebot_dense')!) };
  const out: Record<string, Record<string, unknown>> = {};
  for (const x of systems) {
    const ms = median(times.get(x.name)!);
    const mine = x.name.startsWith('citebot_');
    const build = [...lexPeers, ...densePeers].find((p) => p.name === x.name)?.buildMs;
    out[x.name] = {
      path: x.path,
      p50_ms: round(ms),
      ...(mine ? {} : { ratio: round(ms / ours[x.path]) }),
      samples: times.get(x.name)!.length,
      recall5: round(recallAt5(ranks.get(x.name)!, index)),
      ...(x.path === 'dense' ? { exact_agreement5: agreement(ranks.get(x.name)!) } : {}),
      ...(build !== undefined ? { build_ms: round(build) } : {}),
    };
  }
  // What exact agreement costs our HNSW: the same searches at higher ef (restored afterwards).
  const hnsw = index.vectors?.parts.length === 1 ? (index.vectors.parts[0] as unknown as { hnsw?: { setEf(ef: number): void } }).hnsw : undefined;
  if (hnsw && s !== 'small') {
    const sweep: Array<Record<string, number>> = [];
    for (const ef of [64, 128, 256, 512]) {
      hnsw.setEf(ef);
      const r = new Map<string, number[]>();
      const ts: number[] = [];
      for (let pass = 0; pass < 3; pass++) {
        for (const q of questions) {
          const t = performance.now();
          const ids = index.vectors!.search(queryVectors.get(q)!, 5).map((h) => h.id);
          ts.push(performance.now() - t);
          r.set(q, ids);
        }
      }
      sweep.push({ ef, p50_ms: round(median(ts)), exact_agreement5: agreement(r) });
    }
    hnsw.setEf(64);
    out.citebot_dense.ef_sweep = sweep;
  }
  (details.peers ??= {} as Record<string, unknown>) as Record<string, unknown>;
  (details.peers as Record<string, unknown>)[key] = out;
  for (const [name, v] of Object.entries(out)) {
    if (v.ratio !== undefined) figures[s === 'large' ? `peer_ratio_${name}` : `peer_ratio_${name}_${key}`] = v.ratio as number;
    // Recall on the real articles only: in the synthetic corpora every source competes with hundreds of near-copies.
    if (s === 'small') figures[`recall5_${name}`] = v.recall5 as number;
  }
  say(
    `peers on ${key}: ` +
      Object.entries(out)
        .map(([n, v]) => `${n} ${v.p50_ms} ms${v.ratio !== undefined ? ` (×${v.ratio})` : ''} R@5 ${v.recall5}${v.exact_agreement5 !== undefined ? ` exact@5 ${v.exact_agreement5}` : ''}`)
        .join('; '),
  );
}

// ---------------------------------------------------------------------------------------------------------
// re-indexing one changed document of the large corpus (incremental, with the timing model)

{
  const file = path.join(corpora.large.dir, corpora.large.editable!);
  const original = await fs.readFile(file, 'utf8');
  const runs: Array<{ seconds: number; embedded: number; phases: PhaseTimes }> = [];
  say(`re-indexing after changing one document of ${PLAN.large} (${PLAN.reindexPairs * 2} runs)…`);
  try {
    for (let i = 0; i < PLAN.reindexPairs; i++) {
      await fs.writeFile(file, original + `\nДополнительно сообщается, что в конференции приняли участие ${120 + i} экспертов.\n`);
      for (const text of [null, original]) {
        if (text !== null) await fs.writeFile(file, text);
        const b = await timedBuild('large', shared(timingModel), false);
        if (b.summary.changed !== 1 || b.summary.fullRebuild) throw new Error(`expected one changed document, got ${JSON.stringify({ changed: b.summary.changed, full: b.summary.fullRebuild })}`);
        runs.push({ seconds: b.seconds, embedded: b.summary.embedded, phases: b.phases });
        say(`  ${b.seconds.toFixed(2)} s, ${b.summary.embedded} passages embedded (${JSON.stringify(b.phases)})`);
      }
    }
  } finally {
    await fs.writeFile(file, original);
  }
  figures.reindex_one_doc_s_10k = round(median(runs.map((r) => r.seconds)));
  const medPhase = (k: keyof PhaseTimes) => round(median(runs.map((r) => r.phases[k])));
  details.reindex = { runs, median_phases: { until_scan_s: medPhase('until_scan_s'), scan_to_plan_s: medPhase('scan_to_plan_s'), plan_to_write_s: medPhase('plan_to_write_s'), write_s: medPhase('write_s') } };
  await fs.writeFile(largeStampFile, largeStamp);
}

await timingModel.dispose();

// ---------------------------------------------------------------------------------------------------------
// cold start and peak memory: the real command line in a fresh process

if (opts.cold) {
  const q = 'Сколько стран входит в хаб?';
  const cold: Record<string, unknown> = {};
  for (const [label, s, emb] of [
    ['10k_hybrid', 'large', true],
    ['10k_lexical', 'large', false],
    ['5_hybrid', 'small', true],
  ] as Array<[string, SizeName, boolean]>) {
    const runs = [];
    for (let i = 0; i < PLAN.coldRuns; i++) {
      const r = await runAsk(['--json', q], envFor(s, emb, 'warn'));
      if (r.code !== 0 || !r.stdout.trim()) throw new Error(`ask failed (${label}): ${r.stderr.slice(0, 500)}`);
      const a = JSON.parse(r.stdout.trim().split('\n').pop()!);
      if (emb && !(a.timings_ms?.embed > 0)) notes.push(`cold start ${label}: the answer was not hybrid (${r.stderr.trim().slice(0, 200)})`);
      runs.push(r);
    }
    cold[label] = { first_answer_ms: round(median(runs.map((r) => r.firstAnswerMs))), exit_ms: round(median(runs.map((r) => r.exitMs))), max_rss_mb: round(Math.max(...runs.map((r) => r.maxRssMb))), runs: runs.length };
    say(`cold start ${label}: ${JSON.stringify(cold[label])}`);
  }
  figures.cold_start_ms = (cold['10k_hybrid'] as { first_answer_ms: number }).first_answer_ms;
  figures.cold_start_ms_5 = (cold['5_hybrid'] as { first_answer_ms: number }).first_answer_ms;
  figures.cold_start_ms_10k_lexical = (cold['10k_lexical'] as { first_answer_ms: number }).first_answer_ms;
  // Peak RSS serving all the dev questions from the 10k index with the model loaded.
  const qfile = path.join(BENCH_CACHE, 'dev-questions.jsonl');
  await fs.writeFile(qfile, items.map((i) => JSON.stringify({ id: i.id, question: i.question })).join('\n') + '\n');
  const r = await runAsk(['--file', qfile], envFor('large', true, 'warn'));
  if (r.code !== 0) notes.push(`peak RSS run exited with ${r.code}: ${r.stderr.slice(0, 200)}`);
  figures.peak_rss_mb = round(r.maxRssMb);
  cold.peak_rss_run = { questions: items.length, max_rss_mb: round(r.maxRssMb), exit_ms: round(r.exitMs) };
  say(`peak RSS answering ${items.length} questions on 10k (hybrid): ${figures.peak_rss_mb} MB`);
  details.cold_start = cold;
}

// ---------------------------------------------------------------------------------------------------------
// results

const loadEnd = os.loadavg();
const meta = {
  date: new Date().toISOString(),
  quick: opts.quick,
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? null, memory_gb: round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}` },
  load_average_start: loadStart.map(round),
  load_average_end: loadEnd.map(round),
  corpora: { '5': corpora.small.documents, '1k': PLAN.mid, '10k': PLAN.large },
  questions: questions.length,
  recall_questions: recallItems.length,
  passes: { lexical: PLAN.lexicalPasses, hybrid: PLAN.hybridPasses, peers: PLAN.peerPasses },
  timing_model: { id: model.modelId, shape: '12 layers, hidden 384, 12 heads, ff 1536, int8 (q8)', threads: 'embedder default' },
  large_index_reused: reused,
  seconds: round((performance.now() - t0) / 1000),
};
const result = { figures, targets: TARGETS, meta, details, notes };
await fs.mkdir(OUT_DIR, { recursive: true });
await fs.writeFile(path.join(OUT_DIR, 'results.json'), JSON.stringify(result, null, 2) + '\n');
await fs.writeFile(path.join(OUT_DIR, 'results.md'), renderMarkdown(result));
await fs.writeFile(path.join(OUT_DIR, 'latency.svg'), renderSvg(result));
say(`wrote ${path.relative(ROOT, OUT_DIR) || '.'}/results.json, results.md, latency.svg in ${meta.seconds} s`);
if (opts.json) process.stdout.write(JSON.stringify({ ...figures, meta }) + '\n');
else process.stdout.write(renderMarkdown(result));

/** A fingerprint of a source tree (paths, sizes, mtimes): a reused index must come from the same code. */
async function treeStamp(dir: string): Promise<string> {
  const parts: string[] = [];
  const walk = async (d: string) => {
    for (const e of (await fs.readdir(d, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else {
        const st = await fs.stat(p);
        parts.push(`${path.relative(dir, p)}:${st.size}:${st.mtimeMs}`);
      }
    }
  };
  await walk(dir);
  return parts.join('|');
}
