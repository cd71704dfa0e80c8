/**
 * Ranking the sentences of the retrieved passages by how likely each holds the answer. Every feature is a plain
 * number per sentence; the weights are in weights.ts (SENTENCE), fitted on the dev split.
 */
import { analysePassage } from '../index/analysis.js';
import { CELL_SEPARATOR } from '../ingest/formats.js';
import type { IndexReader } from '../index/reader.js';
import type { Retrieval } from '../retrieve/hybrid.js';
import { analyzeWord, normalizeWord, STOPWORDS } from '../text/analyze.js';
import { detectLanguage } from '../text/language.js';
import type { Lang, Passage } from '../types.js';
import { definesSomething } from './kinds/definition.js';
import { candidatesFor } from './kinds/index.js';
import type { QuestionContext, Typed } from './kinds/types.js';
import { countedWord, headWords, type AnswerKind } from './question.js';
import { COMPOSE, SENTENCE } from './weights.js';

const NUMERIC = new Set<AnswerKind>(['count', 'date']);
/** A candidate this close to a question word is likely what the question asks about. */
const NEAR_WORDS = 3;

export interface SentenceFeatures {
  /** Idf-weighted share of the question's concepts in the sentence. */
  coverage: number;
  /** The same counting the sentence before it ("Хаб… . Бүгінгі таңда ұйым 42…"). */
  context: number;
  /** Retrieval score of its passage relative to the best passage. */
  passage: number;
  /** 1 / rank of its passage. */
  passageRank: number;
  /** Share of its words that are question words. */
  density: number;
  /** Share of the question's neighbouring concept pairs that stand within three words of each other here. */
  phrase: number;
  /** Idf-weighted share of the question's concepts matched in their own form (not a translation or a prefix). */
  exact: number;
  /** The strongest candidate of the kind asked for, for numbers and dates (0 without one). */
  typed: number;
  /** The same for names (person, place, organisation, which). */
  typedName: number;
  /** The strongest candidate standing within three words of a question word. */
  typedNear: number;
  /** Definition questions: the sentence defines something. */
  defines: number;
  /** It is a question itself (an interviewer's): not an answer. */
  asks: number;
  /** Fewer than four words. */
  short: number;
}

export interface RankedSentence {
  docId: string;
  /** The passage it was read from (its neighbours are quoted with it when they belong to the answer). */
  source: Passage;
  /** Offsets in the article. */
  start: number;
  end: number;
  text: string;
  features: SentenceFeatures;
  candidates: Typed[];
  score: number;
  coverage: number;
  /** It matches a question word that is not a name (true when all the question's words are names). */
  matchesPlainWord: boolean;
  /** Its words (offsets in `text`) and which of them are question words (what a count counts left out). */
  words: ReadonlyArray<{ start: number; end: number }>;
  asked: number[];
  /** Per word: a content word (not a function word), the only kind distances count. */
  content: boolean[];
}

/** Content words of the sentence strictly between two spans of it ("together with the UNDP": none). */
export function wordsBetween(s: RankedSentence, a: { start: number; end: number }, b: { start: number; end: number }): number {
  const [x, y] = a.start <= b.start ? [a, b] : [b, a];
  return s.words.filter((w, i) => s.content[i] && w.start >= x.end && w.end <= y.start).length;
}

/** Content words between a candidate and the nearest question word of its sentence (0 when one is inside it). */
export function distanceToQuestion(s: RankedSentence, c: { start: number; end: number }): number {
  let best = Infinity;
  s.asked.forEach((i) => {
    const w = s.words[i];
    if (w.start >= c.start && w.end <= c.end) best = 0;
    else best = Math.min(best, wordsBetween(s, w, c));
  });
  return best;
}

/** What the question asks, read once for all sentences. */
export function questionContext(question: string, language: Lang, retrieval: Retrieval, index: IndexReader): QuestionContext {
  const analyzer = index.lexical.analyzer;
  // A sentence's word is read as the question's language would read it and as its own letters suggest: a Kazakh
  // question's «Тарихи» must match the same word in a sentence.
  const read = new Map<string, readonly string[]>(); // per question: names and numbers repeat across sentences
  const termsOf = (w: string) => {
    let t = read.get(w);
    if (!t) read.set(w, (t = [...new Set([...analyzeWord(w, analyzer, language), ...analyzeWord(w, analyzer)])]));
    return t;
  };
  const questionTerms = new Set(retrieval.plan.concepts.flatMap((c) => c.terms));
  const unit = countedWord(question);
  const unitConcept = unit ? retrieval.plan.concepts.find((c) => termsOf(unit).some((t) => c.terms.includes(t))) : undefined;
  const head = headWords(question).flatMap((w) => termsOf(w));
  return {
    inQuestion: (w) => termsOf(w).some((t) => questionTerms.has(t)),
    termsOf,
    unitTerms: unitConcept ? new Set(unitConcept.terms) : undefined,
    headTerms: head.length ? new Set(head) : undefined,
  };
}

