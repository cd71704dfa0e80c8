/**
 * Answer latency while articles re-index (issue 14 item 5): 10,000 articles, 1,000 of them edited, re-indexed
 * (a) in a background child process, as the seeds watcher does, and (b) in the answering process itself, as a
 * build used to run; against the idle latency. A question "arrives" on a timer every INTERVAL_MS; its latency runs
 * from its arrival to its answer, so time spent waiting behind a blocked event loop counts.
 *
 *   npx tsx bench/reindex-latency.ts [--documents 10000] [--edit 1000] [--hybrid]
 *
 * --hybrid: with the timing model (e5-small's shape, random weights; bench/lib/timing-model.ts), so the build
 * embeds while questions are embedded in the answering worker (use a smaller corpus: ~38 passages/s here).
 */
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openService, runIndex } from '../src/app/app.js';
import { loadConfig } from '../src/config.js';
import { buildInBackground } from '../src/watch/seeds.js';
import { ensureCorpus } from './lib/corpus.js';
import { DEV_QUESTIONS } from './lib/paths.js';
import { readQuestions, usageExit } from './lib/questions.js';
import { ensureTimingModel } from './lib/timing-model.js';

const USAGE = 'usage: npx tsx bench/reindex-latency.ts [--documents 10000] [--edit 1000] [--hybrid] [--questions FILE]';
const options = { documents: { type: 'string', default: '10000' }, edit: { type: 'string', default: '1000' }, hybrid: { type: 'boolean', default: false }, questions: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;
let values: ReturnType<typeof parseArgs<{ options: typeof options }>>['values'];
try {
  ({ values } = parseArgs({ options }));
} catch (e) {
  usageExit(`${(e as Error).message.split('\n')[0]}; ${USAGE}`);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const DOCS = Number(values.documents);
const EDIT = Number(values.edit);
const INTERVAL_MS = 20;

const questions = readQuestions(values.questions ?? DEV_QUESTIONS).map((q) => q.question);
const corpus = await ensureCorpus(DOCS === 10000 ? '10k' : `n${DOCS}`, DOCS, { log: (s) => console.error(s) });
const root = path.join(os.tmpdir(), `citebot-reindex-bench-${process.pid}`);
const seeds = path.join(root, 'seeds');
cpSync(corpus.dir, seeds, { recursive: true });
const model = values.hybrid ? await ensureTimingModel((s) => console.error(s)) : null;
const config = loadConfig({
  SEEDS_DIR: seeds,
  INDEX_DIR: path.join(root, 'data'),
  ALLOW_MODEL_DOWNLOAD: '0',
  ...(model ? { EMBEDDINGS: '1', MODELS_DIR: model.modelsDir, EMBEDDING_MODEL: model.modelId, EMBEDDING_DTYPE: 'q8' } : { EMBEDDINGS: '0' }),
});
console.error(`${DOCS} documents, ${EDIT} edited, ${model ? 'hybrid (timing model)' : 'lexical'}`);

let t = performance.now();
await runIndex(config);
console.error(`built ${DOCS} documents in ${((performance.now() - t) / 1000).toFixed(1)} s`);
const service = await openService(config);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(2)} ms, p95 ${pct(xs, 95).toFixed(2)} ms, max ${Math.max(...xs).toFixed(1)} ms (${xs.length} answers)`;

/** Asks a question every INTERVAL_MS until `until` resolves (or for `ms`); latencies from each question's arrival. */
async function load(until: Promise<unknown> | number): Promise<number[]> {
  const lat: number[] = [];
  let done = false;
  if (typeof until === 'number') setTimeout(() => (done = true), until);
  else void until.finally(() => (done = true));
  let i = 0;
  let next = performance.now();
  while (!done) {
    next += INTERVAL_MS;
    const arrival = next;
    const wait = arrival - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await service.ask(questions[i++ % questions.length]);
    lat.push(performance.now() - arrival);
    if (performance.now() > next) next = performance.now(); // a late question does not make the next ones pile up
  }
  return lat;
}

function editFiles(round: number): void {
  const files = readdirSync(seeds).filter((f) => f.startsWith('syn')).sort().slice(0, EDIT);
  for (const f of files) appendFileSync(path.join(seeds, f), `\nДополнение ${round}: работы на объекте продолжаются, сообщили в акимате.\n`);
}

function rssMb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

await load(3000); // warm-up
const idle = await load(10_000);
console.log(`idle:                         ${fmt(idle)}`);

editFiles(1);
let childPeak = 0;
let pid = 0;
const poll = setInterval(() => (childPeak = Math.max(childPeak, pid ? rssMb(pid) : 0)), 100);
const mainBefore = process.memoryUsage().rss / 2 ** 20;
t = performance.now();
const bg = buildInBackground(config, { onSpawn: (c) => (pid = c.pid ?? 0) });
const during = await load(bg);
const bgSeconds = (performance.now() - t) / 1000;
clearInterval(poll);
const s1 = await bg;
await service.reload();
console.log(`during a background re-index: ${fmt(during)}; ${s1.changed} changed in ${bgSeconds.toFixed(1)} s; child peak RSS ${childPeak.toFixed(0)} MB; this process ${mainBefore.toFixed(0)} → ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
console.log(`ratio to idle:                p50 ×${(pct(during, 50) / pct(idle, 50)).toFixed(2)}, p95 ×${(pct(during, 95) / pct(idle, 95)).toFixed(2)}`);

editFiles(2);
t = performance.now();
const inProc = runIndex(config);
const duringIn = await load(inProc);
const inSeconds = (performance.now() - t) / 1000;
await inProc;
console.log(`during an in-process re-index: ${fmt(duringIn)}; ${inSeconds.toFixed(1)} s (for comparison: how a build in the answering process did)`);

await service.close();
if (existsSync(root)) rmSync(root, { recursive: true, force: true });
writeFileSync(path.join(path.dirname(new URL(import.meta.url).pathname), '.cache', 'reindex-latency.txt'), `${new Date().toISOString()} ${DOCS} docs, ${EDIT} edited, ${model ? 'hybrid' : 'lexical'}: idle ${fmt(idle)} | background ${fmt(during)} | in-process ${fmt(duringIn)}\n`, { flag: 'a' });
