/** Date questions ("Когда…", "In what year…", "Қай жылы…"): a date or a year the question does not already give. */
import { yearsIn } from '../extract.js';
import type { QuestionContext, Typed } from './types.js';

export function dateCandidates(sentence: string, q: QuestionContext): Typed[] {
  return yearsIn(sentence)
    .filter((y) => !q.inQuestion(y.value!))
    .map((y) => ({ text: y.text, start: y.start, end: y.end, value: y.value, strength: /\D/.test(y.text) ? 0.9 : 0.8 }));
}
