/** What an article says about itself: title, outlet, author, publication date; and which lines are page furniture. */
import { MONTH_STEMS, MONTH_WORD, monthOf } from '../text/lexicon.js';

// Lines a web page adds around an article: counters, buttons, edit stamps. Never indexed as content.
const FURNITURE: RegExp[] = [
  /^×?\s*reading mode\s*$/i,
  /^give feedback\s*$/i,
  /прочитано\s+\d+\s+раз/i,
  /^последнее изменение(?!\p{L})/iu,
  /^(просмотров|просмотры|оқылды|views?)\s*:?\s*\d+\s*$/i,
  /^(поделиться|share|print|печать|версия для печати|подписывайтесь|читайте также|read more|related articles?)(?!\p{L}).{0,40}$/iu,
  /^(фото|photo|сурет)\s*:.{0,80}$/i,
];

// A tag of a tag cloud with its count ("5 госслужащие"): a small number and one or two lower-case words, alone on
// a line. A year and words ("1916 жылғы …") is a heading, not a tag.
const TAG_LINE = /^\d{1,3}\s+\p{Ll}[\p{Ll}-]*(?:\s+\p{Ll}[\p{Ll}-]*)?$/u;
// The same tag glued onto the first word of a paragraph when the page lost the space ("777 юстицияРоль …").
const GLUED_TAG = /^\d{1,3}\s+(?:\p{Ll}+\s+)?\p{Ll}{2,}(?=\p{Lu}\p{Ll})/u;

export function isFurniture(line: string): boolean {
  const t = line.trim();
  return TAG_LINE.test(t) || FURNITURE.some((re) => re.test(t));
}

/** Length of a count-and-tag glued onto the start of a line (0 when there is none): it is page clutter, not text. */
export function leadingTag(line: string): number {
  return GLUED_TAG.exec(line)?.[0].length ?? 0;
}

const OUTLET_PATTERNS: RegExp[] = [
  /(?:[Пп]ередает|[Пп]ередаёт|[Сс]ообщает|[Пп]ишет)\s+(?:ИА|агентство|портал|сайт|корреспондент)?\s*«?([A-ZА-ЯЁ][\w\u0400-\u04FF.-]*(?:\.[a-z]{2,})?)»?/u,
  /(?:[Хх]абарлайды|[Жж]азады)\s+«?([A-ZА-ЯЁ][\w\u0400-\u04FF.-]+)»?/u,
  /(?:[Rr]eports|[Aa]ccording to)\s+([A-Z][\w.-]*\.(?:kz|com|ru|org|net))/u,
  /^(?:Источник|Source|Дереккөз)\s*:\s*(.{2,60})$/mu,
];

export function findOutlet(text: string): string | undefined {
  for (const re of OUTLET_PATTERNS) {
    const m = text.match(re);
    if (m) return m[1].replace(/[.,;]+$/, '').trim();
  }
  return undefined;
}

export function findAuthor(text: string): string | undefined {
  const m = text.match(/^(?:Авторы?|Автор материала|Authors?|By)\s*:\s*(.{2,80})$/imu);
  return m ? m[1].trim() : undefined;
}

// Month words from the one lexicon; a date may also abbreviate an English month ("Mar 5, 2024").
const MONTH_RE = `(?:${MONTH_WORD}|${MONTH_STEMS.flat().filter((m) => /^[a-z]{3,4}$/.test(m)).join('|')})`;

function iso(y: number, m: number, d: number): string | undefined {
  if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31) return undefined;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

// The written-out date forms: "3 мая 2024", "March 5, 2023", "05.03.2023" (ISO dates are matched apart).
const DMY = `(\\d{1,2})\\s+(${MONTH_RE})\\.?,?\\s+(\\d{4})`;
const MDY = `(${MONTH_RE})\\.?\\s+(\\d{1,2}),?\\s+(\\d{4})`;
const NUMERIC = `(\\d{1,2})\\.(\\d{1,2})\\.(\\d{4})`;
const DMY_RE = new RegExp(`\\b${DMY}`, 'giu');
const MDY_RE = new RegExp(`\\b${MDY}`, 'giu');
const NUMERIC_RE = new RegExp(`\\b${NUMERIC}\\b`, 'g');

