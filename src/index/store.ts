import { promises as fs, constants as fsc, watch } from 'node:fs';
import path from 'node:path';
import type { ChunkOptions } from '../chunk/chunker.js';
import type { AnalyzerName } from '../text/analyze.js';
import type { ArticleMeta, Passage } from '../types.js';
import type { DocumentEntry, IndexInfo, IndexReader, ModelInfo, Store } from './reader.js';
import { LexicalIndex, type LexicalSnapshot } from './lexical.js';
import { VectorIndex } from './vectors.js';

/** Bump when the on-disk layout or the meaning of a field changes: an older index is then rebuilt whole. */
export const SCHEMA_VERSION = 1;

export type { DocumentEntry, ModelInfo } from './reader.js';

export interface Manifest {
  schemaVersion: number;
  builtAt: string;
  analyzer: AnalyzerName;
  analyzerVersion: number;
  /** The article reader's version (ingest READER_VERSION); absent in indexes built before it was recorded. */
  readerVersion?: number;
  chunking: ChunkOptions;
  /** The embedding model of the vectors, or null for a lexical-only index. */
  model: ModelInfo | null;
  documents: Record<string, DocumentEntry>;
  passageCount: number;
  nextPassageId: number;
}

/** An index loaded into memory from one generation's files: what retrieval and answering read. */
export class LoadedIndex implements IndexReader {
  readonly info: IndexInfo;

  constructor(
    readonly dir: string,
    readonly generation: string,
    readonly manifest: Manifest,
    readonly passages: Map<number, Passage>,
    readonly lexical: LexicalIndex,
    readonly vectors: VectorIndex | null,
  ) {
    this.info = infoOf(manifest);
  }

  passage(id: number): Passage | undefined {
    return this.passages.get(id);
  }

  document(docId: string): DocumentEntry | undefined {
    return Object.hasOwn(this.manifest.documents, docId) ? this.manifest.documents[docId] : undefined;
  }

  *documents(): Iterable<[string, ArticleMeta]> {
    for (const [id, d] of Object.entries(this.manifest.documents)) yield [id, d.meta];
  }
}

const CURRENT = 'CURRENT';
const FILES = { manifest: 'manifest.json', passages: 'passages.json', lexical: 'lexical.json', vectors: 'vectors.hnsw' };

export class IndexMissingError extends Error {}

/** The generation folder CURRENT points to, or null when no index has been built. */
export async function currentGeneration(indexDir: string): Promise<string | null> {
  try {
    const name = (await fs.readFile(path.join(indexDir, CURRENT), 'utf8')).trim();
    return name || null;
  } catch {
    return null;
  }
}

/** The manifest of the current generation (and its name), without loading the indexes. */
export async function readManifest(indexDir: string): Promise<{ generation: string; manifest: Manifest } | null> {
  const gen = await currentGeneration(indexDir);
  if (!gen) return null;
  try {
    return { generation: gen, manifest: JSON.parse(await fs.readFile(path.join(indexDir, gen, FILES.manifest), 'utf8')) as Manifest };
  } catch {
    return null;
  }
}

/** The store of generation folders under `indexDir` (CURRENT names the live one). */
export function fileStore(indexDir: string): Store {
  return {
    generation: () => currentGeneration(indexDir),
    async peek() {
      const head = await readManifest(indexDir);
      return head ? infoOf(head.manifest) : null;
    },
    open: () => loadIndex(indexDir),
    watch(onChange, onError) {
      let timer: NodeJS.Timeout | null = null;
      const watcher = watch(indexDir, (_event, file) => {
        if (file && !String(file).startsWith(CURRENT)) return;
        timer ??= setTimeout(() => {
          timer = null;
          onChange();
        }, 100);
      });
      watcher.on('error', (e) => onError?.(e));
      return () => {
        if (timer) clearTimeout(timer);
        watcher.close();
      };
    },
  };
}

function infoOf(m: Manifest): IndexInfo {
  return { builtAt: m.builtAt, analyzer: m.analyzer, analyzerVersion: m.analyzerVersion, model: m.model, documents: Object.keys(m.documents).length, passages: m.passageCount };
}

