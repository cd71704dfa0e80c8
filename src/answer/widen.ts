/**
 * The first quote is what a reader reads first. When the sentence that best answers stands next to another that
 * belongs to the answer (the second best of its article, or the one its pronoun points back to), both are quoted as
 * one contiguous span of the article, as long as it stays one paragraph and no longer than one sentence may be quoted.
 */
import { stem, STOPWORDS } from '../text/analyze.js';
import { DEFINITE_ARTICLES, LEANING_OPENERS, ORDERING_ADJECTIVES } from '../text/lexicon.js';
import { COMPOSE, WIDEN } from './weights.js';

const WORDS = /[\p{L}\p{N}-]+/gu;

/** A sentence of a passage: offsets in the passage text and its ranking score (undefined: not ranked, e.g. a title). */
export interface SentenceSlot {
  start: number;
  end: number;
  score?: number;
  /** It holds what the question asks for (a name, a figure, a date) and the best sentence does not. */
  holdsAnswer?: boolean;
}

/**
 * A sentence leaning on the one before: it opens with a pronoun or a connective, is a few words only, or opens with
 * a definite article and a noun the sentence before has in some form ("… one of the oldest neighborhoods. The
 * neighborhood lies…"; not "The first…", "The same…": those order, they do not point back).
 */
export function leansBack(sentence: string, before = ''): boolean {
  const words = sentence.match(WORDS) ?? [];
  if (!words.length) return false;
  if (LEANING_OPENERS.has(words[0]!.toLowerCase()) || words.length < WIDEN.fewWords) return true;
  const noun = words[1]?.toLowerCase();
  if (!DEFINITE_ARTICLES.has(words[0]!.toLowerCase()) || !noun || STOPWORDS.has(noun) || ORDERING_ADJECTIVES.has(noun)) return false;
  const own = stem(noun, 'en');
  return (before.match(WORDS) ?? []).some((w) => stem(w.toLowerCase(), 'en') === own);
}

/**
 * The span [start, end) of `text` to quote for the best sentence `slots[i]`: itself, or itself with the neighbour
 * that scores at least `WIDEN.share` of it or holds the answer it lacks (or the one before, when it leans back: then
 * that one first), or with both when both qualify and fit; never across a line break and never longer than a single
 * sentence may be quoted (`COMPOSE.maxQuoteChars`).
 */
export function widenedSpan(text: string, slots: readonly SentenceSlot[], i: number): { start: number; end: number } {
  const best = slots[i];
  const own = { start: best.start, end: best.end };
  const bestScore = best.score ?? 0;
  const fits = (a: SentenceSlot, b: SentenceSlot) => b.end - a.start <= COMPOSE.maxQuoteChars && !/[\n\r]/.test(text.slice(a.end, b.start));
  // A neighbour belongs to the answer when it scores nearly as well, or when it holds the name or figure asked for
  // that the best sentence lacks ("… ordered Pedro Menéndez to attack. On 20 September 1565 the Spanish attacked …").
  const strong = (s: SentenceSlot | undefined) => s?.score !== undefined && bestScore > 0 && (s.score >= bestScore * WIDEN.share || !!s.holdsAnswer);
  const prev = slots[i - 1];
  const next = slots[i + 1];
  const options: Array<{ start: number; end: number; score: number }> = [];
  const leans = leansBack(text.slice(best.start, best.end), prev && text.slice(prev.start, prev.end));
  // A sentence leaning on the one before is read with that one first: "He" needs its name more than the next
  // sentence does (dev split top-hit ru +0.3, en +0.8, both halves, nothing lost).
  if (prev && prev.score !== undefined && fits(prev, best) && (strong(prev) || leans))
    options.push({ start: prev.start, end: best.end, score: leans ? Infinity : prev.score });
  if (next && strong(next) && fits(best, next)) options.push({ start: best.start, end: next.end, score: next.score! });
  if (!options.length) return own;
  options.sort((a, b) => b.score - a.score);
  // Both neighbours belong to it and the three fit: all three.
  if (options.length === 2 && next!.end - prev!.start <= COMPOSE.maxQuoteChars) return { start: prev!.start, end: next!.end };
  return { start: options[0].start, end: options[0].end };
}
