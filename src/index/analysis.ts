import { splitSentences } from '../chunk/sentences.js';
import { analyzeWord, tokenize } from '../text/analyze.js';
import type { Passage } from '../types.js';
import type { IndexReader } from './reader.js';

/** A sentence of a passage with its words' index terms; offsets relative to the sentence. */
export interface AnalysedSentence {
  /** Offsets in the passage text. */
  start: number;
  end: number;
  text: string;
  words: Array<{ start: number; end: number; terms: readonly string[] }>;
  terms: Set<string>;
  /** The article's headline line: searchable, never quoted as an answer. */
  title: boolean;
}

export interface PassageAnalysis {
  terms: Set<string>;
  /** The same terms as ids (one numbering per loaded index), ascending: compact to compare passages. */
  termIds: Int32Array;
  sentences: AnalysedSentence[];
}

// Questions keep hitting the same passages, and a loaded index never changes: analyse each passage once.
const caches = new WeakMap<IndexReader, Map<number, PassageAnalysis>>();
const termNumbers = new WeakMap<IndexReader, Map<string, number>>();
const MAX_CACHED = 50_000;

/** Sentences, words and index terms of a passage, as the index analyses them (memoised per loaded index). */
export function analysePassage(index: IndexReader, p: Passage): PassageAnalysis {
  let cache = caches.get(index);
  if (!cache) caches.set(index, (cache = new Map()));
  let a = cache.get(p.id);
  if (a) return a;
  const meta = index.document(p.docId)?.meta;
  const lang = meta?.language;
  const analyzer = index.lexical.analyzer;
  const sentences = splitSentences(p.text).map((span): AnalysedSentence => {
    const text = p.text.slice(span.start, span.end);
    const words = tokenize(text).map((t) => ({ start: t.start, end: t.end, terms: analyzeWord(text.slice(t.start, t.end), analyzer, lang) }));
    const title = isTitle(text, meta?.title, p.text[span.end]);
    return { start: span.start, end: span.end, text, words, terms: new Set(words.flatMap((w) => w.terms)), title };
  });
  const terms = new Set(sentences.flatMap((s) => [...s.terms]));
  let numbers = termNumbers.get(index);
  if (!numbers) termNumbers.set(index, (numbers = new Map()));
  const termIds = new Int32Array(terms.size);
  let i = 0;
  for (const t of terms) {
    let n = numbers.get(t);
    if (n === undefined) numbers.set(t, (n = numbers.size));
    termIds[i++] = n;
  }
  a = { terms, termIds: termIds.sort(), sentences };
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(p.id, a);
  return a;
}

/**
 * A headline: the article's title as a whole line (the reader takes the first line as the title when it is a short
 * one; a title cut from a long lead line is a real sentence and stays quotable).
 */
function isTitle(sentence: string, title: string | undefined, next: string | undefined): boolean {
  return !!title && (next === undefined || next === '\n' || next === '\r') && sentence.replace(/^#+\s*/, '').trim() === title;
}
