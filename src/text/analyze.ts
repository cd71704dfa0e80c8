/**
 * Turning text into search terms, the same way for passages and questions.
 * Russian and Kazakh inflect heavily (хаб, хаба, хабом; хабы, хабтың, хабқа), so exact words miss most
 * matches; the analyzers below were compared on the dev questions (see README, "Retrieval quality").
 */

import type { Lang } from '../types.js';
import { detectLanguage } from './language.js';

export type AnalyzerName = 'exact' | 'stem' | 'prefix5' | 'ngram3';

/** Bump whenever analysis changes (stop words, suffixes, tokenisation): indexes built before are rebuilt. */
export const ANALYZER_VERSION = 3;

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

// Longest first. Kazakh is agglutinative: plural + possessive + case suffixes stack (хаб-тар-дың), so its
// suffixes are stripped in up to three passes; Russian has one inflectional ending (and maybe -ся).
const KK_SUFFIXES = [
  'лардың', 'лердің', 'дардың', 'дердің', 'тардың', 'тердің', 'лардан', 'лерден', 'дардан', 'дерден', 'тардан', 'терден',
  'ларға', 'лерге', 'дарға', 'дерге', 'тарға', 'терге', 'ларда', 'лерде', 'дарда', 'дерде', 'тарда', 'терде',
  'ларын', 'лерін', 'дарын', 'дерін', 'тарын', 'терін', 'ының', 'інің', 'ында', 'інде', 'ынан', 'інен',
  'лары', 'лері', 'дары', 'дері', 'тары', 'тері', 'лар', 'лер', 'дар', 'дер', 'тар', 'тер',
  'ның', 'нің', 'дың', 'дің', 'тың', 'тің', 'дан', 'ден', 'тан', 'тен', 'нан', 'нен', 'мен', 'бен', 'пен',
  'ға', 'ге', 'қа', 'ке', 'на', 'не', 'да', 'де', 'та', 'те', 'ды', 'ді', 'ты', 'ті', 'ны', 'ні', 'ына', 'іне',
  'ын', 'ін', 'сы', 'сі', 'ы', 'і',
].sort((a, b) => b.length - a.length);

const RU_SUFFIXES = [
  'иями', 'ями', 'ами', 'ией', 'иям', 'иях', 'ого', 'его', 'ому', 'ему', 'ыми', 'ими', 'ым', 'им', 'ых', 'их', 'ой', 'ей', 'ий', 'ый',
  'ая', 'яя', 'ое', 'ее', 'ую', 'юю', 'ом', 'ем', 'ам', 'ям', 'ах', 'ях', 'ов', 'ев', 'ия', 'ие', 'ии', 'ию', 'ью',
  'ает', 'яет', 'ают', 'яют', 'ует', 'уют', 'ать', 'ять', 'ешь', 'ете', 'ют', 'ут', 'ят', 'ат', 'ит', 'ет', 'ил', 'ила', 'или', 'ило', 'ал', 'ала', 'али', 'ел', 'ела', 'ели', 'ть', 'ти',
  'а', 'я', 'о', 'е', 'у', 'ю', 'ы', 'и', 'ь', 'й',
].sort((a, b) => b.length - a.length);

const KAZAKH_LETTER = /[әғқңөұүһі]/;
// Unicode-property patterns are module constants: tsx's esbuild turns a \p{…} literal into `new RegExp(…)`,
// built again each time the expression runs, and these run per word or per sentence.
// Likewise code run per word or per sentence makes no named closures (`const f = () => …` inside a function):
// tsx compiles with keepNames, so each one made costs a `__name` call (Object.defineProperty), ~0.4 µs.
const ALL_DIGITS = /^\p{N}+$/u;
const CYRILLIC = /\p{Script=Cyrillic}/u;


function stripOnce(s: string, suffixes: string[]): string {
  for (const suf of suffixes) if (s.length - suf.length >= 3 && s.endsWith(suf)) return s.slice(0, -suf.length);
  return s;
}