/** Every sentence of the retrieved passages (one entry per sentence, titles left out), best first. */
export function rankSentences(retrieval: Retrieval, index: IndexReader, kind: AnswerKind, q: QuestionContext, opts: { all?: boolean } = {}): RankedSentence[] {
  const concepts = retrieval.plan.concepts;
  let total = 0;
  for (const c of concepts) total += c.weight;
  const conceptOf = new Map<string, number>();
  concepts.forEach((c, i) => c.terms.forEach((t) => conceptOf.has(t) || conceptOf.set(t, i)));
  const top = retrieval.passages[0]?.score || 1;
  const allNames = concepts.every((c) => c.name);
  const seen = new Map<string, RankedSentence>();
  retrieval.passages.forEach((sp, rank) => {
    const p = sp.passage;
    let prev = new Set<number>();
    for (const s of analysePassage(index, p).sentences) {
      const matched = new Set<number>();
      const own = new Set<number>();
      const asked: number[] = [];
      const at: number[][] = concepts.map(() => []);
      let questionWords = 0;
      s.words.forEach((w, wi) => {
        let hit = false;
        for (const t of w.terms) {
          const i = conceptOf.get(t);
          if (i !== undefined) {
            if (!hit && !q.unitTerms?.has(t)) asked.push(wi);
            matched.add(i);
            at[i].push(wi);
            if (concepts[i].terms[0] === t) own.add(i);
            hit = true;
          }
        }
        if (hit) questionWords++;
      });
      let pairs = 0;
      for (let i = 0; i + 1 < concepts.length; i++) if (at[i].some((a) => at[i + 1].some((b) => Math.abs(a - b) <= 3))) pairs++;
      const share = (set: Set<number>) => {
        let hit = 0;
        for (const i of set) hit += concepts[i].weight;
        return total ? hit / total : 0;
      };
      const coverage = share(matched);
      const matchesPlainWord = allNames || [...matched].some((i) => !concepts[i].name);
      const context = share(new Set([...matched, ...prev]));
      prev = matched;
      if (s.title) continue;
      const features: SentenceFeatures = {
        coverage,
        context,
        passage: sp.score / top,
        passageRank: 1 / (rank + 1),
        density: s.words.length ? questionWords / s.words.length : 0,
        phrase: concepts.length > 1 ? pairs / (concepts.length - 1) : 0,
        exact: share(own),
        typed: 0,
        typedName: 0,
        typedNear: 0,
        defines: kind === 'definition' && definesSomething(s.text) ? 1 : 0,
        asks: s.text.trimEnd().endsWith('?') ? 1 : 0,
        // A table row ("Костанайская · 5,1") is short by nature, not a fragment.
        short: s.words.length < 4 && !s.text.includes(CELL_SEPARATOR) ? 1 : 0,
      };
      const start = p.start + s.start;
      const key = `${p.docId}:${start}`;
      const ranked: RankedSentence = { docId: p.docId, source: p, start, end: p.start + s.end, text: s.text, features, candidates: [], score: scoreOf(features), coverage, matchesPlainWord, words: s.words, asked, content: [] };
      const before = seen.get(key);
      if (!before || before.score < ranked.score) seen.set(key, ranked);
    }
  });
  // Candidates are looked for only where they can matter: in sentences that the candidate features could lift to
  // the top, and, for counts, in those covering enough of the question to give another article's figure.
  const sentences = [...seen.values()];
  let bestPartial = -Infinity;
  let bestCoverage = 0;
  for (const r of sentences) {
    bestPartial = Math.max(bestPartial, r.score);
    bestCoverage = Math.max(bestCoverage, r.coverage);
  }
  const reach = Math.max(0, SENTENCE.typed) + Math.max(0, SENTENCE.typedName) + Math.max(0, SENTENCE.typedNear);
  for (const r of sentences) {
    if (!opts.all && r.score + reach < bestPartial && !(kind === 'count' && r.coverage >= bestCoverage * COMPOSE.figureShare)) continue;
    r.candidates = candidatesFor(kind, r.text, q);
    if (!r.candidates.length) continue;
    r.content = r.words.map((w) => !STOPWORDS.has(normalizeWord(r.text.slice(w.start, w.end))));
    const strongest = r.candidates.reduce((m, c) => Math.max(m, c.strength), 0);
    if (NUMERIC.has(kind)) r.features.typed = strongest;
    else r.features.typedName = strongest;
    for (const c of r.candidates) if (distanceToQuestion(r, c) <= NEAR_WORDS) r.features.typedNear = Math.max(r.features.typedNear, c.strength);
    r.score = scoreOf(r.features);
  }
  return sentences.sort((a, b) => b.score - a.score || a.start - b.start);
}

function scoreOf(f: SentenceFeatures): number {
  let s = 0;
  for (const k of Object.keys(SENTENCE) as Array<keyof SentenceFeatures>) s += SENTENCE[k] * f[k];
  return s;
}

/** For fitting: the features of every ranked sentence. */
export function sentenceFeatures(retrieval: Retrieval, index: IndexReader, kind: AnswerKind, question: string): RankedSentence[] {
  return rankSentences(retrieval, index, kind, questionContext(question, detectLanguage(question), retrieval, index), { all: true });
}