/** All dates written out in a line, as ISO strings. */
export function datesIn(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(DMY_RE)) {
    const d = iso(+m[3], monthOf(m[2]), +m[1]);
    if (d) out.push(d);
  }
  for (const m of line.matchAll(MDY_RE)) {
    const d = iso(+m[3], monthOf(m[1]), +m[2]);
    if (d) out.push(d);
  }
  for (const m of line.matchAll(NUMERIC_RE)) {
    const d = iso(+m[3], +m[2], +m[1]);
    if (d) out.push(d);
  }
  for (const m of line.matchAll(/\b(\d{4})-(\d{2})-(\d{2})\b/g)) {
    const d = iso(+m[1], +m[2], +m[3]);
    if (d) out.push(d);
  }
  return out;
}

const STAMP_HINT = /(\b\d{1,2}:\d{2}\b|опубликовано|published|жарияланды|понедельник|вторник|среда|четверг|пятница|суббота|воскресенье|monday|tuesday|wednesday|thursday|friday|saturday|sunday|дүйсенбі|сейсенбі|сәрсенбі|бейсенбі|жұма|сенбі|жексенбі)/i;

/**
 * The publication date, when the page states one: a dateline with a weekday, a time or "published",
 * else a date standing alone on one of the first lines. A date inside the story ("the decree of 17 July")
 * is not the publication date, and neither is a "last modified" stamp.
 */
export function findPublicationDate(lines: string[]): string | undefined {
  for (const line of lines) {
    if (/^последнее изменение|^last modified|^updated/i.test(line.trim())) continue;
    if (!STAMP_HINT.test(line)) continue; // cheap test first: datesIn runs two large month regexes
    const ds = datesIn(line);
    if (ds.length) return ds[0];
  }
  const head = lines.filter((l) => l.trim()).slice(0, 3);
  for (const line of head) {
    const ds = datesIn(line);
    if (ds.length && line.trim().length <= 40) return ds[0];
  }
  // A news dateline opening the story: "Алматы, 3 мая 2024 — …", "ASTANA, March 5, 2023. …".
  for (const line of head) {
    const m = DATELINE.exec(line.trim());
    const ds = m ? datesIn(m[0]) : [];
    if (ds.length) return ds[0];
  }
  return undefined;
}

/** A place name (one to three capitalised words), a comma, a date, then a dash, a full stop or the line's end. */
const DATELINE = new RegExp(
  `^\\p{Lu}[\\p{L}-]*(?:\\s+\\p{Lu}[\\p{L}-]*){0,2},\\s+(?:${DMY}|${MDY}|${NUMERIC})(?:\\s*(?:г\\.|года|ж\\.|жылы))?(?=\\s*(?:[—–-]|\\.|\\/|$))`,
  'iu',
);

/**
 * With no stated date, a lower bound for when the text was written: the latest year it mentions, or a year
 * it mentions plus a span it says has passed since ("за 10 лет", "8 жылдан астам", "for 5 years").
 */
export function inferYear(text: string, now = new Date()): number | undefined {
  const thisYear = now.getUTCFullYear();
  const years = [...text.matchAll(/(?<!\d)(19[5-9]\d|20\d\d)(?!\d)/g)].map((m) => +m[1]).filter((y) => y <= thisYear);
  if (!years.length) return undefined;
  let best = Math.max(...years);
  const earliest = Math.min(...years);
  const spans = [...text.matchAll(/(?<![\d-])(\d{1,2})\s+(?:лет|года|год|жыл\p{L}*|years?)(?!\p{L})/giu)].map((m) => +m[1]);
  for (const n of spans) if (n >= 1 && n <= 40 && earliest + n <= thisYear) best = Math.max(best, earliest + n);
  return best;
}
