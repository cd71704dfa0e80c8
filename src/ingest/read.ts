import { createHash } from 'node:crypto';
import { promises as fs, readFileSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { Article, SourceFormat } from '../types.js';
import { splitSentences } from '../chunk/sentences.js';
import { detectLanguage } from '../text/language.js';
import { formatOf, readerText, type ReaderText } from './formats.js';
import { findAuthor, findOutlet, findPublicationDate, inferYear, isFurniture, leadingTag } from './metadata.js';
/**
 * Bump when what is read from a file changes (formats, furniture, metadata): an index built by an older reader is
 * then rebuilt whole, since unchanged files are otherwise never read again.
 */
export const READER_VERSION = 4;

/** Larger files are almost surely not news articles (dumps, logs) and would swamp the index. */
export const MAX_ARTICLE_BYTES = 5 * 1024 * 1024;

export interface SeedFile {
  id: string;
  absPath: string;
  size: number;
  mtimeMs: number;
}

/** Every article file (.txt, .md, .html) under `dir`, recursively, in a stable order. Symlinks are not followed. */
export async function listSeedFiles(dir: string): Promise<SeedFile[]> {
  const root = path.resolve(dir);
  const out: SeedFile[] = [];
  async function walk(d: string): Promise<void> {
    const entries = await fs.readdir(d, { withFileTypes: true });
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const abs = path.join(d, e.name);
      if (e.isSymbolicLink()) continue;
      if (e.isDirectory()) await walk(abs);
      else if (e.isFile() && formatOf(e.name)) {
        // Synchronous: 10,000 awaited stats cost ~1.2 s, statSync ~45 ms.
        let st: Stats | null = null;
        try {
          st = statSync(abs);
        } catch {
          // Gone or unreadable since the listing: skipped.
        }
        if (st) out.push({ id: path.relative(root, abs).split(path.sep).join('/'), absPath: abs, size: st.size, mtimeMs: st.mtimeMs });
      }
    }
  }
  await walk(root);
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export type Decoded = { ok: true; text: string; hash: string } | { ok: false; reason: string };

/** Decodes raw bytes as an article, or says why they cannot be one. */
export function decodeArticle(bytes: Uint8Array, format: SourceFormat = 'text'): Decoded {
  if (bytes.length > MAX_ARTICLE_BYTES) return { ok: false, reason: `larger than ${MAX_ARTICLE_BYTES / 1024 / 1024} MB` };
  if (bytes.includes(0)) return { ok: false, reason: 'binary file (contains NUL bytes)' };
  let text: string;
  try {
    text = new TextDecoder(format === 'html' ? declaredCharset(bytes) : 'utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, reason: 'not valid UTF-8 text (save it as UTF-8)' };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // eslint-disable-next-line no-control-regex
  const controls = text.match(/[\u0000-\u0008\u000e-\u001f\u007f]/g)?.length ?? 0;
  if (controls > 0 && controls > text.length * 0.01) return { ok: false, reason: 'binary file (control characters)' };
  if (!/[\p{L}\p{N}]/u.test(text)) return { ok: false, reason: 'empty (no text)' };
  const hash = createHash('sha256').update(bytes).digest('hex');
  return { ok: true, text, hash };
}

/** The charset a saved page declares in its first 2 KB (<meta charset> or http-equiv), if Node can decode it; else UTF-8. */
function declaredCharset(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, 2048)).toString('latin1');
  const label = head.match(/<meta[^>]+charset\s*=\s*["']?([\w-]+)/i)?.[1]?.toLowerCase();
  if (!label) return 'utf-8';
  try {
    new TextDecoder(label);
    return label;
  } catch {
    return 'utf-8';
  }
}

/** [start, end) ranges of non-empty, non-furniture lines. */
export function contentRanges(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let pos = 0;
  for (const line of text.split('\n')) {
    const start = pos;
    const end = pos + line.length;
    pos = end + 1;
    if (!line.trim() || isFurniture(line)) continue;
    // Trim surrounding white space (and a \r) so offsets frame the words themselves; a tag glued on is left out.
    const lead = line.length - line.trimStart().length + leadingTag(line.trimStart());
    const trail = line.length - line.trimEnd().length;
    ranges.push([start + lead, end - trail]);
  }
  return ranges;
}

/**
 * Builds an Article from its reader text: metadata and content ranges. What the format itself states (a page's
 * <meta> date and site name) wins over what is found in the text.
 */
export function parseArticle(id: string, text: string, hash: string, format: SourceFormat = 'text', stated: Omit<ReaderText, 'text'> = {}): Article {
  const lines = text.split('\n');
  const content = contentRanges(text);
  const firstLine = content.length ? text.slice(content[0][0], content[0][1]) : id;
  // Some pages have no headline line: the lead paragraph comes first. Its first sentence stands in for a title.
  let title = firstLine.replace(/^#+\s*/, '').trim();
  if (title.length > 160) {
    const first = splitSentences(title)[0];
    title = first ? title.slice(first.start, first.end) : title;
    if (title.length > 160) title = title.slice(0, title.lastIndexOf(' ', 157)) + '…';
  }
  const body = content.map(([s, e]) => text.slice(s, e)).join('\n');
  const date = stated.date ?? findPublicationDate(lines);
  const article: Article = {
    id,
    text,
    format,
    hash,
    title,
    language: detectLanguage(body),
    content,
  };
  const outlet = stated.outlet ?? findOutlet(body);
  if (outlet) article.outlet = outlet;
  const author = stated.author ?? findAuthor(text);
  if (author) article.author = author;
  if (date) article.date = date;
  else {
    const y = inferYear(body);
    if (y) article.inferredYear = y;
  }
  return article;
}

export interface IngestWarning {
  file: string;
  reason: string;
}

export interface IngestResult {
  articles: Article[];
  warnings: IngestWarning[];
}

/** What is known of a file from the last build: enough to skip reading it when it has not changed. */
export interface KnownFile {
  size?: number;
  mtimeMs?: number;
}

export interface ScanResult extends IngestResult {
  /** Files whose size and modification time match what is known: not read. */
  unchanged: SeedFile[];
  files: SeedFile[];
}

/** The article in one seed file, or why it is skipped (one file at a time: an index build streams them). */
export function readSeedFile(f: SeedFile): { article: Article } | { warning: IngestWarning } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(f.absPath);
  } catch (e) {
    return { warning: { file: f.id, reason: `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})` } };
  }
  const format = formatOf(f.id) ?? 'text';
  const decoded = decodeArticle(bytes, format);
  if (!decoded.ok) return { warning: { file: f.id, reason: decoded.reason } };
  const reader = readerText(format, decoded.text);
  if ('error' in reader) return { warning: { file: f.id, reason: reader.error } };
  if (!/[\p{L}\p{N}]/u.test(reader.text)) return { warning: { file: f.id, reason: 'empty (no text)' } };
  const { text, ...stated } = reader;
  return { article: parseArticle(f.id, text, decoded.hash, format, stated) };
}

/**
 * Reads the articles under `dir` that may have changed. A file whose size and modification time match `known`
 * is taken as unchanged without being read (as git does), so a re-index of a large folder costs what changed.
 * A file that cannot be read is skipped with a warning; it never stops the run.
 */
export async function scanSeeds(dir: string, known: (id: string) => KnownFile | undefined = () => undefined): Promise<ScanResult> {
  const files = await listSeedFiles(dir);
  const articles: Article[] = [];
  const warnings: IngestWarning[] = [];
  const unchanged: SeedFile[] = [];
  for (const f of files) {
    const k = known(f.id);
    if (k && k.size === f.size && k.mtimeMs === f.mtimeMs) {
      unchanged.push(f);
      continue;
    }
    const r = readSeedFile(f);
    if ('warning' in r) warnings.push(r.warning);
    else articles.push(r.article);
  }
  return { articles, warnings, unchanged, files };
}

/** Reads every article under `dir`. */
export async function ingestDir(dir: string): Promise<IngestResult> {
  const { articles, warnings } = await scanSeeds(dir);
  return { articles, warnings };
}
