/**
 * Answers as Telegram HTML (parse_mode "HTML"): pure functions, no I/O. Every piece of article or user text is
 * escaped; the only markup is what these functions add, so a reply is always well-formed.
 */
import { describeSource } from '../answer/compose.js';
import { LABELS } from '../answer/i18n.js';
import { wrapQuote } from '../answer/quote.js';
import type { Answer, Citation, Lang } from '../types.js';

/** Telegram's limit for one message's text. */
export const TELEGRAM_LIMIT = 4096;

// C0/C1 controls other than tab and newline: Telegram rejects or mangles them, and they are never meaningful here.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Makes any text safe to put between HTML tags; lone surrogates (invalid UTF-8 on the wire) become U+FFFD. */
export function escapeHtml(text: string): string {
  return text
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(/\r\n?/g, '\n')
    .replace(CONTROL, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

/** What a reader sees of our HTML: tags dropped, entities decoded. Used for the plain-text fallback. */
export function htmlToText(html: string): string {
  return html.replace(/<[^>]*>/g, '').replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1));
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

/**
 * The command line's answer text as HTML. The text is escaped line by line and only decorated: the direct
 * answer and the section labels in bold. So what the reader sees is exactly `answer.text`.
 */
export function formatAnswer(answer: Answer): string {
  const L = LABELS[answer.language];
  const labels = new Set([L.sources, L.disagreement, L.closest]);
  const paragraphs = answer.text.split('\n\n');
  return paragraphs
    .map((p, i) => {
      if (i === 0 && answer.answered && answer.direct && p.startsWith(answer.direct) && !p.includes('\n')) return `<b>${escapeHtml(p)}</b>`;
      return p
        .split('\n')
        .map((line) => (labels.has(line) ? `<b>${escapeHtml(line)}</b>` : escapeHtml(line)))
        .join('\n');
    })
    .join('\n\n');
}

/** The "More sources" reply: the header, then each further passage with its source line, as separate blocks. */
export function formatMore(more: Citation[], language: Lang, header: string): string[] {
  return [`<b>${escapeHtml(header)}</b>`, ...more.map((c) => `${escapeHtml(wrapQuote(c.quote.trim(), {}))} [${c.n}]\n<i>[${c.n}] ${escapeHtml(describeSource(c, language))}</i>`)];
}

interface OpenTag {
  name: string;
  /** The opening tag as written, attributes included, to reopen it in the next chunk. */
  raw: string;
}

type BoundaryKind = 'paragraph' | 'line' | 'space' | 'any';
const KINDS: BoundaryKind[] = ['paragraph', 'line', 'space', 'any'];

interface Cut {
  at: number;
  open: OpenTag[];
}

const closers = (open: OpenTag[]) => open.map((t) => `</${t.name}>`).reverse().join('');
const openers = (open: OpenTag[]) => open.map((t) => t.raw).join('');

/**
 * Where to cut `s` so that `s.slice(0, at)` plus the closing tags of what is open there fits in `limit`.
 * Only cuts outside tags, entities and surrogate pairs; prefers a paragraph, then a line, then a word
 * boundary that leaves the chunk at least half full. `minAt` keeps each chunk making progress.
 */
function findCut(s: string, limit: number, minAt: number): Cut {
  const best: Partial<Record<BoundaryKind, Cut>> = {};
  const stack: OpenTag[] = [];
  let first: Cut | undefined;
  let i = 0;
  while (i < s.length) {
    if (i > minAt) {
      const fits = i + closers(stack).length <= limit;
      if (!fits && first) break;
      const cut = { at: i, open: [...stack] };
      first ??= cut;
      if (fits) {
        const kind: BoundaryKind = s[i - 1] === '\n' ? (s[i - 2] === '\n' ? 'paragraph' : 'line') : /\s/.test(s[i - 1]) ? 'space' : 'any';
        best[kind] = cut;
        if (kind !== 'any') best.any = cut;
      }
    }
    const ch = s[i];
    if (ch === '<') {
      const end = s.indexOf('>', i);
      const m = end > 0 ? /^<(\/?)([a-z][\w-]*)([^>]*)>$/i.exec(s.slice(i, end + 1)) : null;
      if (m) {
        const name = m[2].toLowerCase();
        if (m[1]) {
          const k = stack.map((t) => t.name).lastIndexOf(name);
          if (k >= 0) stack.splice(k);
        } else if (!m[3].endsWith('/')) stack.push({ name, raw: m[0] });
        i = end + 1;
        continue;
      }
    } else if (ch === '&') {
      const m = /^&(#x[0-9a-f]+|#\d+|[a-z]+);/i.exec(s.slice(i, i + 16));
      if (m) {
        i += m[0].length;
        continue;
      }
    }
    const code = s.charCodeAt(i);
    i += code >= 0xd800 && code <= 0xdbff ? 2 : 1;
  }
  for (const kind of KINDS) {
    const c = best[kind];
    if (c && c.at >= limit / 2) return c;
  }
  for (const kind of KINDS) {
    const c = best[kind];
    if (c) return c;
  }
  // Nothing fits (a limit smaller than the tags around the text): the smallest step forward.
  return first ?? { at: s.length, open: [] };
}

/**
 * Splits HTML into messages of at most `limit` characters, on paragraph or line boundaries when it can.
 * Tags open at a cut are closed at the end of one chunk and reopened at the start of the next, so every
 * chunk is well-formed on its own. Chunks with no visible text are dropped.
 */
export function splitHtml(html: string, limit = TELEGRAM_LIMIT): string[] {
  const chunks: string[] = [];
  let rest = html.trim();
  let prefix = 0;
  while (rest.length > limit) {
    const cut = findCut(rest, limit, prefix);
    chunks.push(rest.slice(0, cut.at).trimEnd() + closers(cut.open));
    const reopen = openers(cut.open);
    rest = reopen + rest.slice(cut.at).trimStart();
    prefix = reopen.length;
  }
  chunks.push(rest);
  return chunks.filter((c) => htmlToText(c).trim() !== '');
}

/** An answer as the messages to send. */
export function answerMessages(answer: Answer, limit = TELEGRAM_LIMIT): string[] {
  return splitHtml(formatAnswer(answer), limit);
}