export async function loadIndex(indexDir: string): Promise<LoadedIndex> {
  const gen = await currentGeneration(indexDir);
  if (!gen) throw new IndexMissingError(`No index in ${indexDir}: run \`npm run index\` first.`);
  const dir = path.join(indexDir, gen);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await fs.readFile(path.join(dir, FILES.manifest), 'utf8'));
  } catch {
    throw new IndexMissingError(`The index in ${indexDir} is unreadable: run \`npm run index\` to rebuild it.`);
  }
  if (manifest.schemaVersion !== SCHEMA_VERSION) {
    throw new IndexMissingError(`The index in ${indexDir} is from another version of citebot: run \`npm run index\` to rebuild it.`);
  }
  const passageList = JSON.parse(await fs.readFile(path.join(dir, FILES.passages), 'utf8')) as Passage[];
  const passages = new Map(passageList.map((p) => [p.id, p]));
  const lexical = LexicalIndex.fromJSON(JSON.parse(await fs.readFile(path.join(dir, FILES.lexical), 'utf8')) as LexicalSnapshot);
  const vectors = manifest.model ? await VectorIndex.read(path.join(dir, FILES.vectors), manifest.model.dim, passages.size) : null;
  return new LoadedIndex(indexDir, gen, manifest, passages, lexical, vectors);
}

/** Writes a complete new generation beside the current one, then switches CURRENT to it with one rename. */
export async function writeGeneration(
  indexDir: string,
  data: { manifest: Manifest; passages: Passage[]; lexical: LexicalIndex; vectors: VectorIndex | null },
  signal?: AbortSignal,
): Promise<string> {
  await fs.mkdir(indexDir, { recursive: true });
  const gen = `gen-${Date.now().toString(36)}-${process.pid}`;
  const dir = path.join(indexDir, gen);
  await fs.mkdir(dir);
  try {
    await fs.writeFile(path.join(dir, FILES.passages), JSON.stringify(data.passages));
    signal?.throwIfAborted();
    await fs.writeFile(path.join(dir, FILES.lexical), JSON.stringify(data.lexical.toJSON()));
    signal?.throwIfAborted();
    if (data.vectors) await data.vectors.write(path.join(dir, FILES.vectors));
    await fs.writeFile(path.join(dir, FILES.manifest), JSON.stringify(data.manifest, null, 1));
    signal?.throwIfAborted();
    const tmp = path.join(indexDir, `${CURRENT}.${process.pid}.tmp`);
    await fs.writeFile(tmp, gen + '\n');
    await fs.rename(tmp, path.join(indexDir, CURRENT));
  } catch (e) {
    await fs.rm(dir, { recursive: true, force: true });
    throw e;
  }
  await pruneGenerations(indexDir, gen);
  return gen;
}

/**
 * Removes old generations, keeping the current one and the one before it: a reader that read CURRENT
 * just before the switch can still load what it asked for. Leftovers of interrupted builds go too.
 */
async function pruneGenerations(indexDir: string, current: string): Promise<void> {
  const entries = await fs.readdir(indexDir, { withFileTypes: true });
  const gens = entries
    .filter((e) => e.isDirectory() && e.name.startsWith('gen-') && e.name !== current)
    .map((e) => e.name);
  const stats = await Promise.all(gens.map(async (g) => ({ g, t: (await fs.stat(path.join(indexDir, g))).mtimeMs })));
  stats.sort((a, b) => b.t - a.t);
  const keep = new Set<string>();
  for (const s of stats) {
    const complete = await exists(path.join(indexDir, s.g, FILES.manifest));
    if (complete) {
      keep.add(s.g);
      break;
    }
  }
  for (const s of stats) if (!keep.has(s.g)) await fs.rm(path.join(indexDir, s.g), { recursive: true, force: true });
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p, fsc.F_OK);
    return true;
  } catch {
    return false;
  }
}

/** One indexer at a time per INDEX_DIR (the CLI and the bot's /reindex may race). A lock of a dead process is taken over. */
export async function acquireLock(indexDir: string): Promise<() => Promise<void>> {
  await fs.mkdir(indexDir, { recursive: true });
  const file = path.join(indexDir, '.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await fs.open(file, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      return async () => {
        await fs.rm(file, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number((await fs.readFile(file, 'utf8').catch(() => '')).trim());
      if (pid && isAlive(pid)) throw new IndexBusyError(`Another indexing run (process ${pid}) is working on ${indexDir}; try again when it ends.`);
      await fs.rm(file, { force: true });
    }
  }
  throw new IndexBusyError(`Could not lock ${indexDir}.`);
}

export class IndexBusyError extends Error {}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
