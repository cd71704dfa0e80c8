/**
 * The embedder in a worker thread. ONNX Runtime's forward pass blocks the thread that calls it; run in a worker,
 * a question's embedding is computed while the main thread does the lexical half of retrieval, and a slow model
 * call never holds up the bot's other chats.
 */
import { Worker } from 'node:worker_threads';
import type { Embedder, EmbedderLoad, LoadEmbedderOptions } from './embedder.js';

/** What the worker is asked to do. */
export type WorkerRequest = { id: number; op: 'query'; text: string } | { id: number; op: 'passages'; texts: string[] };

/** What the worker answers. */
export type WorkerReply =
  | { op: 'ready'; modelId: string; dim: number }
  | { op: 'failed'; reason: string; kind?: string }
  | { op: 'download'; file: string; loaded: number; total: number }
  | { op: 'progress'; id: number; done: number; total: number }
  | { id: number; op: 'vectors'; vectors: Float32Array[] }
  | { id: number; op: 'error'; message: string };

type Options = Omit<LoadEmbedderOptions, 'onDownloadProgress'> & { onDownloadProgress?: LoadEmbedderOptions['onDownloadProgress'] };

/** Loads the model in a worker thread; resolves like `loadEmbedder` once the worker has it (or could not get it). */
export function loadThreadedEmbedder(opts: Options): Promise<EmbedderLoad> {
  const { onDownloadProgress, ...workerOpts } = opts;
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
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        resolve({ ok: true, embedder: new ThreadedEmbedder(worker, m.modelId, m.dim) });
      } else if (m.op === 'failed') {
        void worker.terminate();
        resolve({ ok: false, reason: m.reason, kind: m.kind as never });
      }
    };
    const onError = (e: Error) => resolve({ ok: false, reason: `the embedding worker failed: ${e.message}`, kind: 'runtime' });
    const onExit = (code: number) => resolve({ ok: false, reason: `the embedding worker stopped (exit code ${code})`, kind: 'runtime' });
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

  constructor(
    private readonly worker: Worker,
    readonly modelId: string,
    readonly dim: number,
  ) {
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
  }

  private call(req: { op: 'query'; text: string } | { op: 'passages'; texts: string[] }, onProgress?: (done: number, total: number) => void): Promise<Float32Array[]> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ id, ...req } satisfies WorkerRequest);
    });
  }

  async embedQuery(text: string): Promise<Float32Array> {
    const [v] = await this.call({ op: 'query', text });
    return v;
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
