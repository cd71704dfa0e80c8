/** The worker side of `threaded.ts`: loads the model once, then embeds what the main thread sends. */
import { parentPort, workerData } from 'node:worker_threads';
import { loadEmbedder, type Embedder, type LoadEmbedderOptions } from './embedder.js';
import { CHANNEL, type WorkerReply, type WorkerRequest } from './threaded.js';

const port = parentPort!;
const send = (m: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

/** Answers questions put in the shared channel, for as long as the worker lives. */
async function serveChannel(embedder: Embedder, buffer: SharedArrayBuffer): Promise<void> {
  const c = new Int32Array(buffer, 0, 2);
  const bytes = new Uint8Array(buffer, CHANNEL.TEXT_OFFSET, CHANNEL.TEXT_BYTES);
  const vector = new Float32Array(buffer, CHANNEL.vectorOffset(), embedder.dim);
  for (;;) {
    const state = Atomics.load(c, CHANNEL.STATE);
    if (state === CHANNEL.GONE) return;
    if (state !== CHANNEL.ASKED) {
      // Waiting without blocking this thread's event loop: passages still arrive by message meanwhile.
      const w = Atomics.waitAsync(c, CHANNEL.STATE, state);
      if (w.async) await w.value;
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
    try {
      const vectors =
        m.op === 'query'
          ? [await embedder.embedQuery(m.text)]
          : await embedder.embedPassages(m.texts, (done, total) => send({ op: 'progress', id: m.id, done, total }));
      send({ id: m.id, op: 'vectors', vectors }, vectors.map((v) => v.buffer as ArrayBuffer));
    } catch (e) {
      send({ id: m.id, op: 'error', message: (e as Error).message });
    }
  });
  send({ op: 'ready', modelId: embedder.modelId, dim: embedder.dim });
}
