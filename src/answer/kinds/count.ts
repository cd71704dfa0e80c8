/** Count questions ("Сколько…", "How many…", "Қанша…"): a number, best with the counted word right after it. */
import { countedEnd, numbersIn } from '../extract.js';
import type { QuestionContext, Typed } from './types.js';

/** A number followed by the counted word: nearly always the answer; a bare number: maybe. */
export const UNIT_STRENGTH = 1;
const BARE_STRENGTH = 0.4;
/** "со 415 000 до 587 000 км²", "from 25 to 43 countries": the end of a range is one of two figures, not the answer. */
const RANGE_START_BEFORE = /(?:^|[^\p{L}])(?:от|с|со|from|between)\s+\d[\d\s\u00a0.,]*$/iu;

export function countCandidates(sentence: string, q: QuestionContext): Typed[] {
  const out: Typed[] = [];
  for (const n of numbersIn(sentence)) {
    if (q.inQuestion(n.value.replace(/^[<>]/, '').replace(/%$/, ''))) continue;
    const k = q.unitTerms ? n.unitWords.findIndex((w) => q.termsOf(w).some((t) => q.unitTerms!.has(t))) : -1;
    // Shown up to the counted word: "42 қатысушы ел", "35 наиболее развитых стран".
    // Past describing words to the noun: "более 80 институциональных партнеров", never "… институциональных".
    const end = k >= 0 ? countedEnd(n.unitWords, n.unitEnds, k, n.numberEnd) : n.end;
    if (k >= 0 && !RANGE_START_BEFORE.test(sentence.slice(Math.max(0, n.start - 40), n.start)))
      out.push({ text: sentence.slice(n.start, end), start: n.start, end, value: n.value, strength: UNIT_STRENGTH });
    else out.push({ text: n.text, start: n.start, end: n.end, value: n.value, strength: BARE_STRENGTH });
  }
  return out;
}
