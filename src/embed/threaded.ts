/**
 * The embedder in a worker thread, for answering: ONNX Runtime's forward pass blocks the thread that runs it, so in
 * the worker a question's embedding never holds up the other chats (and the lexical search runs meanwhile).
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Embedder, EmbedderLoad, LoadEmbedderOptions } from './embedder.js';

export type WorkerRequest = { id: number; op: 'passages'; texts: string[] } | { id: number; op: 'query'; text: string };

export type WorkerReply =
  | { op: 'ready'; modelId: string; dim: number }
  | { op: 'failed'; reason: string; kind?: string }
  | { op: 'download'; file: string; loaded: number; total: number }
  | { id: number; op: 'progress'; done: number; total: number }
  | { id: number; op: 'vectors'; vectors: Float32Array[] }
  | { id: number; op: 'error'; message: string };

/** ONNX Runtime threads in the worker: one core is left to the main thread (a question's few tokens gain little). */
export function questionThreads(): number {
  return Math.max(1, Math.min(2, os.availableParallelism() - 1));
}

/** Loads the model in a worker thread; resolves like `loadEmbedder` once the worker has it (or could not get it). */
export function loadThreadedEmbedder(opts: LoadEmbedderOptions): Promise<EmbedderLoad> {
  const { onDownloadProgress, ...rest } = opts;
  let worker: Worker;
  try {
    worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), { workerData: { ...rest, threads: rest.threads ?? questionThreads() } });
  } catch (e) {
    return Promise.resolve({ ok: false, reason: `could not start the embedding worker: ${(e as Error).message}`, kind: 'runtime' });
  }
  return new Promise((resolve) => {
    const onMessage = (m: WorkerReply) => {
      if (m.op === 'download') onDownloadProgress?.(m.file, m.loaded, m.total);
      else if (m.op === 'ready' || m.op === 'failed') {
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        if (m.op === 'ready') resolve({ ok: true, embedder: new ThreadedEmbedder(worker, m.modelId, m.dim) });
        else void worker.terminate().then(() => resolve({ ok: false, reason: m.reason, kind: m.kind as never }));
      }
    };
    const onError = (e: Error) => resolve({ ok: false, reason: `the embedding worker failed: ${e.message}`, kind: 'runtime' });
    const onExit = (code: number) => resolve({ ok: false, reason: `the embedding worker stopped (exit code ${code})`, kind: 'runtime' });
    worker.on('message', onMessage).once('error', onError).once('exit', onExit);
  });
}

type Pending = { resolve: (v: Float32Array[]) => void; reject: (e: Error) => void; onProgress?: (done: number, total: number) => void };

class ThreadedEmbedder implements Embedder {
  private next = 0;
  private readonly pending = new Map<number, Pending>();
  /** Set once the worker is gone: every call then fails at once with this. */
  private dead: Error | null = null;

  constructor(
    private readonly worker: Worker,
    readonly modelId: string,
    readonly dim: number,
  ) {
    // An idle worker does not keep the process alive; one with work does (see `call`).
    worker.unref();
    worker.on('message', (m: WorkerReply) => {
      const p = 'id' in m ? this.pending.get(m.id) : undefined;
      if (!p || !('id' in m)) return;
      if (m.op === 'progress') return p.onProgress?.(m.done, m.total);
      this.settled(m.id);
      if (m.op === 'vectors') p.resolve(m.vectors);
      else if (m.op === 'error') p.reject(new Error(m.message));
    });
    worker.on('error', (e: Error) => this.fail(new Error(`the embedding worker failed: ${e.message}`)));
    worker.on('exit', (code) => this.fail(new Error(`the embedding worker stopped (exit code ${code})`)));
  }

  private settled(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
  }

  private fail(e: Error): void {
    this.dead ??= e;
    for (const p of this.pending.values()) p.reject(this.dead);
    this.pending.clear();
  }

  private call(req: { op: 'passages'; texts: string[] } | { op: 'query'; text: string }, onProgress?: Pending['onProgress']): Promise<Float32Array[]> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.ref();
      this.worker.postMessage({ id, ...req } satisfies WorkerRequest);
    });
  }

  async embedQuery(text: string): Promise<Float32Array> {
    return (await this.call({ op: 'query', text }))[0];
  }

  embedPassages(texts: string[], onProgress?: (done: number, total: number) => void): Promise<Float32Array[]> {
    return this.call({ op: 'passages', texts }, onProgress);
  }

  async dispose(): Promise<void> {
    if (this.dead) return;
    this.fail(new Error('the embedder was disposed'));
    await this.worker.terminate();
  }
}
