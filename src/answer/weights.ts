/**
 * Every weight and threshold of answering, each with its reason. Fitted on the public dev split
 * (`../shared/eval/ext`, XQuAD ru/en + KazQAD kk), checked on both halves of it split by article, and still
 * holding the sample questions (`../shared/eval/dev.jsonl`). Figures behind each: docs/quality.md.
 */

/**
 * Refusal: a logistic model over `Evidence` (evidence.ts), fitted with balanced classes on 857 answerable
 * (same-language) and 260 out-of-corpus questions. The threshold is the point of the trade-off curve where
 * out-of-corpus refusals stay ≥ 85 % with a margin (86.5 %) and answerable questions answered are 95.9 %.
 */
export const REFUSAL = {
  weights: {
    bias: -6.148,
    /** More of the question's weighted words in one passage: more likely there. */
    coverage: 3.035,
    /** BM25 of the best passage against what the question's words could give: the strongest single feature. */
    bm25Share: 4.266,
    logBm25: 1.323,
    /** Words no article has in any form: most often the question is about something else. */
    unknownShare: -5.889,
    /** An unknown proper name counts once more. */
    unknownNames: -1.967,
  },
  threshold: -0.7,
} as const;

/** Sentence ranking: a weighted sum of `SentenceFeatures` (sentences.ts). */
export const SENTENCE = {
  coverage: 0.65,
  context: 0.25,
  passage: 0.1,
  passageRank: 0,
  density: 0,
  phrase: 0,
  exact: 0,
  typed: 0,
  typedName: 0,
  defines: 0,
  asks: -0.3,
  short: -0.2,
};
