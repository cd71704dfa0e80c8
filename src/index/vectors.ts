import hnswlib from 'hnswlib-node';

const { HierarchicalNSW } = hnswlib;
type HNSW = InstanceType<typeof HierarchicalNSW>;

export interface VectorHit {
  id: number;
  /** Cosine similarity. */
  score: number;
}

const M = 16;
const EF_CONSTRUCTION = 200;
const EF_SEARCH = 64;
const SEED = 100;

/** An HNSW index (cosine) of passage vectors, labelled by passage id. */
export class VectorIndex {
  private live: number;

  private constructor(
    private readonly hnsw: HNSW,
    readonly dim: number,
    live: number,
  ) {
    this.live = live;
  }

  static create(dim: number, capacity: number): VectorIndex {
    const h = new HierarchicalNSW('cosine', dim);
    h.initIndex({ maxElements: Math.max(16, capacity), m: M, efConstruction: EF_CONSTRUCTION, randomSeed: SEED, allowReplaceDeleted: true });
    h.setEf(EF_SEARCH);
    return new VectorIndex(h, dim, 0);
  }

  /** `live` is the number of vectors not deleted, as recorded in the manifest (hnswlib does not tell it cheaply). */
  static async read(file: string, dim: number, live: number): Promise<VectorIndex> {
    const h = new HierarchicalNSW('cosine', dim);
    await h.readIndex(file, true);
    h.setEf(EF_SEARCH);
    return new VectorIndex(h, dim, live);
  }

  /** Passages with a live (not deleted) vector. */
  get count(): number {
    return this.live;
  }

  add(id: number, vector: Float32Array): void {
    if (vector.length !== this.dim) throw new Error(`vector of dimension ${vector.length}, index expects ${this.dim}`);
    const needed = this.hnsw.getCurrentCount() + 1;
    if (needed > this.hnsw.getMaxElements()) this.hnsw.resizeIndex(Math.ceil(needed * 1.5));
    this.hnsw.addPoint(Array.from(vector), id, true);
    this.live++;
  }

  remove(id: number): void {
    try {
      this.hnsw.markDelete(id);
      this.live--;
    } catch {
      // Not present (e.g. an index built before the document had vectors): nothing to remove.
    }
  }

  search(vector: Float32Array, k: number): VectorHit[] {
    const n = Math.min(k, this.live);
    if (n <= 0) return [];
    const r = this.hnsw.searchKnn(Array.from(vector), n);
    return r.neighbors.map((id, i) => ({ id, score: 1 - r.distances[i] }));
  }

  async write(file: string): Promise<void> {
    await this.hnsw.writeIndex(file);
  }
}
