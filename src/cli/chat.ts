import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { openService } from '../app/app.js';
import { UsageError } from '../app/main.js';
import { redact } from '../app/redact.js';
import { describeSource } from '../answer/compose.js';
import { examplesByLanguage } from '../answer/examples.js';
import { LABELS } from '../answer/i18n.js';
import { showQuote } from '../answer/quote.js';
import { QuestionError } from '../answer/service.js';
import { loadConfigFromEnvironment } from '../config.js';
import type { Answer } from '../types.js';
import { describeChange, followSeeds } from '../watch/index.js';
import { parseCommand } from './args.js';
import { stderrRenderer } from './render.js';

export const usage = `usage: citebot chat
An interactive chat over the articles (builds the index first if there is none). Type /help inside.`;

const HISTORY_SIZE = 500;

const COMMANDS = 'Commands: /help  this text · /sources  full sources of the last answer · /articles  the indexed articles · /quit  leave (or Ctrl-D)';

/** The help, with example questions about the loaded articles (src/answer/examples.ts). */
function help(titles: ReadonlyArray<{ title: string }>): string {
  const examples = examplesByLanguage(titles);
  return `Ask a question about the articles, in Russian, Kazakh or English${examples.length ? ', e.g.\n' + examples.map((q) => `  ${q}`).join('\n') : '.'}\n${COMMANDS}`;
}

/** The command a line starts with ("/help me" → "/help"), or null for a question; words after it are ignored. */
export function commandOf(text: string): string | null {
  return text.startsWith('/') ? text.split(/\s/)[0] : null;
}

/** The full sources of an answer: every cited passage and the further ones retrieval found. */
export function fullSources(a: Answer): string {
  if (!a.citations.length && !a.more.length) return 'The last answer cited no sources.';
  // A refusal cites only the articles nearest the question: its header says so, as the reply did.
  const lines: string[] = a.answered ? [] : [LABELS[a.language].closest];
  for (const c of [...a.citations, ...a.more]) {
    lines.push(`[${c.n}] ${describeSource(c, a.language)}  score ${c.score}`);
    lines.push(`    «${showQuote(c.quote, c).replace(/\s+/g, ' ')}»`);
  }
  return lines.join('\n');
}

/** Line history survives between chats (up-arrow), kept beside the index. */
function readHistory(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).reverse().slice(0, HISTORY_SIZE);
  } catch {
    return [];
  }
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {}, usage);
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}; ${usage.split('\n')[0]}`);
  const config = await loadConfigFromEnvironment();
  const render = stderrRenderer();
  const opened = await openService(config, { buildIfMissing: true, onEvent: render.onEvent });
  render.end();
  const info = opened.info();
  // stdout is the conversation (greeting, prompts, answers); what happens to the index goes to stderr.
  const out = process.stdout;
  // On a terminal, the prompt (with what was being typed) comes back under such a line, unless an answer is coming.
  let redrawPrompt = () => {};
  let clearPrompt = '';
  const status = (text: string) => {
    process.stderr.write(`${clearPrompt}${redact(text)}\n`);
    redrawPrompt();
  };
  // One line per new index, whether the watcher of seeds/ or another `citebot index` made it.
  let announced = info.generation;
  const announce = (what: string) => {
    const i = opened.info();
    if (i.generation === announced) return;
    announced = i.generation;
    status(`(${what}: ${i.articles} articles, ${i.passages} passages)`);
  };
  const seeds = followSeeds(config, opened, {
    // A build that only recorded a skipped file (named in its warning) changed no article: nothing to announce.
    onIndexed: (s) => (s.added || s.changed || s.removed ? announce(`articles changed (${describeChange(s)}); index reloaded`) : (announced = opened.info().generation)),
    onWarning: status,
  });
  const service = seeds.service;
  out.write(`citebot: ${info.articles} articles, ${info.passages} passages, ${info.model ? `hybrid retrieval (${info.model})` : 'lexical retrieval only'}. /help for help, /quit to leave.\n`);
  // Another `citebot index` while chatting: the next question uses the new index.
  service.watch(() => announce('index reloaded'), () => undefined);
  const historyFile = path.join(config.INDEX_DIR, 'chat_history');
  const rl = createInterface({ input: process.stdin, output: out, prompt: '? ', history: readHistory(historyFile), historySize: HISTORY_SIZE, removeHistoryDuplicates: true, terminal: process.stdin.isTTY });
  rl.on('history', (h: string[]) => {
    try {
      writeFileSync(historyFile, [...h].reverse().join('\n') + '\n');
    } catch {
      // History is a convenience: a read-only folder must not stop the chat.
    }
  });
  let last: Answer | null = null;
  let quitting = false;
  const closed = new Promise<void>((resolve) => rl.on('close', resolve));
  let queue = Promise.resolve();
  const handle = async (text: string) => {
    const command = commandOf(text);
    if (command === '/help') out.write(help(service.info().titles) + '\n');
    else if (command === '/sources') out.write((last ? fullSources(last) : 'Ask a question first.') + '\n');
    else if (command === '/articles') out.write(service.info().titles.map((t) => `- ${t.title} (${t.doc})`).join('\n') + '\n');
    else if (command) out.write(`Unknown command ${command}. ${COMMANDS}\n`);
    else {
      try {
        last = await service.ask(text);
        out.write(last.text + '\n');
      } catch (e) {
        // One line, and the chat goes on: a failed answer must not stop the questions after it.
        out.write(`citebot: ${e instanceof QuestionError ? e.message : `could not answer (${(e as Error).message.split('\n')[0]})`}\n`);
      }
    }
  };
  const quit = () => {
    quitting = true;
    queue = queue.then(() => rl.close());
  };
  // SIGTERM (docker stop, systemd, kill) leaves like /quit: the answer in flight finishes, the watcher and its
  // background build stop, the index is closed, exit 0.
  const onTerm = () => (quitting ? undefined : quit());
  process.on('SIGTERM', onTerm);
  let pending = 0;
  if (process.stdin.isTTY) {
    redrawPrompt = () => pending === 0 && !quitting && rl.prompt(true);
    // The status line takes the prompt's place (the prompt is redrawn under it) rather than leaving a blank line.
    if (process.stderr.isTTY && out.isTTY) clearPrompt = '\r\x1b[K';
  }
  rl.on('line', (line) => {
    const text = line.trim();
    // Decided as the line arrives: lines typed (or piped) after /quit are not answered.
    if (quitting) return;
    if (commandOf(text) === '/quit' || commandOf(text) === '/exit') return quit();
    pending++;
    queue = queue.then(() => (text ? handle(text) : undefined)).finally(() => (pending--, quitting || rl.prompt()));
  });
  rl.prompt();
  await closed;
  quitting = true;
  await queue;
  out.write('\n');
  await seeds.stop();
  await service.close();
  process.off('SIGTERM', onTerm);
  return 0;
}
