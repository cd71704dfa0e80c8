import type { LexicalReader, QueryTerm } from '../index/reader.js';
import { analyze, analyzeWord, normalizeWord, STOPWORDS, tokenize } from '../text/analyze.js';
import { GLOSSARY } from '../text/glossary.js';
import { INTERROGATIVE_DETERMINERS, TIME_NOUNS } from '../text/lexicon.js';
import { detectLanguage } from '../text/language.js';
import { otherScriptSoundKey } from '../text/term-keys.js';
import type { Lang } from '../types.js';

/** One content word of a question and the index terms that count as a match for it. */
export interface Concept {
  word: string;
  /** The word as the question wrote it. */
  raw: string;
  /** Analysed terms: the word's own first, then its translations and transliterations. */
  terms: readonly string[];
  /** How telling a match is (idf of the rarest matching term; unseen words count as very telling). */
  weight: number;
  /** The word is a proper name (capitalised inside the question). */
  name: boolean;
  /** At least one of its terms occurs in the index. */
  known: boolean;
}

export interface QueryPlan {
  concepts: Concept[];
  /**
   * What BM25 searches for, in the question's order: each term some passage has, once, with its weight (the
   * question's own terms 1, expansions less).
   */
  terms: QueryTerm[];
}

const EXPANSION_WEIGHT = 0.6;
/** Unknown words at least this long are looked up by their first five letters. */
const PREFIX_FALLBACK_MIN = 6;
// Module constants, not literals inside functions: see the note in text/analyze.ts.
const CAPITALISED = /^\p{Lu}/u;

/** The glossary with each form analysed, and the rows each term is in (ascending), built once per analyzer. */
interface AnalysedGlossary {
  rows: Array<Set<string>>;
  rowsOf: Map<string, number[]>;
}
const glossaryCache = new Map<string, AnalysedGlossary>();
function analysedGlossary(index: LexicalReader): AnalysedGlossary {
  let g = glossaryCache.get(index.analyzer);
  if (!g) {
    // A stem much shorter than its word ("cre" of "creation") would match unrelated words; short words stay.
    const forms = (words: string[], lang: Lang) =>
      words.flatMap((w) => analyze(w, index.analyzer, { lang }).filter((t) => t.length >= 4 || t === normalizeWord(w)));
    const rows = GLOSSARY.map((row) => new Set([...forms(row.en, 'en'), ...forms(row.ru, 'ru'), ...forms(row.kk, 'kk')]));
    const rowsOf = new Map<string, number[]>();
    rows.forEach((row, i) => row.forEach((t) => (rowsOf.get(t) ?? rowsOf.set(t, []).get(t)!).push(i)));
    glossaryCache.set(index.analyzer, (g = { rows, rowsOf }));
  }
  return g;
}

/** The glossary rows holding any of the terms, in glossary order. */
function rowsWith(g: AnalysedGlossary, terms: readonly string[]): Array<Set<string>> {
  const found = new Set<number>();
  for (const t of terms) for (const i of g.rowsOf.get(t) ?? []) found.add(i);
  return [...found].sort((a, b) => a - b).map((i) => g.rows[i]);
}

/** What one question word stands for in an index: its terms with their expansions, and how telling it is. */
interface Expansion {
  word: string;
  own: readonly string[];
  terms: readonly string[];
  /** The terms some passage has, each with its BM25 weight: all a search needs. */
  searched: ReadonlyArray<Readonly<QueryTerm>>;
  weight: number;
  name: boolean;
  known: boolean;
}

/**
 * A question word as written (`raw`; `first` in its question) expanded: glossary rows, name prefixes, sound keys
 * and the idf of each term; null for a stop word or a word without terms.
 */
