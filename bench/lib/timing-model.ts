/**
 * The timing model of the benchmark: a random-weight BERT with the shape of multilingual-e5-small
 * (12 layers, hidden 384, 12 heads, feed-forward 1536, int8-quantized like the real q8 file), made with
 * scripts/make-test-model.ts and cached in bench/.cache/models/citebot/timing-e5-small.
 * Used for timing only: its vectors mean nothing.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { E5_SMALL_SHAPE, GENERATOR_VERSION, corpusFingerprint, generateBertModel } from '../../scripts/make-test-model.js';
import { BENCH_CACHE, ROOT } from './paths.js';

export const TIMING_MODELS_DIR = path.join(BENCH_CACHE, 'models');
export const TIMING_MODEL_ID = 'citebot/timing-e5-small';
const SEED = 7;
const FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx'];

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}

async function upToDate(dir: string, sha: string): Promise<boolean> {
  try {
    const meta = JSON.parse(await fs.readFile(path.join(dir, 'generator.json'), 'utf8'));
    if (meta.version !== GENERATOR_VERSION || meta.corpus?.sha256 !== sha || meta.options?.seed !== SEED) return false;
    for (const [k, v] of Object.entries(E5_SMALL_SHAPE)) if (meta.options?.[k] !== v) return false;
    for (const f of FILES) if (!(await exists(path.join(dir, f)))) return false;
    return true;
  } catch {
    return false;
  }
}

/** Makes the timing model once (about a minute); returns where transformers.js finds it. */
export async function ensureTimingModel(log: (s: string) => void = () => undefined): Promise<{ modelsDir: string; modelId: string; generatedSeconds: number | null }> {
  const target = path.join(TIMING_MODELS_DIR, ...TIMING_MODEL_ID.split('/'));
  const corpusDir = path.join(ROOT, 'seeds');
  const { sha256 } = await corpusFingerprint({ corpusDir });
  if (await upToDate(target, sha256)) return { modelsDir: TIMING_MODELS_DIR, modelId: TIMING_MODEL_ID, generatedSeconds: null };
  log(`generating the timing model (e5-small shape, q8) in ${path.relative(ROOT, target)}…`);
  const t0 = performance.now();
  const tmp = `${target}.tmp-${process.pid}`;
  await fs.rm(tmp, { recursive: true, force: true });
  await generateBertModel({ outDir: tmp, corpusDir, seed: SEED, ...E5_SMALL_SHAPE });
  await fs.rm(target, { recursive: true, force: true });
  await fs.rename(tmp, target);
  if (!(await upToDate(target, sha256))) throw new Error(`could not prepare the timing model in ${target}`);
  return { modelsDir: TIMING_MODELS_DIR, modelId: TIMING_MODEL_ID, generatedSeconds: (performance.now() - t0) / 1000 };
}
