/** The candidate finder for each kind of question; definitions and open questions are answered by a quote. */
import type { AnswerKind } from '../question.js';
import { countCandidates } from './count.js';
import { dateCandidates } from './date.js';
import { organizationCandidates, personCandidates, placeCandidates } from './names.js';
import type { QuestionContext, Typed } from './types.js';
import { whichCandidates } from './which.js';

const FINDERS: Partial<Record<AnswerKind, (sentence: string, q: QuestionContext) => Typed[]>> = {
  count: countCandidates,
  date: dateCandidates,
  person: personCandidates,
  organization: organizationCandidates,
  place: placeCandidates,
  which: whichCandidates,
};

export function candidatesFor(kind: AnswerKind, sentence: string, q: QuestionContext): Typed[] {
  return FINDERS[kind]?.(sentence, q) ?? [];
}
