import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { AnswerService } from '../answer/service.js';
import { detectLanguage } from '../text/language.js';
import type { Answer, Lang } from '../types.js';
import { openService } from '../app/app.js';
import { UsageError } from '../app/main.js';
import { loadConfigFromEnvironment } from '../config.js';
import { parseCommand } from './args.js';
import { stderrRenderer } from './render.js';

export const usage = `usage: citebot eval [questions.jsonl] [--json] [--verbose]
Answer quality (answer hits, source recall@3, refusals) on a JSON-lines question set (default ../shared/eval/dev.jsonl).
  --json      also print the summary as one JSON object
  --verbose   print every answer, not only the failures`;

export interface EvalItem {
  id: string;
  lang: Lang;
  question: string;
  expect: string[];
  sources: string[];
  answerable: boolean;
}

/** An expected string appears at a word start, case-insensitively, and a number does not run on into more digits. */
export function containsExpected(text: string, expected: string): boolean {
  const esc = expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const tail = /\d$/.test(expected) ? '(?!\\d)' : '';
  return new RegExp(`(?<![\\p{L}\\p{N}])${esc}${tail}`, 'iu').test(text);
}

export interface ItemResult {
  item: EvalItem;
  answer: Answer;
  hit: boolean | null;
  recall3: boolean | null;
  refusalOk: boolean | null;
  crossLingual: boolean;
}

export function scoreItem(item: EvalItem, answer: Answer, docLanguage: (doc: string) => Lang | undefined): ItemResult {
  const crossLingual = item.answerable && item.sources.length > 0 && item.sources.every((s) => docLanguage(s) !== item.lang);
  if (!item.answerable) {
    return { item, answer, hit: null, recall3: null, refusalOk: !answer.answered && answer.citations.length === 0, crossLingual };
  }
  const firstDocs = [...new Set(answer.citations.map((c) => c.doc))].slice(0, 3);
  return {
    item,
    answer,
    hit: answer.answered && item.expect.some((e) => containsExpected(answer.text, e)),
    recall3: item.sources.some((s) => firstDocs.includes(s)),
    refusalOk: answer.answered,
    crossLingual,
  };
}

export async function runEval(service: AnswerService, items: EvalItem[]): Promise<ItemResult[]> {
  const index = service.current;
  const docLanguage = (doc: string) => index.document(doc)?.meta.language;
  const out: ItemResult[] = [];
  for (const item of items) out.push(scoreItem(item, await service.ask(item.question), docLanguage));
  return out;
}

function rate(xs: Array<boolean | null>): string {
  const v = xs.filter((x): x is boolean => x !== null);
  if (!v.length) return '   -   ';
  return `${((100 * v.filter(Boolean).length) / v.length).toFixed(0).padStart(3)}% (${v.filter(Boolean).length}/${v.length})`;
}

export function report(results: ItemResult[]): { text: string; summary: Record<string, unknown> } {
  const groups: Array<[string, ItemResult[]]> = [
    ['all', results],
    ['same-language', results.filter((r) => !r.crossLingual)],
    ['cross-lingual', results.filter((r) => r.crossLingual)],
    ...(['ru', 'kk', 'en'] as Lang[]).map((l): [string, ItemResult[]] => [`lang=${l}`, results.filter((r) => r.item.lang === l)]),
  ];
  const lines = ['group            answer hits     recall@3        refusals ok'];
  const summary: Record<string, unknown> = {};
  for (const [name, rs] of groups) {
    const answerable = rs.filter((r) => r.item.answerable);
    lines.push(`${name.padEnd(16)} ${rate(answerable.map((r) => r.hit)).padEnd(15)} ${rate(answerable.map((r) => r.recall3)).padEnd(15)} ${rate(rs.map((r) => (r.item.answerable ? null : r.refusalOk)))}`);
    const frac = (xs: Array<boolean | null>) => {
      const v = xs.filter((x): x is boolean => x !== null);
      return v.length ? v.filter(Boolean).length / v.length : null;
    };
    summary[name] = {
      answer_hit_rate: frac(answerable.map((r) => r.hit)),
      source_recall_at_3: frac(answerable.map((r) => r.recall3)),
      refusal_accuracy: frac(rs.map((r) => (r.item.answerable ? null : r.refusalOk))),
      false_refusals: answerable.filter((r) => !r.answer.answered).length,
      n: rs.length,
    };
  }
  return { text: lines.join('\n'), summary };
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { json: { type: 'boolean' }, verbose: { type: 'boolean', short: 'v' } }, usage);
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const file = positionals[0] ?? path.join('..', 'shared', 'eval', 'dev.jsonl');
  if (!existsSync(file)) throw new UsageError(`no question file ${file}; ${usage.split('\n')[0]}`);
  const items = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as EvalItem)
    .map((it) => ({ ...it, lang: it.lang ?? detectLanguage(it.question), expect: it.expect ?? [], sources: it.sources ?? [], answerable: it.answerable !== false }));
  const config = await loadConfigFromEnvironment();
  const render = stderrRenderer();
  const service = await openService(config, { buildIfMissing: true, onEvent: render.onEvent });
  render.end();
  try {
    const t0 = performance.now();
    const results = await runEval(service, items);
    const seconds = (performance.now() - t0) / 1000;
    for (const r of results) {
      const ok = r.item.answerable ? r.hit && r.recall3 : r.refusalOk;
      if (values.verbose || !ok) {
        const tag = r.item.answerable ? `hit=${r.hit ? 'yes' : 'NO'} recall@3=${r.recall3 ? 'yes' : 'NO'}` : `refused=${r.refusalOk ? 'yes' : 'NO'}`;
        process.stderr.write(`${ok ? 'ok  ' : 'FAIL'} ${r.item.id} [${r.item.lang}${r.crossLingual ? ', cross-lingual' : ''}] ${tag}: ${r.item.question}\n`);
        process.stderr.write('     ' + r.answer.text.split('\n').join('\n     ') + '\n');
      }
    }
    const { text, summary } = report(results);
    const info = service.info();
    console.log(`${items.length} questions from ${file}; retrieval: ${info.model ? `hybrid (${info.model})` : 'lexical only'}; ${(seconds * 1000 / items.length).toFixed(1)} ms per question`);
    console.log(text);
    if (values.json) console.log(JSON.stringify({ file, retrieval: info.model ?? 'lexical', ...summary }));
    return 0;
  } finally {
    await service.close();
  }
}
