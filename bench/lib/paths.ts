import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BENCH_DIR = path.join(ROOT, 'bench');
export const BENCH_CACHE = path.join(BENCH_DIR, '.cache');
export const SEEDS = path.join(ROOT, 'seeds');
export const DEV_QUESTIONS = path.resolve(ROOT, '..', 'shared', 'eval', 'dev.jsonl');
