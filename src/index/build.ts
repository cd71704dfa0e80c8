import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chunkArticle, DEFAULT_CHUNKING, type ChunkOptions } from '../chunk/chunker.js';
import type { Embedder } from '../embed/embedder.js';
import { listSeedFiles, READER_VERSION, readSeedFile, type IngestWarning, type SeedFile } from '../ingest/read.js';
import { ANALYZER_VERSION, type AnalyzerName } from '../text/analyze.js';
import { TERM_KEYS } from '../text/term-keys.js';
import type { Article, ArticleMeta } from '../types.js';
import { fileRecord, fsyncPath, IndexDamagedError, verifyFile } from './files.js';
import { termFrequencies } from './lexical.js';
import { acquireLock } from './lock.js';
import type { ModelInfo } from './reader.js';
import { checkLength, DB_FILE, guarded, IndexWriter, readDocument, readDocumentStamps, readHeader, verifyRows, type DocumentStamp, type IndexHeader, type SkippedFile } from './sqlite.js';
import { currentFolder, pruneGenerations, SCHEMA_VERSION, switchCurrent } from './store.js';
import { VectorIndex } from './vectors.js';
import Database from 'better-sqlite3';

export const DEFAULT_ANALYZER: AnalyzerName = 'stem';

export type BuildEvent =
  | { kind: 'scan'; documents: number; warnings: IngestWarning[] }
  /** An incremental build: what it will do; `toEmbed` only when the index has vectors. */
  | { kind: 'plan'; full?: false; added: number; changed: number; removed: number; unchanged: number; toEmbed?: number }
  /** Everything is (re)built from the `files` found, for `reason` (none for the first build). */
  | { kind: 'plan'; full: true; files: number; removed: number; reason?: string }
  /** Embedding progress, counted in articles (a full build streams them) or in passages (an incremental one). */
  | { kind: 'embed'; done: number; total: number; unit: 'articles' | 'passages' }
  | { kind: 'write' }
  /** The index on disk failed verification (one line for the operator); it is rebuilt. */
  | { kind: 'damaged'; message: string }
  /** Another indexing run holds the lock; this one waits for it. */
  | { kind: 'wait'; message: string };

export interface BuildSummary {
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
  /** Passages in the index after the run. */
  passages: number;
  /** Passages embedded by this run (0 when nothing changed). */
  embedded: number;
  seconds: number;
  /** Why everything was rebuilt, when it was. */
  fullRebuild?: string;
  /** The model of the vectors, or null when the index is lexical only. */
  model: ModelInfo | null;
  /** Files skipped; `again` when the last build skipped the file as it is now (its warning was given then). */
  warnings: Array<IngestWarning & { again?: boolean }>;
  /** True when nothing changed and nothing was written. */
  upToDate: boolean;
}

export interface BuildOptions {
  seedsDir: string;
  indexDir: string;
  analyzer?: AnalyzerName;
  chunking?: ChunkOptions;
  /** The model that vectors must come from, or null for lexical only. */
  model: { id: string; dtype: string } | null;
  /**
   * Gives the embedder, loading it only when something must be embedded (a no-op run stays fast and offline).
   * Returns null with a reason when the model cannot be had; the build then completes lexical only.
   */
  getEmbedder: () => Promise<{ embedder: Embedder } | { embedder: null; reason: string }>;
  onEvent?: (e: BuildEvent) => void;
  signal?: AbortSignal;
  /**
   * How the live index is checked before it is built upon: 'quick' (default) the database's header and length and
   * the vector files' length and CRC-32; 'full' also SQLite's structural check and every row's CRC (O(index)).
   * Rows are checked on every read anyway: damage found while answering rebuilds the index then.
   */
  verify?: 'full' | 'quick';
  /** Rebuild everything, for this reason (e.g. damage found while answering). */
  rebuild?: string;
  /** How long to wait for another indexing run (ms); default: as long as it takes. */
  lockWaitMs?: number;
}

/** The model warning of the last build that fell back to lexical only (for the CLI to print once). */
export interface LexicalFallback {
  reason: string;
}

