/**
 * One incremental index build in a child process (started by watch/seeds.ts): the answering process keeps its
 * thread and heap to itself while articles are read, chunked and embedded. The configuration comes in the first
 * IPC message; events and the summary go back as messages. SIGTERM or SIGINT (or the parent going away) aborts the
 * build: buildIndex then removes its partial generation and releases the lock before this process exits.
 */
import { runIndex, type AppEvent } from '../app/app.js';
import type { Config } from '../config.js';
import type { ChildMessage } from './seeds.js';

const abort = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => abort.abort());
process.on('disconnect', () => abort.abort());

const send = (m: ChildMessage) => new Promise<void>((resolve) => (process.connected ? process.send!(m, undefined, {}, () => resolve()) : resolve()));
// Exits once the last message is out: a loaded model's threads must not keep this process alive.
const finish = (m: ChildMessage, code: number) => void send(m).then(() => process.exit(code));

process.once('message', (msg: { config: Config }) => {
  runIndex(msg.config, { signal: abort.signal, onEvent: (e: AppEvent) => void send({ kind: 'event', event: e }) }).then(
    (summary) => finish({ kind: 'done', summary }, 0),
    (e: unknown) => {
      const err = e as Error;
      finish({ kind: 'failed', name: err?.name ?? 'Error', message: err?.message ?? String(e) }, err?.name === 'AbortError' ? 143 : 1);
    },
  );
});
