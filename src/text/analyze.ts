/**
 * Turning text into search terms, the same way for passages and questions.
 * Russian and Kazakh inflect heavily (хаб, хаба, хабом; хабы, хабтың, хабқа), so exact words miss most
 * matches; the analyzers below were compared on the dev questions (see README, "Retrieval quality").
 */

import type { Lang } from '../types.js';
import { LRUCache } from 'lru-cache';
import snowball from 'snowball-stemmers';
import { stemKazakh } from './kazakh.js';
import { detectLanguage } from './language.js';
import { STOPWORDS } from './lexicon.js';

export { STOPWORDS };

export type AnalyzerName = 'exact' | 'stem' | 'prefix5' | 'ngram3';

/** Bump whenever analysis changes (stop words, suffixes, tokenisation): indexes built before are rebuilt. */
export const ANALYZER_VERSION = 7;

export interface Token {
  /** The normalised word (lower case, ё→е). */
  word: string;
  start: number;
  end: number;
}

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;

export function normalizeWord(w: string): string {
  const lower = w.toLowerCase();
  // Most words have neither: skip the replacements (this runs for every word of every text).
  return lower.includes('ё') || lower.includes('’') ? lower.replace(/ё/g, 'е').replace(/’/g, "'") : lower;
}

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  // exec over one regex, not matchAll: no cloned regex and iterator per text (this runs for every question)
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
    out.push({ word: normalizeWord(m[0]), start: m.index, end: m.index + m[0].length });
  }
  return out;
}

const ALL_DIGITS = /^\p{N}+$/u;
const DECADE_APOSTROPHE = /^\p{N}+0's$/u;
const CYRILLIC = /\p{Script=Cyrillic}/u;
const KAZAKH_LETTER = /[әғқңөұүһі]/;

// Snowball (snowball-stemmers, a JS port of the reference algorithms): the standard Russian and English
// stemmers, measured against the light suffix lists they replace in bench/quality.md.
const RUSSIAN = snowball.newStemmer('russian');
const ENGLISH = snowball.newStemmer('english');

// Stemming runs for every word indexed and every word of the sentences an answer reads (~2 µs a word with
// Snowball); words repeat, so one bounded cache keeps the recent ones.
const stems = new LRUCache<string, string>({ max: 200_000 });

/**
 * British spellings read as American ones, on both sides of a match, so "naturalise" finds "naturalized" and
 * "centre" finds "center" (Snowball leaves them apart). The same mapping on every word keeps matching consistent.
 */
function american(word: string): string {
  return word
    .replace(BRITISH_ISE, 'iz$1')
    .replace(BRITISH_YSE, 'yz$1')
    .replace(BRITISH_OUR, 'or$1')
    .replace(BRITISH_TRE, 'ter$1');
}
const BRITISH_ISE = /is(e|ed|es|ing|ation|ations|er|ers)$/;
const BRITISH_YSE = /ys(e|ed|es|ing)$/;
const BRITISH_OUR = /(?<=[a-z]{3})our(s|ed|ing|ite|ites|able)?$/;
const BRITISH_TRE = /(?<=[a-z]{2})tre(s)?$/;

/** The stem of a normalised word; `lang` picks Russian or Kazakh for Cyrillic words (else guessed from letters). */
export function stem(word: string, lang?: Lang): string {
  const key = (lang ?? '') + ':' + word;
  let out = stems.get(key);
  if (out !== undefined) return out;
  if (ALL_DIGITS.test(word)) out = word;
  // "the 1970's" is "the 1970s" (Snowball would cut it to the year 1970).
  else if (DECADE_APOSTROPHE.test(word)) out = word.replace("'", '');
  else if (CYRILLIC.test(word)) out = lang === 'kk' || (lang !== 'ru' && KAZAKH_LETTER.test(word)) ? stemKazakh(word) : RUSSIAN.stem(word);
  else out = ENGLISH.stem(american(word));
  stems.set(key, out);
  return out;
}

/** Terms of a text for the lexical index under the chosen analyzer. */
export function analyze(text: string, analyzer: AnalyzerName, opts: { dropStopwords?: boolean; lang?: Lang } = {}): string[] {
  const words = tokenize(text)
    .map((t) => t.word)
    .filter((w) => !opts.dropStopwords || !STOPWORDS.has(w));
  switch (analyzer) {
    case 'exact':
      return words;
    case 'stem': {
      const lang = opts.lang ?? detectLanguage(text);
      return words.map((w) => stem(w, lang));
    }
    case 'prefix5':
      return words.map((w) => (ALL_DIGITS.test(w) ? w : w.slice(0, 5)));
    case 'ngram3': {
      const out: string[] = [];
      for (const w of words) {
        if (w.length <= 3) {
          out.push(w);
          continue;
        }
        const p = `_${w}_`;
        for (let i = 0; i + 3 <= p.length; i++) out.push(p.slice(i, i + 3));
      }
      return out;
    }
  }
}

/** `analyze` of a single word (or short phrase) in a known language. */
export function analyzeWord(word: string, analyzer: AnalyzerName, lang?: Lang): readonly string[] {
  return analyze(word, analyzer, lang ? { lang } : {});
}
