/**
 * Sentence embeddings (multilingual-e5 convention: "query: " / "passage: " prefixes, mean pooling, L2 norm) through
 * transformers.js's feature-extraction pipeline. The model is read from `modelsDir/<modelId>/` when all its files
 * are there (no network then); otherwise, with `allowDownload`, transformers.js fetches the missing files into that
 * same folder (its file cache points there). Every failure comes back as `{ ok: false, reason }` in one line.
 * transformers.js is imported lazily, so EMBEDDINGS=0 never loads ONNX Runtime.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Embedder {
  readonly modelId: string;
  readonly dim: number;
  /** Unit vectors of "passage: " + text, batched by batchSize. */
  embedPassages(texts: string[], onProgress?: (done: number, total: number) => void): Promise<Float32Array[]>;
  /** The unit vector of "query: " + text. */
  embedQuery(text: string): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/**
 * Why a model could not be had:
 * - `missing`: not in modelsDir and downloading is off;
 * - `network`: the hub could not be reached (or did not answer in time);
 * - `not-found`: the hub answered that the model or one of its files does not exist (or is private);
 * - `corrupt`: the files are there but could not be loaded;
 * - `runtime`: transformers.js / ONNX Runtime itself could not be loaded;
 * - `invalid`: bad arguments (model id, dtype).
 */
export type EmbedderFailureKind = 'missing' | 'network' | 'not-found' | 'corrupt' | 'runtime' | 'invalid';

export type EmbedderLoad = { ok: true; embedder: Embedder } | { ok: false; reason: string; kind?: EmbedderFailureKind };

export interface LoadEmbedderOptions {
  modelId: string;
  modelsDir: string;
  dtype: string;
  batchSize: number;
  allowDownload: boolean;
  onDownloadProgress?: (file: string, loadedBytes: number, totalBytes: number) => void;
  /** ONNX Runtime intra-op threads. Default: the number of CPUs, at most 4 (2 on a 2-core machine). Pool threads do not spin when idle. */
  threads?: number;
  /** A request to the hub fails when no answer (headers) arrives within this time, or a download stalls this long. Default 10 s. */
  timeoutMs?: number;
}

type TF = typeof import('@huggingface/transformers');
type Extractor = import('@huggingface/transformers').FeatureExtractionPipeline;

/** File name suffix transformers.js uses for each dtype (`onnx/model${suffix}.onnx`). */
const DTYPE_SUFFIX: Record<string, string> = {
  fp32: '',
  fp16: '_fp16',
  int8: '_int8',
  uint8: '_uint8',
  q8: '_quantized',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
};

const MODEL_ID_RE = /^[\w.-]+(\/[\w.-]+)?$/;
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_HUB = 'https://huggingface.co/';

let tfPromise: Promise<TF> | undefined;

async function importTransformers(): Promise<TF> {
  tfPromise ??= import('@huggingface/transformers').then((tf) => {
    // NONE also sets ONNX Runtime's log severity to "fatal" (env.logLevel setter → backends.onnx.setLogLevel),
    // which silences its native warnings on stderr; sessions are created with logSeverityLevel 4 as well.
    tf.env.logLevel = tf.LogLevel.NONE;
    tf.env.useBrowserCache = false;
    tf.env.useCustomCache = false;
    tf.env.useFSCache = true;
    tf.env.allowLocalModels = true;
    return tf;
  });
  try {
    return await tfPromise;
  } catch (e) {
    tfPromise = undefined;
    throw e;
  }
}

/** Loads are serialised: they mutate transformers.js's global `env`. */
let loadChain: Promise<unknown> = Promise.resolve();

function serialise<T>(fn: () => Promise<T>): Promise<T> {
  const run = loadChain.then(fn, fn);
  loadChain = run.catch(() => undefined);
  return run;
}

class HubTimeoutError extends Error {}

/**
 * Wraps fetch so that a request fails when no response headers arrive within `timeoutMs`,
 * and a body read fails when no bytes arrive for `timeoutMs`: an unreachable or stalled
 * hub never hangs the program.
 */
function fetchWithTimeouts(base: typeof fetch, timeoutMs: number): typeof fetch {
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const ac = new AbortController();
    const signal = init.signal ? AbortSignal.any([init.signal, ac.signal]) : ac.signal;
    let host = 'the hub';
    try {
      host = new URL(input instanceof Request ? input.url : String(input)).host;
    } catch {
      // not a URL: name the hub
    }
    const seconds = Math.round(timeoutMs / 100) / 10;
    const timer = setTimeout(() => ac.abort(new HubTimeoutError(`${host} did not answer within ${seconds} s`)), timeoutMs);
    let res: Response;
    try {
      res = await base(input, { ...init, signal });
    } finally {
      clearTimeout(timer);
    }
    if (!res.body || [101, 204, 205, 304].includes(res.status)) return res;
    const reader = res.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const stall = setTimeout(() => ac.abort(new HubTimeoutError(`download from ${host} stalled for ${seconds} s`)), timeoutMs);
        try {
          const { done, value } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (e) {
          controller.error(ac.signal.reason instanceof HubTimeoutError ? ac.signal.reason : e);
        } finally {
          clearTimeout(stall);
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    });
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  }) as typeof fetch;
}

