/**
 * The index follows SEEDS_DIR by itself: a watcher of the folder (chokidar) starts the incremental build in a
 * child process when articles are added, changed or deleted. Events are debounced, a file still being written is
 * waited for until its size stops changing, and events arriving during a build cause one more build after it, so a
 * burst of 500 files is one rebuild (or two), never 500. The running process switches to the new index when its
 * store sees CURRENT change (AnswerService.watch) or when `onIndexed` reloads it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { watch as chokidar, type FSWatcher } from 'chokidar';
import type { AppEvent } from '../app/app.js';
import type { Config } from '../config.js';
import type { BuildSummary } from '../index/build.js';
import type { IndexReader } from '../index/reader.js';
import { formatOf } from '../ingest/formats.js';
import { listSeedFiles, type SeedFile } from '../ingest/read.js';

export type ChildMessage =
  | { kind: 'event'; event: AppEvent }
  | { kind: 'done'; summary: BuildSummary }
  | { kind: 'failed'; name: string; message: string };

export interface WatchOptions {
  /** A background build completed and wrote a new index (not called when nothing changed). */
  onIndexed?: (summary: BuildSummary) => void;
  /** One line for the user or the log: a skipped file, a failed build. */
  onWarning?: (text: string) => void;
  /** Quiet time after the last change before a build starts (ms). */
  debounceMs?: number;
  /** A file counts as written once its size has not changed for this long (ms). */
  settleMs?: number;
  /** Heap limit of the build process (MB): it never grows the answering process. */
  maxHeapMb?: number;
}

export interface SeedsWatcher {
  /** Resolves when no build is running or due: every change seen so far is in the index on disk. */
  idle(): Promise<void>;
  /** Starts a build now (or right after the running one) and resolves when the index on disk has caught up. */
  sync(): Promise<void>;
  /** Builds completed so far (for tests and logs). */
  readonly builds: number;
  /** Stops watching; a build in progress is aborted (its partial generation and lock are cleaned up). */
  stop(): Promise<void>;
}

/**
 * The build's CPU niceness: answers (a few ms each) win the CPU from it, yet on a machine busy with other work it
 * still gets a share (at 15, under a load of 9 on 2 cores, a one-file build here once took over 20 s).
 */
const BUILD_NICENESS = 10;

/** Longest a build waits for the folder to be quiet. */
const MAX_DEBOUNCE_MS = 15_000;

const CHILD_ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'build-child.mjs');

/** Runs one incremental build in a child process; resolves with its summary, rejects with its one-line error. */
export function buildInBackground(config: Config, opts: { maxHeapMb?: number; onEvent?: (e: AppEvent) => void; onSpawn?: (c: ChildProcess) => void } = {}): Promise<BuildSummary> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD_ENTRY, [], {
      execArgv: [`--max-old-space-size=${opts.maxHeapMb ?? 1024}`],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    opts.onSpawn?.(child);
    // Answers come first: the build runs at low CPU priority (it only takes longer on a busy machine).
    try {
      if (child.pid) setPriority(child.pid, BUILD_NICENESS);
    } catch {
      // Not permitted here: the build runs at normal priority.
    }
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr = (stderr + String(d)).slice(-2000)));
    let outcome: { ok: true; summary: BuildSummary } | { ok: false; error: Error } | null = null;
    child.on('message', (m: ChildMessage) => {
      if (m.kind === 'event') opts.onEvent?.(m.event);
      else if (m.kind === 'done') outcome = { ok: true, summary: m.summary };
      else outcome = { ok: false, error: Object.assign(new Error(m.message), { name: m.name }) };
    });
    child.on('error', (e) => (outcome ??= { ok: false, error: e }));
    child.on('exit', (code, signal) => {
      if (outcome?.ok) resolve(outcome.summary);
      else reject(outcome?.error ?? new Error(`the indexer stopped (${signal ?? `exit code ${code}`})${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`));
    });
    child.send({ config });
  });
}

/**
 * Article files whose size or modification time differ from what the index recorded, and indexed files now gone.
 * A file the last build skipped (unreadable) is unchanged while its size and time are those it had then.
 */
export async function changedSince(
  seedsDir: string,
  index: Pick<IndexReader, 'stamps' | 'info' | 'skipped'>,
  /** The listing of seedsDir when already started (e.g. while the index opened). */
  listing: Promise<SeedFile[]> = listSeedFiles(seedsDir),
): Promise<{ changed: string[]; removed: number }> {
  const files = await listing.catch(() => []);
  // One pass over the index's stamps (no document read one by one: 100,000 of those took seconds).
  const stamps = index.stamps();
  const skipped = index.skipped?.() ?? new Map<string, { size: number; mtimeMs: number }>();
  const changed: string[] = [];
  let known = 0;
  for (const f of files) {
    const d = stamps.get(f.id) ?? skipped.get(f.id);
    if (stamps.has(f.id)) known++;
    if (!d || d.size !== f.size || d.mtimeMs !== f.mtimeMs) changed.push(f.id);
  }
  return { changed, removed: index.info.documents - known };
}

/**
 * Watches SEEDS_DIR and keeps the index on disk in line with it. `index` is read once at start to catch changes
 * made while nothing was watching (e.g. between the last build and now).
 */
