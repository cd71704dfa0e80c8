import type { Config } from '../config.js';
import type { Embedder } from '../embed/embedder.js';
import type { IndexReader, Store } from '../index/reader.js';
import { fileStore, IndexDamagedError } from '../index/store.js';
import { completeRetrieval, searchLexical } from '../retrieve/hybrid.js';
import { detectLanguage } from '../text/language.js';
import type { Answer } from '../types.js';
import { compose } from './compose.js';

export const MAX_QUESTION_CHARS = 2000;

/** A question that cannot be asked as it is; `message` says why in one line. */
export class QuestionError extends Error {
  readonly exitCode = 2;
  /** Which rule the question broke, for an interface that words the refusal itself (the bot, in the user's language). */
  constructor(
    message: string,
    readonly reason: 'empty' | 'too-long' | 'control' | 'other' = 'other',
  ) {
    super(message);
  }
}

/** Rejects empty, over-long and control-character questions; returns the question trimmed. */
export function validateQuestion(q: unknown): string {
  if (typeof q !== 'string' || !q.trim()) throw new QuestionError('the question is empty: type a question, e.g. "Сколько стран входит в хаб?"', 'empty');
  if (q.length > MAX_QUESTION_CHARS) throw new QuestionError(`the question is too long (${q.length} characters; at most ${MAX_QUESTION_CHARS})`, 'too-long');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(q)) throw new QuestionError('the question contains control characters; send plain text', 'control');
  return q.trim().replace(/\s+/g, ' ');
}

export interface ServiceInfo {
  articles: number;
  passages: number;
  /** Embedding model id, or null when answering from the lexical index only. */
  model: string | null;
  builtAt: string;
  generation: string;
  titles: Array<{ doc: string; title: string }>;
}

/** The index failed a check and is being rebuilt from the articles; asked with `waitForRepair: false`. */
export class IndexRebuildingError extends Error {}

export interface AskOptions {
  /** false: a question that finds the index under repair fails at once with IndexRebuildingError (the bot says so) instead of waiting for the rebuild (the command line waits). */
  waitForRepair?: boolean;
}

export interface ServiceOptions {
  /** Loads the embedder for the index's model; null (with a reason) means lexical only. */
  getEmbedder?: (modelId: string, dtype: string) => Promise<{ embedder: Embedder } | { embedder: null; reason: string }>;
  onWarning?: (message: string) => void;
  /** Rebuilds the index when it fails a check while answering (called once per damaged state); the question is then asked again. */
  onDamaged?: (e: IndexDamagedError) => Promise<void>;
  /** Where the index is read from; the generation folders under INDEX_DIR unless given. */
  store?: Store;
}

/**
 * The one answering service behind the command line and the bot: holds the loaded index (and model), answers
 * questions, and switches to a newer index on disk without a restart. A question in flight keeps the index it
 * started with.
 */
export class AnswerService {
  private embedder: Embedder | null = null;
  private embedderModel: string | null = null;
  private stopWatching: (() => void) | null = null;
  private damagedGeneration: string | null = null;
  private repairing: Promise<void> | null = null;
  private reloading: Promise<boolean> | null = null;

  private constructor(
    private readonly config: Config,
    private readonly store: Store,
    private index: IndexReader,
    private readonly opts: ServiceOptions,
  ) {}

  static async open(config: Config, opts: ServiceOptions = {}): Promise<AnswerService> {
    // The model (in its worker) loads while the index does: the first answer waits for the slower of the two.
    const store = opts.store ?? fileStore(config.INDEX_DIR);
    const model = (await store.peek())?.model;
    const early = model && opts.getEmbedder ? opts.getEmbedder(model.id, model.dtype) : null;
    early?.catch(() => undefined);
    let index: IndexReader;
    try {
      index = await store.open();
    } catch (e) {
      void early?.then((got) => got.embedder?.dispose(), () => undefined);
      throw e;
    }
    const s = new AnswerService(config, store, index, opts);
    const same = model && index.info.model && model.id === index.info.model.id && model.dtype === index.info.model.dtype;
    if (early && !same) void early.then((got) => got.embedder?.dispose(), () => undefined);
    await s.ensureEmbedder(index, same ? early ?? undefined : undefined);
    return s;
  }

  get current(): IndexReader {
    return this.index;
  }

  /** Whether questions use dense retrieval right now. */
  get hybrid(): boolean {
    return !!(this.index.vectors && this.embedder);
  }

  /** Loads (or takes from `loading`, already asked for this index's model) the embedder the index needs. */
  private async ensureEmbedder(index: IndexReader, loading?: ReturnType<NonNullable<ServiceOptions['getEmbedder']>>): Promise<void> {
    const m = index.info.model;
    if (!m || !this.opts.getEmbedder) return;
    const key = `${m.id}|${m.dtype}`;
    if (this.embedderModel === key) return;
    const got = await (loading ?? this.opts.getEmbedder(m.id, m.dtype));
    if (got.embedder && got.embedder.dim === m.dim) {
      await this.embedder?.dispose();
      this.embedder = got.embedder;
      this.embedderModel = key;
    } else {
      this.embedder = null;
      this.embedderModel = null;
      this.opts.onWarning?.(
        got.embedder
          ? `warning: the model gives ${got.embedder.dim}-dimensional vectors but the index holds ${m.dim}; answering from the lexical index only (run \`npm run index\`).`
          : `warning: embedding model ${m.id} is not available (${got.reason}); answering from the lexical index only.`,
      );
    }
  }

