import { closeSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ChunkOptions } from '../chunk/chunker.js';
import type { AnalyzerName } from '../text/analyze.js';
import type { ArticleMeta, Passage } from '../types.js';
import { IndexDamagedError, rowCrc, verifyFile, type FileRecord } from './files.js';
import { Bm25Scorer, idfOf, impactsOf, lengthNorm, type ImpactList, type ScoredTerm } from './lexical.js';

/** Postings kept in memory by a reader between questions (~8 bytes each: id and impact; 24M ≈ 190 MB). */
const POSTINGS_CACHED = 24_000_000;
import type { DenseReader, DocumentEntry, IndexInfo, IndexReader, LexicalHit, LexicalReader, ModelInfo, QueryTerm, VectorHit } from './reader.js';
import { VectorIndex } from './vectors.js';

/**
 * One generation folder: `index.db` (SQLite) with documents, passages and the lexical postings, and the vector
 * files `vec-<n>.hnsw` it lists. Nothing is parsed into the heap at open but the passage lengths (for BM25's
 * length norms), the deletion markers and the vectors; passages, documents and postings are read on demand.
 *
 * Postings are kept per (term, segment): a build adds a segment with the postings of the passages it added and
 * marks the passages it replaced as deleted, so a changed article writes what it has, not the index again.
 * Searches read a term's rows of every segment and skip the deleted; small segments are merged (bounded work).
 */
export const DB_FILE = 'index.db';

export interface IndexHeader {
  schemaVersion: number;
  builtAt: string;
  analyzer: AnalyzerName;
  analyzerVersion: number;
  /** The article reader's version (ingest READER_VERSION). */
  readerVersion: number;
  chunking: ChunkOptions;
  model: ModelInfo | null;
  nextPassageId: number;
  /** Live passages and the sum of their lengths in terms (BM25's average length). */
  passageCount: number;
  totalLength: number;
  documentCount: number;
  /** Passages marked deleted whose postings are still in some segment. */
  deletedCount: number;
  /** Bumped by every commit: with the folder's name, it names the index state. */
  version: number;
  /**
   * Files the last build could not read (binary, empty, wrong encoding), with their stamps: a check for "changed
   * since the index was built" sees them as unchanged until they change (absent in older indexes: none).
   */
  skipped?: SkippedFile[];
}