export function watchSeeds(config: Config, opts: WatchOptions & { index?: Pick<IndexReader, 'stamps' | 'info' | 'skipped'> } = {}): SeedsWatcher {
  const debounceMs = opts.debounceMs ?? 700;
  const settleMs = opts.settleMs ?? 400;
  const warn = opts.onWarning ?? (() => undefined);
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let child: ChildProcess | null = null;
  let dirty = false;
  let stopped = false;
  let builds = 0;
  let idleWaiters: Array<() => void> = [];
  let failures = 0;
  const warned = new Set<string>();

  const settle = () => {
    if (timer || running || dirty) return;
    const w = idleWaiters;
    idleWaiters = [];
    for (const f of w) f();
  };

  const run = () => {
    timer = null;
    if (stopped) return settle();
    if (running) {
      dirty = true;
      return;
    }
    dirty = false;
    running = buildInBackground(config, {
      maxHeapMb: opts.maxHeapMb,
      onSpawn: (c) => (child = c),
      // Skipped files come named only when new or changed (runIndex); other warnings (no model) once per watcher.
      onEvent: (e) => {
        if (e.kind !== 'warning' || (!e.file && warned.has(e.text))) return;
        warned.add(e.text);
        warn(e.text);
      },
    }).then(
      (summary) => {
        failures = 0;
        builds++;
        if (!summary.upToDate) opts.onIndexed?.(summary);
      },
      (e: Error) => {
        if (stopped) return;
        failures++;
        // Another indexer holds the lock, or the build failed: try again later, less often each time.
        dirty = true;
        const text = `warning: re-indexing ${config.SEEDS_DIR} failed (${e.message.split('\n')[0]}); retrying`;
        if (!warned.has(text)) warn(text);
        warned.add(text);
      },
    ).finally(() => {
      running = null;
      child = null;
      if (dirty && !stopped) schedule(failures ? Math.min(30_000, 1000 * 2 ** failures) : debounceMs);
      else settle();
    });
  };

  // Debounced, but a folder that never stays quiet (a file rewritten every second) is still indexed every 15 s.
  let pendingSince = 0;
  const schedule = (delay = debounceMs) => {
    if (stopped) return;
    if (running) {
      dirty = true;
      return;
    }
    const now = Date.now();
    if (timer) {
      clearTimeout(timer);
      delay = Math.min(delay, Math.max(0, pendingSince + MAX_DEBOUNCE_MS - now));
    } else pendingSince = now;
    timer = setTimeout(run, delay);
  };

  const watcher: FSWatcher = chokidar(config.SEEDS_DIR, {
    ignoreInitial: true,
    followSymlinks: false,
    // Editors' temporary and backup files (.file.swp, file~, 4913) and anything that is not an article.
    ignored: (p, stats) => {
      const name = path.basename(p);
      if (name.startsWith('.') || name.endsWith('~')) return p !== config.SEEDS_DIR;
      return !!stats?.isFile() && !formatOf(name);
    },
    // A file still being copied is reported once its size has stayed the same for settleMs.
    awaitWriteFinish: { stabilityThreshold: settleMs, pollInterval: Math.min(100, settleMs) },
    atomic: true,
  });
  watcher.on('all', (event, p) => {
    if (event === 'addDir') return; // its files are reported one by one
    if ((event === 'add' || event === 'change' || event === 'unlink') && !formatOf(p)) return;
    schedule();
  });
  watcher.on('error', (e) => warn(`warning: watching ${config.SEEDS_DIR}: ${(e as Error).message}`));

  const idle = () => (timer || running || dirty ? new Promise<void>((resolve) => idleWaiters.push(resolve)) : Promise.resolve());

  // Changes made while nothing watched (the chat was closed), and while chokidar was still reading the tree: a
  // folder created then may never be watched and a file added then is not reported (a folder made 1–3 ms after the
  // start, measured). So once chokidar is ready, such folders are watched and the index is compared with the files:
  // one build if it is behind. stop() waits for this check, so the index it reads is not closed under it; a failure
  // is one warning line.
  let closing = () => undefined as void;
  const closed = new Promise<void>((resolve) => (closing = resolve));
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  const initialCheck = Promise.race([ready, closed])
    .then(async () => {
      if (stopped) return;
      const listing = listSeedFiles(config.SEEDS_DIR);
      const watched = new Set(Object.keys(watcher.getWatched()).map((d) => path.resolve(d)));
      const root = path.resolve(config.SEEDS_DIR);
      for (const f of await listing.catch(() => [])) {
        // The file's folder and those above it, up to SEEDS_DIR.
        for (let dir = path.dirname(f.absPath); dir.startsWith(root) && !watched.has(dir) && !stopped; dir = path.dirname(dir)) {
          watched.add(dir);
          watcher.add(dir);
        }
      }
      if (!opts.index || stopped) return;
      const c = await changedSince(config.SEEDS_DIR, opts.index, listing);
      if (c.changed.length || c.removed) schedule(0);
    })
    .catch((e: Error) => (stopped ? undefined : warn(`warning: could not compare ${config.SEEDS_DIR} with the index (${e.message.split('\n')[0]})`)));

  return {
    get builds() {
      return builds;
    },
    idle,
    sync() {
      if (stopped) return Promise.resolve();
      schedule(0);
      return idle();
    },
    async stop() {
      stopped = true;
      closing();
      if (timer) clearTimeout(timer);
      timer = null;
      dirty = false;
      await initialCheck;
      await watcher.close();
      const c = child as ChildProcess | null;
      if (c && c.exitCode === null) {
        c.kill('SIGTERM');
        const killer = setTimeout(() => c.kill('SIGKILL'), 10_000);
        await running?.catch(() => undefined);
        clearTimeout(killer);
      }
      settle();
    },
  };
}
