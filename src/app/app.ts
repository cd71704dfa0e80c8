/**
 * The composition root: configuration → embedder → index build → answering service. The command line and the bot
 * both start here and render its events their own way (a terminal progress line; the bot's redacting logger).
 */
import { existsSync } from 'node:fs';
import { AnswerService } from '../answer/service.js';
import type { Config } from '../config.js';
import { loadEmbedder, type Embedder } from '../embed/embedder.js';
import { loadThreadedEmbedder } from '../embed/threaded.js';
import { buildIndex, type BuildEvent, type BuildSummary } from '../index/build.js';
import { currentFolder, IndexDamagedError } from '../index/store.js';
import { UsageError } from './main.js';

export type AppEvent =
  /** Transient: the same phase repeats with new figures (a terminal overwrites the line). */
  | { kind: 'progress'; phase: 'download' | 'scan' | 'plan' | 'embed' | 'write'; text: string }
  /** A line worth keeping: the index is being built, what a build did. */
  | { kind: 'notice'; text: string }
  /** `file`: the article file a build skipped (named again only when it changes). */
  | { kind: 'warning'; text: string; file?: string };

export type OnEvent = (e: AppEvent) => void;

/** What to say when the neural model is missing: the product still works on the lexical index. */
export function modelWarning(config: Config, reason: string): string {
  return (
    `warning: embedding model ${config.EMBEDDING_MODEL} is not available (${reason}); using lexical retrieval only. ` +
    `To get it, run \`npm run models\` on a machine with internet, or copy the model folder into ${config.MODELS_DIR}/${config.EMBEDDING_MODEL}/.`
  );
}

/**
 * The embedder the configuration asks for, or null with the reason it cannot be had. `inWorker` for answering: a
 * question's forward pass then never blocks the thread that serves the other chats.
 */
export async function embedderFor(
  config: Pick<Config, 'EMBEDDINGS' | 'EMBEDDING_MODEL' | 'MODELS_DIR' | 'EMBEDDING_DTYPE' | 'EMBED_BATCH_SIZE' | 'ALLOW_MODEL_DOWNLOAD'>,
  opts: { inWorker?: boolean; onEvent?: OnEvent } = {},
): Promise<{ embedder: Embedder } | { embedder: null; reason: string }> {
  if (!config.EMBEDDINGS) return { embedder: null, reason: 'EMBEDDINGS=0' };
  const onEvent = opts.onEvent;
  const r = await (opts.inWorker ? loadThreadedEmbedder : loadEmbedder)({
    modelId: config.EMBEDDING_MODEL,
    modelsDir: config.MODELS_DIR,
    dtype: config.EMBEDDING_DTYPE,
    batchSize: config.EMBED_BATCH_SIZE,
    allowDownload: config.ALLOW_MODEL_DOWNLOAD,
    onDownloadProgress: onEvent && ((file, loaded, total) => onEvent({ kind: 'progress', phase: 'download', text: `downloading ${file} ${bar(Math.round(loaded / 1e6), Math.round(total / 1e6))} MB` })),
  });
  return r.ok ? { embedder: r.embedder } : { embedder: null, reason: r.reason };
}

export function bar(done: number, total: number, width = 24): string {
  const f = total ? Math.min(1, done / total) : 1;
  const n = Math.round(f * width);
  return `[${'#'.repeat(n)}${'.'.repeat(width - n)}] ${done}/${total}`;
}

/**
 * The incremental index build, reporting progress, skipped files and a missing model as events. A build reads a
 * skipped file again, but names it only when the last build did not skip it as it is now (first skipped, or changed).
 */