export interface SkippedFile {
  id: string;
  size: number;
  mtimeMs: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS header(k INTEGER PRIMARY KEY CHECK (k = 0), value TEXT NOT NULL, crc INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS documents(id TEXT PRIMARY KEY, hash TEXT NOT NULL, meta TEXT NOT NULL, size INTEGER, mtime REAL, first INTEGER NOT NULL, count INTEGER NOT NULL, crc INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS passages(id INTEGER PRIMARY KEY, doc TEXT NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL, text TEXT NOT NULL, crc INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS segments(id INTEGER PRIMARY KEY, ids BLOB NOT NULL, lens BLOB NOT NULL, crc INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS postings(term TEXT NOT NULL, seg INTEGER NOT NULL, ids BLOB NOT NULL, tfs BLOB NOT NULL, crc INTEGER NOT NULL, PRIMARY KEY (term, seg)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS deleted(id INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS term_keys(kind TEXT NOT NULL, key TEXT NOT NULL, term TEXT NOT NULL, crc INTEGER NOT NULL, PRIMARY KEY (kind, key, term)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS vector_files(name TEXT PRIMARY KEY, count INTEGER NOT NULL, bytes INTEGER NOT NULL, crc INTEGER NOT NULL) WITHOUT ROWID;
`;

/**
 * SQLite's own words for a damaged file. Our schema is fixed, so a missing table or column (an emptied or
 * foreign file) is damage too, as is "malformed" under whatever code it comes.
 */
function isCorruption(e: unknown): boolean {
  const code = (e as { code?: string }).code ?? '';
  if (!code.startsWith('SQLITE_')) return false;
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN') return true;
  return /malformed|no such (table|column|index)|not a database/i.test((e as Error).message ?? '');
}

/** Runs `fn`, turning SQLite's corruption errors into IndexDamagedError naming the database file. */
export function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isCorruption(e)) throw new IndexDamagedError(DB_FILE, (e as Error).message);
    throw e;
  }
}

/** The rows of `make()`'s iterator with every step guarded: SQLite reads (and finds damage) as the rows are walked. */
export function* guardedRows<T>(make: () => Iterable<T>): Generator<T> {
  const it = guarded(() => make()[Symbol.iterator]());
  try {
    for (;;) {
      const r = guarded(() => it.next());
      if (r.done) return;
      yield r.value;
    }
  } finally {
    // A walk left early frees its statement.
    it.return?.();
  }
}

/** The page numbers held by the WAL's frames of its current round (their salts match the WAL header's). */
function walPages(walFile: string, pageSize: number): Set<number> {
  const pages = new Set<number>();
  let fd: number;
  try {
    fd = openSync(walFile, 'r');
  } catch {
    return pages;
  }
  try {
    const size = statSync(walFile).size;
    const head = Buffer.alloc(32);
    if (size < 32 || readSync(fd, head, 0, 32, 0) < 32) return pages;
    const frame = Buffer.alloc(24);
    for (let at = 32; at + 24 + pageSize <= size; at += 24 + pageSize) {
      readSync(fd, frame, 0, 24, at);
      if (frame.readUInt32BE(8) !== head.readUInt32BE(16) || frame.readUInt32BE(12) !== head.readUInt32BE(20)) break;
      pages.add(frame.readUInt32BE(0));
    }
  } finally {
    closeSync(fd);
  }
  return pages;
}

/**
 * A database file shorter than its pages (cut off) is damaged, unless the pages it lacks are in the WAL (written
 * there, not yet checkpointed into the file). Cheap: the file's length and the WAL's frame headers.
 */
export function checkLength(db: Database.Database, file: string): void {
  const pages = guarded(() => db.pragma('page_count', { simple: true }) as number);
  const pageSize = guarded(() => db.pragma('page_size', { simple: true }) as number);
  const inFile = Math.floor(statSync(file).size / pageSize);
  if (inFile >= pages) return;
  const inWal = walPages(`${file}-wal`, pageSize);
  for (let p = inFile + 1; p <= pages; p++) if (!inWal.has(p)) throw new IndexDamagedError(DB_FILE, 'shorter than its pages');
}

function damaged(what: string): never {
  throw new IndexDamagedError(DB_FILE, `${what} fails its checksum`);
}

export function readHeader(db: Database.Database): IndexHeader | null {
  const row = guarded(() => db.prepare('SELECT value, crc FROM header WHERE k = 0').get() as { value: string; crc: number } | undefined);
  if (!row) return null;
  if (rowCrc(row.value) !== row.crc) damaged('the header');
  return JSON.parse(row.value) as IndexHeader;
}

export function writeHeader(db: Database.Database, h: IndexHeader): void {
  const value = JSON.stringify(h);
  db.prepare('INSERT OR REPLACE INTO header(k, value, crc) VALUES (0, ?, ?)').run(value, rowCrc(value));
}

/** Exact copies of a blob's bytes as typed arrays (a blob's buffer need not be aligned). */
const int32s = (b: Buffer) => (b.byteOffset % 4 === 0 ? new Int32Array(b.buffer, b.byteOffset, b.byteLength >> 2) : new Int32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)));
const uint16s = (b: Buffer) => new Uint16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
const bytesOf = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

function docCrc(id: string, meta: string, size: number | null, mtime: number | null, first: number, count: number): number {
  return rowCrc(id, meta, size ?? '', mtime ?? '', first, count);
}

function toEntry(row: { meta: string; size: number | null; mtime: number | null; first: number; count: number }): DocumentEntry {
  const passageIds = Array.from({ length: row.count }, (_, i) => row.first + i);
  const e: DocumentEntry = { meta: JSON.parse(row.meta) as ArticleMeta, passageIds };
  if (row.size !== null) e.size = row.size;
  if (row.mtime !== null) e.mtimeMs = row.mtime;
  return e;
}

/** What an incremental build compares a file against: content hash and the file's size and time when indexed. */
export interface DocumentStamp {
  hash: string;
  size?: number;
  mtimeMs?: number;
}

/** Every document's stamp (no metadata parsed: 100,000 rows in ~0.1 s). */
export function readDocumentStamps(db: Database.Database): Map<string, DocumentStamp> {
  const out = new Map<string, DocumentStamp>();
  for (const [id, hash, size, mtime] of db.prepare('SELECT id, hash, size, mtime FROM documents').raw().all() as Array<[string, string, number | null, number | null]>) {
    const s: DocumentStamp = { hash };
    if (size !== null) s.size = size;
    if (mtime !== null) s.mtimeMs = mtime;
    out.set(id, s);
  }
  return out;
}

/** One document's entry, checked. */
export function readDocument(db: Database.Database, docId: string): DocumentEntry | undefined {
  const row = db.prepare('SELECT meta, size, mtime, first, count, crc FROM documents WHERE id = ?').get(docId) as { meta: string; size: number | null; mtime: number | null; first: number; count: number; crc: number } | undefined;
  if (!row) return undefined;
  if (docCrc(docId, row.meta, row.size, row.mtime, row.first, row.count) !== row.crc) damaged(`document ${docId}`);
  return toEntry(row);
}

/** Checks the CRC of every row (a flipped byte in a text or a posting list that SQLite's own check cannot see). */
export function verifyRows(db: Database.Database): void {
  guarded(() => {
    for (const [id, doc, start, end, text, crc] of db.prepare('SELECT id, doc, start, end, text, crc FROM passages').raw().iterate() as Iterable<[number, string, number, number, string, number]>) {
      if (rowCrc(id, doc, start, end, text) !== crc) damaged(`passage ${id}`);
    }
    for (const [term, seg, ids, tfs, crc] of db.prepare('SELECT term, seg, ids, tfs, crc FROM postings').raw().iterate() as Iterable<[string, number, Buffer, Buffer, number]>) {
      if (rowCrc(term, seg, ids, tfs) !== crc) damaged(`the postings of "${term}"`);
    }
    for (const [seg, ids, lens, crc] of db.prepare('SELECT id, ids, lens, crc FROM segments').raw().iterate() as Iterable<[number, Buffer, Buffer, number]>) {
      if (rowCrc(seg, ids, lens) !== crc) damaged(`segment ${seg}`);
    }
    for (const [kind, key, term, crc] of db.prepare('SELECT kind, key, term, crc FROM term_keys').raw().iterate() as Iterable<[string, string, string, number]>) {
      if (rowCrc(kind, key, term) !== crc) damaged(`the key of "${term}"`);
    }
  });
}

/** A read-only view of one index state: a read transaction held open on its own connection (SQLite's snapshot). */
export class SqliteIndex implements IndexReader {
  readonly info: IndexInfo;
  readonly lexical: SqliteLexical;
  readonly vectors: SegmentedVectors | null;
  private readonly passageStmt: Database.Statement;
  private readonly documentStmt: Database.Statement;
  private readonly passageCache = new Map<number, Passage | undefined>();
  private readonly documentCache = new Map<string, DocumentEntry | undefined>();

  private constructor(
    private readonly db: Database.Database,
    readonly dir: string,
    readonly generation: string,
    readonly header: IndexHeader,
    deleted: Uint8Array,
    vectors: SegmentedVectors | null,
  ) {
    const h = header;
    this.info = { builtAt: h.builtAt, analyzer: h.analyzer, analyzerVersion: h.analyzerVersion, model: h.model, documents: h.documentCount, passages: h.passageCount };
    this.passageStmt = db.prepare('SELECT doc, start, end, text, crc FROM passages WHERE id = ?');
    this.documentStmt = db.prepare('SELECT meta, size, mtime, first, count, crc FROM documents WHERE id = ?');
    this.lexical = new SqliteLexical(db, h, deleted);
    this.vectors = vectors;
  }

  /**
   * Opens the generation folder `dir` (named `name`). Every vector file is checked against its recorded length and
   * CRC-32 before hnswlib reads it; the database's rows are checked as they are read. hnswlib reads off the main
   * thread (0.8 s for the 1 GB of 100,000 articles): a caller can do other work meanwhile (e.g. list the articles).
   */
  static async open(dir: string, name: string, opts: { vectors?: boolean } = {}): Promise<SqliteIndex> {
    const db = guarded(() => new Database(path.join(dir, DB_FILE), { readonly: true, fileMustExist: true }));
    try {
      guarded(() => db.exec('BEGIN'));
      checkLength(db, path.join(dir, DB_FILE));
      const header = readHeader(db);
      if (!header) throw new IndexDamagedError(DB_FILE, 'no header');
      const deleted = new Uint8Array(header.nextPassageId + 1);
      guarded(() => {
        for (const [id] of db.prepare('SELECT id FROM deleted').raw().iterate() as Iterable<[number]>) deleted[id] = 1;
      });
      let vectors: SegmentedVectors | null = null;
      if (header.model && opts.vectors !== false) {
        const files = guarded(() => db.prepare('SELECT name, count, bytes, crc FROM vector_files ORDER BY name').all() as Array<{ name: string; count: number } & FileRecord>);
        const parts: VectorIndex[] = [];
        for (const f of files) {
          const file = path.join(dir, f.name);
          verifyFile(file, f.name, f);
          parts.push(await VectorIndex.read(file, header.model.dim, f.count));
        }
        vectors = new SegmentedVectors(header.model.dim, parts, deleted, header.passageCount);
      }
      return new SqliteIndex(db, dir, `${name} ${header.version}`, header, deleted, vectors);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  passage(id: number): Passage | undefined {
    if (this.passageCache.has(id)) return this.passageCache.get(id);
    const row = guarded(() => this.passageStmt.get(id) as { doc: string; start: number; end: number; text: string; crc: number } | undefined);
    let p: Passage | undefined;
    if (row) {
      if (rowCrc(id, row.doc, row.start, row.end, row.text) !== row.crc) damaged(`passage ${id}`);
      p = { id, docId: row.doc, start: row.start, end: row.end, text: row.text };
    }
    if (this.passageCache.size >= 20_000) this.passageCache.clear();
    this.passageCache.set(id, p);
    return p;
  }

  document(docId: string): DocumentEntry | undefined {
    if (this.documentCache.has(docId)) return this.documentCache.get(docId);
    const row = guarded(() => this.documentStmt.get(docId) as { meta: string; size: number | null; mtime: number | null; first: number; count: number; crc: number } | undefined);
    let d: DocumentEntry | undefined;
    if (row) {
      if (docCrc(docId, row.meta, row.size, row.mtime, row.first, row.count) !== row.crc) damaged(`document ${docId}`);
      d = toEntry(row);
    }
    if (this.documentCache.size >= 20_000) this.documentCache.clear();
    this.documentCache.set(docId, d);
    return d;
  }

  *documents(): Iterable<[string, ArticleMeta]> {
    const rows = guardedRows(() => this.db.prepare('SELECT id, meta, size, mtime, first, count, crc FROM documents ORDER BY id').iterate() as Iterable<{ id: string; meta: string; size: number | null; mtime: number | null; first: number; count: number; crc: number }>);
    for (const r of rows) {
      if (docCrc(r.id, r.meta, r.size, r.mtime, r.first, r.count) !== r.crc) damaged(`document ${r.id}`);
      yield [r.id, JSON.parse(r.meta) as ArticleMeta];
    }
  }

  private stampMap: ReadonlyMap<string, DocumentStamp> | null = null;

  stamps(): ReadonlyMap<string, DocumentStamp> {
    return (this.stampMap ??= guarded(() => readDocumentStamps(this.db)));
  }

  skipped(): ReadonlyMap<string, { size: number; mtimeMs: number }> {
    return new Map((this.header.skipped ?? []).map((f) => [f.id, f]));
  }

  /** Every live passage, in id order (the bench's peers are fed them; answering never walks them all). */
  *allPassages(): Iterable<Passage> {
    const rows = guardedRows(() => this.db.prepare('SELECT id, doc, start, end, text FROM passages ORDER BY id').iterate() as Iterable<{ id: number; doc: string; start: number; end: number; text: string }>);
    for (const r of rows) yield { id: r.id, docId: r.doc, start: r.start, end: r.end, text: r.text };
  }

  /** Ends the read transaction: a later build's commits can then be checkpointed past it. */
  close(): void {
    if (!this.db.open) return;
    try {
      this.db.exec('COMMIT');
    } catch {
      // Nothing to end.
    }
    this.db.close();
  }
}

/** BM25 over the postings rows of every segment, skipping deleted passages. */
export class SqliteLexical implements LexicalReader {
  readonly analyzer: AnalyzerName;
  readonly passageCount: number;
  private readonly dfStmt: Database.Statement;
  private readonly keyStmt: Database.Statement;
  private readonly rowsStmt: Database.Statement;
  private readonly dfs = new Map<string, number>();
  /** Postings read (and checked) by earlier questions; this state never changes, so they stay valid. */
  private readonly cache = new Map<string, { lists: ImpactList[]; df: number }>();
  private readonly norms: Float32Array;
  private cached = 0;
  private readonly scorer: Bm25Scorer;

  constructor(db: Database.Database, header: IndexHeader, deleted: Uint8Array) {
    this.analyzer = header.analyzer;
    this.passageCount = header.passageCount;
    this.dfStmt = db.prepare('SELECT total(length(tfs)) FROM postings WHERE term = ?').pluck();
    this.rowsStmt = db.prepare('SELECT seg, ids, tfs, crc FROM postings WHERE term = ?').raw();
    this.keyStmt = db.prepare('SELECT term, crc FROM term_keys WHERE kind = ? AND key = ? ORDER BY term').raw();
    // Per passage id its length norm (NaN: deleted or absent), from the segments' length lists.
    const norms = new Float32Array(header.nextPassageId + 1).fill(NaN);
    const avg = header.passageCount ? header.totalLength / header.passageCount : 1;
    guarded(() => {
      for (const [seg, ids, lens, crc] of db.prepare('SELECT id, ids, lens, crc FROM segments').raw().iterate() as Iterable<[number, Buffer, Buffer, number]>) {
        if (rowCrc(seg, ids, lens) !== crc) damaged(`segment ${seg}`);
        const idv = int32s(ids);
        const lenv = uint16s(lens);
        for (let i = 0; i < idv.length; i++) if (!deleted[idv[i]]) norms[idv[i]] = lengthNorm(lenv[i], avg);
      }
    });
    this.norms = norms;
    this.scorer = new Bm25Scorer(norms.length);
  }

  /** Postings in every segment (deleted passages included until their segment is merged, as in Lucene). */
  df(term: string): number {
    let n = this.dfs.get(term);
    if (n === undefined) {
      n = guarded(() => this.dfStmt.get(term) as number);
      if (this.dfs.size >= 100_000) this.dfs.clear();
      this.dfs.set(term, n);
    }
    return n;
  }

  idf(term: string): number {
    return idfOf(this.df(term), this.passageCount);
  }

  search(terms: ReadonlyArray<QueryTerm>, limit: number): LexicalHit[] {
    const scored: ScoredTerm[] = [];
    for (const t of terms) {
      const p = this.postings(t.term);
      if (p.df) scored.push({ lists: p.lists, w: idfOf(p.df, this.passageCount) * t.weight });
    }
    return scored.length ? this.scorer.search(scored, limit) : [];
  }

  private postings(term: string): { lists: ImpactList[]; df: number } {
    const hit = this.cache.get(term);
    if (hit) {
      this.cache.delete(term);
      this.cache.set(term, hit);
      return hit;
    }
    const rows = guarded(() => this.rowsStmt.all(term) as Array<[number, Buffer, Buffer, number]>);
    let df = 0;
    const lists = rows.map(([seg, ids, tfs, crc]) => {
      if (rowCrc(term, seg, ids, tfs) !== crc) damaged(`the postings of "${term}"`);
      df += tfs.length;
      return impactsOf({ ids: int32s(ids), tfs }, this.norms);
    });
    const p = { lists, df };
    // Bounded (~8 bytes a posting): the least recently used terms go first.
    this.cache.set(term, p);
    this.cached += df;
    for (const [t, old] of this.cache) {
      if (this.cached <= POSTINGS_CACHED || t === term) break;
      this.cache.delete(t);
      this.cached -= old.df;
    }
    return p;
  }

  termsByKey(kind: string, key: string): string[] {
    const rows = guarded(() => this.keyStmt.all(kind, key) as Array<[string, number]>);
    return rows.map(([term, crc]) => (rowCrc(kind, key, term) === crc ? term : damaged(`the key of "${term}"`)));
  }
}

/** The vector files of an index searched together; deleted passages are filtered out. */
export class SegmentedVectors implements DenseReader {
  constructor(
    readonly dim: number,
    readonly parts: VectorIndex[],
    private readonly deleted: Uint8Array,
    readonly count: number,
  ) {}

  search(vector: Float32Array, k: number): VectorHit[] {
    const keep = (id: number) => !this.deleted[id];
    const hits: VectorHit[] = [];
    for (const part of this.parts) hits.push(...part.search(vector, k, keep));
    return hits.sort((a, b) => b.score - a.score || a.id - b.id).slice(0, k);
  }
}

/**
 * Key functions by kind (e.g. a sound key): each term of the index is stored under its keys, for `termsByKey`.
 * The store applies them and keeps what they give; what a key means is the caller's (src/text/term-keys.ts).
 */
export type TermKeyFunctions = Readonly<Record<string, (term: string) => string | null>>;

/** Writes into a generation's database: whole builds and incremental commits alike. */
export class IndexWriter {
  readonly db: Database.Database;
  private readonly insertPassage: Database.Statement;
  private readonly insertDocument: Database.Statement;
  private readonly insertKey: Database.Statement;
  private readonly bulk: boolean;
  /** Postings of the segment being filled: term → [id, tf, id, tf, …]. */
  private pending = new Map<string, number[]>();
  private pendingIds: number[] = [];
  private pendingLens: number[] = [];
  private pendingPostings = 0;

  constructor(
    dir: string,
    readonly header: IndexHeader,
    private readonly keys: TermKeyFunctions,
    opts: { bulk?: boolean } = {},
  ) {
    this.bulk = !!opts.bulk;
    this.db = guarded(() => new Database(path.join(dir, DB_FILE)));
    // A bulk build writes a fresh file nobody reads until CURRENT names it: no journal until it is complete.
    this.db.pragma(opts.bulk ? 'journal_mode = OFF' : 'journal_mode = WAL');
    this.db.pragma(opts.bulk ? 'synchronous = OFF' : 'synchronous = FULL');
    this.db.pragma('cache_size = -65536');
    this.db.exec(SCHEMA);
    this.insertPassage = this.db.prepare('INSERT INTO passages(id, doc, start, end, text, crc) VALUES (?, ?, ?, ?, ?, ?)');
    this.insertDocument = this.db.prepare('INSERT OR REPLACE INTO documents(id, hash, meta, size, mtime, first, count, crc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.insertKey = this.db.prepare('INSERT OR IGNORE INTO term_keys(kind, key, term, crc) VALUES (?, ?, ?, ?)');
  }

  begin(): void {
    this.db.exec('BEGIN IMMEDIATE');
  }

  commit(): void {
    this.flushSegment();
    this.header.version++;
    writeHeader(this.db, this.header);
    this.db.exec('COMMIT');
  }

  /** Postings held before a segment is written (bounds the memory of a build). */
  get pendingSize(): number {
    return this.pendingPostings;
  }

  /** Adds a document and its passages (ids given out in order); returns the passages. */
  addDocument(id: string, meta: ArticleMeta, file: { size?: number; mtimeMs?: number }, spans: Array<{ start: number; end: number; text: string; tf: Map<string, number>; length: number }>): Passage[] {
    const first = this.header.nextPassageId;
    const out: Passage[] = [];
    for (const s of spans) {
      const pid = this.header.nextPassageId++;
      this.insertPassage.run(pid, id, s.start, s.end, s.text, rowCrc(pid, id, s.start, s.end, s.text));
      for (const [t, n] of s.tf) {
        const list = this.pending.get(t);
        if (list) list.push(pid, n);
        else this.pending.set(t, [pid, n]);
      }
      this.pendingPostings += s.tf.size;
      this.pendingIds.push(pid);
      this.pendingLens.push(Math.min(s.length, 0xffff));
      this.header.passageCount++;
      this.header.totalLength += s.length;
      out.push({ id: pid, docId: id, start: s.start, end: s.end, text: s.text });
    }
    this.putDocument(id, meta, file, first, spans.length);
    this.header.documentCount++;
    return out;
  }

  /** Replaces a document's metadata and file stamp, keeping its passages. */
  refreshDocument(id: string, meta: ArticleMeta, file: { size?: number; mtimeMs?: number }, entry: DocumentEntry): void {
    this.putDocument(id, meta, file, entry.passageIds[0] ?? this.header.nextPassageId, entry.passageIds.length);
  }

  private putDocument(id: string, meta: ArticleMeta, file: { size?: number; mtimeMs?: number }, first: number, count: number): void {
    const m = JSON.stringify(meta);
    const size = file.size ?? null;
    const mtime = file.mtimeMs ?? null;
    this.insertDocument.run(id, meta.hash, m, size, mtime, first, count, docCrc(id, m, size, mtime, first, count));
  }

  /** Removes a document: its passages go, and are marked deleted for the segments and vector files that hold them. */
  removeDocument(id: string): void {
    const row = this.db.prepare('SELECT first, count FROM documents WHERE id = ?').get(id) as { first: number; count: number } | undefined;
    if (!row) return;
    const live = this.db.prepare('SELECT id FROM passages WHERE id >= ? AND id < ?').pluck().all(row.first, row.first + row.count) as number[];
    const mark = this.db.prepare('INSERT OR IGNORE INTO deleted(id) VALUES (?)');
    for (const id of live) mark.run(id);
    const lengths = this.lengthsOf(row.first, row.count);
    this.db.prepare('DELETE FROM passages WHERE id >= ? AND id < ?').run(row.first, row.first + row.count);
    this.db.prepare('DELETE FROM documents WHERE id = ?').run(id);
    this.header.passageCount -= live.length;
    this.header.totalLength -= lengths;
    this.header.deletedCount += live.length;
    this.header.documentCount--;
  }

  /** Sum of the lengths of passages first…first+count-1, from the segments that hold them. */
  private lengthsOf(first: number, count: number): number {
    let total = 0;
    for (const [ids, lens] of this.db.prepare('SELECT ids, lens FROM segments').raw().iterate() as Iterable<[Buffer, Buffer]>) {
      const idv = int32s(ids);
      if (!idv.length || idv[idv.length - 1] < first || idv[0] >= first + count) continue;
      const lenv = uint16s(lens);
      for (let i = 0; i < idv.length; i++) if (idv[i] >= first && idv[i] < first + count) total += lenv[i];
    }
    return total;
  }

  /** Writes the pending postings as a new segment. */
  flushSegment(): void {
    if (!this.pendingIds.length) return;
    const seg = ((this.db.prepare('SELECT max(id) FROM segments').pluck().get() as number | null) ?? 0) + 1;
    this.writeSegment(seg, this.pending, Int32Array.from(this.pendingIds), Uint16Array.from(this.pendingLens));
    this.pending = new Map();
    this.pendingIds = [];
    this.pendingLens = [];
    this.pendingPostings = 0;
  }

  /** Stores the terms under their keys (terms already stored are left as they are). */
  private putKeys(terms: Iterable<string>): void {
    for (const term of terms) {
      for (const kind in this.keys) {
        const key = this.keys[kind](term);
        if (key !== null) this.insertKey.run(kind, key, term, rowCrc(kind, key, term));
      }
    }
  }

  /** Removes the keys of terms no postings row holds any more (the keys list exactly the terms of the postings). */
  private dropKeysOfGone(terms: Iterable<string>): void {
    const held = this.db.prepare('SELECT 1 FROM postings WHERE term = ? LIMIT 1').pluck();
    const drop = this.db.prepare('DELETE FROM term_keys WHERE kind = ? AND key = ? AND term = ?');
    for (const term of terms) {
      if (held.get(term) !== undefined) continue;
      for (const kind in this.keys) {
        const key = this.keys[kind](term);
        if (key !== null) drop.run(kind, key, term);
      }
    }
  }

  private writeSegment(seg: number, postings: Map<string, number[]>, ids: Int32Array, lens: Uint16Array): void {
    const put = this.db.prepare('INSERT INTO postings(term, seg, ids, tfs, crc) VALUES (?, ?, ?, ?, ?)');
    for (const [term, flat] of postings) {
      const n = flat.length >> 1;
      const pids = new Int32Array(n);
      const tfs = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        pids[i] = flat[2 * i];
        tfs[i] = Math.min(255, flat[2 * i + 1]);
      }
      const a = bytesOf(pids);
      const b = bytesOf(tfs);
      put.run(term, seg, a, b, rowCrc(term, seg, a, b));
    }
    // A bulk build keys its whole vocabulary once at the end instead of each segment's terms again.
    if (!this.bulk) this.putKeys(postings.keys());
    const a = bytesOf(ids);
    const b = bytesOf(lens);
    this.db.prepare('INSERT INTO segments(id, ids, lens, crc) VALUES (?, ?, ?, ?)').run(seg, a, b, rowCrc(seg, a, b));
  }

  /**
   * Merges the small segments (together under `share` of all passages) into one when there are more than
   * `maxSmall` of them: work bounded by their size, never the whole index. Deleted postings are dropped on the way.
   */
  mergeSmallSegments(maxSmall = 4, share = 0.05): number {
    const segs = this.db.prepare('SELECT id, length(lens) / 2 AS n FROM segments ORDER BY n').all() as Array<{ id: number; n: number }>;
    const budget = Math.max(1000, this.header.passageCount * share);
    const small: number[] = [];
    let total = 0;
    for (const s of segs) {
      if (total + s.n > budget) break;
      small.push(s.id);
      total += s.n;
    }
    if (small.length <= maxSmall) return 0;
    const deleted = new Set(this.db.prepare('SELECT id FROM deleted').pluck().all() as number[]);
    const list = small.join(',');
    const merged = new Map<string, number[]>();
    const seen = new Set<string>();
    for (const [term, ids, tfs] of this.db.prepare(`SELECT term, ids, tfs FROM postings WHERE seg IN (${list}) ORDER BY term, seg`).raw().iterate() as Iterable<[string, Buffer, Buffer]>) {
      seen.add(term);
      const idv = int32s(ids);
      for (let i = 0; i < idv.length; i++) {
        if (deleted.has(idv[i])) continue;
        const l = merged.get(term);
        if (l) l.push(idv[i], tfs[i]);
        else merged.set(term, [idv[i], tfs[i]]);
      }
    }
    const ids: number[] = [];
    const lens: number[] = [];
    for (const [segIds, segLens] of this.db.prepare(`SELECT ids, lens FROM segments WHERE id IN (${list}) ORDER BY id`).raw().iterate() as Iterable<[Buffer, Buffer]>) {
      const idv = int32s(segIds);
      const lenv = uint16s(segLens);
      for (let i = 0; i < idv.length; i++) {
        if (deleted.has(idv[i])) continue;
        ids.push(idv[i]);
        lens.push(lenv[i]);
      }
    }
    this.db.exec(`DELETE FROM postings WHERE seg IN (${list}); DELETE FROM segments WHERE id IN (${list});`);
    const seg = ((this.db.prepare('SELECT max(id) FROM segments').pluck().get() as number | null) ?? 0) + small.length + 1;
    this.writeSegment(seg, merged, Int32Array.from(ids), Uint16Array.from(lens));
    this.dropKeysOfGone([...seen].filter((t) => !merged.has(t)));
    return small.length;
  }

  recordVectorFile(name: string, count: number, rec: FileRecord): void {
    this.db.prepare('INSERT OR REPLACE INTO vector_files(name, count, bytes, crc) VALUES (?, ?, ?, ?)').run(name, count, rec.bytes, rec.crc);
  }

  dropVectorFile(name: string): void {
    this.db.prepare('DELETE FROM vector_files WHERE name = ?').run(name);
  }

  vectorFiles(): Array<{ name: string; count: number } & FileRecord> {
    return this.db.prepare('SELECT name, count, bytes, crc FROM vector_files ORDER BY name').all() as Array<{ name: string; count: number } & FileRecord>;
  }

  deletedIds(): Set<number> {
    return new Set(this.db.prepare('SELECT id FROM deleted').pluck().all() as number[]);
  }

  /** Keys the vocabulary, then makes the finished bulk file a normal WAL database, all of it on disk. */
  finishBulk(): void {
    this.db.exec('BEGIN');
    this.flushSegment();
    // In slices: better-sqlite3 cannot write while a read walks, and the vocabulary is not held in memory whole.
    const slice = this.db.prepare('SELECT DISTINCT term FROM postings WHERE term > ? ORDER BY term LIMIT 20000').pluck();
    for (let after = ''; ; ) {
      const terms = slice.all(after) as string[];
      if (!terms.length) break;
      this.putKeys(terms);
      after = terms[terms.length - 1];
    }
    writeHeader(this.db, this.header);
    this.db.exec('COMMIT');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
