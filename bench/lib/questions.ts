/**
 * The dev questions the benchmarks ask: the file of `--questions FILE` (JSON lines with a "question" field), else the
 * shared dev split beside the repository (../shared/eval/dev.jsonl), which a fresh clone does not have. A missing or
 * unreadable file is one line on stderr and exit code 2, never a stack trace.
 */
import { readFileSync } from 'node:fs';
import { DEV_QUESTIONS } from './paths.js';

export interface DevItem {
  id: string;
  question: string;
  sources: string[];
  answerable: boolean;
}

/** The questions of `file`; exits with one line when it is missing or not JSON lines with a "question" each. */
export function readQuestions(file: string): DevItem[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'not found' : `cannot be read (${code ?? (e as Error).message})`;
    if (file === DEV_QUESTIONS) usageExit(`needs the shared dev questions at ${file} (${why}); pass --questions FILE (JSON lines with a "question" field)`);
    usageExit(`questions file ${file} ${why}`);
  }
  const items: DevItem[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let item: unknown;
    try {
      item = JSON.parse(line);
    } catch {
      usageExit(`${file}:${i + 1}: not JSON (each line is {"question": …})`);
    }
    if (typeof (item as DevItem)?.question !== 'string') usageExit(`${file}:${i + 1}: no "question" field`);
    items.push(item as DevItem);
  });
  if (!items.length) usageExit(`${file} holds no questions`);
  return items;
}

export function usageExit(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}
