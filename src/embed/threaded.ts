/**
 * The embedder in a worker thread. ONNX Runtime's forward pass blocks the thread that calls it; run in a worker,
 * a question's embedding is computed while the main thread does the lexical half of retrieval, and a long model
 * call (bulk passages, an over-long text) does not hold up the bot's other chats.
 *
 * Questions travel through shared memory with Atomics (a message costs ~0.4 ms each way here, which was most of
 * what the overlap saved); passages in bulk and everything else go by message. Both sides wait for each other
 * blocked on the shared state, not parked on their event loops: a parked thread resumes only when its event loop
 * turns again, which cost ~0.3 ms a question more than a blocked wake-up, measured in one process, alternately.
 * Polling for the answer instead was tried: it slowed the model in the worker as much as it saved.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Embedder, EmbedderLoad, LoadEmbedderOptions } from './embedder.js';

/** Messages to the worker. */
export type WorkerRequest = { op: 'channel'; buffer: SharedArrayBuffer } | { id: number; op: 'passages'; texts: string[] } | { id: number; op: 'query'; text: string };

/** Messages from the worker. */
export type WorkerReply =
  | { op: 'ready'; modelId: string; dim: number }
  | { op: 'failed'; reason: string; kind?: string }
  | { op: 'download'; file: string; loaded: number; total: number }
  | { op: 'progress'; id: number; done: number; total: number }
  | { id: number; op: 'vectors'; vectors: Float32Array[] }
  | { id: number; op: 'error'; message: string };

/**
 * The question channel: Int32 [state, byte length], then the question (UTF-8) or an error message, then the
 * vector. One question at a time.
 */
export const CHANNEL = {
  IDLE: 0,
  ASKED: 1,
  DONE: 2,
  FAILED: 3,
  /** Set by the main thread when the worker is gone, to wake a waiting question. */
  GONE: 4,
  STATE: 0,
  LENGTH: 1,
  TEXT_OFFSET: 8,
  TEXT_BYTES: 64 * 1024,
  vectorOffset: () => CHANNEL.TEXT_OFFSET + CHANNEL.TEXT_BYTES,
} as const;

/**
 * ONNX Runtime threads for a question: one core is left to the main thread, which searches meanwhile, and a
 * forward pass over a question's few tokens gains nothing from a second thread (on 2 cores: one thread 5.8 ms,
 * two 6.7 ms for the e5-small-shaped model).
 */
export function questionThreads(): number {
  const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(2, (cpus || 1) - 1));
}

/**
 * Loads the model in a worker thread; resolves like `loadEmbedder` once the worker has it (or could not get it).
 * Threads default to `questionThreads()`: the worker is meant for questions, not for indexing in bulk.
 */
export function loadThreadedEmbedder(opts: LoadEmbedderOptions): Promise<EmbedderLoad> {
  const { onDownloadProgress, ...rest } = opts;
  const workerOpts = { ...rest, threads: rest.threads ?? questionThreads() };
  let worker: Worker;
  try {
    worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), { workerData: workerOpts });
  } catch (e) {
    return Promise.resolve({ ok: false, reason: `could not start the embedding worker: ${(e as Error).message}`, kind: 'runtime' });
  }
  return new Promise((resolve) => {
    const onMessage = (m: WorkerReply) => {
      if (m.op === 'download') onDownloadProgress?.(m.file, m.loaded, m.total);
      else if (m.op === 'ready') {
        cleanup();
        resolve({ ok: true, embedder: new ThreadedEmbedder(worker, m.modelId, m.dim) });
      } else if (m.op === 'failed') {
        cleanup();
        void worker.terminate();
        resolve({ ok: false, reason: m.reason, kind: m.kind as never });
      }
    };
    const onError = (e: Error) => resolve({ ok: false, reason: `the embedding worker failed: ${e.message}`, kind: 'runtime' });
    const onExit = (code: number) => resolve({ ok: false, reason: `the embedding worker stopped (exit code ${code})`, kind: 'runtime' });
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
  });
}

class ThreadedEmbedder implements Embedder {
  private next = 0;
  private readonly pending = new Map<number, { resolve: (v: Float32Array[]) => void; reject: (e: Error) => void; onProgress?: (done: number, total: number) => void }>();
  /** Set once the worker is gone: every call then fails at once with this. */
  private dead: Error | null = null;
  private readonly control: Int32Array;
  private readonly bytes: Uint8Array;
  private readonly vector: Float32Array;
  /** Questions wait their turn for the channel. */
  private turn: Promise<unknown> = Promise.resolve();
  /** Questions asked and not answered yet. */
  private waiting = 0;
  /** Settles the question in the channel, if it has its answer (returns whether it did). */
  private inFlight: (() => boolean) | null = null;

