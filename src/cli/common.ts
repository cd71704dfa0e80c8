import { ConfigError, loadConfigFromEnvironment, type Config } from '../config.js';
import { loadEmbedder, type Embedder } from '../embed/embedder.js';
import { loadThreadedEmbedder } from '../embed/threaded.js';
import { buildIndex, type BuildEvent, type BuildSummary } from '../index/build.js';
import { IndexBusyError, IndexMissingError } from '../index/store.js';

/** A mistake of the user's (bad question, bad setting): printed as one line, exit code 2, no stack trace. */
export class UsageError extends Error {
  readonly exitCode = 2;
}

/** Runs a command's main function; user mistakes become one line on stderr and an exit code, never a stack trace. */
export function runMain(main: () => Promise<number | void>): void {
  main().then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (e: unknown) => {
      if (e instanceof ConfigError || e instanceof UsageError) {
        process.stderr.write(`citebot: ${e.message}\n`);
        process.exit(2);
      }
      if (e instanceof IndexMissingError || e instanceof IndexBusyError) {
        process.stderr.write(`citebot: ${e.message}\n`);
        process.exit(1);
      }
      if (e instanceof Error && e.name === 'AbortError') {
        process.stderr.write('citebot: interrupted; the previous index is left as it was.\n');
        process.exit(130);
      }
      process.stderr.write(`citebot: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}

export async function getConfig(): Promise<Config> {
  return loadConfigFromEnvironment();
}

/** What to say when the neural model is missing: the product still works on the lexical index. */
export function modelWarning(config: Config, reason: string): string {
  return (
    `warning: embedding model ${config.EMBEDDING_MODEL} is not available (${reason}); using lexical retrieval only. ` +
    `To get it, run \`npm run models\` on a machine with internet, or copy the model folder into ${config.MODELS_DIR}/${config.EMBEDDING_MODEL}/.`
  );
}

/** The embedder the configuration asks for, or null with the reason it cannot be had. */
export async function embedderFor(
  config: Config,
  onDownload?: (file: string, loaded: number, total: number) => void,
  opts: { inWorker?: boolean } = {},
): Promise<{ embedder: Embedder } | { embedder: null; reason: string }> {
  if (!config.EMBEDDINGS) return { embedder: null, reason: 'EMBEDDINGS=0' };
  const r = await (opts.inWorker ? loadThreadedEmbedder : loadEmbedder)({
    modelId: config.EMBEDDING_MODEL,
    modelsDir: config.MODELS_DIR,
    dtype: config.EMBEDDING_DTYPE,
    batchSize: config.EMBED_BATCH_SIZE,
    allowDownload: config.ALLOW_MODEL_DOWNLOAD,
    onDownloadProgress: onDownload,
  });
  return r.ok ? { embedder: r.embedder } : { embedder: null, reason: r.reason };
}

/** A one-line progress display on a terminal; silent when stderr is not one (CI, pipes) except for phase lines. */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): { update(text: string): void; done(text?: string): void } {
  const tty = stream.isTTY;
  let last = '';
  return {
    update(text: string) {
      if (tty) stream.write(`\r\x1b[K${text}`);
      else if (text.split(' ')[0] !== last.split(' ')[0]) stream.write(text + '\n');
      last = text;
    },
    done(text?: string) {
      if (tty && last) stream.write('\r\x1b[K');
      if (text) stream.write(text + '\n');
      last = '';
    },
  };
}

export function bar(done: number, total: number, width = 24): string {
  const f = total ? Math.min(1, done / total) : 1;
  const n = Math.round(f * width);
  return `[${'#'.repeat(n)}${'.'.repeat(width - n)}] ${done}/${total}`;
}

/** Runs the incremental index build with progress on stderr and the model warning printed once. */
export async function runIndexBuild(config: Config, opts: { signal?: AbortSignal; quiet?: boolean } = {}): Promise<BuildSummary> {
  const progress = progressPrinter();
  const say = (t: string) => !opts.quiet && progress.update(t);
  const onEvent = (e: BuildEvent) => {
    switch (e.kind) {
      case 'scan':
        for (const w of e.warnings) progress.done(`warning: skipped ${w.file}: ${w.reason}`);
        say(`scanning ${config.SEEDS_DIR}: ${e.documents} articles`);
        break;
      case 'plan':
        if (e.fullRebuild) progress.done(`rebuilding the whole index: ${e.fullRebuild}`);
        say(`plan: ${e.added} new, ${e.changed} changed, ${e.removed} removed, ${e.unchanged} unchanged; ${e.toEmbed} passages to embed`);
        break;
      case 'embed':
        say(`embedding ${bar(e.done, e.total)}`);
        break;
      case 'write':
        say('writing the index');
        break;
    }
  };
  const summary = await buildIndex({
    seedsDir: config.SEEDS_DIR,
    indexDir: config.INDEX_DIR,
    analyzer: config.LEXICAL_ANALYZER,
    model: config.EMBEDDINGS ? { id: config.EMBEDDING_MODEL, dtype: config.EMBEDDING_DTYPE } : null,
    getEmbedder: () =>
      embedderFor(config, (file, loaded, total) => say(`downloading ${file} ${bar(Math.round(loaded / 1e6), Math.round(total / 1e6))} MB`)),
    onEvent,
    signal: opts.signal,
  });
  progress.done();
  if (summary.fallback) process.stderr.write(modelWarning(config, summary.fallback.reason) + '\n');
  return summary;
}

export function describeSummary(s: BuildSummary): string {
  const vec = s.model ? `vectors: ${s.model.id} (${s.model.dim} dims)` : 'lexical only (no vectors)';
  const what = s.upToDate ? 'index is up to date, nothing re-embedded' : `${s.embedded} passages embedded`;
  return `${what}. documents: ${s.added} added, ${s.changed} changed, ${s.removed} removed, ${s.unchanged} unchanged; ${s.passages} passages; ${vec}; ${s.seconds} s`;
}
