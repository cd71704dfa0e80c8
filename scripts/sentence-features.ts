/**
 * Dumps, per answerable question, every sentence of the retrieved passages with the features the sentence ranking
 * uses and whether it holds a gold span, for fitting the ranking weights on the dev split (docs/quality.md):
 * `tsx scripts/sentence-features.ts INDEX_DIR questions.jsonl > sentences.jsonl`.
 */
import { devQuestions } from './dev-questions.js';
import { retrieve } from '../src/retrieve/hybrid.js';
import { sentenceFeatures } from '../src/answer/sentences.js';
import { answerKind } from '../src/answer/question.js';
import { found } from '../src/eval/metrics.js';

const { index, questions } = await devQuestions();
for (const q of questions) {
  const r = retrieve(index, q.question, { k: 16 });
  const kind = answerKind(q.question);
  const rows = sentenceFeatures(r, index, kind, q.question).map((s) => ({ ...s.features, text: s.text.slice(0, 160), gold: q.expect.some((e: string) => found(e, s.text)) ? 1 : 0 }));
  console.log(JSON.stringify({ id: q.id, group: q.group, kind, q: q.question, expect: q.expect, rows }));
}
