/**
 * Every weight and threshold of answering, each with its reason. Fitted on the public dev split
 * (the shared folder's `eval/ext`, XQuAD ru/en + KazQAD kk), checked on both halves of it split by article, and still
 * holding the sample questions (the shared folder's `eval/dev.jsonl`). Figures behind each: docs/quality.md.
 */

/**
 * Refusal: a logistic model over `Evidence` (evidence.ts), fitted with balanced classes on 857 answerable
 * (same-language) and 260 out-of-corpus questions. The threshold is the point of the trade-off curve where
 * out-of-corpus refusals stay ≥ 85 % with a margin (87.7 %) and answerable questions answered are 96.0 %.
 */
export const REFUSAL = {
  weights: {
    bias: -7.187,
    /** More of the question's weighted words in one passage: more likely there. */
    coverage: 2.522,
    /** BM25 of the best passage against what the question's words could give: the strongest single feature. */
    bm25Share: 4.771,
    logBm25: 1.631,
    /** Words no article has in any form: most often the question is about something else. */
    unknownShare: -6.262,
    /** An unknown proper name counts once more. */
    unknownNames: -1.86,
  },
  threshold: -0.65,
  /**
   * When the best passage is in another language, words match only through the glossary and transliteration, so
   * the bar is lowered by this much. Out-of-corpus questions refused stay the same on the dev split; cross-lingual
   * questions answered rise (docs/quality.md).
   */
  crossLingualAllowance: 1,
  /**
   * A refusal at most this far below the bar still names the articles closest to the question, for the reader to
   * look in: 25 of the 28 answerable questions refused on the dev split are that close (their source article among
   * the named for 19), against 62 of the 226 out-of-corpus questions refused.
   */
  nearMiss: 2,
  /** How many of the closest articles a near-miss refusal names: as many as an answer quotes at most. */
  closestArticles: 3,
} as const;

/** Sentence ranking: a weighted sum of `SentenceFeatures` (sentences.ts). */
export const SENTENCE = {
  coverage: 0.4,
  context: 0.65,
  passage: 0.5,
  passageRank: 0,
  /** Share of question words: 0 since the first quote takes in neighbours (−0.1 cost ru 0.9, kk 0.6; +0.1 −0.8 kk). */
  density: 0,
  phrase: 0,
  exact: 0.1,
  typed: 0.25,
  typedName: 0.05,
  typedNear: 0.2,
  defines: 0.1,
  asks: -0.5,
  short: -1.2,
};

/**
 * Direct answers: the least candidate strength (kinds/) for which a kind opens the reply with a short answer.
 * A kind absent here never does: its candidates were right too rarely on the dev split (table in docs/quality.md).
 */
export const DIRECT: { minCoverage: number; maxDistance: number; listGap: number; count: number } & Partial<Record<'date' | 'person' | 'organization' | 'place' | 'which', number>> = {
  /** The best sentence must hold this share of the question's weighted words. */
  minCoverage: 0.7,
  /** At most this many words between the candidate and a question word of its sentence. */
  maxDistance: 0,
  /** Another strong candidate fewer than this many words away makes the pick one of a list: no direct answer. */
  listGap: 3,
  /** A number with the counted word after it. */
  count: 1,
  date: 0.8,
  person: 0.8,
  organization: 0.8,
  /** A quoted name right after the asked-for kind ("системы «eqyzmet.gov.kz»"). */
  which: 1,
};

export const COMPOSE = {
  /** Quotes shown as the answer. */
  maxQuotes: 3,
  /** A further quote scores at least this share of the best sentence's score. */
  quoteShare: 0.5,
  /** Another article's figure joins a disagreement when its sentence covers this share of what the best covers. */
  figureShare: 0.8,
  /** Count sentences this close to the best are a tie, settled by "now" and the article's date. */
  tie: 0.08,
  /**
   * Longer sentences are cut to whole clauses (quote.ts). Encyclopedic sentences run long: at 320 characters the
   * cut dropped the answer from 1.4 % of Russian first quotes on the dev split; 480 keeps it (500+ gains nothing more).
   * A first quote widened to its neighbours (widen.ts) has the same limit: the answer is as often in the next
   * sentence as in the rest of a long one (widened quotes capped at 350 → 500: top-hit ru 77.7 → 81.9, en 78.9 → 81.2,
   * kk 49.9 → 50.4, no half lower; first quotes' median 236 → 267, 90th percentile 347 → 432 characters).
   */
  maxQuoteChars: 500,
  /** With a close dense match, this much lexical coverage is enough to answer (cross-lingual questions). */
  denseRescueCoverage: 0.25,
};

/** The first quote widened to a neighbouring sentence (widen.ts). */
export const WIDEN = {
  /**
   * A neighbour scoring at least this share of the best sentence is quoted with it: the answer is often in the
   * second best sentence next to the best (dev split top-hit ru 71.2 → 75.1, en 71.1 → 74.2, kk 40.3 → 46.7, both
   * halves up; 0.6 gives the same with longer quotes, 0.8 −1.4 kk, 0.9 −1.4 ru).
   */
  share: 0.7,
  /**
   * A sentence of fewer words leans on the one before it (0: −0.5 kk; pronoun openers alone: +1.4 ru). Refitted
   * after the 500-character limit: 6 → 8 gains kk 50.9 → 51.5 (half 0 +0.8, half 1 =), ru and en unchanged; 10 and
   * 12 give the same.
   */
  fewWords: 8,
};
