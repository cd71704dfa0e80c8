import { chunkArticle, DEFAULT_CHUNKING, type ChunkOptions } from '../chunk/chunker.js';
import type { Embedder } from '../embed/embedder.js';
import { READER_VERSION, scanSeeds, type IngestWarning } from '../ingest/read.js';
import { ANALYZER_VERSION, type AnalyzerName } from '../text/analyze.js';
import type { Article, ArticleMeta, Passage } from '../types.js';
import { LexicalIndex } from './lexical.js';
import type { ModelInfo } from './reader.js';
import { acquireLock, loadIndex, readManifest, SCHEMA_VERSION, writeGeneration, type Manifest } from './store.js';
import { VectorIndex } from './vectors.js';

export const DEFAULT_ANALYZER: AnalyzerName = 'stem';

export type BuildEvent =
  | { kind: 'scan'; documents: number; warnings: IngestWarning[] }
  | { kind: 'plan'; added: number; changed: number; removed: number; unchanged: number; toEmbed: number; fullRebuild?: string }
  | { kind: 'embed'; done: number; total: number }
  | { kind: 'write' };

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
  warnings: IngestWarning[];
  /** True when nothing changed and no new generation was written. */
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
}

/** The model warning of the last build that fell back to lexical only (for the CLI to print once). */
export interface LexicalFallback {
  reason: string;
}

function metaOf(a: Article): ArticleMeta {
  const { text: _t, content: _c, ...meta } = a;
  return meta;
}

/**
 * Brings the index in line with the articles: unchanged documents keep their passages and vectors;
 * new and changed ones are chunked and embedded; deleted ones disappear from every index.
 * Everything is rebuilt when the schema, analyzer, chunking or embedding model differ from the index on disk.
 */
