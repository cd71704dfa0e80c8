/**
 * The peer every quality claim is compared with: a MiniSearch BM25 index over paragraphs, words cut to their first
 * five letters, answering with the sentence of the best paragraph that shares the most words with the question.
 * About forty lines of what anyone would write first; it never refuses.
 */
import MiniSearch from 'minisearch';
import { splitSentences } from '../chunk/sentences.js';
import type { EvalReply } from './metrics.js';

const WORDS = /[\p{L}\p{N}]+/gu;
const cut = (w: string) => w.toLowerCase().replace(/ё/g, 'е').slice(0, 5);
const termsOf = (text: string) => (text.match(WORDS) ?? []).map(cut);

interface Paragraph {
  id: number;
  doc: string;
  text: string;
}

export class MiniSearchPeer {
  private readonly search = new MiniSearch<Paragraph>({
    fields: ['text'],
    storeFields: ['doc', 'text'],
    tokenize: (t) => t.match(WORDS) ?? [],
    processTerm: (t) => cut(t),
  });

  constructor(articles: Array<{ doc: string; text: string }>) {
    let id = 0;
    const paragraphs: Paragraph[] = [];
    for (const a of articles) {
      for (const p of a.text.split(/\n\s*\n/)) if (p.trim()) paragraphs.push({ id: id++, doc: a.doc, text: p.trim() });
    }
    this.search.addAll(paragraphs);
  }

  ask(question: string): EvalReply {
    const hits = this.search.search(question, { combineWith: 'OR' }).slice(0, 10);
    if (!hits.length) return { answered: true, answer: '', citations: [] };
    const q = new Set(termsOf(question));
    const best = hits[0].text as string;
    let sentence = best;
    let most = -1;
    for (const s of splitSentences(best)) {
      const text = best.slice(s.start, s.end);
      const overlap = new Set(termsOf(text).filter((t) => q.has(t))).size;
      if (overlap > most) [most, sentence] = [overlap, text];
    }
    const citations = hits.map((h) => ({ doc: h.doc as string, quote: h.text as string }));
    citations[0] = { doc: citations[0].doc, quote: sentence };
    return { answered: true, answer: `«${sentence}» [1]`, citations };
  }
}
