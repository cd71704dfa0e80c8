/**
 * Dumps, per answerable question, the candidates of the best-ranked sentence with what the direct-answer gate
 * reads, and whether each is right, for fitting DIRECT on the dev split:
 * `tsx scripts/direct-features.ts INDEX_DIR questions.jsonl > direct.jsonl`.
 */
import { devQuestions } from './dev-questions.js';
import { retrieve } from '../src/retrieve/hybrid.js';
import { distanceToQuestion, questionContext, rankSentences } from '../src/answer/sentences.js';
import { answerKind } from '../src/answer/question.js';
import { found } from '../src/eval/metrics.js';
import { detectLanguage } from '../src/text/language.js';

const { index, questions } = await devQuestions();
for (const q of questions) {
  const r = retrieve(index, q.question, { k: 8 });
  const kind = answerKind(q.question);
  const ranked = rankSentences(r, index, kind, questionContext(q.question, detectLanguage(q.question), r, index));
  const best = ranked[0];
  if (!best) continue;
  const ok = (t: string) => q.expect.some((e: string) => found(e, t) || found(t, e));
  console.log(JSON.stringify({
    id: q.id, group: q.group, kind, q: q.question, expect: q.expect, coverage: best.coverage, score: best.score, margin: best.score - (ranked[1]?.score ?? 0),
    sentenceGold: q.expect.some((e: string) => found(e, best.text)), text: best.text.slice(0, 200),
    candidates: best.candidates.map((c) => ({ text: c.text, strength: c.strength, ok: ok(c.text), near: distanceToQuestion(best, c) })),
  }));
}
