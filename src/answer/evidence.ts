/**
 * Whether the articles hold an answer at all: a score from what retrieval found, fitted as a logistic model on
 * the dev split's answerable versus out-of-corpus questions (weights, threshold and the trade-off table: see
 * `REFUSAL` in weights.ts and docs/quality.md).
 */
import type { IndexReader } from '../index/reader.js';
import type { Retrieval } from '../retrieve/hybrid.js';
import type { Lang } from '../types.js';
import { REFUSAL } from './weights.js';

export interface Evidence {
  /** Idf-weighted share of the question's concepts (unknown words included) matched by the best passage. */
  coverage: number;
  /** The best BM25 score over the summed idf of the question's known concepts: how fully the best passage matches. */
  bm25Share: number;
  /** ln(1 + best BM25 score). */
  logBm25: number;
  /** Share of the question's concept weight that no article has in any form. */
  unknownShare: number;
  /** Capitalised words of the question (names) no article has, at most 2. */
  unknownNames: number;
  /** The best passage is in another language than the question: words can match only through the glossary. */
  crossLingual: boolean;
}

export function evidenceOf(r: Retrieval, index: IndexReader, language: Lang): Evidence {
  let total = 0;
  let unknown = 0;
  let names = 0;
  for (const c of r.plan.concepts) {
    total += c.weight;
    if (!c.known) {
      unknown += c.weight;
      if (c.name) names++;
    }
  }
  let bm25 = 0;
  let bestDoc: string | undefined;
  for (const p of r.passages) {
    if ((p.lexicalScore ?? 0) > bm25) {
      bm25 = p.lexicalScore!;
      bestDoc = p.passage.docId;
    }
  }
  const docLanguage = bestDoc === undefined ? undefined : index.document(bestDoc)?.meta.language;
  return {
    coverage: r.bestCoverage,
    bm25Share: Math.min(2, bm25 / Math.max(1, total - unknown)),
    logBm25: Math.log1p(bm25),
    unknownShare: total ? unknown / total : 1,
    unknownNames: Math.min(2, names),
    crossLingual: docLanguage !== undefined && docLanguage !== language,
  };
}

/** The logistic model's score (its log-odds that the question is answerable from these passages). */
export function answerability(e: Evidence): number {
  const w = REFUSAL.weights;
  return w.bias + w.coverage * e.coverage + w.bm25Share * e.bm25Share + w.logBm25 * e.logBm25 + w.unknownShare * e.unknownShare + w.unknownNames * e.unknownNames;
}

/** How far the evidence stands above (≥ 0) or below (< 0) the bar for answering, in the model's log-odds. */
function margin(e: Evidence): number {
  return answerability(e) - (REFUSAL.threshold - (e.crossLingual ? REFUSAL.crossLingualAllowance : 0));
}

/** True when the evidence is too weak to answer: "not in the articles". */
export function tooWeak(e: Evidence): boolean {
  return margin(e) < 0;
}

/** Refused, but close to the bar: the articles nearest the question are worth naming. */
export function nearMiss(e: Evidence): boolean {
  const m = margin(e);
  return m < 0 && m >= -REFUSAL.nearMiss;
}
