import { describeSummary, runIndex } from '../app/app.js';
import { UsageError } from '../app/main.js';
import { loadConfigFromEnvironment } from '../config.js';
import { parseCommand } from './args.js';
import { stderrRenderer } from './render.js';

export const usage = `usage: citebot index [--json] [--verify]
Brings the index in INDEX_DIR up to date with the articles in SEEDS_DIR (only new and changed files are read).
  --json     print the summary as one JSON object {added, changed, removed, unchanged, passages, seconds, embedded, model}
  --verify   check every row of the index first (reads all of it) and rebuild it if any is damaged`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { json: { type: 'boolean' }, verify: { type: 'boolean' } }, usage);
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}; ${usage.split('\n')[0]}`);
  const config = await loadConfigFromEnvironment();
  const abort = new AbortController();
  // Ctrl-C stops the build; the index on disk stays the previous, complete one.
  process.once('SIGINT', () => abort.abort());
  process.once('SIGTERM', () => abort.abort());
  const render = stderrRenderer();
  const s = await runIndex(config, { signal: abort.signal, onEvent: render.onEvent, verify: values.verify ? 'full' : 'quick' });
  render.end();
  if (values.json) {
    const { added, changed, removed, unchanged, passages, seconds, embedded } = s;
    console.log(JSON.stringify({ added, changed, removed, unchanged, passages, seconds, embedded, model: s.model?.id ?? null }));
  } else console.log(describeSummary(s));
  return 0;
}
