import { LRUCache } from 'lru-cache';
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
  sentences: AnalysedSentence[];
}

// Every question reads the sentences of its ~16 passages, and the same passages keep coming back: analysed
// passages are kept in one bounded cache per loaded index (a reader never changes, so entries never go stale).
const caches = new WeakMap<IndexReader, LRUCache<number, PassageAnalysis>>();
const KEPT = 20_000;

/** Sentences, words and index terms of a passage, as the index analyses them. */
export function analysePassage(index: IndexReader, p: Passage): PassageAnalysis {
  let cache = caches.get(index);
  if (!cache) caches.set(index, (cache = new LRUCache({ max: KEPT })));
  let a = cache.get(p.id);
  if (!a) cache.set(p.id, (a = analyse(index, p)));
  return a;
}

function analyse(index: IndexReader, p: Passage): PassageAnalysis {
  const meta = index.document(p.docId)?.meta;
  const analyzer = index.lexical.analyzer;
  const sentences = splitSentences(p.text).map((span): AnalysedSentence => {
    const text = p.text.slice(span.start, span.end);
    const words = tokenize(text).map((t) => ({ start: t.start, end: t.end, terms: analyzeWord(text.slice(t.start, t.end), analyzer, meta?.language) }));
    const title = isTitle(text, meta?.title, p.text[span.end]);
    return { start: span.start, end: span.end, text, words, terms: new Set(words.flatMap((w) => w.terms)), title };
  });
  return { terms: new Set(sentences.flatMap((s) => [...s.terms])), sentences };
}

/**
 * A headline: the article's title as a whole line (the reader takes the first line as the title when it is a short
 * one; a title cut from a long lead line is a real sentence and stays quotable).
 */
function isTitle(sentence: string, title: string | undefined, next: string | undefined): boolean {
  return !!title && (next === undefined || next === '\n' || next === '\r') && sentence.replace(/^#+\s*/, '').trim() === title;
}
