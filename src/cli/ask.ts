import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { describeSummary, openService, runIndex } from '../app/app.js';
import { currentFolder, IndexBusyError } from '../index/store.js';
import { listSeedFiles } from '../ingest/read.js';
import { changedSince } from '../watch/seeds.js';
import { UsageError, printError } from '../app/main.js';
import { QuestionError, validateQuestion, type AnswerService } from '../answer/service.js';
import { loadConfigFromEnvironment } from '../config.js';
import type { Answer } from '../types.js';
import { parseCommand } from './args.js';
import { stderrRenderer } from './render.js';

export const usage = `usage: citebot ask [--json] "question"  |  citebot ask --file questions.jsonl
Answers one question (builds the index first if there is none; progress goes to stderr).
  --json         one JSON object {question, language, answered, answer, citations, timings_ms}
  --file FILE    answers each line {"id": …, "question": …} of a JSON-lines file, one JSON object per line`;

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The JSON contract of `ask --json`: citations in the order of their numbers, figures rounded. */
export function toJson(a: Answer, id?: unknown) {
  return {
    ...(id !== undefined ? { id } : {}),
    question: a.question,
    language: a.language,
    answered: a.answered,
    answer: a.text,
    citations: [...a.citations].sort((x, y) => x.n - y.n).map((c) => ({ n: c.n, doc: c.doc, title: c.title, quote: c.quote, score: round(c.score, 4) })),
    timings_ms: Object.fromEntries(Object.entries(a.timings_ms).map(([k, v]) => [k, round(v, 2)])),
  };
}

/** Answers each line of a JSON-lines file; a bad line gets one error object (and a line on stderr), the rest goes on. */
async function answerFile(service: AnswerService, file: string): Promise<number> {
  const rl = createInterface({ input: createReadStream(file).on('error', () => undefined), crlfDelay: Infinity });
  let lineNo = 0;
  let bad = 0;
  try {
    for await (const line of rl) {
      lineNo++;
      if (!line.trim()) continue;
      let item: unknown;
      try {
        item = JSON.parse(line);
      } catch {
        item = undefined;
      }
      const { id, question } = item !== null && typeof item === 'object' && !Array.isArray(item) ? (item as { id?: unknown; question?: unknown }) : {};
      try {
        if (question === undefined) throw new QuestionError('not a JSON object with a "question"');
        console.log(JSON.stringify(toJson(await service.ask(question as string), id)));
      } catch (e) {
        if (!(e instanceof QuestionError)) throw e;
        printError(`${file}:${lineNo}: ${e.message}; skipped`);
        console.log(JSON.stringify({ id: id ?? null, line: lineNo, question: question ?? null, error: e.message }));
        bad++;
      }
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`no such file: ${file}`);
    throw e;
  }
  return bad ? 1 : 0;
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { json: { type: 'boolean' }, file: { type: 'string' } }, usage);
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (values.file !== undefined && positionals.length) throw new UsageError(`give either a question or --file, not both; ${usage.split('\n')[0]}`);
  const config = await loadConfigFromEnvironment();
  let question = '';
  if (values.file === undefined) {
    // Checked before loading anything, so a bad question fails fast.
    try {
      question = validateQuestion(positionals.join(' '));
    } catch (e) {
      throw e instanceof QuestionError ? new UsageError(e.message) : e;
    }
  }
  const render = stderrRenderer();
  // Articles edited, added or deleted since the index was built (by the stat data it keeps): brought up to date
  // first. They are listed while an existing index opens (its vectors load off the main thread): 0.5 s at 100,000
  // articles. An index built here lists them after it is built.
  const listing = currentFolder(config.INDEX_DIR) ? listSeedFiles(config.SEEDS_DIR) : undefined;
  listing?.catch(() => undefined);
  const service = await openService(config, { buildIfMissing: true, onEvent: render.onEvent });
  const behind = await changedSince(config.SEEDS_DIR, service.current, listing);
  if (behind.changed.length || behind.removed) {
    try {
      const s = await runIndex(config, { onEvent: render.onEvent });
      if (!s.upToDate) render.onEvent({ kind: 'notice', text: `articles changed since the index was built: ${describeSummary(s)}` });
      await service.reload();
    } catch (e) {
      if (!(e instanceof IndexBusyError)) throw e;
      render.onEvent({ kind: 'warning', text: `warning: ${e.message}; answering from the current index` });
    }
  }
  render.end();
  try {
    if (values.file !== undefined) return await answerFile(service, values.file);
    const a = await service.ask(question);
    console.log(values.json ? JSON.stringify(toJson(a)) : a.text);
    return 0;
  } finally {
    await service.close();
  }
}
