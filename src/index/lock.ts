import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * One indexer at a time per INDEX_DIR. The lock is SQLite's exclusive lock on `index.lock` (a POSIX record lock
 * held by the open file): the kernel drops it when the holder exits in any way, kill -9 and container restarts
 * included. So there is no stale lock to judge by pid (a restarted container reuses pids) and no takeover to race:
 * of any number of processes asking at once, the kernel lets exactly one in. The file itself is never deleted
 * (deleting a held lock file is what lets a second holder in).
 */
const LOCK_FILE = 'index.lock';
/** Who holds the lock, for the waiting message only (never to decide anything). */
const OWNER_FILE = 'index.lock.owner';

export class IndexBusyError extends Error {}

export interface LockOptions {
  /** Wait this long for a running build (ms); 0 fails at once with IndexBusyError. Default: wait without end. */
  waitMs?: number;
  /** Called once when the lock is held by another run and this one starts waiting. */
  onWait?: (message: string) => void;
  signal?: AbortSignal;
}

export type Release = () => void;

/** Takes the index lock once free; returns its release. */
export async function acquireLock(indexDir: string, opts: LockOptions = {}): Promise<Release> {
  mkdirSync(indexDir, { recursive: true });
  const waitMs = opts.waitMs ?? Infinity;
  const t0 = Date.now();
  let said = false;
  for (let delay = 20; ; delay = Math.min(250, delay * 2)) {
    const release = tryLock(indexDir);
    if (release) return release;
    const message = `another indexing run ${owner(indexDir)}is working on ${indexDir}`;
    if (Date.now() - t0 >= waitMs) throw new IndexBusyError(`${message[0].toUpperCase()}${message.slice(1)}; try again when it ends.`);
    if (!said) opts.onWait?.(`${message}; waiting for it to finish…`);
    said = true;
    opts.signal?.throwIfAborted();
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** The lock if it is free right now, else null. */
export function tryLock(indexDir: string): Release | null {
  const db = new Database(path.join(indexDir, LOCK_FILE), { timeout: 0 });
  try {
    db.pragma('journal_mode = DELETE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (e) {
    db.close();
    if ((e as { code?: string }).code === 'SQLITE_BUSY' || (e as { code?: string }).code === 'SQLITE_LOCKED') return null;
    throw e;
  }
  try {
    writeFileSync(path.join(indexDir, OWNER_FILE), `${process.pid}\n`);
  } catch {
    // Only for the message.
  }
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    db.exec('ROLLBACK');
    db.close();
  };
}

function owner(indexDir: string): string {
  try {
    const pid = Number(readFileSync(path.join(indexDir, OWNER_FILE), 'utf8').trim());
    return pid ? `(process ${pid}) ` : '';
  } catch {
    return '';
  }
}
