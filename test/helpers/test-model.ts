/**
 * The tiny generated BERT model for tests: made once from the corpus in `seeds/` and kept in
 * `test/.cache/models/citebot/test-tiny` (remade when missing, incomplete, or made from another
 * corpus / generator version). Load it with
 *   loadEmbedder({ modelId, modelsDir, dtype: 'q8', batchSize: 16, allowDownload: false })
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATOR_VERSION, TINY_SHAPE, corpusFingerprint, generateBertModel } from '../../scripts/make-test-model.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const MODELS_DIR = path.join(ROOT, 'test', '.cache', 'models');
const MODEL_ID = 'citebot/test-tiny';
const SEEDS_DIR = path.join(ROOT, 'seeds');
const SEED = 42;
const FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx'];

let pending: Promise<{ modelsDir: string; modelId: string }> | undefined;

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

/** True when `dir` holds a complete model made by this generator version from this corpus. */
async function upToDate(dir: string, corpus: { texts: number; sha256: string }): Promise<boolean> {
  try {
    const meta = JSON.parse(await fs.readFile(path.join(dir, 'generator.json'), 'utf8'));
    if (meta.version !== GENERATOR_VERSION || meta.corpus?.sha256 !== corpus.sha256 || meta.options?.seed !== SEED) return false;
    for (const [k, v] of Object.entries(TINY_SHAPE)) if (meta.options?.[k] !== v) return false;
    for (const f of FILES) if (!(await exists(path.join(dir, f)))) return false;
    return true;
  } catch {
    return false;
  }
}

async function ensure(): Promise<{ modelsDir: string; modelId: string }> {
  const target = path.join(MODELS_DIR, ...MODEL_ID.split('/'));
  const corpusDir = (await exists(SEEDS_DIR)) ? SEEDS_DIR : undefined;
  const corpus = await corpusFingerprint({ corpusDir });
  if (await upToDate(target, corpus)) return { modelsDir: MODELS_DIR, modelId: MODEL_ID };

  // Made in a private folder and renamed into place, so parallel test workers never see half a model.
  const tmp = `${target}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await generateBertModel({ outDir: tmp, corpusDir, seed: SEED, ...TINY_SHAPE });
    for (let attempt = 0; attempt < 5; attempt++) {
      if (await upToDate(target, corpus)) break; // another worker won the race
      await fs.rm(target, { recursive: true, force: true });
      try {
        await fs.rename(tmp, target);
        break;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EPERM') throw e;
      }
    }
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
  if (!(await upToDate(target, corpus))) throw new Error(`could not prepare the test model in ${target}`);
  return { modelsDir: MODELS_DIR, modelId: MODEL_ID };
}

export async function ensureTestModel(): Promise<{ modelsDir: string; modelId: string }> {
  pending ??= ensure().catch((e) => {
    pending = undefined;
    throw e;
  });
  return pending;
}