/** Postings held in memory before they are written as a segment: bounds a full build's memory. */
const SEGMENT_POSTINGS = 3_000_000;
/** Documents read, chunked and embedded together in a full build. */
const BATCH_DOCUMENTS = 256;

function metaOf(a: Article): ArticleMeta {
  const { text: _t, content: _c, ...meta } = a;
  return meta;
}

/**
 * Brings the index in line with the articles, streaming them (the corpus is never held in memory): unchanged
 * documents are not read again (same size and modification time) or not re-indexed (same content hash); new and
 * changed ones are chunked, embedded and written as a new segment, the replaced passages marked deleted. A damaged
 * index, a new schema, analyzer, chunking or embedding model rebuild everything into a new generation folder.
 * Waits for another indexing run on the same INDEX_DIR rather than failing.
 */
export async function buildIndex(opts: BuildOptions): Promise<BuildSummary & { fallback?: LexicalFallback }> {
  const t0 = performance.now();
  const analyzer = opts.analyzer ?? DEFAULT_ANALYZER;
  const chunking = opts.chunking ?? DEFAULT_CHUNKING;
  const release = await acquireLock(opts.indexDir, { waitMs: opts.lockWaitMs, signal: opts.signal, onWait: (message) => opts.onEvent?.({ kind: 'wait', message }) });
  try {
    const live = currentFolder(opts.indexDir);
    const prev = live ? inspect(path.join(opts.indexDir, live), opts) : null;
    const prevHeader = prev?.header ?? null;
    let fullRebuild: string | undefined;
    if (opts.rebuild) fullRebuild = opts.rebuild;
    else if (!prev) fullRebuild = 'no index yet';
    else if (prev.damage) fullRebuild = prev.damage;
    else if (prevHeader!.schemaVersion !== SCHEMA_VERSION) fullRebuild = 'index format changed';
    else if (prevHeader!.analyzer !== analyzer || prevHeader!.analyzerVersion !== ANALYZER_VERSION || JSON.stringify(prevHeader!.chunking) !== JSON.stringify(chunking)) fullRebuild = 'analyzer or chunking changed';
    else if (prevHeader!.readerVersion !== READER_VERSION) fullRebuild = 'article reader changed';
    else if (prevHeader!.model && !sameModel(prevHeader!.model, opts.model)) fullRebuild = `embedding model changed (${prevHeader!.model.id} → ${opts.model?.id ?? 'none'})`;
    else if (prevHeader!.deletedCount > Math.max(1000, prevHeader!.passageCount / 3)) fullRebuild = 'compacting (a third of the passages were replaced)';

    const prevSkipped: PrevSkipped = new Map((prevHeader?.skipped ?? []).map((f) => [f.id, f]));
    let embedderPromise: ReturnType<BuildOptions['getEmbedder']> | null = null;
    const embedder = () => (embedderPromise ??= opts.getEmbedder());
    // A lexical-only index gets its vectors as soon as the model can be had.
    if (!fullRebuild && opts.model && !prevHeader!.model) {
      const got = await embedder();
      if (got.embedder) fullRebuild = `embedding model ${opts.model.id} now available`;
    }
    const run = fullRebuild
      ? await fullBuild(opts, { analyzer, chunking, embedder, prevDocs: prev?.documents ?? new Map(), prevSkipped, reason: prev ? fullRebuild : undefined, live })
      : await incrementalBuild(opts, { embedder, live: live!, prevDocs: prev!.documents, prevSkipped, chunking, hasVectors: !!prevHeader!.model });
    return { ...run, seconds: secondsSince(t0) };
  } finally {
    release();
  }
}

type PrevDocs = Map<string, DocumentStamp>;
type PrevSkipped = Map<string, SkippedFile>;

/** A file the build cannot read: recorded with its stamps, and its warning marked when the last build gave it already. */
function skip(f: SeedFile, warning: IngestWarning, prevSkipped: PrevSkipped, into: { warnings: BuildSummary['warnings']; skipped: SkippedFile[] }): void {
  const was = prevSkipped.get(f.id);
  into.warnings.push(was && was.size === f.size && was.mtimeMs === f.mtimeMs ? { ...warning, again: true } : warning);
  into.skipped.push({ id: f.id, size: f.size, mtimeMs: f.mtimeMs });
}


