/**
 * `npm run eval -- [--corpus DIR] [questions.jsonl …] [--out FILE] [--verbose] [--json]`
 *
 * Builds a temporary index of the corpus (never the user's INDEX_DIR), answers every question, and prints per
 * question group the figures of the public scorer (`src/eval/metrics.ts`), citebot beside the MiniSearch peer
 * (`src/eval/peer.ts`). Without arguments: the project's own question set on its own seeds.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { scoreReplies, summarize, topBlock, type EvalQuestion, type EvalReply, type GroupFigures } from '../eval/metrics.js';
import { MiniSearchPeer } from '../eval/peer.js';
import { detectLanguage } from '../text/language.js';
import { openService, runIndex } from '../app/app.js';
import { UsageError } from '../app/main.js';
import { loadConfigFromEnvironment } from '../config.js';
import { parseCommand } from './args.js';

export const usage = `usage: citebot eval [--corpus DIR] [questions.jsonl ...] [--out FILE] [--verbose] [--json]
Answer quality per question group, citebot beside a MiniSearch BM25 peer, on a temporary index of DIR (default
SEEDS_DIR; the index in INDEX_DIR is never touched). Default questions: test/fixtures/heldout.jsonl.
  --corpus DIR  the articles to index and ask about
  --out FILE    also write each answer as one JSON line (as ask --json --file prints it)
  --json        also print the summary figures as one JSON object
  --verbose     print every question with the first line of its reply`;

const DEFAULT_QUESTIONS = 'test/fixtures/heldout.jsonl';

function readQuestions(file: string, docLanguage: (doc: string) => string | undefined): EvalQuestion[] {
  if (!existsSync(file)) throw new UsageError(`no question file ${file}`);
  const out: EvalQuestion[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      let q: Partial<EvalQuestion>;
      try {
        q = JSON.parse(line);
      } catch {
        throw new UsageError(`${file}:${i + 1}: not a JSON object`);
      }
      if (typeof q.question !== 'string') throw new UsageError(`${file}:${i + 1}: no "question"`);
      const lang = q.lang ?? detectLanguage(q.question);
      const sources = q.sources ?? [];
      const answerable = q.answerable !== false;
      // Without a group: by language, cross-lingual when every source is in another language.
      const cross = answerable && sources.length > 0 && sources.every((s) => docLanguage(s) !== undefined && docLanguage(s) !== lang);
      const group = q.group ?? `${answerable ? (cross ? 'cross' : 'same') : 'ood'}-${lang}`;
      out.push({ id: q.id ?? `${path.basename(file)}:${i + 1}`, lang, question: q.question, expect: q.expect ?? [], sources, answerable, group });
    });
  return out;
}

function articlesIn(dir: string): Array<{ doc: string; text: string }> {
  const out: Array<{ doc: string; text: string }> = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (/\.(txt|md)$/i.test(name)) out.push({ doc: path.relative(dir, p).split(path.sep).join('/'), text: readFileSync(p, 'utf8') });
    }
  };
  walk(dir);
  return out;
}

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}` : '-').padStart(5);

function table(ours: GroupFigures[], peer: GroupFigures[]): string {
  const lines = ['group         n    top-hit      quote@3      doc@1        doc@3        answered     any hit      direct right       | refused   (citebot / peer)'];
  for (const g of ours) {
    const p = peer.find((x) => x.group === g.group)!;
    if (!g.answerable) {
      lines.push(`${g.group.padEnd(12)} ${String(g.n).padStart(4)}${' '.repeat(108)}| ${pct(g.refused, g.n)} / ${pct(p.refused, p.n)}`);
      continue;
    }
    const pair = (f: keyof GroupFigures) => `${pct(g[f] as number, g.n)} /${pct(p[f] as number, p.n)}`;
    const direct = `${pct(g.directOk, g.direct)} (${g.direct})`.padEnd(18);
    lines.push(`${g.group.padEnd(12)} ${String(g.n).padStart(4)}  ${pair('top')}  ${pair('quote3')}  ${pair('doc1')}  ${pair('doc3')}  ${pair('answered')}  ${pair('anywhere')}  ${direct} |`);
  }
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    argv,
    { corpus: { type: 'string' }, out: { type: 'string' }, verbose: { type: 'boolean', short: 'v' }, json: { type: 'boolean' } },
    usage,
  );
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const config = await loadConfigFromEnvironment();
  const corpus = values.corpus ?? config.SEEDS_DIR;
  if (!existsSync(corpus) || !statSync(corpus).isDirectory()) throw new UsageError(`no articles folder ${corpus}`);
  const files = positionals.length ? positionals : [DEFAULT_QUESTIONS];
  for (const f of files) if (!existsSync(f)) throw new UsageError(`no question file ${f}`);

  const articles = articlesIn(corpus);
  const langOf = new Map(articles.map((a) => [a.doc, detectLanguage(a.text)]));
  const questions = files.flatMap((f) => readQuestions(f, (d) => langOf.get(d)));

  const tmp = mkdtempSync(path.join(tmpdir(), 'citebot-eval-'));
  try {
    const cfg = { ...config, SEEDS_DIR: corpus, INDEX_DIR: path.join(tmp, 'index') };
    await runIndex(cfg);
    const service = await openService(cfg);
    const ours = new Map<string, EvalReply>();
    const outLines: string[] = [];
    const t0 = performance.now();
    try {
      for (const q of questions) {
        const a = await service.ask(q.question);
        ours.set(q.id, { answered: a.answered, answer: a.text, citations: a.citations });
        outLines.push(JSON.stringify({ id: q.id, question: q.question, language: a.language, answered: a.answered, answer: a.text, citations: a.citations.map((c) => ({ doc: c.doc, quote: c.quote, score: c.score })) }));
      }
    } finally {
      await service.close();
    }
    const ms = (performance.now() - t0) / Math.max(1, questions.length);
    const peer = new MiniSearchPeer(articles);
    const theirs = new Map(questions.map((q) => [q.id, peer.ask(q.question)]));
    if (values.out) writeFileSync(values.out, outLines.join('\n') + '\n');
    if (values.verbose) {
      for (const q of questions) {
        const r = ours.get(q.id)!;
        process.stderr.write(`${q.id} [${q.group}] ${q.question}\n   ${r.answered ? topBlock(r.answer) : 'REFUSED'}\n   expect: ${q.expect.join(' | ')}\n`);
      }
    }
    const mine = scoreReplies(questions, ours);
    const their = scoreReplies(questions, theirs);
    console.log(`${questions.length} questions (${files.join(', ')}) on ${articles.length} articles in ${corpus}; ${service.hybrid ? 'hybrid' : 'lexical only'}; ${ms.toFixed(1)} ms a question`);
    console.log(table(mine, their));
    const s = summarize(mine);
    const keys = ['same-ru.top', 'same-en.top', 'same-kk.top', 'same-ru.doc3', 'same-en.doc3', 'same-kk.doc3', 'same_answered', 'same_direct_right', 'ood_refused', 'cross_top'];
    console.log('ext: ' + keys.filter((k) => k in s).map((k) => `${k} ${s[k].toFixed(1)}%`).join(', '));
    if (values.json) console.log(JSON.stringify({ citebot: s, peer: summarize(their) }));
    return 0;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
