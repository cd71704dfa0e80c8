/**
 * Shortening a quote that is too long to show whole: the shown part is a run of whole clauses of the sentence (cut
 * after , ; : or at a spaced dash), never part of a word or of a name, and "…" marks where text was left out. The
 * quote itself stays an exact substring of the article; only its display gets the marks.
 */

export interface QuoteSpan {
  /** [start, end) within the sentence. */
  start: number;
  end: number;
  /** Text of the sentence was left out before / after the span. */
  cutBefore: boolean;
  cutAfter: boolean;
}

// Where a clause may begin: after a comma, semicolon or colon and a space, or after a spaced dash.
const CLAUSE_START = /[,;:]\s+|\s[–—-]\s+/gu;
const UPPER_START = /^[\p{Lu}«"“]/u;
const WORD_CHAR = /[\p{L}\p{N}]/u;
const WORD_RUN = /\S+/gu;
// Trimmed off a cut edge: spaces, separators and dashes left dangling.
const LEAD_TRIM = /^[\s,;:–—-]+/u;
const TRAIL_TRIM = /[\s,;:–—-]+$/u;

/** Offsets where a clause starts (0 included) and where one ends (the text's end included). */
function clauseBounds(text: string): { starts: number[]; ends: number[] } {
  const starts = [0];
  const ends: number[] = [];
  for (const m of text.matchAll(CLAUSE_START)) {
    ends.push(m.index!);
    starts.push(m.index! + m[0].length);
  }
  ends.push(text.length);
  return { starts, ends };
}

/** Word boundaries where a cut separates neither a word nor two words of a name ("Дархан Жазыкбаев") nor a «…» title. */
function safeCuts(text: string): number[] {
  const cuts: number[] = [0];
  const words = [...text.matchAll(WORD_RUN)];
  let openQuotes = 0;
  for (let k = 0; k < words.length; k++) {
    const before = words[k][0];
    for (const ch of before) {
      if (ch === '«') openQuotes++;
      else if (ch === '»') openQuotes = Math.max(0, openQuotes - 1);
    }
    const after = words[k + 1]?.[0];
    if (after === undefined || openQuotes > 0) continue;
    // Two capitalised words in a row are one name; a word in the middle of a sentence starting with a capital is too.
    if (UPPER_START.test(before) && UPPER_START.test(after) && WORD_CHAR.test(before.slice(-1))) continue;
    cuts.push(words[k].index! + before.length);
  }
  cuts.push(text.length);
  return cuts;
}

function trimmed(text: string, a: number, b: number): [number, number] {
  const lead = text.slice(a, b).match(LEAD_TRIM)?.[0].length ?? 0;
  const trail = text.slice(a, b).match(TRAIL_TRIM)?.[0].length ?? 0;
  return a + lead < b - trail ? [a + lead, b - trail] : [a, b];
}

/**
 * The part of `sentence` to show when it is longer than `maxChars`: the longest run of whole clauses that fits and
 * holds `focus` (e.g. the figure that answers the question), preferring the sentence's start. A clause longer than
 * the limit is cut between words, never inside a name or a «…» title, even if that overruns the limit a little.
 */
export function quoteSpan(sentence: string, maxChars: number, focus?: { start: number; end: number }): QuoteSpan {
  const n = sentence.length;
  if (n <= maxChars) return { start: 0, end: n, cutBefore: false, cutAfter: false };
  const f = focus && focus.start >= 0 && focus.end <= n && focus.start < focus.end ? focus : { start: 0, end: 0 };
  let best = pick(clauseBounds(sentence), maxChars, f);
  if (!best) {
    const cuts = safeCuts(sentence);
    // Names and titles may leave no cut within the limit: allow up to a quarter more, then whatever cut is nearest.
    best = pick({ starts: cuts, ends: cuts }, maxChars, f) ?? pick({ starts: cuts, ends: cuts }, Math.round(maxChars * 1.25), f) ?? pick({ starts: cuts, ends: cuts }, n, f)!;
  }
  const [start, end] = trimmed(sentence, best[0], best[1]);
  return { start, end, cutBefore: start > 0, cutAfter: end < n };
}

/**
 * The widest [a, b) with a from starts, b from ends (both ascending), b − a ≤ max, holding the focus; ties go to the
 * earlier start. One pass: the last end within reach only moves forward as the start does.
 */
function pick(bounds: { starts: number[]; ends: number[] }, max: number, focus: { start: number; end: number }): [number, number] | null {
  const { starts, ends } = bounds;
  let best: [number, number] | null = null;
  let j = -1;
  for (const a of starts) {
    if (a > focus.start) break;
    while (j + 1 < ends.length && ends[j + 1] - a <= max) j++;
    const b = ends[j];
    if (b === undefined || b <= a || b < focus.end) continue;
    if (!best || b - a > best[1] - best[0]) best = [a, b];
  }
  return best;
}

/** A quote as shown to a reader: "…" where the sentence goes on beyond what is quoted. */
export function showQuote(quote: string, cut: { cutBefore?: boolean; cutAfter?: boolean }): string {
  return `${cut.cutBefore ? '…' : ''}${quote}${cut.cutAfter ? '…' : ''}`;
}

/**
 * A quote as a line of the reply: in «…», unless it opens with its own «, as a quoted remark does («Темпы…», -
 * сказал он.): wrapping that would show ««. The line then still opens with «, which marks it as a quote.
 */
export function wrapQuote(quote: string, cut: { cutBefore?: boolean; cutAfter?: boolean }): string {
  const shown = showQuote(quote, cut);
  return shown.startsWith('«') ? shown : `«${shown}»`;
}
