/** Finding the short answer inside a sentence: numbers with what they count, years, names, organisations. */

import { ADJECTIVE_ENDING, MONTH_WORD, STOPWORDS } from '../text/lexicon.js';

/** A month name right after a number: a date ("17 июля"), not a count. */
const MONTH_AFTER = new RegExp(`^\\s*${MONTH_WORD}`, 'iu');

export interface Candidate {
  /** Exact text of the article for the answer ("43 страны-участницы", "Alikhan Baymenov"). */
  text: string;
  /** Offsets of `text` in the sentence. */
  start: number;
  end: number;
  /** For numbers: the value compared across articles ("43", ">30"). */
  value?: string;
}

// Module constants, not literals inside functions: see the note in text/analyze.ts.
const WORD_OR_MARK = /[\p{L}][\p{L}-]*|[^\s\u00a0\p{L}]/gu;
const LETTER_FIRST = /^\p{L}/u;
const RUN_WORD = /[\p{L}'’.-]+/gu;
const NUMBERED = /№\s*\d+[\p{L}\d/-]*/gu;
const ACRONYMS = /(?<![\p{L}])\p{Lu}{2,6}(?![\p{L}])/gu;
const CAPITALISED = /^\p{Lu}/u;

const APPROX_BEFORE =
  '(?:более\\s+чем|более|свыше|больше|около|почти|примерно|порядка|менее|меньше|до|over|more\\s+than|about|around|nearly|almost|approximately|up\\s+to|some)';
const NUMBER_RE = new RegExp(
  `(?<![\\p{L}\\p{N}№.,-])(?:(${APPROX_BEFORE})\\s+)?(\\d{1,3}(?:[ \\u00a0]\\d{3})+|\\d+(?:[.,]\\d+)?)(-(?:тан|тен|дан|ден|нан|нен)\\s+(?:астам|аса|артық))?(?![\\p{N}])(\\s*%)?`,
  'giu',
);
const MORE = /^(более|свыше|больше|over|more|астам|аса|артық)/i;
const LESS = /^(менее|меньше|до|up)/i;

export interface NumberMention extends Candidate {
  value: string;
  /** Where the number itself (with its modifier: "более 80", "40-тан астам") ends in the sentence. */
  numberEnd: number;
  /** The words right after the number (what it counts), lower case, and where each ends in the sentence. */
  unitWords: string[];
  unitEnds: number[];
}

/** Numbers in a sentence with up to three following words; years and parts of ranges or dates are left out. */
export function numbersIn(sentence: string): NumberMention[] {
  const out: NumberMention[] = [];
  for (const m of sentence.matchAll(NUMBER_RE)) {
    const digits = m[2].replace(/[ \u00a0]/g, '');
    const start = m.index!;
    let end = start + m[0].length;
    const after = sentence.slice(end);
    // Years, date parts ("17 июля"), ranges ("2024-2029") are not counts.
    if (/^(19|20)\d\d$/.test(digits) && !m[1]) continue;
    if (/^-\d/.test(after) || MONTH_AFTER.test(after))
      continue;
    const numberEnd = end;
    const unitWords: string[] = [];
    const unitEnds: number[] = [];
    for (const w of after.matchAll(WORD_OR_MARK)) {
      if (!LETTER_FIRST.test(w[0]) || unitWords.length >= 3) break; // punctuation ends what the number counts
      unitWords.push(w[0].toLowerCase());
      unitEnds.push(end + w.index! + w[0].length);
    }
    // The shown phrase: the number and the word it counts ("43 страны-участницы", "25 countries").
    if (unitEnds.length) end = countedEnd(unitWords, unitEnds, 0, numberEnd);
    const qualifier = m[1] ?? m[3]?.trim().split(/\s+/).pop() ?? '';
    const value = (MORE.test(qualifier) ? '>' : LESS.test(qualifier) ? '<' : '') + digits + (m[4] ? '%' : '');
    out.push({ text: sentence.slice(start, end), start, end, value, numberEnd, unitWords, unitEnds });
  }
  return out;
}

/**
 * Where a number's counted phrase ends when it counts from unit word `k`: past describing words up to the noun
 * ("5 international organizations", not "5 international"); when no noun follows within the words read, the
 * number alone with its modifier (`numberEnd`).
 */
export function countedEnd(unitWords: readonly string[], unitEnds: readonly number[], k: number, numberEnd: number): number {
  for (let i = k; i < unitWords.length; i++) {
    if (STOPWORDS.has(unitWords[i])) break;
    if (!ADJECTIVE_ENDING.test(unitWords[i])) return unitEnds[i];
  }
  return numberEnd;
}

/** A year: 1000–2099 (articles on history reach back centuries). */
const YEAR = '(?:1\\d|20)\\d\\d';
const DATE_RE = new RegExp(
  [
    `(?<![\\p{N}])\\d{1,2}(?:[-–]\\d{1,2})?\\s+${MONTH_WORD}(?:\\s+${YEAR})?`, // 17 июля 2024, 8-9 декабря
    `${MONTH_WORD}\\s+\\d{1,2}(?:[-–]\\d{1,2})?(?:,?\\s+${YEAR})?(?![\\p{N}])`, // December 8-9, March 5, 2021
    `${MONTH_WORD}\\s+${YEAR}(?![\\p{N}])`, // March 2013
    `(?<![\\p{N}-])${YEAR}(?:'?s(?!\\p{L})|-е(?:\\s+годы|\\s+годах)?|-х(?:\\s+годах|\\s+годов)?)?(?![\\p{N}])`, // 2013, the 1950s, 1990-е
  ].join('|'),
  'giu',
);

const YEAR_ONLY = new RegExp(`^${YEAR}$`);
const YEAR_IN = new RegExp(YEAR);

/** Dates and years in a sentence, the most specific reading first at each place ("December 8-9", "March 2013", "2013"). */
export function yearsIn(sentence: string): Candidate[] {
  const out: Candidate[] = [];
  for (const m of sentence.matchAll(DATE_RE)) {
    // A bare day and month ("8 мая") only counts with a month word; a range of years ("2024-2029") is not a date.
    if (YEAR_ONLY.test(m[0]) && /^[-–]\d/.test(sentence.slice(m.index! + 4))) continue;
    out.push({ text: m[0], start: m.index!, end: m.index! + m[0].length, value: m[0].match(YEAR_IN)?.[0] ?? m[0] });
  }
  return out;
}

// Words that start with a capital but name a role or a kind of body, not who or which one.
const ROLE_WORDS =
  /^(mr|mrs|ms|dr|mayor|governor|director|chairman|chair|president|minister|head|deputy|secretary|general|government|republic|department|agency|academy|university|institute|school|committee|office|bureau|opening|initially|recently|today|the|a|an|in|on|at|of|this|that|these|it|he|she|they|we|директор|мэр|губернатор|аким|әкім|председатель|президент|министр|глава|руководитель|заместитель|правительство|правительства|республика|республики|агентство|агентства|академия|академии|департамент|департамента|комитет|комитета|бюро|министерство|министерства|главный|главы|это|в|на|по|с|к|о|и|а|но|при|для|за|от|из|после|так|как|также|кроме|между|согласно|поэтому|директоры|төраға|төрағасы|президенті|министрі|басшысы|орынбасары|бұл|сондай-ақ|сонымен)$/i;

const MONTHS = new RegExp(`^${MONTH_WORD}$`, 'iu');

const CAP_WORD = "\\p{Lu}[\\p{L}'’-]*";

/**
 * Runs of capitalised words (names of people, bodies, places), with words the question already says and
 * role words trimmed from their ends. `inQuestion` tells whether a word is part of the question.
 */
export function namesIn(sentence: string, inQuestion: (word: string) => boolean): Candidate[] {
  const out: Candidate[] = [];
  for (const run of capitalRuns(sentence)) {
    if (run.titled) {
      out.push({ text: run.text, start: run.start, end: run.end });
      continue;
    }
    const words = run.words.slice();
    while (words.length && (words[0].dropped || inQuestion(words[0].w))) words.shift();
    while (words.length && (words[words.length - 1].dropped || inQuestion(words[words.length - 1].w))) words.pop();
    if (!words.length) continue;
    // A run cut in the middle by a question word becomes two candidates ("Грузии Екатерина Кардава" → "Екатерина Кардава").
    let group: RunWord[] = [];
    for (const w of words) {
      if (w.role || inQuestion(w.w)) {
        pushGroup(out, sentence, group);
        group = [];
      } else group.push(w);
    }
    pushGroup(out, sentence, group);
  }
  return out;
}

/**
 * A group of run words as a candidate, without connectors at its ends. A module function, not a closure in
 * `namesIn` (which runs for every sentence with capitals): see the note on closures in text/analyze.ts.
 */
function pushGroup(out: Candidate[], sentence: string, group: RunWord[]): void {
  let a = 0;
  let b = group.length;
  while (b > a && group[b - 1].connector) b--;
  while (a < b && group[a].connector) a++;
  if (a < b) out.push({ text: sentence.slice(group[a].s, group[b - 1].e), start: group[a].s, end: group[b - 1].e });
}

interface CapitalRun {
  text: string;
  start: number;
  end: number;
  /** Starts with Mr/Mrs/Ms/Dr. */
  titled: boolean;
  words: readonly RunWord[];
}

/** A word of a run, its offsets in the sentence, and what it is regardless of the question. */
interface RunWord {
  w: string;
  s: number;
  e: number;
  /** A role word ("director", "председатель"). */
  role: boolean;
  /** "of", "and", "de"…: joins a name, never ends one. */
  connector: boolean;
  /** Never at either end of a name: a role word (even with a full stop), a month or a connector. */
  dropped: boolean;
}

const CONNECTOR = /^(of|for|and|the|de|van|von|al|ibn)$/;

function runWord(w: string, s: number): RunWord {
  const role = ROLE_WORDS.test(w);
  const connector = CONNECTOR.test(w);
  return { w, s, e: s + w.length, role, connector, dropped: connector || ROLE_WORDS.test(w.replace(/\.$/, '')) || MONTHS.test(w) };
}

const CAPITAL_RUN = new RegExp(`(?:(?:Mr|Mrs|Ms|Dr)\\.?\\s+)?${CAP_WORD}(?:\\s+(?:(?:of|for|and|de|van|von|al|ibn)\\s+(?:the\\s+)?)?${CAP_WORD})*`, 'gu');

const capitalRuns = (sentence: string): CapitalRun[] =>
  [...sentence.matchAll(CAPITAL_RUN)].map((m) => ({
    text: m[0],
    start: m.index!,
    end: m.index! + m[0].length,
    titled: /^(Mr|Mrs|Ms|Dr)\.?\s/.test(m[0]),
    words: [...m[0].matchAll(RUN_WORD)].map((w, i) => (i === 0 && m.index! > 0 && TITLE_ARTICLE.test(w[0]) ? titleArticle(w[0], m.index!) : runWord(w[0], m.index! + w.index!))),
  }));

/** "The", "A", "An" capitalised inside a sentence open a title ("the first serial, An Unearthly Child"). */
const TITLE_ARTICLE = /^(The|A|An)$/;
const titleArticle = (w: string, s: number): RunWord => ({ w, s, e: s + w.length, role: false, connector: false, dropped: false });


/** Text in «…» or "…" quotes: names of systems, programmes, documents. */
export function quotedIn(sentence: string): Candidate[] {
  const out: Candidate[] = [];
  for (const m of sentence.matchAll(/«([^«»]{2,80})»|“([^“”]{2,80})”|"([^"]{2,80})"/gu)) {
    const inner = m[1] ?? m[2] ?? m[3];
    const start = m.index! + 1;
    out.push({ text: inner, start, end: start + inner.length });
  }
  for (const m of sentence.matchAll(NUMBERED)) out.push({ text: m[0], start: m.index!, end: m.index! + m[0].length });
  return out;
}

/** Upper-case abbreviations (UNDP, ОЭСР). */
export function acronymsIn(text: string): Set<string> {
  return new Set([...text.matchAll(ACRONYMS)].map((m) => m[0]));
}

/** "United Nations Development Programme" → "UNDP" when the article uses that abbreviation. */
export function acronymFor(phrase: string, articleAcronyms: Set<string>): string | undefined {
  const initials = phrase
    .split(/\s+/)
    .filter((w) => CAPITALISED.test(w))
    .map((w) => w[0])
    .join('');
  return initials.length >= 2 && articleAcronyms.has(initials) ? initials : undefined;
}
