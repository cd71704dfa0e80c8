import { existsSync, promises as fs, readdirSync, readFileSync, renameSync, rmSync, watch, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { fsyncPath } from './files.js';
import type { IndexInfo, Store } from './reader.js';
import { DB_FILE, readHeader, SqliteIndex } from './sqlite.js';

export type { DocumentEntry, ModelInfo } from './reader.js';
export { IndexBusyError, acquireLock } from './lock.js';
export { IndexDamagedError } from './files.js';

/**
 * INDEX_DIR holds generation folders (`gen-…/` with `index.db` and its vector files) and `CURRENT`, which names
 * the live one and its version ("gen-… 12"). An incremental build commits into the live database (readers keep the
 * snapshot they opened) and then rewrites CURRENT; a full build writes a new folder beside it and switches CURRENT
 * with one atomic rename. CURRENT changing is what running services watch for.
 *
 * Bump SCHEMA_VERSION when the layout or the meaning of a field changes: an older index is then rebuilt whole.
 */
export const SCHEMA_VERSION = 5;
const CURRENT = 'CURRENT';

export class IndexMissingError extends Error {}

/** CURRENT's content: the live folder and its version; null when no index has been built. */
export async function currentGeneration(indexDir: string): Promise<string | null> {
  try {
    const name = (await fs.readFile(path.join(indexDir, CURRENT), 'utf8')).trim();
    return name || null;
  } catch {
    return null;
  }
}

/** The live generation folder's name (without the version), or null when there is none of this format (an index of an older citebot counts as none: it is rebuilt). */
export function currentFolder(indexDir: string): string | null {
  try {
    const name = readFileSync(path.join(indexDir, CURRENT), 'utf8').trim().split(' ')[0];
    return name && existsSync(path.join(indexDir, name, DB_FILE)) ? name : null;
  } catch {
    return null;
  }
}

/** Points CURRENT at `folder` (version `version`): written aside, fsync'd, renamed over, directory fsync'd. */
export function switchCurrent(indexDir: string, folder: string, version: number): void {
  const tmp = path.join(indexDir, `${CURRENT}.${process.pid}.tmp`);
  writeFileSync(tmp, `${folder} ${version}\n`);
  fsyncPath(tmp);
  renameSync(tmp, path.join(indexDir, CURRENT));
  fsyncPath(indexDir);
}

/** Opens the live index (verifying its files; IndexDamagedError when one fails). */
export async function loadIndex(indexDir: string, opts: { vectors?: boolean } = {}): Promise<SqliteIndex> {
  // A build may switch CURRENT (and remove what the old state listed) while this opens: then it opens again.
  for (let attempt = 0; ; attempt++) {
    const seen = await currentGeneration(indexDir);
    const f = currentFolder(indexDir);
    if (!f) throw new IndexMissingError(`No index in ${indexDir}: run \`npm run index\` first.`);
    try {
      const idx = await SqliteIndex.open(path.join(indexDir, f), f, opts);
      if (idx.header.schemaVersion !== SCHEMA_VERSION) {
        idx.close();
        throw new IndexMissingError(`The index in ${indexDir} is from another version of citebot: run \`npm run index\` to rebuild it.`);
      }
      return idx;
    } catch (e) {
      if (attempt < 3 && (await currentGeneration(indexDir)) !== seen) continue;
      throw e;
    }
  }
}

/** What the live index says about itself, without opening its vectors. */
export function peekIndex(indexDir: string): IndexInfo | null {
  const folder = currentFolder(indexDir);
  if (!folder) return null;
  try {
    const db = new Database(path.join(indexDir, folder, DB_FILE), { readonly: true, fileMustExist: true });
    try {
      const h = readHeader(db);
      return h && { builtAt: h.builtAt, analyzer: h.analyzer, analyzerVersion: h.analyzerVersion, model: h.model, documents: h.documentCount, passages: h.passageCount };
    } finally {
      db.close();
    }
  } catch {
    return null;
  }
}

/** The store of generation folders under `indexDir`. */
export function fileStore(indexDir: string): Store {
  return {
    generation: () => currentGeneration(indexDir),
    peek: async () => peekIndex(indexDir),
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

/**
 * Removes generation folders other than the live one and `keep` (the one before it, which a reader that read
 * CURRENT just before the switch may still be opening). Called only under the index lock, so no other build's
 * folder can be in the making: what is removed is old or left by an interrupted build.
 */
export function pruneGenerations(indexDir: string, keep: string | null): void {
  const live = currentFolder(indexDir);
  for (const e of readdirSync(indexDir, { withFileTypes: true })) {
    if (!e.isDirectory() || !e.name.startsWith('gen-') || e.name === live || e.name === keep) continue;
    rmSync(path.join(indexDir, e.name), { recursive: true, force: true });
  }
  for (const e of readdirSync(indexDir)) if (e.startsWith(`${CURRENT}.`) && e.endsWith('.tmp')) rmSync(path.join(indexDir, e), { force: true });
}
