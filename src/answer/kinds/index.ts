/** The candidate finder for each kind of question; definitions and open questions are answered by a quote. */
import type { AnswerKind } from '../question.js';
import { countCandidates } from './count.js';
import { dateCandidates } from './date.js';
import { organizationCandidates, personCandidates, placeCandidates } from './names.js';
import type { QuestionContext, Typed } from './types.js';
import { whichCandidates } from './which.js';

export function candidatesFor(kind: AnswerKind, sentence: string, q: QuestionContext): Typed[] {
  switch (kind) {
    case 'count':
      return countCandidates(sentence, q);
    case 'date':
      return dateCandidates(sentence, q);
    case 'person':
      return personCandidates(sentence, q);
    case 'organization':
      return organizationCandidates(sentence, q);
    case 'place':
      return placeCandidates(sentence, q);
    case 'which':
      return whichCandidates(sentence, q);
    default:
      return [];
  }
}
