/**
 * A quote is never shown from text that is no longer in its file. Between an edit and the background re-index
 * that follows it, an answer may cite the old text: each cited file is checked (a stat per file; read again only
 * when its size or time changed), and an answer citing text that is gone waits for the re-index and is asked again.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { IndexReader } from '../index/reader.js';
import { readSeedFile } from '../ingest/read.js';
import type { Answer } from '../types.js';
import type { SeedsWatcher } from './seeds.js';

/** Documents of the answer whose quoted text is no longer in their file (or whose file is gone). */
export function staleDocuments(seedsDir: string, index: Pick<IndexReader, 'document'>, answer: Pick<Answer, 'citations' | 'more'>): string[] {
  const quotes = new Map<string, string[]>();
  for (const c of [...answer.citations, ...answer.more]) quotes.set(c.doc, [...(quotes.get(c.doc) ?? []), c.quote]);
  const stale: string[] = [];
  for (const [doc, qs] of quotes) {
    const abs = path.join(seedsDir, ...doc.split('/'));
    let st;
    try {
      st = statSync(abs);
    } catch {
      stale.push(doc);
      continue;
    }
    const known = index.document(doc);
    if (known && known.size === st.size && known.mtimeMs === st.mtimeMs) continue;
    const now = readSeedFile({ id: doc, absPath: abs, size: st.size, mtimeMs: st.mtimeMs });
    if ('warning' in now || qs.some((q) => !now.article.text.includes(q))) stale.push(doc);
  }
  return stale;
}

interface Asker {
  ask(question: string): Promise<Answer>;
  reload(): Promise<boolean>;
  readonly current: IndexReader;
}

/** Bounds the wait for a re-index before answering from what there is (a build of a huge change can be slow). */
const MAX_WAIT_MS = 60_000;

/**
 * The service with `ask` checked against the files: an answer quoting text that left its file waits for the
 * watcher's re-index, switches to it and is answered again. Everything else passes through to the service.
 */
export function withFreshQuotes<S extends Asker>(service: S, seedsDir: string, watcher: Pick<SeedsWatcher, 'sync'>): S {
  const ask = async (question: string): Promise<Answer> => {
    const first = await service.ask(question);
    if (!staleDocuments(seedsDir, service.current, first).length) return first;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([watcher.sync(), new Promise<void>((r) => (timer = setTimeout(r, MAX_WAIT_MS)))]);
    clearTimeout(timer);
    await service.reload();
    return service.ask(question);
  };
  return new Proxy(service, {
    get(target, prop) {
      if (prop === 'ask') return ask;
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
