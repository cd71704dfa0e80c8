/**
 * A coarse sound key shared by Cyrillic and Latin spellings, so that names and loanwords written in another
 * script still match: Байменов ~ Baymenov, Шымкент ~ Shymkent, конференция ~ conference.
 */
const CYR_TO_LAT: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'i', к: 'k', л: 'l', м: 'm',
  н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'h', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'sh',
  ъ: '', ы: 'i', ь: '', э: 'e', ю: 'iu', я: 'ia', ә: 'a', ғ: 'g', қ: 'k', ң: 'n', ө: 'o', ұ: 'u', ү: 'u', һ: 'h', і: 'i',
};

const KEY_LENGTH = 6;
// Module constants, not literals inside functions: see the note in text/analyze.ts.
const DIGIT = /\p{N}/u;
const CYRILLIC = /\p{Script=Cyrillic}/u;


/** The key of a (lower-case) word in either script; words shorter than 3 letters get none. */
export function soundKey(word: string): string | null {
  if (word.length < 3 || DIGIT.test(word)) return null;
  let s = '';
  for (const ch of word) s += CYR_TO_LAT[ch] ?? ch;
  // Three-letter words: their consonants only (hub ~ хаб, bus ~ бас), the vowels of short loanwords vary most.
  if (word.length === 3) {
    const skeleton = s.replace(/kh/g, 'h').replace(/[^bcdfghjklmnpqrstvwxz]/g, '');
    return skeleton.length >= 2 && /^[a-z]+$/.test(s) ? `3${skeleton}` : null;
  }
  s = s
    .replace(/kh/g, 'h')
    .replace(/ph/g, 'f')
    .replace(/c(?=[eiy])/g, 's')
    .replace(/[cq]/g, 'k')
    .replace(/x/g, 'ks')
    .replace(/[yj]/g, 'i')
    .replace(/w/g, 'v')
    .replace(/(.)\1+/g, '$1');
  if (!/^[a-z]+$/.test(s)) return null;
  return s.slice(0, KEY_LENGTH);
}

export function isCyrillic(word: string): boolean {
  return CYRILLIC.test(word);
}
