import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { describeSource } from '../answer/compose.js';
import { QuestionError } from '../answer/service.js';
import type { Answer } from '../types.js';
import { getConfig, runMain } from './common.js';
import { openService } from './session.js';

const HISTORY_SIZE = 500;

const HELP = `Ask a question about the articles, in Russian, Kazakh or English, e.g.
  Сколько стран входит в хаб?
  Хаб елордада қай жылдан бері жұмыс істейді?
  Who chairs the Steering Committee of the Astana Civil Service Hub?
Commands: /help  this text · /sources  full sources of the last answer · /articles  the indexed articles · /quit  leave (or Ctrl-D)`;

/** The full sources of an answer: every cited passage and the further ones retrieval found. */
export function fullSources(a: Answer): string {
  if (!a.answered) return 'The last answer cited no sources.';
  const lines: string[] = [];
  for (const c of [...a.citations, ...a.more]) {
    lines.push(`[${c.n}] ${describeSource(c, a.language)}  score ${c.score}`);
    lines.push(`    «${c.quote.replace(/\s+/g, ' ')}»`);
  }
  return lines.join('\n');
}

runMain(async () => {
  const config = await getConfig();
  const service = await openService(config, { buildIfMissing: true });
  const info = service.info();
  const out = process.stdout;
  out.write(`citebot: ${info.articles} articles, ${info.passages} passages, ${info.model ? `hybrid retrieval (${info.model})` : 'lexical retrieval only'}. /help for help, /quit to leave.\n`);
  // Another `npm run index` while chatting: the next question uses the new index.
  service.watch(
    (i) => out.write(`\n(index reloaded: ${i.articles} articles, ${i.passages} passages)\n`),
    () => undefined,
  );
  // Line history survives between chats (up-arrow), kept beside the index.
  const historyFile = path.join(config.INDEX_DIR, 'chat_history');
  let history: string[] = [];
  try {
    history = readFileSync(historyFile, 'utf8').split('\n').filter(Boolean).reverse().slice(0, HISTORY_SIZE);
  } catch {
    // No history yet.
  }
  const rl = createInterface({ input: process.stdin, output: out, prompt: '? ', history, historySize: HISTORY_SIZE, removeHistoryDuplicates: true, terminal: process.stdin.isTTY });
  rl.on('history', (h: string[]) => {
    try {
      writeFileSync(historyFile, [...h].reverse().join('\n') + '\n');
    } catch {
      // History is a convenience: a read-only folder must not stop the chat.
    }
  });
  let last: Answer | null = null;
  rl.prompt();
  let queue = Promise.resolve();
  rl.on('line', (line) => {
    queue = queue.then(async () => {
      const text = line.trim();
      if (!text) return;
      if (text === '/quit' || text === '/exit') {
        rl.close();
        return;
      }
      if (text === '/help') out.write(HELP + '\n');
      else if (text === '/sources') out.write((last ? fullSources(last) : 'Ask a question first.') + '\n');
      else if (text === '/articles') out.write(service.info().titles.map((t) => `- ${t.title} (${t.doc})`).join('\n') + '\n');
      else if (text.startsWith('/')) out.write(`Unknown command ${text.split(/\s/)[0]}. ${HELP.split('\n').pop()}\n`);
      else {
        try {
          last = await service.ask(text);
          out.write(last.text + '\n');
        } catch (e) {
          if (e instanceof QuestionError) out.write(`citebot: ${e.message}\n`);
          else throw e;
        }
      }
    }).finally(() => rl.prompt());
  });
  await new Promise<void>((resolve) => rl.on('close', resolve));
  await queue;
  out.write('\n');
  await service.close();
  return 0;
});
