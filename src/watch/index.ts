/**
 * What the chat and the bot call: `followSeeds(config, service, …)` watches SEEDS_DIR (unless WATCH_SEEDS=0),
 * re-indexes in the background, switches the service to each new index and says so once, and checks each answer's
 * quotes against the files.
 */
import type { Config } from '../config.js';
import type { BuildSummary } from '../index/build.js';
import type { IndexReader } from '../index/reader.js';
import type { Answer } from '../types.js';
import { withFreshQuotes } from './fresh.js';
import { watchSeeds, type SeedsWatcher } from './seeds.js';

export { changedSince, watchSeeds, buildInBackground, type SeedsWatcher } from './seeds.js';
export { staleDocuments, withFreshQuotes } from './fresh.js';

interface Service {
  ask(question: string): Promise<Answer>;
  reload(): Promise<boolean>;
  readonly current: IndexReader;
}

/** "2 added, 1 changed, 0 removed": what a background build did, for the one line that tells the user. */
export function describeChange(s: Pick<BuildSummary, 'added' | 'changed' | 'removed'>): string {
  return `${s.added} added, ${s.changed} changed, ${s.removed} removed`;
}

export function followSeeds<S extends Service>(
  config: Config,
  service: S,
  opts: { onIndexed?: (summary: BuildSummary) => void; onWarning?: (text: string) => void } = {},
): { service: S; watcher: SeedsWatcher | null; stop: () => Promise<void> } {
  if (!config.WATCH_SEEDS) return { service, watcher: null, stop: async () => undefined };
  const watcher = watchSeeds(config, {
    index: service.current,
    onWarning: opts.onWarning,
    // Switch now rather than when the index folder's watcher notices, then tell once.
    onIndexed: (summary) => void service.reload().then(() => opts.onIndexed?.(summary), (e: Error) => opts.onWarning?.(`warning: could not switch to the new index (${e.message})`)),
  });
  return { service: withFreshQuotes(service, config.SEEDS_DIR, watcher), watcher, stop: () => watcher.stop() };
}