  async ask(rawQuestion: string, opts: AskOptions = {}): Promise<Answer> {
    const index = this.index;
    const rebuilding = () => new IndexRebuildingError('the index is being rebuilt from the articles; ask again in a moment');
    if (this.repairing && opts.waitForRepair === false) {
      validateQuestion(rawQuestion);
      throw rebuilding();
    }
    try {
      return await this.answer(rawQuestion);
    } catch (e) {
      if (!(e instanceof IndexDamagedError) || !this.opts.onDamaged) throw e;
      // Rebuilt from the articles (once for all the questions that found it), then asked again on the new index.
      if (this.damagedGeneration !== index.generation) {
        this.damagedGeneration = index.generation;
        const repair: Promise<void> = this.opts
          .onDamaged(e)
          .then(() => this.reload().then(() => undefined))
          .finally(() => {
            if (this.repairing === repair) this.repairing = null;
          });
        repair.catch(() => undefined);
        this.repairing = repair;
      }
      if (opts.waitForRepair === false) throw rebuilding();
      await this.repairing;
      if (this.index === index) throw e;
      return this.answer(rawQuestion);
    }
  }

  private async answer(rawQuestion: string): Promise<Answer> {
    const t0 = performance.now();
    const question = validateQuestion(rawQuestion);
    const index = this.index; // a reload mid-question does not change what this question reads
    const embedder = index.vectors ? this.embedder : null;
    // The question's vector is computed in the embedder's worker while the lexical search runs here.
    const pending = embedder?.embedQuery(question);
    pending?.catch(() => undefined);
    const language = detectLanguage(question);
    const lexical = searchLexical(index, question, language);
    const t1 = performance.now();
    const queryVector = pending ? await this.vectorOr(pending, embedder!) : null;
    const t2 = performance.now();
    const retrieval = completeRetrieval(index, lexical, { k: this.config.TOP_K, queryVector });
    const t3 = performance.now();
    const answer = compose({ question, language, retrieval, index, denseRescue: this.config.DENSE_RESCUE_SIMILARITY });
    const t4 = performance.now();
    const ms = (a: number, b: number) => Math.round((b - a) * 100) / 100;
    // embed: from asking for the vector to having it (overlapping the lexical search), only when a vector came.
    return {
      ...answer,
      timings_ms: { ...(queryVector ? { embed: ms(t0, t2) } : {}), retrieve: ms(t0, t1) + ms(t2, t3), compose: ms(t3, t4), total: ms(t0, t4) },
    };
  }

  /** The query vector, or null (answering lexical only from then on, with one warning) when the model fails. */
  private async vectorOr(pending: Promise<Float32Array>, embedder: Embedder): Promise<Float32Array | null> {
    try {
      return await pending;
    } catch (e) {
      if (this.embedder === embedder) {
        this.embedder = null;
        this.embedderModel = null;
        this.opts.onWarning?.(`warning: the embedding model failed (${(e as Error).message}); answering from the lexical index only.`);
        void embedder.dispose().catch(() => undefined);
      }
      return null;
    }
  }

  info(): ServiceInfo {
    const index = this.index;
    const m = index.info;
    return {
      articles: m.documents,
      passages: m.passages,
      model: this.hybrid ? m.model!.id : null,
      builtAt: m.builtAt,
      generation: index.generation,
      // Read only when asked for: every document of the index (100k rows at scale), where /about needs none.
      get titles() {
        return Array.from(index.documents(), ([doc, meta]) => ({ doc, title: meta.title }));
      },
    };
  }

  /** Loads the index on disk if it is newer than the one in use. Returns true when it switched. */
  async reload(): Promise<boolean> {
    this.reloading ??= (async () => {
      try {
        const gen = await this.store.generation();
        if (!gen || gen === this.index.generation) return false;
        const next = await this.store.open();
        await this.ensureEmbedder(next);
        const old = this.index;
        this.index = next;
        // Questions in flight finish on the old state (a few ms; the delay is generous), then it is let go.
        setTimeout(() => old.close?.(), 30_000).unref();
        return true;
      } finally {
        this.reloading = null;
      }
    })();
    return this.reloading;
  }

  /** Reloads by itself whenever `npm run index` (or /reindex) switches the index on disk. */
  watch(onReload?: (info: ServiceInfo) => void, onError?: (e: unknown) => void): void {
    if (this.stopWatching) return;
    this.stopWatching = this.store.watch(() => {
      this.reload().then((switched) => switched && onReload?.(this.info()), onError);
    }, onError);
  }

  async close(): Promise<void> {
    this.index.close?.();
    this.stopWatching?.();
    this.stopWatching = null;
    await this.embedder?.dispose();
    this.embedder = null;
  }
}
