/**
 * A Kazakh suffix-chain stemmer. No maintained npm package stems Kazakh (checked: snowball-stemmers, @nlpjs/*,
 * natural, lunr-languages have none), so this is our own, measured on the dev split's Kazakh questions (see
 * bench/quality.md). Kazakh is agglutinative: a noun takes plural + possessive + case (+ the attributive -ғы),
 * a verb tense/participle/converb endings; suffixes vary by vowel harmony and the preceding consonant
 * (-лар/-лер/-дар/-дер/-тар/-тер). The stemmer strips the longest known ending again and again, right to left,
 * while the stem keeps at least MIN_STEM letters and a vowel. Derivational suffixes (-лық, -шы) are left: they
 * make new words.
 */

const MIN_STEM = 3;
const VOWEL = /[аәеиоөұүыіэюяу]/;

const CASES = [
  // genitive, accusative, dative, locative, ablative, instrumental, attributive locative, equative
  'ның', 'нің', 'дың', 'дің', 'тың', 'тің',
  'ны', 'ні', 'ды', 'ді', 'ты', 'ті',
  'ға', 'ге', 'қа', 'ке', 'на', 'не',
  'нда', 'нде', 'да', 'де', 'та', 'те',
  'нан', 'нен', 'дан', 'ден', 'тан', 'тен',
  'менен', 'мен', 'бен', 'пен',
  'ндағы', 'ндегі', 'дағы', 'дегі', 'тағы', 'тегі', 'ғы', 'гі', 'қы', 'кі',
  'ша', 'ше', 'нша', 'нше',
];
// 'сын'/'сін': third-person possessive + accusative after a vowel ("бабасын"); the same after a consonant
// ('ын'/'ін') also strips roots (алтын, жалын): doc@3 +1.6 but top-hit −3.4 on one half of the dev split, left out.
const POSSESSIVES = ['сын', 'сін', 'ымыз', 'іміз', 'мыз', 'міз', 'ыңыз', 'іңіз', 'ңыз', 'ңіз', 'ым', 'ім', 'ың', 'ің', 'сы', 'сі', 'ы', 'і'];
const PLURALS = ['лар', 'лер', 'дар', 'дер', 'тар', 'тер'];
const VERBS = [
  // participles, converbs, present/past/future, verbal noun, negation, conditional
  'ғандықтан', 'гендіктен', 'атын', 'етін', 'йтын', 'йтін', 'атындар', 'етіндер',
  'ған', 'ген', 'қан', 'кен', 'ылған', 'ілген', 'лған', 'лген',
  'ады', 'еді', 'йды', 'йді', 'айды', 'ейді', 'ады', 'ылады', 'іледі',
  'ып', 'іп', 'мақ', 'мек', 'бақ', 'бек', 'пақ', 'пек', 'уы', 'уі', 'са', 'се',
  'ылды', 'ілді', 'лды', 'лді',
];

const SUFFIXES = [...new Set([...CASES, ...POSSESSIVES, ...PLURALS, ...VERBS])].sort((a, b) => b.length - a.length);
const MAX_PASSES = 4;

/** The stem of a lower-case Kazakh word. */
export function stemKazakh(word: string): string {
  let s = word;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let cut = false;
    for (const suf of SUFFIXES) {
      if (s.length - suf.length < MIN_STEM || !s.endsWith(suf)) continue;
      const rest = s.slice(0, -suf.length);
      if (!VOWEL.test(rest)) continue;
      s = rest;
      cut = true;
      break;
    }
    if (!cut) break;
  }
  return s;
}
