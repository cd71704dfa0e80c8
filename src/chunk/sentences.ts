/** Sentence boundaries with offsets into the original text, so that every quote stays an exact substring. */

export interface Span {
  start: number;
  end: number;
}

// Words after which a full stop does not end a sentence: titles, initials, common Russian/Kazakh/English abbreviations.
const ABBREVIATIONS = new Set(
  'г гг т д др пр проф акад им ул просп обл р-н стр рис табл млн млрд тыс руб тг см напр ст ред изд mr mrs ms dr prof st no vs etc e g i e c ca cf inc ltd jr sr gen gov jan feb mar apr jun jul aug sep sept oct nov dec дж'.split(
    ' ',
  ),
);

// Module constants, not literals inside functions: see the note in text/analyze.ts.
const SENTENCE_START = /[\p{Lu}\p{N}«"“(\-–—]/u;
const LAST_WORD = /([\p{L}-]+)$/u;
const INITIAL = /^\p{Lu}$/u;
const WORDS = /[\p{L}\p{N}]+/gu;

/** Splits [start, end) of `text` into sentences; a line break always ends one. */
export function splitSentences(text: string, start = 0, end = text.length): Span[] {
  const spans: Span[] = [];
  let s = start;
  const push = (a: number, b: number) => {
    while (a < b && /\s/.test(text[a])) a++;
    while (b > a && /\s/.test(text[b - 1])) b--;
    if (b > a) spans.push({ start: a, end: b });
  };
  for (let i = start; i < end; i++) {
    const ch = text[i];
    if (ch === '\n') {
      push(s, i);
      s = i + 1;
      continue;
    }
    if (ch !== '.' && ch !== '!' && ch !== '?' && ch !== '…') continue;
    // Take the whole run of closing punctuation and quotes: ?!», .")
    let j = i + 1;
    while (j < end && /[.!?…»"”’)\]]/.test(text[j])) j++;
    if (j < end && !/\s/.test(text[j])) continue; // "eqyzmet.gov.kz", "3.5", "т.д."
    let k = j;
    while (k < end && /[ \t\u00a0]/.test(text[k])) k++;
    if (k >= end) continue;
    const next = text[k];
    // A sentence starts with a capital, a digit, a quote or a dash of dialogue.
    if (!SENTENCE_START.test(next)) continue;
    // Inside brackets opened shortly before, a stop does not end the sentence ("Jacques Lefevre (c. 1455–1536) was").
    if (openBracket(text, s, i)) continue;
    if (ch === '.') {
      const wordBefore = text.slice(Math.max(start, i - 12), i).match(LAST_WORD)?.[1] ?? '';
      if (ABBREVIATIONS.has(wordBefore.toLowerCase())) continue;
      // A single capital letter before the stop is an initial ("Дж. Перри", "A. Baymenov").
      if (INITIAL.test(wordBefore)) continue;
    }
    push(s, j);
    s = j;
    i = j - 1;
  }
  push(s, end);
  return spans.flatMap((sp) => (sp.end - sp.start > MAX_SENTENCE ? capped(text, sp) : [sp]));
}

/**
 * Text with no sentence end for thousands of characters (a transcript, a page without full stops) is read in pieces
 * of at most MAX_SENTENCE characters, cut after a clause mark or else a space: every step of answering reads whole
 * sentences, and one of 300,000 characters would hold a question for minutes.
 */
const MAX_SENTENCE = 1000;
function capped(text: string, sp: Span): Span[] {
  const out: Span[] = [];
  let a = sp.start;
  while (sp.end - a > MAX_SENTENCE) {
    const window = text.slice(a, a + MAX_SENTENCE);
    const mark = Math.max(window.lastIndexOf(', '), window.lastIndexOf('; '), window.lastIndexOf(': '));
    const space = window.lastIndexOf(' ');
    let b = mark >= MAX_SENTENCE / 2 ? a + mark + 1 : space > 0 ? a + space : a + MAX_SENTENCE;
    // Never between the two halves of a character outside the basic plane.
    if (/[\ud800-\udbff]/.test(text[b - 1])) b--;
    out.push({ start: a, end: b });
    a = b;
    while (a < sp.end && /\s/.test(text[a])) a++;
  }
  if (a < sp.end) out.push({ start: a, end: sp.end });
  return out;
}

/** A "(" or "[" within the last 40 characters of the sentence so far, not closed since. */
function openBracket(text: string, sentenceStart: number, at: number): boolean {
  let depth = 0;
  for (let i = at - 1; i >= Math.max(sentenceStart, at - BRACKET_REACH); i--) {
    const c = text[i];
    if (c === ')' || c === ']') depth++;
    else if (c === '(' || c === '[') {
      if (depth === 0) return true;
      depth--;
    }
  }
  return false;
}
const BRACKET_REACH = 40;

export function countWords(text: string): number {
  return text.match(WORDS)?.length ?? 0;
}
