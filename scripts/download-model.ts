/**
 * `npm run models`: puts EMBEDDING_MODEL (dtype EMBEDDING_DTYPE) into MODELS_DIR/<model id>/,
 * downloading what is missing from the Hugging Face hub (HF_ENDPOINT overrides the hub's address),
 * with a progress bar on stderr; then checks that the model loads and prints its dimension.
 *
 * Exit codes: 0 ready, 1 the model could not be had (one line says why and what to do), 2 bad setting.
 */
import path from 'node:path';
import { ConfigError, loadConfigFromEnvironment, type Config } from '../src/config.js';
import { loadEmbedder } from '../src/embed/embedder.js';

function mb(n: number): string {
  return (n / 1024 / 1024).toFixed(1);
}

/** Per-file progress: on a terminal one redrawn line plus a final line per file; otherwise a line every 25 %. */
function progressPrinter(stream: NodeJS.WriteStream) {
  const tty = stream.isTTY === true;
  const files = new Map<string, { quarter: number; finished: boolean }>();
  let drawn = false; // an unfinished line is on screen (TTY)
  let lastDraw = 0;

  const line = (file: string, loaded: number, total: number): string => {
    if (total > 0) {
      const ratio = Math.min(1, loaded / total);
      const width = 24;
      const filled = Math.round(ratio * width);
      return `  ${file}  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${mb(loaded)} / ${mb(total)} MB ${Math.floor(ratio * 100)}%`;
    }
    return `  ${file}  ${mb(loaded)} MB`;
  };

  return {
    update(file: string, loaded: number, total: number) {
      let st = files.get(file);
      if (!st) files.set(file, (st = { quarter: -1, finished: false }));
      if (st.finished) return;
      const finished = total > 0 && loaded >= total;
      if (tty) {
        const now = Date.now();
        if (finished) {
          stream.write(`\r${line(file, loaded, total)}\x1b[K\n`);
          drawn = false;
        } else if (now - lastDraw > 100) {
          stream.write(`\r${line(file, loaded, total)}\x1b[K`);
          drawn = true;
          lastDraw = now;
        }
      } else {
        const quarter = total > 0 ? Math.floor((Math.min(loaded, total) / total) * 4) : 0;
        if (quarter !== st.quarter) stream.write(line(file, loaded, total) + '\n');
        st.quarter = quarter;
      }
      st.finished = finished;
    },
    end() {
      if (tty && drawn) stream.write('\n');
      drawn = false;
    },
  };
}

async function main(): Promise<number> {
  let config: Config;
  try {
    config = await loadConfigFromEnvironment();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    throw e;
  }

  const modelId = config.EMBEDDING_MODEL;
  const modelDir = path.join(config.MODELS_DIR, ...modelId.split('/'));
  const progress = progressPrinter(process.stderr);
  let announced = false;

  const result = await loadEmbedder({
    modelId,
    modelsDir: config.MODELS_DIR,
    dtype: config.EMBEDDING_DTYPE,
    batchSize: config.EMBED_BATCH_SIZE,
    allowDownload: config.ALLOW_MODEL_DOWNLOAD,
    onDownloadProgress: (file, loaded, total) => {
      if (!announced) {
        process.stderr.write(`Downloading ${modelId} (${config.EMBEDDING_DTYPE}) into ${modelDir}/\n`);
        announced = true;
      }
      progress.update(file, loaded, total);
    },
  });
  progress.end();

  if (!result.ok) {
    const dir = config.MODELS_DIR.replace(/\/+$/, '');
    const onnxFile = config.EMBEDDING_DTYPE === 'fp32' ? 'model.onnx' : config.EMBEDDING_DTYPE === 'q8' ? 'model_quantized.onnx' : `model_${config.EMBEDDING_DTYPE}.onnx`;
    const howTo =
      `copy the model folder ${modelId} (config.json, tokenizer.json, tokenizer_config.json, onnx/${onnxFile}) into ${dir}/ ` +
      `so that ${dir}/${modelId}/config.json exists, or run citebot with EMBEDDINGS=0 (lexical search only)`;
    const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
    switch (result.kind) {
      case 'network':
        process.stderr.write(`${capital(result.reason)}. To get the model: ${howTo}.\n`);
        break;
      case 'missing':
        process.stderr.write(`${capital(result.reason)}. Set ALLOW_MODEL_DOWNLOAD=1 to download it, or ${howTo}.\n`);
        break;
      default:
        process.stderr.write(`${capital(result.reason)}.\n`);
    }
    return 1;
  }

  const { embedder } = result;
  process.stdout.write(`${modelId} (${config.EMBEDDING_DTYPE}) is ready in ${modelDir}/: ${embedder.dim}-dimensional embeddings\n`);
  await embedder.dispose();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`npm run models failed: ${(e as Error)?.message ?? e}\n`);
    process.exit(1);
  },
);