  constructor(
    private readonly worker: Worker,
    readonly modelId: string,
    readonly dim: number,
  ) {
    const buffer = new SharedArrayBuffer(CHANNEL.vectorOffset() + 4 * dim);
    this.control = new Int32Array(buffer, 0, 2);
    this.bytes = new Uint8Array(buffer, CHANNEL.TEXT_OFFSET, CHANNEL.TEXT_BYTES);
    this.vector = new Float32Array(buffer, CHANNEL.vectorOffset(), dim);
    worker.postMessage({ op: 'channel', buffer } satisfies WorkerRequest);
    // Not a reason to keep the process alive: a bot or CLI exits when its own work is done.
    worker.unref();
    worker.on('message', (m: WorkerReply) => {
      if (!('id' in m)) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.op === 'progress') return p.onProgress?.(m.done, m.total);
      this.pending.delete(m.id);
      if (m.op === 'vectors') p.resolve(m.vectors);
      else if (m.op === 'error') p.reject(new Error(m.message));
    });
    worker.on('error', (e: Error) => this.fail(new Error(`the embedding worker failed: ${e.message}`)));
    worker.on('exit', (code) => this.fail(new Error(`the embedding worker stopped (exit code ${code})`)));
  }

  private fail(e: Error): void {
    this.dead ??= e;
    for (const p of this.pending.values()) p.reject(this.dead);
    this.pending.clear();
    Atomics.store(this.control, CHANNEL.STATE, CHANNEL.GONE);
    Atomics.notify(this.control, CHANNEL.STATE);
    this.inFlight?.();
  }

  private message(req: { op: 'passages'; texts: string[] } | { op: 'query'; text: string }, onProgress?: (done: number, total: number) => void): Promise<Float32Array[]> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ id, ...req } satisfies WorkerRequest);
      // The worker may be blocked waiting for a question: wake it to read its messages.
      Atomics.notify(this.control, CHANNEL.STATE);
    });
  }

  embedQuery(text: string): Promise<Float32Array> {
    // With none waiting, the question is handed over at once (before this returns), so that what the caller
    // does next runs while the model works.
    const run = (this.waiting++ === 0 ? this.ask(text) : this.turn.then(() => this.ask(text))).finally(() => this.waiting--);
    this.turn = run.catch(() => undefined);
    return run;
  }

  private async ask(text: string): Promise<Float32Array> {
    if (this.dead) throw this.dead;
    const { written, read } = new TextEncoder().encodeInto(text, this.bytes);
    // A text longer than the channel holds goes by message.
    if (read !== text.length) return (await this.message({ op: 'query', text }))[0];
    const c = this.control;
    Atomics.store(c, CHANNEL.LENGTH, written);
    Atomics.store(c, CHANNEL.STATE, CHANNEL.ASKED);
    Atomics.notify(c, CHANNEL.STATE);
    // Waiting on shared memory does not keep the process alive; the worker does, while it has a question.
    this.worker.ref();
    return new Promise<Float32Array>((resolve, reject) => {
      const settle = (): boolean => {
        const state = Atomics.load(c, CHANNEL.STATE);
        if (state === CHANNEL.ASKED) return false;
        this.inFlight = null;
        this.worker.unref();
        if (state === CHANNEL.DONE) {
          resolve(this.vector.slice());
          Atomics.store(c, CHANNEL.STATE, CHANNEL.IDLE);
        } else if (state === CHANNEL.FAILED) {
          reject(new Error(new TextDecoder().decode(this.bytes.slice(0, Atomics.load(c, CHANNEL.LENGTH)))));
          Atomics.store(c, CHANNEL.STATE, CHANNEL.IDLE);
        } else reject(this.dead ?? new Error('the embedding worker stopped'));
        return true;
      };
      this.inFlight = settle;
      // Parked without blocking this thread's event loop, unless `awaitQuery` blocks for it first.
      const park = (): void => {
        if (this.inFlight !== settle || settle()) return;
        const w = Atomics.waitAsync(c, CHANNEL.STATE, CHANNEL.ASKED);
        if (w.async) void w.value.then(park);
        else park();
      };
      park();
    });
  }

  /**
   * Blocks this thread (at most `maxMs`) until the question in flight has its vector, and settles it, so that the
   * caller's `await` resumes at once instead of after an event-loop wake-up (0.1–0.3 ms here).
   */
  awaitQuery(maxMs: number): void {
    const settle = this.inFlight;
    if (!settle) return;
    Atomics.wait(this.control, CHANNEL.STATE, CHANNEL.ASKED, maxMs);
    if (this.inFlight === settle) settle();
  }

  embedPassages(texts: string[], onProgress?: (done: number, total: number) => void): Promise<Float32Array[]> {
    return this.message({ op: 'passages', texts }, onProgress);
  }

  async dispose(): Promise<void> {
    if (this.dead) return;
    this.fail(new Error('the embedder was disposed'));
    await this.worker.terminate();
  }
}
