/**
 * "Which X" questions ("Через какую систему…", "Каким указом…"): a quoted or numbered name right after the kind
 * asked for ("системы «eqyzmet.gov.kz»", "Указом № 602"). Any other quoted name is a guess, so none is offered.
 */
import { quotedIn } from '../extract.js';
import type { QuestionContext, Typed } from './types.js';

const WORDS = /[\p{L}\p{N}]+/gu;

export function whichCandidates(sentence: string, q: QuestionContext): Typed[] {
  if (!q.headTerms?.size) return [];
  return quotedIn(sentence)
    .filter((c) => !q.inQuestion(c.text) && follows(sentence, c.start, q))
    .map((c) => ({ ...c, strength: 1 }));
}

/** At most one word between the head word and the candidate. */
function follows(sentence: string, start: number, q: QuestionContext): boolean {
  const before = sentence.slice(0, start).match(WORDS) ?? [];
  return before.slice(-2).some((w) => q.termsOf(w).some((t) => q.headTerms!.has(t)));
}
