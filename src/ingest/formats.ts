/**
 * The text a reader sees, from each article format: plain text as it is, Markdown without its markup, a saved web
 * page's main text without navigation or comments. This reader text is what citebot indexes and quotes.
 */
import { isProbablyReaderable, Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import MarkdownIt from 'markdown-it';
import type { SourceFormat } from '../types.js';

/** Between the cells of a table row, which the reader text gives as one line. */
export const CELL_SEPARATOR = ' · ';

/** The reader text of a file, with what the format itself states about the article (a page's <meta>). */
export interface ReaderText {
  text: string;
  title?: string;
  date?: string;
  outlet?: string;
  author?: string;
}

const EXTENSIONS: Record<string, SourceFormat> = { '.txt': 'text', '.md': 'markdown', '.markdown': 'markdown', '.html': 'html', '.htm': 'html' };

/** The format of an article file by its name, or null when citebot does not read such files. */
export function formatOf(file: string): SourceFormat | null {
  const dot = file.lastIndexOf('.');
  return dot < 0 ? null : (EXTENSIONS[file.slice(dot).toLowerCase()] ?? null);
}

/** Reader text of a decoded file, or a reason it holds none (e.g. a page with no article in it). */
export function readerText(format: SourceFormat, source: string): ReaderText | { error: string } {
  if (format === 'markdown') return { text: markdownText(source) };
  if (format === 'html') return htmlText(source);
  return { text: source };
}

// --- Markdown -------------------------------------------------------------------------------------------------
// markdown-it (CommonMark, maintained, with a token stream): each block's inline content becomes one line (soft line
// breaks are spaces, as a browser shows them), emphasis and link markup go, a link keeps its text, an image its
// nothing (its alt text is not on the page), entities are decoded.

const md = new MarkdownIt({ html: true, linkify: false });

type MdToken = ReturnType<InstanceType<typeof MarkdownIt>['parse']>[number];

function inlineText(children: MdToken[] | null): string {
  let out = '';
  for (const t of children ?? []) {
    if (t.type === 'text' || t.type === 'code_inline') out += t.content;
    else if (t.type === 'softbreak') out += ' ';
    else if (t.type === 'hardbreak') out += '\n';
    // link_open/close, strong, em, s, html_inline, image: markup only.
  }
  return out;
}

// YAML front matter (Jekyll, Hugo) is the file's settings, not page text.
const FRONT_MATTER = /^---[ \t]*\r?\n[\s\S]*?\r?\n---[ \t]*(?:\r?\n|$)/;

export function markdownText(source: string): string {
  const lines: string[] = [];
  let row: string[] | null = null;
  for (const t of md.parse(source.replace(FRONT_MATTER, ''), {})) {
    if (t.type === 'tr_open') row = [];
    else if (t.type === 'tr_close') {
      if (row?.some((c) => c.trim())) lines.push(row.join(CELL_SEPARATOR));
      row = null;
    } else if (t.type === 'inline') {
      const text = inlineText(t.children).trim();
      if (row) row.push(text);
      else if (text) lines.push(text);
    } else if (t.type === 'fence' || t.type === 'code_block') {
      const text = t.content.trim();
      if (text) lines.push(text);
    } else if ((t.type === 'paragraph_close' && !t.hidden) || t.type === 'heading_close' || t.type === 'bullet_list_close' || t.type === 'ordered_list_close') {
      lines.push(''); // a blank line between blocks, as on the page
    }
  }
  return tidy(lines.join('\n'));
}

// --- HTML -----------------------------------------------------------------------------------------------------
// @mozilla/readability (Firefox's Reader View) finds the article and drops navigation, ads and comments. It runs
// over linkedom rather than jsdom: linkedom is a fraction of jsdom's size and start-up, has no network or script
// machinery, and jsdom's current release needs Node 22 where citebot runs on 20.

const BLOCK = new Set(
  'address article aside blockquote dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td th thead tr ul'.split(' '),
);

interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
}

