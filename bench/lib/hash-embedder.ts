/**
 * A stand-in embedder for bulk vectors: a sparse random projection of the words of a text (feature hashing),
 * L2-normalised, with the model's dimension. Texts sharing words get close vectors, like the random-weight timing
 * model, but it costs microseconds instead of ~14 ms a passage, so a 10,000-document index (~60,000 passages)
 * gets its vectors in seconds. Only the vectors' count, dimension and rough geometry matter for the search times.
 */
import type { Embedder } from '../../src/embed/embedder.js';

const HASHES_PER_WORD = 8;

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function hashVector(text: string, dim: number): Float32Array {
  const v = new Float32Array(dim);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  for (const w of words) {
    let h = fnv1a(w);
    for (let k = 0; k < HASHES_PER_WORD; k++) {
      h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
      h = (h ^ (h >>> 12)) >>> 0;
      v[h % dim] += h & 0x80000000 ? 1 : -1;
    }
  }
  let n = 0;
  for (let d = 0; d < dim; d++) n += v[d] * v[d];
  n = Math.sqrt(n) || 1;
  for (let d = 0; d < dim; d++) v[d] /= n;
  return v;
}

export class HashEmbedder implements Embedder {
  constructor(
    readonly modelId: string,
    readonly dim: number,
  ) {}

  async embedPassages(texts: string[], onProgress?: (done: number, total: number) => void): Promise<Float32Array[]> {
    const out = texts.map((t) => hashVector('passage: ' + t, this.dim));
    onProgress?.(texts.length, texts.length);
    return out;
  }

  async embedQuery(text: string): Promise<Float32Array> {
    return hashVector('query: ' + text, this.dim);
  }

  async dispose(): Promise<void> {}
}

/**
 * For hybrid questions on an index whose vectors came from HashEmbedder: runs (and pays for) the timing model's
 * forward pass on the query, as the real product does, but searches with the query's vector in the same space as
 * the stored vectors, so the HNSW walk is a realistic one.
 */
export class ModelCostHashEmbedder implements Embedder {
  readonly modelId: string;
  readonly dim: number;
  constructor(private readonly model: Embedder) {
    this.modelId = model.modelId;
    this.dim = model.dim;
  }

  embedPassages(texts: string[], onProgress?: (done: number, total: number) => void): Promise<Float32Array[]> {
    return this.model.embedPassages(texts, onProgress);
  }

  async embedQuery(text: string): Promise<Float32Array> {
    // The stand-in vector is made while the model runs: the product has no such step after the model.
    const pending = this.model.embedQuery(text);
    const v = hashVector('query: ' + text, this.dim);
    await pending;
    return v;
  }

  async dispose(): Promise<void> {}
}