/** The live index's header and documents, or why it cannot be built upon (then it is rebuilt). */
function inspect(dir: string, opts: BuildOptions): { header: IndexHeader | null; documents: PrevDocs; damage?: string } {
  let db: Database.Database | null = null;
  try {
    db = guarded(() => new Database(path.join(dir, DB_FILE), { readonly: true, fileMustExist: true }));
    const header = readHeader(db);
    if (!header) throw new IndexDamagedError(DB_FILE, 'no header');
    if (header.schemaVersion !== SCHEMA_VERSION) return { header, documents: new Map() };
    checkLength(db, path.join(dir, DB_FILE));
    for (const f of guarded(() => db!.prepare('SELECT name, count, bytes, crc FROM vector_files').all() as Array<{ name: string; bytes: number; crc: number }>)) {
      verifyFile(path.join(dir, f.name), f.name, f);
    }
    if (opts.verify === 'full') {
      // SQLite's own structural check (pages, b-trees), then every row's CRC: O(index), so asked for (--verify).
      const check = guarded(() => db!.pragma('quick_check', { simple: true }) as string);
      if (check !== 'ok') throw new IndexDamagedError(DB_FILE, check.split('\n')[0]);
      verifyRows(db);
    }
    const documents = guarded(() => readDocumentStamps(db!));
    return { header, documents };
  } catch (e) {
    if (!(e instanceof IndexDamagedError)) throw e;
    opts.onEvent?.({ kind: 'damaged', message: e.message });
    return { header: null, documents: new Map(), damage: `the index was damaged (${e.file})` };
  } finally {
    db?.close();
  }
}


interface FullContext {
  analyzer: AnalyzerName;
  chunking: ChunkOptions;
  embedder: () => ReturnType<BuildOptions['getEmbedder']>;
  prevDocs: PrevDocs;
  prevSkipped: PrevSkipped;
  reason?: string;
  live: string | null;
}

