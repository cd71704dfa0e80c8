import type { Lang } from '../types.js';

// Letters Kazakh has and Russian lacks: one is enough to tell a Kazakh text from a Russian one.
const KAZAKH_LETTERS = /[әғқңөұүһіӘҒҚҢӨҰҮҺІ]/;
const CYRILLIC = /\p{Script=Cyrillic}/gu;
const LATIN = /\p{Script=Latin}/gu;

/** Guesses ru / kk / en from the letters used; Latin or letterless text counts as English. */
export function detectLanguage(text: string): Lang {
  const cyr = text.match(CYRILLIC)?.length ?? 0;
  const lat = text.match(LATIN)?.length ?? 0;
  if (cyr === 0 || cyr < lat) return 'en';
  const kazakh = text.match(new RegExp(KAZAKH_LETTERS.source, 'g'))?.length ?? 0;
  // A Russian article may quote a Kazakh name; a real Kazakh text has them throughout.
  return kazakh >= Math.max(1, cyr * 0.01) ? 'kk' : 'ru';
}
