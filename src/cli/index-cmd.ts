import { describeSummary, getConfig, runIndexBuild, runMain, UsageError } from './common.js';

runMain(async () => {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--json');
  if (unknown.length) throw new UsageError(`unknown option ${unknown[0]}; usage: npm run index [-- --json]`);
  const json = args.includes('--json');
  const config = await getConfig();
  const abort = new AbortController();
  // Ctrl-C stops the build; the index on disk stays the previous, complete one.
  process.once('SIGINT', () => abort.abort());
  process.once('SIGTERM', () => abort.abort());
  const s = await runIndexBuild(config, { signal: abort.signal });
  if (json) {
    const { added, changed, removed, unchanged, passages, seconds } = s;
    console.log(JSON.stringify({ added, changed, removed, unchanged, passages, seconds, embedded: s.embedded, model: s.model?.id ?? null }));
  } else console.log(describeSummary(s));
});
