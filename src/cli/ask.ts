import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { QuestionError, type AnswerService } from '../answer/service.js';
import type { Answer } from '../types.js';
import { getConfig, runMain, UsageError } from './common.js';
import { openService } from './session.js';

const USAGE = 'usage: npm run ask -- [--json] "question"  |  npm run ask -- --file questions.jsonl';

/** The JSON contract of `ask --json`. */
export function toJson(a: Answer, id?: unknown) {
  return {
    ...(id !== undefined ? { id } : {}),
    question: a.question,
    language: a.language,
    answered: a.answered,
    answer: a.text,
    citations: a.citations.map((c) => ({ n: c.n, doc: c.doc, title: c.title, quote: c.quote, score: c.score })),
    timings_ms: a.timings_ms,
  };
}

function parseArgs(argv: string[]): { json: boolean; file?: string; question?: string } {
  let json = false;
  let file: string | undefined;
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') json = true;
    else if (a === '--file') {
      file = argv[++i];
      if (!file) throw new UsageError(`--file needs a path; ${USAGE}`);
    } else if (a === '--help' || a === '-h') throw new UsageError(USAGE);
    else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}; ${USAGE}`);
    else words.push(a);
  }
  if (file && words.length) throw new UsageError(`give either a question or --file, not both; ${USAGE}`);
  return { json, file, question: file ? undefined : words.join(' ') };
}

async function answerFile(service: AnswerService, file: string): Promise<number> {
  const rl = createInterface({ input: createReadStream(file).on('error', () => undefined), crlfDelay: Infinity });
  let lineNo = 0;
  let bad = 0;
  try {
    for await (const line of rl) {
      lineNo++;
      if (!line.trim()) continue;
      let item: { id?: unknown; question?: unknown };
      try {
        item = JSON.parse(line);
      } catch {
        process.stderr.write(`citebot: ${file}:${lineNo}: not a JSON object; skipped\n`);
        bad++;
        continue;
      }
      try {
        const a = await service.ask(item.question as string);
        console.log(JSON.stringify(toJson(a, item.id)));
      } catch (e) {
        if (!(e instanceof QuestionError)) throw e;
        process.stderr.write(`citebot: ${file}:${lineNo}: ${e.message}; skipped\n`);
        console.log(JSON.stringify({ id: item.id, question: item.question ?? null, error: e.message }));
        bad++;
      }
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`no such file: ${file}`);
    throw e;
  }
  return bad ? 1 : 0;
}

runMain(async () => {
  const args = parseArgs(process.argv.slice(2));
  const config = await getConfig();
  if (!args.file) {
    // Checked before loading anything, so a bad question fails fast.
    try {
      const { validateQuestion } = await import('../answer/service.js');
      validateQuestion(args.question);
    } catch (e) {
      if (e instanceof QuestionError) throw new UsageError(e.message);
      throw e;
    }
  }
  // Like chat: the first question on a fresh checkout builds the index (progress on stderr, stdout stays the answer).
  const service = await openService(config, { buildIfMissing: true });
  try {
    if (args.file) return await answerFile(service, args.file);
    const a = await service.ask(args.question!);
    console.log(args.json ? JSON.stringify(toJson(a)) : a.text);
    return 0;
  } finally {
    await service.close();
  }
});