function stemCyrillic(w: string, lang?: Lang): string {
  if (lang === 'kk' || (lang === undefined && KAZAKH_LETTER.test(w))) {
    let s = w;
    for (let pass = 0; pass < 3; pass++) {
      const next = stripOnce(s, KK_SUFFIXES);
      if (next === s) break;
      s = next;
    }
    return s;
  }
  const s = w.replace(/(ся|сь)$/, '');
  return stripOnce(s.length >= 4 ? s : w, RU_SUFFIXES);
}

function stemLatin(w: string): string {
  if (w.length <= 3) return w;
  if (w.endsWith('ies') && w.length > 4) return w.slice(0, -3) + 'y';
  if (w.endsWith('sses')) return w.slice(0, -2);
  for (const suf of ['ational', 'ation', 'ments', 'ment', 'ings', 'ing', 'ness', 'edly', 'ed', 'ly', 'es', 's']) {
    if (w.endsWith(suf) && w.length - suf.length >= 3 && !(suf === 's' && w.endsWith('ss'))) return w.slice(0, -suf.length);
  }
  return w;
}

// Stemming is on every hot path (indexing, each question, each sentence scored): words repeat, so remember them.
const stemCache = new Map<string, string>();
const STEM_CACHE_MAX = 500_000;

/** Light stemming; `lang` picks Russian or Kazakh endings for Cyrillic words (guessed from the letters if absent). */
export function stem(word: string, lang?: Lang): string {
  const key = (lang === 'kk' ? 'k' : lang === 'ru' ? 'r' : 'u') + word;
  let out = stemCache.get(key);
  if (out !== undefined) return out;
  if (ALL_DIGITS.test(word)) out = word;
  else if (CYRILLIC.test(word)) out = stemCyrillic(word, lang === 'en' ? undefined : lang);
  else out = stemLatin(word);
  if (stemCache.size >= STEM_CACHE_MAX) stemCache.clear();
  stemCache.set(key, out);
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

/**
 * Function words of the three languages, plus question words: they say what kind of answer is wanted,
 * not what it is about, so they must not decide which passage is relevant.
 */
export const STOPWORDS = new Set(
  `
a an the of in on at to for from by with and or but not no is are was were be been being am do does did done has have had
it its this that these those there here as into about over under than then so such can could will would shall should may might
must what which who whom whose when where why how many much i you he she we they me him her us them my your his our their
any some all each every other also only just very more most less least one ones if whether
и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее её мне было вот от меня еще ещё нет о из ему
теперь когда даже ну вдруг ли если уже или ни быть был него до вас нибудь опять уж вам ведь там потом себя ничего ей может они
тут где есть надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого
какой совсем ним здесь этом один почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при наконец два об другой
хоть после над больше тот через эти нас про всего них какая много разве три эту моя впрочем хорошо свою этой перед иногда лучше
чуть том нельзя такой им более всегда конечно всю между это также является являются который которая которые которое которых
сколько каким какими какие каких какую каком каков какова каково чей чья чьё чье
және мен бен пен да де та те бұл осы ол сол мына ана бір екі үш не ме ма ба бе па пе ғой қой ғана тек әрі бірақ немесе
үшін туралы бойынша арқылы сияқты дейін кейін шейін қарай жоқ бар еді екен болып болды болады болса болған
кім кімді кімнің қандай қанша неше қашан қайда қай неге неліктен қалай ма ме мә
`
    .split(/\s+/)
    .filter(Boolean),
);

// Answers analyse the words of the sentences they read one by one, questions theirs, and the same words keep
// coming back.
const wordTermsCache = new Map<string, Map<string, readonly string[]>>();
const WORD_TERMS_MAX = 100_000;

/**
 * `analyze(word, analyzer, { lang })` remembered: for single words (and short phrases) read again and again.
 * Shared, read-only.
 */
export function analyzeWord(word: string, analyzer: AnalyzerName, lang?: Lang): readonly string[] {
  const key = lang ? `${analyzer}:${lang}` : analyzer;
  let cache = wordTermsCache.get(key);
  if (!cache) wordTermsCache.set(key, (cache = new Map()));
  let out = cache.get(word);
  if (out === undefined) {
    if (cache.size >= WORD_TERMS_MAX) cache.clear();
    cache.set(word, (out = analyze(word, analyzer, lang ? { lang } : {})));
  }
  return out;
}