export async function buildIndex(opts: BuildOptions): Promise<BuildSummary & { fallback?: LexicalFallback }> {
  const t0 = performance.now();
  const analyzer = opts.analyzer ?? DEFAULT_ANALYZER;
  const chunking = opts.chunking ?? DEFAULT_CHUNKING;
  const release = await acquireLock(opts.indexDir);
  try {
    // The manifest alone says what the last build saw; the indexes themselves are loaded only if something changed.
    const prevHead = await readManifest(opts.indexDir);
    const prevManifest = prevHead?.manifest ?? null;
    let fullRebuild: string | undefined;
    if (!prevManifest) fullRebuild = 'no index yet';
    else if (prevManifest.schemaVersion !== SCHEMA_VERSION) fullRebuild = 'index format changed';
    else if (prevManifest.analyzer !== analyzer || prevManifest.analyzerVersion !== ANALYZER_VERSION || JSON.stringify(prevManifest.chunking) !== JSON.stringify(chunking)) fullRebuild = 'analyzer or chunking changed';
    else if ((prevManifest.readerVersion ?? 1) !== READER_VERSION) fullRebuild = 'article reader changed';
    else if (prevManifest.model && !sameModel(prevManifest.model, opts.model)) fullRebuild = `embedding model changed (${prevManifest.model.id} → ${opts.model?.id ?? 'none'})`;

    // The embedder is loaded at most once, and only when something needs it.
    let embedderPromise: ReturnType<BuildOptions['getEmbedder']> | null = null;
    const embedder = () => (embedderPromise ??= opts.getEmbedder());
    // A lexical-only index gets its vectors as soon as the model can be had.
    if (!fullRebuild && opts.model && !prevManifest!.model) {
      const got = await embedder();
      if (got.embedder) fullRebuild = `embedding model ${opts.model.id} now available`;
    }
    const prevDocs = prevManifest?.documents ?? {};
    const reuse = fullRebuild ? {} : prevDocs;

    const scan = await scanSeeds(opts.seedsDir, (id) => reuse[id]);
    const { warnings } = scan;
    opts.onEvent?.({ kind: 'scan', documents: scan.files.length, warnings });
    opts.signal?.throwIfAborted();
    const fileInfo = new Map(scan.files.map((f) => [f.id, { size: f.size, mtimeMs: f.mtimeMs }]));

    const added: Article[] = [];
    const changed: Article[] = [];
    const touched: Article[] = []; // read again, same content
    for (const a of scan.articles) {
      const old = reuse[a.id];
      if (!old) added.push(a);
      else if (old.meta.hash !== a.hash) changed.push(a);
      else touched.push(a);
    }
    const present = new Set([...scan.unchanged.map((f) => f.id), ...scan.articles.map((a) => a.id)]);
    const removedIds = Object.keys(reuse).filter((id) => !present.has(id));
    // Counted against the index on disk, even when rebuilding everything, so a summary reads as "what is new".
    const isNew = (id: string) => !prevDocs[id];
    const counts = {
      added: [...present].filter(isNew).length,
      changed: changed.length + (fullRebuild ? scan.articles.filter((a) => prevDocs[a.id] && prevDocs[a.id].meta.hash !== a.hash).length : 0),
      removed: Object.keys(prevDocs).filter((id) => !present.has(id)).length,
      unchanged: 0,
    };
    counts.unchanged = present.size - counts.added - counts.changed;

    const toIndex = [...added, ...changed];
    const newChunks = toIndex.map((a) => ({ article: a, chunks: chunkArticle(a, chunking) }));
    const toEmbed = newChunks.reduce((n, c) => n + c.chunks.length, 0);
    opts.onEvent?.({ kind: 'plan', ...counts, toEmbed: opts.model ? toEmbed : 0, fullRebuild: prevManifest ? fullRebuild : undefined });

    // A file read again with the same text may still carry new metadata (a better parser) or a new timestamp.
    const refreshed = touched.some((a) => JSON.stringify(metaOf(a)) !== JSON.stringify(reuse[a.id].meta) || reuse[a.id].mtimeMs !== fileInfo.get(a.id)?.mtimeMs);
    if (!fullRebuild && toIndex.length === 0 && removedIds.length === 0 && !refreshed) {
      return { ...counts, passages: prevManifest!.passageCount, embedded: 0, seconds: secondsSince(t0), model: prevManifest!.model, warnings, upToDate: true };
    }
    const base = fullRebuild ? null : await loadIndex(opts.indexDir);
    opts.signal?.throwIfAborted();

    // Vectors for the new passages, if a model is wanted and can be had.
    let vectors: Float32Array[] | null = null;
    let modelInfo: ModelInfo | null = null;
    let fallback: LexicalFallback | undefined;
    if (opts.model && (toEmbed > 0 || !base)) {
      const got = await embedder();
      if (got.embedder) {
        const texts = newChunks.flatMap((c) => c.chunks.map((ch) => ch.text));
        opts.onEvent?.({ kind: 'embed', done: 0, total: texts.length });
        vectors = texts.length
          ? await got.embedder.embedPassages(texts, (done, total) => {
              opts.signal?.throwIfAborted();
              opts.onEvent?.({ kind: 'embed', done, total });
            })
          : [];
        modelInfo = { id: opts.model.id, dtype: opts.model.dtype, dim: got.embedder.dim };
      } else {
        fallback = { reason: got.reason };
      }
    } else if (opts.model && base?.manifest.model) {
      modelInfo = base.manifest.model;
    }
    opts.signal?.throwIfAborted();

    // Start from the previous index (incremental) or from nothing (full rebuild).
    const lexical = base ? base.lexical : new LexicalIndex(analyzer);
    const passages = new Map(base ? base.passages : []);
    const documents: Manifest['documents'] = {};
    let vectorIndex: VectorIndex | null = null;
    if (modelInfo) {
      // A model that can embed new passages but whose old vectors are missing (lexical index before) → all were embedded above.
      vectorIndex = base?.vectors && base.manifest.model ? base.vectors : VectorIndex.create(modelInfo.dim, Math.max(64, passages.size + toEmbed));
    }
    let nextId = base?.manifest.nextPassageId ?? 0;

    for (const f of scan.unchanged) documents[f.id] = { ...reuse[f.id] };
    for (const a of touched) documents[a.id] = { ...reuse[a.id], meta: metaOf(a), ...fileInfo.get(a.id) };
    for (const id of [...removedIds, ...changed.map((a) => a.id)]) {
      for (const pid of base!.manifest.documents[id].passageIds) {
        lexical.remove(pid, passages.get(pid)?.text);
        vectorIndex?.remove(pid);
        passages.delete(pid);
      }
    }
    let v = 0;
    for (const { article, chunks } of newChunks) {
      const ids: number[] = [];
      for (const ch of chunks) {
        const p: Passage = { id: nextId++, docId: article.id, start: ch.start, end: ch.end, text: ch.text };
        passages.set(p.id, p);
        lexical.add(p.id, p.text);
        if (vectorIndex && vectors) vectorIndex.add(p.id, vectors[v]);
        v++;
        ids.push(p.id);
      }
      documents[article.id] = { meta: metaOf(article), passageIds: ids, ...fileInfo.get(article.id) };
    }

    const manifest: Manifest = {
      schemaVersion: SCHEMA_VERSION,
      builtAt: new Date().toISOString(),
      analyzer,
      analyzerVersion: ANALYZER_VERSION,
      readerVersion: READER_VERSION,
      chunking,
      model: vectorIndex ? modelInfo : null,
      documents: Object.fromEntries(Object.entries(documents).sort(([a], [b]) => (a < b ? -1 : 1))),
      passageCount: passages.size,
      nextPassageId: nextId,
    };
    opts.onEvent?.({ kind: 'write' });
    opts.signal?.throwIfAborted();
    await writeGeneration(opts.indexDir, { manifest, passages: [...passages.values()], lexical, vectors: vectorIndex }, opts.signal);
    return {
      ...counts,
      passages: passages.size,
      embedded: vectors ? vectors.length : 0,
      seconds: secondsSince(t0),
      fullRebuild: prevManifest ? fullRebuild : undefined,
      model: manifest.model,
      warnings,
      upToDate: false,
      fallback,
    };
  } finally {
    await release();
  }
}

function sameModel(a: ModelInfo | null, b: { id: string; dtype: string } | null): boolean {
  if (!a || !b) return !a && !b;
  return a.id === b.id && a.dtype === b.dtype;
}

function secondsSince(t0: number): number {
  return Math.round((performance.now() - t0) / 10) / 100;
}