function firstLine(s: string, max = 240): string {
  let line = s.split('\n').map((l) => l.trim()).find(Boolean) ?? '';
  // ONNX Runtime prefixes its messages with the C++ source location and signature.
  line = line.replace(/\/onnxruntime_src\/\S+:\d+ (?:[\w:~<>]+\((?:[^()]|\([^()]*\))*\) )?/g, '');
  return line.length > max ? line.slice(0, max - 1) + '…' : line;
}

function errorChain(e: unknown): unknown[] {
  const chain: unknown[] = [];
  let cur: unknown = e;
  for (let i = 0; cur && i < 6; i++) {
    chain.push(cur);
    cur = (cur as { cause?: unknown }).cause;
  }
  return chain;
}

const NETWORK_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
]);

/** A short description of a network failure, or undefined if `e` is not one. */
function networkProblem(e: unknown): string | undefined {
  for (const c of errorChain(e)) {
    if (c instanceof HubTimeoutError) return c.message;
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) {
      const msg = (c as Error).message ?? code;
      return msg.includes(code) ? firstLine(msg, 160) : `${code}: ${firstLine(msg, 140)}`;
    }
  }
  for (const c of errorChain(e)) {
    if (c instanceof Error && (c.message === 'fetch failed' || c.name === 'AbortError' || /network|socket|TLS/i.test(c.message))) {
      return firstLine(c.message, 160);
    }
  }
  return undefined;
}

function rel(p: string): string {
  const r = path.relative(process.cwd(), p);
  return r && !r.startsWith('..') && !path.isAbsolute(r) ? r : p;
}

/** ONNX Runtime threads when none are asked for: the number of CPUs, at most 4. */
export function defaultThreadCount(): number {
  return Math.min(4, os.availableParallelism());
}

function missingFiles(dir: string, onnxFile: string): string[] {
  return ['config.json', 'tokenizer.json', 'tokenizer_config.json', onnxFile].filter((f) => {
    try {
      return !fs.statSync(path.join(dir, f)).isFile();
    } catch {
      return true;
    }
  });
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes partial downloads (`<file>.tmp.<pid>.<random>`) left by an interrupted run whose process is gone. */
function removeStalePartials(dir: string): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) removeStalePartials(p);
    else {
      const m = /\.tmp\.(\d+)\.[a-z0-9]+$/.exec(e.name);
      if (m && !processAlive(Number(m[1]))) fs.rmSync(p, { force: true });
    }
  }
}

