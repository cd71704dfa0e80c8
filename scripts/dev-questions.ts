/** What the fitting scripts share: the index and question file from their arguments, the questions to fit on. */
import { readFileSync } from 'node:fs';
import type { IndexReader } from '../src/index/reader.js';
import { loadIndex } from '../src/index/store.js';

export interface DevQuestion {
  id: string;
  group: string;
  question: string;
  expect: string[];
}

/** `INDEX_DIR questions.jsonl` from the command line: the index and its answerable same-language questions. */
export async function devQuestions(): Promise<{ index: IndexReader; questions: DevQuestion[] }> {
  const [indexDir, file] = process.argv.slice(2);
  const index = await loadIndex(indexDir);
  const questions = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line))
    .filter((q) => q.answerable && String(q.group).startsWith('same'));
  return { index, questions };
}
