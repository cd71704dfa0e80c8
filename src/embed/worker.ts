/** The worker side of `threaded.ts`: loads the model once, then embeds what the main thread sends. */
import { parentPort, workerData } from 'node:worker_threads';
import { loadEmbedder, type Embedder, type LoadEmbedderOptions } from './embedder.js';
import { CHANNEL, type WorkerReply, type WorkerRequest } from './threaded.js';

const port = parentPort!;
const send = (m: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

/** Jobs that came by message and are not finished: while there are any, this thread's event loop must keep turning. */
let jobs = 0;
let control: Int32Array | null = null;

/**
 * How long the channel may block this thread before it looks at its messages anyway. The main thread wakes it
 * whenever it posts one, so this is a backstop, not a poll.
 */
const BLOCK_MS = 1000;

/** Answers questions put in the shared channel, for as long as the worker lives. */
async function serveChannel(embedder: Embedder, buffer: SharedArrayBuffer): Promise<void> {
  const c = (control = new Int32Array(buffer, 0, 2));
  const bytes = new Uint8Array(buffer, CHANNEL.TEXT_OFFSET, CHANNEL.TEXT_BYTES);
  const vector = new Float32Array(buffer, CHANNEL.vectorOffset(), embedder.dim);
  for (;;) {
    const state = Atomics.load(c, CHANNEL.STATE);
    if (state === CHANNEL.GONE) return;
    if (state !== CHANNEL.ASKED) {
      if (jobs === 0) {
        // Blocked, a question wakes this thread at once (an event-loop wake-up costs 0.1–0.3 ms here); then the
        // event loop turns once, for messages that may have come meanwhile.
        Atomics.wait(c, CHANNEL.STATE, state, BLOCK_MS);
        if (Atomics.load(c, CHANNEL.STATE) !== CHANNEL.ASKED) await new Promise((r) => setImmediate(r));
      } else {
        // A job by message is running: waiting must not stop it.
        const w = Atomics.waitAsync(c, CHANNEL.STATE, state);
        if (w.async) await w.value;
      }
      continue;
    }
    const text = new TextDecoder().decode(bytes.slice(0, Atomics.load(c, CHANNEL.LENGTH)));
    let outcome: number;
    try {
      vector.set(await embedder.embedQuery(text));
      outcome = CHANNEL.DONE;
    } catch (e) {
      const { written } = new TextEncoder().encodeInto(String((e as Error)?.message ?? e).slice(0, 1000), bytes);
      Atomics.store(c, CHANNEL.LENGTH, written);
      outcome = CHANNEL.FAILED;
    }
    Atomics.store(c, CHANNEL.STATE, outcome);
    Atomics.notify(c, CHANNEL.STATE);
  }
}

const loaded = await loadEmbedder({
  ...(workerData as LoadEmbedderOptions),
  onDownloadProgress: (file, loaded, total) => send({ op: 'download', file, loaded, total }),
});
if (!loaded.ok) {
  send({ op: 'failed', reason: loaded.reason, kind: loaded.kind });
} else {
  const embedder = loaded.embedder;
  port.on('message', async (m: WorkerRequest) => {
    if (m.op === 'channel') return void serveChannel(embedder, m.buffer);
    jobs++;
    try {
      const vectors =
        m.op === 'query'
          ? [await embedder.embedQuery(m.text)]
          : await embedder.embedPassages(m.texts, (done, total) => send({ op: 'progress', id: m.id, done, total }));
      send({ id: m.id, op: 'vectors', vectors }, vectors.map((v) => v.buffer as ArrayBuffer));
    } catch (e) {
      send({ id: m.id, op: 'error', message: (e as Error).message });
    } finally {
      // The channel may be waiting without blocking because of this job: it can block again.
      if (--jobs === 0 && control) Atomics.notify(control, CHANNEL.STATE);
    }
  });
  send({ op: 'ready', modelId: embedder.modelId, dim: embedder.dim });
}
