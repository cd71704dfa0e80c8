import type { Lang } from '../types.js';

// Letters Kazakh has and Russian lacks: one is enough to tell a Kazakh text from a Russian one.
const KAZAKH_LETTERS = 'әғқңөұүһіӘҒҚҢӨҰҮҺІ';
const CYRILLIC_CHAR = /^\p{Script=Cyrillic}$/u;
const LATIN_CHAR = /^\p{Script=Latin}$/u;

/** Guesses ru / kk / en from the letters used; Latin or letterless text counts as English. */
export function detectLanguage(text: string): Lang {
  let cyr = 0;
  let lat = 0;
  let kazakh = 0;
  // One pass over the code points; the common ranges are decided by code, the rest by Unicode's script tables.
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) {
      if ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) lat++;
    } else if (c >= 0x400 && c <= 0x4ff) {
      cyr++;
      if (KAZAKH_LETTERS.includes(ch)) kazakh++;
    } else if (CYRILLIC_CHAR.test(ch)) cyr++;
    else if (LATIN_CHAR.test(ch)) lat++;
  }
  if (cyr === 0 || cyr < lat) return 'en';
  // A Russian article may quote a Kazakh name; a real Kazakh text has them throughout.
  return kazakh >= Math.max(1, cyr * 0.01) ? 'kk' : 'ru';
}
