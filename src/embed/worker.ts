/** The worker side of `threaded.ts`: loads the model once, then embeds what the main thread sends, in order. */
import { parentPort, workerData } from 'node:worker_threads';
import { loadEmbedder, type LoadEmbedderOptions } from './embedder.js';
import type { WorkerReply, WorkerRequest } from './threaded.js';

const port = parentPort!;
const send = (m: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

const loaded = await loadEmbedder({
  ...(workerData as LoadEmbedderOptions),
  onDownloadProgress: (file, loaded, total) => send({ op: 'download', file, loaded, total }),
});
if (!loaded.ok) {
  send({ op: 'failed', reason: loaded.reason, kind: loaded.kind });
} else {
  const embedder = loaded.embedder;
  port.on('message', async (m: WorkerRequest) => {
    try {
      const vectors =
        m.op === 'query'
          ? [await embedder.embedQuery(m.text)]
          : await embedder.embedPassages(m.texts, (done, total) => send({ id: m.id, op: 'progress', done, total }));
      send({ id: m.id, op: 'vectors', vectors }, vectors.map((v) => v.buffer as ArrayBuffer));
    } catch (e) {
      send({ id: m.id, op: 'error', message: (e as Error).message });
    }
  });
  send({ op: 'ready', modelId: embedder.modelId, dim: embedder.dim });
}