function expand(index: LexicalReader, raw: string, first: boolean, lang: Lang): Expansion | null {
  const word = normalizeWord(raw);
  if (STOPWORDS.has(word)) return null;
  const own = analyzeWord(raw, index.analyzer, lang);
  if (!own.length) return null;
  // Capitalised after the first word: a name or an acronym (Алматы, France, НАТО).
  // A capital letter alone is an initial ("Ш. Уәлиханов"), part of a name wherever it stands.
  const name = CAPITALISED.test(raw) && (!first || word.length === 1);
  const terms = new Set(own);
  for (const row of rowsWith(analysedGlossary(index), own)) row.forEach((t) => terms.add(t));
  // Names inflect past what light stemming undoes (Токаев / ТОКАЕВЫМ): match on the first five letters.
  if (name && word.length >= 5) for (const t of index.termsByKey('prefix', word.slice(0, 5))) terms.add(t);
  // Cross-script: the terms of the other script with the same sound key.
  const key = otherScriptSoundKey(own[0]);
  if (key) for (const t of index.termsByKey('sound', key)) terms.add(t);
  const searched: QueryTerm[] = [];
  let weight = -Infinity;
  let k = 0;
  for (const t of terms) {
    const isOwn = k++ === 0;
    if (!index.df(t)) continue;
    searched.push({ term: t, weight: isOwn ? 1 : EXPANSION_WEIGHT });
    weight = Math.max(weight, index.idf(t));
  }
  // A word no article has in its analysed form may still be there in another form the stemmer did not unify
  // ("защите" → "защ" but "защита" → "защит"): its first five letters find those, as weaker matches.
  if (!searched.length && !name && word.length >= PREFIX_FALLBACK_MIN) {
    for (const t of index.termsByKey('prefix', word.slice(0, 5))) {
      if (terms.has(t)) continue;
      terms.add(t);
      searched.push({ term: t, weight: EXPANSION_WEIGHT });
      weight = Math.max(weight, index.idf(t));
    }
  }
  const known = searched.length > 0;
  // A word no article has is often just another form or a paraphrase ("провел" / "проведено"): it counts,
  // but less than the rarest word that does occur. Unknown names are handled apart (they mean "not covered").
  if (!known) weight = index.idf('\u0000unseen') * (name ? 1 : 0.6);
  return { word, own, terms: [...terms], searched, weight, name, known };
}

/** Analyses a question (in `lang`, detected when not given) into concepts with their cross-lingual expansions. */
export function planQuery(question: string, index: LexicalReader, lang: Lang = detectLanguage(question)): QueryPlan {
  const concepts: Concept[] = [];
  const planned: QueryTerm[] = [];
  const at = new Map<string, number>();
  const seen = new Set<string>();
  const tokens = tokenize(question);
  for (let i = 0; i < tokens.length; i++) {
    const raw = question.slice(tokens[i].start, tokens[i].end);
    // "В каком году", "қай жылы", "what year": the time noun belongs to the question word, not to what is asked about.
    if (i > 0 && INTERROGATIVE_DETERMINERS.has(tokens[i - 1].word) && TIME_NOUNS.test(tokens[i].word)) continue;
    const e = expand(index, raw, i === 0, lang);
    if (e === null) continue;
    let fresh = false;
    for (const t of e.own) if (!seen.has(t)) fresh = true;
    if (!fresh) continue;
    for (const t of e.own) seen.add(t);
    concepts.push({ word: e.word, raw, terms: e.terms, weight: e.weight, name: e.name, known: e.known });
    // A term of two concepts is searched once, with the higher weight.
    for (const t of e.searched) {
      const slot = at.get(t.term);
      if (slot === undefined) {
        at.set(t.term, planned.length);
        planned.push({ term: t.term, weight: t.weight });
      } else if (t.weight > planned[slot].weight) planned[slot].weight = t.weight;
    }
  }
  return { concepts, terms: planned };
}

/** Share of the question's concepts (weighted by how telling they are) that a set of terms (or two) matches. */
export function coverage(plan: QueryPlan, terms: Set<string>, more?: Set<string>): number {
  let total = 0;
  let hit = 0;
  for (const c of plan.concepts) {
    total += c.weight;
    for (const t of c.terms) {
      if (terms.has(t) || (more !== undefined && more.has(t))) {
        hit += c.weight;
        break;
      }
    }
  }
  return total ? hit / total : 0;
}

/**
 * `coverage` for many term sets against one question: each set becomes a bit mask of the concepts it matches
 * (the same sums, in the same order). Null when the question has too many concepts for a mask.
 */
export function conceptMasks(plan: QueryPlan): { maskOf(terms: Set<string>): number; coverageOf(mask: number): number } | null {
  const concepts = plan.concepts;
  if (concepts.length > 30) return null;
  const bits = new Map<string, number>();
  concepts.forEach((c, i) => c.terms.forEach((t) => bits.set(t, (bits.get(t) ?? 0) | (1 << i))));
  let total = 0;
  for (const c of concepts) total += c.weight;
  return {
    maskOf(terms) {
      let mask = 0;
      for (const t of terms) mask |= bits.get(t) ?? 0;
      return mask;
    },
    coverageOf(mask) {
      let hit = 0;
      for (let i = 0; i < concepts.length; i++) if (mask & (1 << i)) hit += concepts[i].weight;
      return total ? hit / total : 0;
    },
  };
}
