/** Prints, for questions given as arguments, the best ranked sentences with their candidates (debugging aid). */
import { loadIndex } from '../src/index/store.js';
import { retrieve } from '../src/retrieve/hybrid.js';
import { distanceToQuestion, questionContext, rankSentences } from '../src/answer/sentences.js';
import { answerKind } from '../src/answer/question.js';
import { detectLanguage } from '../src/text/language.js';

const [indexDir, ...questions] = process.argv.slice(2);
const index = await loadIndex(indexDir);
for (const question of questions) {
  const r = retrieve(index, question, { k: 16 });
  const kind = answerKind(question);
  const ranked = rankSentences(r, index, kind, questionContext(question, detectLanguage(question), r, index));
  console.log(`${question} [${kind}]`);
  for (const s of ranked.slice(0, Number(process.env.N ?? 3))) {
    console.log(`  ${s.score.toFixed(2)} cov=${s.coverage.toFixed(2)} ${JSON.stringify(s.features)} ${s.text.slice(0, 150)}`);
    for (const c of s.candidates) console.log(`     ${c.text} strength=${c.strength} dist=${distanceToQuestion(s, c)}`);
  }
}
