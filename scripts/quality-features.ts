/**
 * Dumps, per question of a question file, the features the refusal is decided from (one JSON line each), for
 * fitting thresholds on the dev split: `tsx scripts/quality-features.ts INDEX_DIR questions.jsonl > features.jsonl`.
 */
import { readFileSync } from 'node:fs';
import { loadIndex } from '../src/index/store.js';
import { retrieve } from '../src/retrieve/hybrid.js';
import { evidenceOf } from '../src/answer/evidence.js';
import { detectLanguage } from '../src/text/language.js';
import { questionContext, rankSentences } from '../src/answer/sentences.js';
import { answerKind } from '../src/answer/question.js';

const [indexDir, file] = process.argv.slice(2);
const index = await loadIndex(indexDir);
for (const line of readFileSync(file, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const q = JSON.parse(line);
  const lang = detectLanguage(q.question);
  const r = retrieve(index, q.question, { k: Number(process.env.TOPK ?? 16) });
  const e = evidenceOf(r, index, lang);
  const ranked = r.passages.length ? rankSentences(r, index, answerKind(q.question), questionContext(q.question, lang, r, index)) : [];
  const sent = ranked.reduce((m, s) => Math.max(m, s.coverage), 0);
  const ctx = ranked.reduce((m, s) => Math.max(m, s.features.context), 0);
  console.log(JSON.stringify({ id: q.id, group: q.group, answerable: q.answerable, sources: q.sources, lang, docs: r.passages.slice(0, 3).map((p) => p.passage.docId), ...e, sent, ctx, bm25: r.passages[0]?.lexicalScore ?? 0, old: r.bestCoverage, idfSum: r.plan.concepts.reduce((a, c) => a + (c.known ? c.weight : 0), 0), c: r.plan.concepts.map((c) => `${c.raw}${c.known ? '' : '?'}:${c.weight.toFixed(1)}`).join(' '), q: q.question }));
}
