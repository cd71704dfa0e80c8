/**
 * A throw-away citebot workspace for a test: its own seeds/, data/ and configuration, with the five sample
 * articles (or given ones) and, when asked, the tiny generated embedding model.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from '../../src/config.js';
import { ensureTestModel } from './test-model.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PROJECT_SEEDS = path.join(ROOT, 'seeds');

export interface Workspace {
  root: string;
  seeds: string;
  config: Config;
  /** The same settings as environment variables, for child processes. */
  env: Record<string, string>;
  write(file: string, text: string | Uint8Array): string;
  remove(file: string): void;
  cleanup(): void;
}

export async function makeWorkspace(opts: { seeds?: boolean; articles?: Record<string, string>; model?: boolean; env?: Record<string, string> } = {}): Promise<Workspace> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'citebot-test-'));
  const seeds = path.join(root, 'seeds');
  mkdirSync(seeds);
  if (opts.seeds !== false) cpSync(PROJECT_SEEDS, seeds, { recursive: true });
  for (const [f, t] of Object.entries(opts.articles ?? {})) writeFileSync(path.join(seeds, f), t);
  const env: Record<string, string> = { SEEDS_DIR: seeds, INDEX_DIR: path.join(root, 'data'), ALLOW_MODEL_DOWNLOAD: '0', LOG_LEVEL: 'warn' };
  if (opts.model) {
    const m = await ensureTestModel();
    Object.assign(env, { MODELS_DIR: m.modelsDir, EMBEDDING_MODEL: m.modelId, EMBEDDING_DTYPE: 'q8', EMBEDDINGS: '1' });
  } else {
    Object.assign(env, { MODELS_DIR: path.join(root, 'models'), EMBEDDINGS: '0' });
  }
  Object.assign(env, opts.env ?? {});
  return {
    root,
    seeds,
    config: loadConfig(env),
    env,
    write(file, text) {
      const p = path.join(seeds, file);
      mkdirSync(path.dirname(p), { recursive: true });
      writeFileSync(p, text);
      return p;
    },
    remove(file) {
      rmSync(path.join(seeds, file), { force: true });
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}
