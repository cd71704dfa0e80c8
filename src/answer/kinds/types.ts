import type { Candidate } from '../extract.js';

/** A short answer found in a sentence, with how sure its kind makes it (`strength`, 0–1). */
export interface Typed extends Candidate {
  strength: number;
}

/** What a candidate finder knows of the question. */
export interface QuestionContext {
  /** The word (as written in a sentence) is one of the question's words: then it is not the answer. */
  inQuestion(word: string): boolean;
  /** Analysed terms of a word. */
  termsOf(word: string): readonly string[];
  /** Terms of what a count question counts ("стран" → стран, ел, countri…), if it says. */
  unitTerms?: ReadonlySet<string>;
  /** Terms of the kind a "which X" question asks for ("какую систему" → систем). */
  headTerms?: ReadonlySet<string>;
}