/** Everything into a new generation folder, streamed in batches; CURRENT switches to it once complete. */
async function fullBuild(opts: BuildOptions, ctx: FullContext): Promise<Omit<BuildSummary, 'seconds'> & { fallback?: LexicalFallback }> {
  // Leftovers of interrupted builds go first: the disk holds at most the live index and this one.
  pruneGenerations(opts.indexDir, null);
  const files = await listSeedFiles(opts.seedsDir);
  const warnings: BuildSummary['warnings'] = [];
  opts.onEvent?.({ kind: 'scan', documents: files.length, warnings });
  const present = new Set(files.map((f) => f.id));
  const counts = { added: 0, changed: 0, removed: [...ctx.prevDocs.keys()].filter((id) => !present.has(id)).length, unchanged: 0 };
  // The passages are known only as the files stream through: the plan names the files and why.
  opts.onEvent?.({ kind: 'plan', full: true, files: files.length, removed: counts.removed, reason: ctx.reason });

  let model: ModelInfo | null = null;
  let embedder: Embedder | null = null;
  let fallback: LexicalFallback | undefined;
  if (opts.model) {
    const got = await ctx.embedder();
    if (got.embedder) {
      embedder = got.embedder;
      model = { id: opts.model.id, dtype: opts.model.dtype, dim: got.embedder.dim };
    } else fallback = { reason: got.reason };
  }

  const folder = `gen-${Date.now().toString(36)}-${process.pid}`;
  const dir = path.join(opts.indexDir, folder);
  mkdirSync(dir, { recursive: true });
  const header: IndexHeader = {
    schemaVersion: SCHEMA_VERSION,
    builtAt: new Date().toISOString(),
    analyzer: ctx.analyzer,
    analyzerVersion: ANALYZER_VERSION,
    readerVersion: READER_VERSION,
    chunking: ctx.chunking,
    model,
    nextPassageId: 0,
    passageCount: 0,
    totalLength: 0,
    documentCount: 0,
    deletedCount: 0,
    version: 0,
  };
  const skipped: SkippedFile[] = [];
  header.skipped = skipped;
  const writer = new IndexWriter(dir, header, TERM_KEYS, { bulk: true });
  let embedded = 0;
  try {
    const vectors = model ? VectorIndex.create(model.dim, 1024) : null;
    writer.begin();
    for (let i = 0; i < files.length; i += BATCH_DOCUMENTS) {
      await yieldToEventLoop();
      opts.signal?.throwIfAborted();
      const batch: Array<{ file: SeedFile; article: Article; chunks: ReturnType<typeof chunkArticle> }> = [];
      for (const f of files.slice(i, i + BATCH_DOCUMENTS)) {
        const r = readSeedFile(f);
        if ('warning' in r) {
          skip(f, r.warning, ctx.prevSkipped, { warnings, skipped });
          continue;
        }
        const old = ctx.prevDocs.get(f.id);
        if (!old) counts.added++;
        else if (old.hash !== r.article.hash) counts.changed++;
        else counts.unchanged++;
        batch.push({ file: f, article: r.article, chunks: chunkArticle(r.article, ctx.chunking) });
      }
      const texts = batch.flatMap((b) => b.chunks.map((c) => c.text));
      const vecs = embedder && texts.length ? await embedder.embedPassages(texts) : null;
      let v = 0;
      for (const b of batch) {
        const spans = b.chunks.map((c) => ({ start: c.start, end: c.end, text: c.text, ...termFrequencies(c.text, ctx.analyzer) }));
        const added = writer.addDocument(b.article.id, metaOf(b.article), { size: b.file.size, mtimeMs: b.file.mtimeMs }, spans);
        if (vectors && vecs) for (const p of added) vectors.add(p.id, vecs[v++]);
      }
      embedded += vecs?.length ?? 0;
      if (embedder) opts.onEvent?.({ kind: 'embed', done: Math.min(files.length, i + BATCH_DOCUMENTS), total: files.length, unit: 'articles' });
      if (writer.pendingSize >= SEGMENT_POSTINGS) writer.flushSegment();
      // Commit in batches: a bulk transaction's pages would otherwise pile up in memory.
      writer.db.exec('COMMIT');
      writer.db.exec('BEGIN');
    }
    opts.onEvent?.({ kind: 'write' });
    if (vectors && vectors.count) {
      const name = 'vec-1.hnsw';
      await vectors.write(path.join(dir, name));
      fsyncPath(path.join(dir, name));
      writer.recordVectorFile(name, vectors.count, fileRecord(path.join(dir, name)));
    }
    writer.flushSegment();
    header.version = 1;
    writer.db.exec('COMMIT');
    writer.finishBulk();
    writer.close();
    fsyncPath(path.join(dir, DB_FILE));
    fsyncPath(dir);
    opts.signal?.throwIfAborted();
    switchCurrent(opts.indexDir, folder, header.version);
  } catch (e) {
    writer.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  pruneGenerations(opts.indexDir, null);
  return { ...counts, passages: header.passageCount, embedded, fullRebuild: ctx.reason, model, warnings, upToDate: false, fallback };
}

/** Only what changed: a new segment (and vector file) with the new passages, deletion markers for the old. */
async function incrementalBuild(
  opts: BuildOptions,
  ctx: { embedder: () => ReturnType<BuildOptions['getEmbedder']>; live: string; prevDocs: PrevDocs; prevSkipped: PrevSkipped; chunking: ChunkOptions; hasVectors: boolean },
): Promise<Omit<BuildSummary, 'seconds'> & { fallback?: LexicalFallback }> {
  const files = await listSeedFiles(opts.seedsDir);
  const warnings: BuildSummary['warnings'] = [];
  opts.onEvent?.({ kind: 'scan', documents: files.length, warnings });
  const present = new Set(files.map((f) => f.id));
  const removed = [...ctx.prevDocs.keys()].filter((id) => !present.has(id));
  const toIndex: Array<{ file: SeedFile; article: Article; isNew: boolean }> = [];
  const touched: Array<{ file: SeedFile; article: Article }> = [];
  const skipped: SkippedFile[] = [];
  let unchanged = 0;
  let read = 0;
  for (const f of files) {
    const old = ctx.prevDocs.get(f.id);
    if (++read % 64 === 0) {
      await yieldToEventLoop();
      opts.signal?.throwIfAborted();
    }
    if (old && old.size === f.size && old.mtimeMs === f.mtimeMs) {
      unchanged++;
      continue;
    }
    const r = readSeedFile(f);
    if ('warning' in r) {
      skip(f, r.warning, ctx.prevSkipped, { warnings, skipped });
      // An article that became unreadable leaves the index.
      if (old) removed.push(f.id);
      continue;
    }
    if (!old) toIndex.push({ file: f, article: r.article, isNew: true });
    else if (old.hash !== r.article.hash) toIndex.push({ file: f, article: r.article, isNew: false });
    else {
      unchanged++;
      touched.push({ file: f, article: r.article });
    }
  }
  const chunks = toIndex.map((t) => chunkArticle(t.article, ctx.chunking));
  opts.signal?.throwIfAborted();
  const toEmbedCount = chunks.reduce((n, c) => n + c.length, 0);
  const changed = toIndex.filter((t) => !t.isNew).length;
  const counts = { added: toIndex.length - changed, changed, removed: removed.length, unchanged };
  opts.onEvent?.({ kind: 'plan', ...counts, toEmbed: ctx.hasVectors ? toEmbedCount : undefined });

  const dir = path.join(opts.indexDir, ctx.live);
  const db0 = new Database(path.join(dir, DB_FILE), { readonly: true });
  const header = readHeader(db0)!;
  // A file read again with the same text may still carry new metadata (a better parser) or a new timestamp.
  const refreshed = touched
    .map((t) => ({ ...t, entry: guarded(() => readDocument(db0, t.file.id))! }))
    .filter((t) => JSON.stringify(metaOf(t.article)) !== JSON.stringify(t.entry.meta) || t.entry.mtimeMs !== t.file.mtimeMs || t.entry.size !== t.file.size);
  db0.close();
  // A newly skipped file (or one no longer skipped) is recorded too, so that it is not taken for a change again.
  const sameSkipped = JSON.stringify(header.skipped ?? []) === JSON.stringify(skipped);
  header.skipped = skipped;
  if (!toIndex.length && !removed.length && !refreshed.length && sameSkipped) {
    return { ...counts, passages: header.passageCount, embedded: 0, model: header.model, warnings, upToDate: true };
  }

  let vecs: Float32Array[] | null = null;
  let fallback: LexicalFallback | undefined;
  if (header.model && toEmbedCount) {
    const got = await ctx.embedder();
    if (!got.embedder) fallback = { reason: got.reason };
    else {
      const texts = chunks.flat().map((c) => c.text);
      opts.onEvent?.({ kind: 'embed', done: 0, total: texts.length, unit: 'passages' });
      vecs = await got.embedder.embedPassages(texts, (done, total) => {
        opts.signal?.throwIfAborted();
        opts.onEvent?.({ kind: 'embed', done, total, unit: 'passages' });
      });
    }
  }
  opts.signal?.throwIfAborted();
  opts.onEvent?.({ kind: 'write' });

  const writer = new IndexWriter(dir, header, TERM_KEYS);
  const newFiles: string[] = [];
  try {
    writer.begin();
    for (const id of removed) writer.removeDocument(id);
    for (const t of toIndex) if (!t.isNew) writer.removeDocument(t.file.id);
    for (const t of refreshed) writer.refreshDocument(t.file.id, metaOf(t.article), { size: t.file.size, mtimeMs: t.file.mtimeMs }, t.entry);
    const added: number[] = [];
    toIndex.forEach((t, i) => {
      const spans = chunks[i].map((c) => ({ start: c.start, end: c.end, text: c.text, ...termFrequencies(c.text, header.analyzer) }));
      for (const p of writer.addDocument(t.article.id, metaOf(t.article), { size: t.file.size, mtimeMs: t.file.mtimeMs }, spans)) added.push(p.id);
    });
    writer.flushSegment();
    writer.mergeSmallSegments();
    if (header.model && added.length) {
      if (!vecs) throw new Error(`the embedding model is needed for the new passages: ${fallback?.reason ?? 'not available'}`);
      // The new vectors go to a small file of their own; small files are merged when there are many.
      const part = VectorIndex.create(header.model.dim, added.length);
      added.forEach((id, i) => part.add(id, vecs![i]));
      const name = `vec-${header.version + 1}.hnsw`;
      await part.write(path.join(dir, name));
      fsyncPath(path.join(dir, name));
      newFiles.push(name);
      writer.recordVectorFile(name, added.length, fileRecord(path.join(dir, name)));
      await mergeSmallVectorFiles(writer, dir, header, newFiles);
    }
    fsyncPath(dir);
    writer.commit();
  } catch (e) {
    try {
      if (writer.db.inTransaction) writer.db.exec('ROLLBACK');
    } catch {
      // Closed with the connection anyway.
    }
    writer.close();
    for (const f of newFiles) rmSync(path.join(dir, f), { force: true });
    throw e;
  }
  writer.close();
  switchCurrent(opts.indexDir, ctx.live, header.version);
  removeUnlisted(dir, header);
  return { ...counts, passages: header.passageCount, embedded: vecs?.length ?? 0, model: header.model, warnings, upToDate: false, fallback };
}

/** Vector files of fewer than 5% of the passages are merged into one when there are more than 4 of them. */
async function mergeSmallVectorFiles(writer: IndexWriter, dir: string, header: IndexHeader, newFiles: string[]): Promise<void> {
  const budget = Math.max(1000, header.passageCount * 0.05);
  const small: Array<{ name: string; count: number }> = [];
  let total = 0;
  for (const f of writer.vectorFiles().sort((a, b) => a.count - b.count)) {
    if (total + f.count > budget) break;
    small.push(f);
    total += f.count;
  }
  if (small.length <= 4) return;
  const deleted = writer.deletedIds();
  const merged = VectorIndex.create(header.model!.dim, total);
  for (const f of small) {
    const file = path.join(dir, f.name);
    verifyFile(file, f.name, writer.vectorFiles().find((x) => x.name === f.name)!);
    const part = VectorIndex.readSync(file, header.model!.dim, f.count);
    for (const id of part.labels()) {
      if (deleted.has(id)) continue;
      const v = part.vectorOf(id);
      if (v) merged.add(id, Float32Array.from(v));
    }
  }
  const name = `vec-${header.version + 1}m.hnsw`;
  await merged.write(path.join(dir, name));
  fsyncPath(path.join(dir, name));
  newFiles.push(name);
  for (const f of small) writer.dropVectorFile(f.name);
  writer.recordVectorFile(name, merged.count, fileRecord(path.join(dir, name)));
}

/** Vector files of this folder that the committed database no longer lists (merged away). */
function removeUnlisted(dir: string, header: IndexHeader): void {
  if (!header.model) return;
  const db = new Database(path.join(dir, DB_FILE), { readonly: true });
  try {
    const listed = new Set(db.prepare('SELECT name FROM vector_files').pluck().all() as string[]);
    for (const f of readdirNames(dir)) if (f.endsWith('.hnsw') && !listed.has(f)) rmSync(path.join(dir, f), { force: true });
  } finally {
    db.close();
  }
}

function readdirNames(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function sameModel(a: ModelInfo | null, b: { id: string; dtype: string } | null): boolean {
  if (!a || !b) return !a && !b;
  return a.id === b.id && a.dtype === b.dtype;
}

function secondsSince(t0: number): number {
  return Math.round((performance.now() - t0) / 10) / 100;
}

/**
 * Lets signals and other events in between files: reading and chunking are synchronous, and a build in a
 * process that also answers (or one asked to stop by SIGTERM) must not hold the thread for seconds.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