export async function runIndex(config: Config, opts: { signal?: AbortSignal; onEvent?: OnEvent; rebuild?: string; verify?: 'full' | 'quick' } = {}): Promise<BuildSummary> {
  const emit: OnEvent = opts.onEvent ?? (() => undefined);
  const summary = await buildIndex({
    seedsDir: config.SEEDS_DIR,
    indexDir: config.INDEX_DIR,
    analyzer: config.LEXICAL_ANALYZER,
    model: config.EMBEDDINGS ? { id: config.EMBEDDING_MODEL, dtype: config.EMBEDDING_DTYPE } : null,
    getEmbedder: () => embedderFor(config, { onEvent: emit }),
    signal: opts.signal,
    rebuild: opts.rebuild,
    verify: opts.verify,
    onEvent: (e) => {
      if (e.kind === 'scan') {
        emit({ kind: 'progress', phase: 'scan', text: `scanning ${config.SEEDS_DIR}: ${e.documents} files` });
      } else if (e.kind === 'plan') emit(planEvent(e));
      else if (e.kind === 'embed') emit({ kind: 'progress', phase: 'embed', text: `embedding ${bar(e.done, e.total)} ${e.unit}` });
      else if (e.kind === 'damaged' || e.kind === 'wait') emit({ kind: 'notice', text: e.message });
      else emit({ kind: 'progress', phase: 'write', text: 'writing the index' });
    },
  });
  // Files are read as the build streams through them: the skipped ones are known at its end.
  for (const w of summary.warnings) if (!w.again) emit({ kind: 'warning', text: `warning: skipped ${w.file}: ${w.reason}`, file: w.file });
  if (summary.fallback) emit({ kind: 'warning', text: modelWarning(config, summary.fallback.reason) });
  return summary;
}

/**
 * The plan line: an incremental build's counts (and the passages to embed when the index has vectors); a full
 * build's files and reason, kept as a notice since everything is rebuilt (it takes a while, and the user should know why).
 */
export function planEvent(e: Extract<BuildEvent, { kind: 'plan' }>): AppEvent {
  if (e.full) {
    const removed = e.removed ? `, ${e.removed} removed` : '';
    return { kind: 'notice', text: `plan: ${e.files} files${removed}, ${e.reason ? `full rebuild: ${e.reason}` : 'first build'}` };
  }
  const embed = e.toEmbed !== undefined ? `; ${e.toEmbed} passages to embed` : '';
  return { kind: 'progress', phase: 'plan', text: `plan: ${e.added} new, ${e.changed} changed, ${e.removed} removed, ${e.unchanged} unchanged${embed}` };
}

export function describeSummary(s: BuildSummary): string {
  const vec = s.model ? `vectors: ${s.model.id} (${s.model.dim} dims)` : 'lexical only (no vectors)';
  const what = s.upToDate ? `index is up to date${s.model ? ', nothing re-embedded' : ''}` : s.model ? `${s.embedded} passages embedded` : 'index written';
  return `${what}. documents: ${s.added} added, ${s.changed} changed, ${s.removed} removed, ${s.unchanged} unchanged; ${s.passages} passages; ${vec}; ${s.seconds} s`;
}

/**
 * Opens the answering service: builds the index first when `buildIfMissing` and there is none, and loads the
 * model the index was built with in a worker (or warns and answers from the lexical index).
 */
export async function openService(config: Config, opts: { buildIfMissing?: boolean; onEvent?: OnEvent } = {}): Promise<AnswerService> {
  const emit: OnEvent = opts.onEvent ?? (() => undefined);
  const build = async (why: string, rebuild?: string) => {
    if (!existsSync(config.SEEDS_DIR)) throw new UsageError(`no articles folder ${config.SEEDS_DIR} (set SEEDS_DIR)`);
    emit({ kind: 'notice', text: why });
    // The build finds the same damage and would say it again.
    const onEvent: OnEvent = (e) => (e.kind === 'notice' && e.text === why ? undefined : emit(e));
    emit({ kind: 'notice', text: describeSummary(await runIndex(config, { onEvent, rebuild })) });
  };
  if (opts.buildIfMissing && !currentFolder(config.INDEX_DIR)) await build(`No index in ${config.INDEX_DIR} yet: building it from ${config.SEEDS_DIR}…`);
  // A damaged index found while answering is rebuilt; the service switches to the new one and asks again.
  const serviceOptions = {
    getEmbedder: (id: string, dtype: string) => embedderFor({ ...config, EMBEDDING_MODEL: id, EMBEDDING_DTYPE: dtype as Config['EMBEDDING_DTYPE'] }, { inWorker: true }),
    onWarning: (text: string) => emit({ kind: 'warning', text }),
    onDamaged: (e: IndexDamagedError) => build(e.message, 'the index was damaged'),
  };
  try {
    return await AnswerService.open(config, serviceOptions);
  } catch (e) {
    // Damaged on opening: one line, rebuilt from the articles, opened again.
    if (!(e instanceof IndexDamagedError) || !opts.buildIfMissing) throw e;
    await build(e.message, 'the index was damaged');
    return AnswerService.open(config, serviceOptions);
  }
}