/** The text of a DOM subtree as a browser lays it out: blocks on their own lines, white space collapsed. */
function layoutText(node: DomNode): string {
  const parts: string[] = [];
  const walk = (n: DomNode) => {
    if (n.nodeType === 3) {
      parts.push((n.textContent ?? '').replace(/\s+/g, ' '));
      return;
    }
    if (n.nodeType !== 1) return;
    const name = n.nodeName.toLowerCase();
    if (name === 'script' || name === 'style' || name === 'noscript' || name === 'template') return;
    if (name === 'br') return void parts.push('\n');
    const block = BLOCK.has(name);
    if (block) parts.push('\n');
    for (let i = 0; i < n.childNodes.length; i++) walk(n.childNodes[i]);
    if (block) parts.push(/^(p|h\d|blockquote|ul|ol|table|pre)$/.test(name) ? '\n\n' : '\n');
    else if (name === 'td' || name === 'th') parts.push(' ');
  };
  walk(node);
  return tidy(
    parts
      .join('')
      .split('\n')
      .map((l) => l.replace(/[ \t\u00a0]+/g, ' ').trim())
      .join('\n'),
  );
}

/** An ISO day (YYYY-MM-DD) from a <meta> date such as 2023-05-10T10:00:00+06:00, if it is one. */
function isoDay(value: string | null | undefined): string | undefined {
  const m = value?.match(/^(\d{4})-(\d{2})-(\d{2})/);
  if (!m) return undefined;
  const [y, mo, d] = [+m[1], +m[2], +m[3]];
  return y >= 1900 && y <= 2100 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 ? m[0] : undefined;
}

function metaContent(doc: { querySelector(s: string): { getAttribute(n: string): string | null } | null }, selectors: string[]): string | undefined {
  for (const s of selectors) {
    const v = doc.querySelector(s)?.getAttribute('content')?.trim();
    if (v) return v;
  }
  return undefined;
}

/** "Headline | Site" (or " - Site", " — Site") in <title>: the site is the outlet, not part of the headline. */
function withoutSite(title: string | undefined, site: string | undefined): string | undefined {
  if (!title || !site) return title;
  for (const sep of [' | ', ' - ', ' – ', ' — ']) if (title.endsWith(sep + site)) return title.slice(0, -(sep + site).length).trim();
  return title;
}

export function htmlText(source: string): ReaderText | { error: string } {
  let parsed;
  try {
    const { document } = parseHTML(source);
    // Read before Readability, which rewrites the document it is given.
    const date = isoDay(metaContent(document, ['meta[property="article:published_time"]', 'meta[name="article:published_time"]', 'meta[itemprop="datePublished"]', 'meta[name="pubdate"]', 'meta[name="date"]', 'meta[name="DC.date.issued"]']));
    const outlet = metaContent(document, ['meta[property="og:site_name"]', 'meta[name="application-name"]']);
    const doc = document as unknown as ConstructorParameters<typeof Readability>[0];
    // Readability always returns something, a menu if need be; its own test tells a page with an article in it
    // (paragraphs of running text) from one without. A short news item is still an article: a lower bar than Firefox's.
    if (!isProbablyReaderable(doc, { minContentLength: 80, minScore: 10 })) return { error: 'no article text found on the page' };
    parsed = { date, outlet, article: new Readability(doc).parse() };
  } catch (e) {
    return { error: `the page cannot be read (${(e as Error).message.split('\n')[0]})` };
  }
  const { article } = parsed;
  if (!article?.content) return { error: 'no article text found on the page' };
  const { document: content } = parseHTML(`<!doctype html><html><body>${article.content}</body></html>`);
  let text = layoutText(content.body as unknown as DomNode);
  if (!/[\p{L}\p{N}]/u.test(text)) return { error: 'no article text found on the page' };
  const outlet = parsed.outlet ?? article.siteName?.trim();
  const title = withoutSite(article.title?.replace(/\s+/g, ' ').trim(), outlet);
  // The headline is the article's first line: a heading that opens the body, else the page's title.
  const firstLine = text.slice(0, text.indexOf('\n'));
  const heading = content.querySelector('h1, h2, h3')?.textContent?.replace(/\s+/g, ' ').trim();
  if (title && heading !== firstLine && !firstLine.includes(title)) text = `${title}\n\n${text}`;
  const out: ReaderText = { text };
  if (title) out.title = title;
  const date = parsed.date ?? isoDay(article.publishedTime);
  if (date) out.date = date;
  if (outlet) out.outlet = outlet;
  if (article.byline?.trim()) out.author = article.byline.trim();
  return out;
}

/** Trailing spaces and runs of blank lines removed; a text ends with one newline. */
function tidy(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim() + '\n'
  );
}
