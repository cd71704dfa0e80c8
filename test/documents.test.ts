import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIndex } from '../src/index/build.js';
import { loadIndex } from '../src/index/store.js';
import type { IndexReader } from '../src/index/reader.js';
import { retrieve } from '../src/retrieve/hybrid.js';
import { makeWorkspace, type Workspace } from './helpers/workspace.js';

// Filler sentences of words no question asks about, so each paragraph is a passage of its own.
const filler = (seed: string, n: number) =>
  Array.from({ length: n }, (_, i) => `The ${seed} committee met on day ${i + 1} and reviewed the ordinary ${seed} paperwork of the quarter.`).join(' ');

describe('ranking articles, not only passages', () => {
  let ws: Workspace;
  let index: IndexReader;
  beforeAll(async () => {
    ws = await makeWorkspace({
      seeds: false,
      articles: {
        // One paragraph matching the question a little better than any single paragraph of the other article.
        'one.txt': `Harbour notes\n\n${filler('harbour', 6)} The salt lake evaporation rate doubled, lake experts said.\n\n${filler('dock', 6)}`,
        // Two paragraphs that both match it.
        'two.txt': `Lake survey\n\n${filler('survey', 6)} The salt lake evaporation rate doubled last summer.\n\n${filler('field', 6)} Salt lake evaporation was measured again in winter.\n\n${filler('office', 6)}`,
        'other.txt': `Unrelated\n\n${filler('garden', 8)}`,
      },
    });
    await buildIndex({ seedsDir: ws.config.SEEDS_DIR, indexDir: ws.config.INDEX_DIR, model: null, getEmbedder: async () => ({ embedder: null, reason: 'off' }) });
    index = await loadIndex(ws.config.INDEX_DIR);
  });
  afterAll(() => ws.cleanup());

  it('puts an article matching the question in two passages ahead of one with a single slightly better passage', () => {
    const r = retrieve(index, 'How fast is salt lake evaporation?', { k: 16 });
    const passageOrder = [...new Set(r.passages.map((p) => p.passage.docId))];
    expect(passageOrder[0]).toBe('one.txt');
    expect(r.documents.slice(0, 2)).toEqual(['two.txt', 'one.txt']);
    // The same articles as the passages, each once.
    expect([...r.documents].sort()).toEqual([...passageOrder].sort());
  });
});