export async function loadEmbedder(opts: LoadEmbedderOptions): Promise<EmbedderLoad> {
  const { modelId } = opts;
  if (!MODEL_ID_RE.test(modelId) || modelId.split('/').some((p) => p === '.' || p === '..')) {
    return { ok: false, kind: 'invalid', reason: `invalid model id "${modelId}" (expected e.g. Xenova/multilingual-e5-small)` };
  }
  const suffix = DTYPE_SUFFIX[opts.dtype];
  if (suffix === undefined) {
    return { ok: false, kind: 'invalid', reason: `unsupported dtype "${opts.dtype}" (expected one of ${Object.keys(DTYPE_SUFFIX).join(', ')})` };
  }
  const batchSize = Math.max(1, Math.floor(opts.batchSize) || 1);
  const modelsDir = path.resolve(opts.modelsDir);
  const modelDir = path.join(modelsDir, ...modelId.split('/'));
  const onnxFile = `onnx/model${suffix}.onnx`;
  const missing = missingFiles(modelDir, onnxFile);
  const local = missing.length === 0;

  if (!local && !opts.allowDownload) {
    const what = missing.length === 4 ? `is not in ${rel(modelDir)}` : `is incomplete in ${rel(modelDir)} (missing ${missing.join(', ')})`;
    return {
      ok: false,
      kind: 'missing',
      reason: `embedding model ${modelId} ${what} and downloading is disabled (ALLOW_MODEL_DOWNLOAD=0)`,
    };
  }

  let tf: TF;
  try {
    tf = await importTransformers();
  } catch (e) {
    return { ok: false, kind: 'runtime', reason: `could not load transformers.js / ONNX Runtime: ${firstLine(String((e as Error)?.message ?? e))}` };
  }

  return serialise(async (): Promise<EmbedderLoad> => {
    const { env } = tf;
    if (!local) removeStalePartials(modelDir);
    env.localModelPath = modelsDir + path.sep;
    env.cacheDir = modelsDir;
    env.allowRemoteModels = !local;
    const hub = process.env.HF_ENDPOINT?.trim() || DEFAULT_HUB;
    env.remoteHost = hub.endsWith('/') ? hub : hub + '/';
    env.fetch = fetchWithTimeouts(globalThis.fetch.bind(globalThis), opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);

    const threads = Math.max(1, Math.floor(opts.threads ?? defaultThreadCount()));
    const progress_callback = opts.onDownloadProgress
      ? (info: { status: string; file?: string; loaded?: number; total?: number }) => {
          // Files already in modelsDir are read from there (and report "progress" too): only downloads count.
          if (info.status === 'progress' && info.file && missing.includes(info.file)) {
            try {
              opts.onDownloadProgress!(info.file, info.loaded ?? 0, info.total ?? 0);
            } catch {
              // a broken progress display must not break the download
            }
          }
        }
      : undefined;
    // A local model is loaded by its absolute folder (no hub look-up possible, and transformers.js's
    // memoised metadata is keyed per folder); a download goes through the hub id.
    const source = local ? modelDir : modelId;
    const common = { local_files_only: local, ...(progress_callback && !local ? { progress_callback } : {}) };

    let extractor: Extractor;
    try {
      extractor = await tf.pipeline('feature-extraction', source, {
        ...common,
        dtype: opts.dtype as 'q8',
        device: 'cpu',
        session_options: {
          intraOpNumThreads: threads,
          interOpNumThreads: 1,
          executionMode: 'sequential',
          graphOptimizationLevel: 'all',
          logSeverityLevel: 4,
          // Idle pool threads must not spin: on 2 cores a spinning ONNX Runtime thread competes with the JS thread.
          extra: { session: { intra_op: { allow_spinning: '0' } } },
        },
      });
    } catch (e) {
      return failure(e);
    }
    const embedder = new TransformersEmbedder(modelId, extractor, batchSize);
    try {
      await embedder.warmUp();
    } catch (e) {
      await embedder.dispose().catch(() => undefined);
      return failure(e);
    }
    return { ok: true, embedder };

    function failure(e: unknown): EmbedderLoad {
      const msg = firstLine(String((e as Error)?.message ?? e));
      if (!local) {
        const net = networkProblem(e);
        if (net) {
          return {
            ok: false,
            kind: 'network',
            reason: `could not download ${modelId}: the Hugging Face hub (${new URL(env.remoteHost).host}) could not be reached (${net})`,
          };
        }
        if ((e as Error)?.name === 'ModelFileNotFoundError' || /Could not locate file|Unauthorized access|Forbidden access/.test(msg)) {
          return { ok: false, kind: 'not-found', reason: `could not download ${modelId}: ${msg}` };
        }
      }
      return {
        ok: false,
        kind: 'corrupt',
        reason: `embedding model ${modelId} in ${rel(modelDir)} could not be loaded (damaged or incompatible file? delete the folder and run \`npm run models\`): ${msg}`,
      };
    }
  });
}

class TransformersEmbedder implements Embedder {
  dim = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(
    readonly modelId: string,
    private readonly extractor: Extractor,
    private readonly batchSize: number,
  ) {}

  async warmUp(): Promise<void> {
    const [v] = await this.run(['query: warm up']);
    if (!v || v.length === 0) throw new Error('the model returned no embedding');
    this.dim = v.length;
  }

  /** One model call at a time: ONNX Runtime already uses the cores for one batch. */
  private run(texts: string[]): Promise<Float32Array[]> {
    if (this.disposed) return Promise.reject(new Error('the embedder was disposed'));
    const run = this.queue.then(async () => {
      const out = await this.extractor(texts, { pooling: 'mean', normalize: true });
      const [n, dim] = out.dims;
      const data = out.data as Float32Array;
      return Array.from({ length: n }, (_, i) => data.slice(i * dim, (i + 1) * dim));
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async embedPassages(texts: string[], onProgress?: (done: number, total: number) => void): Promise<Float32Array[]> {
    const out = new Array<Float32Array>(texts.length);
    // Longest first, so each batch holds texts of similar length (less padding).
    const order = texts.map((_, i) => i).sort((a, b) => texts[b].length - texts[a].length || a - b);
    for (let start = 0; start < texts.length; start += this.batchSize) {
      const idx = order.slice(start, start + this.batchSize);
      const vecs = await this.run(idx.map((i) => 'passage: ' + texts[i]));
      idx.forEach((i, k) => (out[i] = vecs[k]));
      onProgress?.(start + idx.length, texts.length);
    }
    return out;
  }

  async embedQuery(text: string): Promise<Float32Array> {
    return (await this.run(['query: ' + text]))[0];
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue;
    await this.extractor.dispose();
  }
}
