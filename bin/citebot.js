#!/usr/bin/env node
// citebot's command line. TypeScript runs in this same node process (tsx's in-process loader, no child process),
// so signals such as SIGTERM from docker or systemd reach the program itself.
import { register } from 'tsx/esm/api';

const COMMANDS = {
  ask: ['../src/cli/ask.ts', 'answer one question (--json for scripts, --file for a batch)'],
  chat: ['../src/cli/chat.ts', 'interactive chat in the terminal'],
  index: ['../src/cli/index-cmd.ts', 'bring the index up to date with the articles'],
  eval: ['../src/cli/eval.ts', 'answer quality on a JSON-lines question set'],
  bot: ['../src/bot/main.ts', 'the Telegram bot (BOT_TOKEN; see .env.example)'],
};
const USAGE = `usage: citebot <command> [options]   (citebot <command> --help for its options)\n${Object.entries(COMMANDS)
  .map(([name, [, what]]) => `  ${name.padEnd(6)} ${what}`)
  .join('\n')}`;

const [name, ...args] = process.argv.slice(2);
if (!name || name === '--help' || name === '-h' || name === 'help') {
  console.log(USAGE);
  process.exit(0);
}
if (!Object.hasOwn(COMMANDS, name)) {
  process.stderr.write(`citebot: unknown command ${name}\n${USAGE}\n`);
  process.exit(2);
}
register();
const { runMain } = await import('../src/app/main.ts');
const command = await import(new URL(COMMANDS[name][0], import.meta.url).href);
// A command exports main(argv); one that still runs itself on import has already started.
if (typeof command.main === 'function') runMain(() => command.main(args));
