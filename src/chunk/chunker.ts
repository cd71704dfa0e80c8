import type { Article } from '../types.js';
import { countWords, splitSentences, type Span } from './sentences.js';

export interface ChunkOptions {
  minWords: number;
  maxWords: number;
  /** Sentences carried over from the end of one passage to the start of the next. */
  overlapSentences: number;
}

export const DEFAULT_CHUNKING: ChunkOptions = { minWords: 40, maxWords: 120, overlapSentences: 1 };

export interface Chunk {
  start: number;
  end: number;
  text: string;
}

/**
 * Content sentences grouped into sections: a section ends where page furniture stood between two sentences,
 * so no passage (a contiguous slice of the article) ever contains furniture.
 */
export function articleSections(article: Pick<Article, 'text' | 'content'>): Span[][] {
  const sections: Span[][] = [];
  let prevEnd = -1;
  for (const [s, e] of article.content) {
    const gap = prevEnd < 0 ? '' : article.text.slice(prevEnd, s);
    const sents = splitSentences(article.text, s, e);
    if (!sents.length) continue;
    if (prevEnd < 0 || /\S/.test(gap)) sections.push([]);
    sections[sections.length - 1].push(...sents);
    prevEnd = e;
  }
  return sections;
}

/**
 * Packs whole sentences into passages of about minWords–maxWords words. A sentence is never cut: one longer
 * than maxWords becomes a passage of its own. Consecutive passages share `overlapSentences` short sentences so
 * that a fact spanning a boundary is still found whole in one of them.
 */
export function chunkArticle(article: Pick<Article, 'text' | 'content'>, opts: ChunkOptions = DEFAULT_CHUNKING): Chunk[] {
  const chunks: Chunk[] = [];
  const target = (opts.minWords + opts.maxWords) / 2;
  for (const sents of articleSections(article)) {
    const words = sents.map((s) => countWords(article.text.slice(s.start, s.end)));
    const ranges: Array<[number, number]> = []; // sentence index ranges [i, j)
    let i = 0;
    while (i < sents.length) {
      let j = i;
      let total = 0;
      while (j < sents.length && (j === i || total + words[j] <= opts.maxWords) && total < target) {
        total += words[j];
        j++;
      }
      ranges.push([i, j]);
      if (j >= sents.length) break;
      const back = Math.min(opts.overlapSentences, j - i - 1);
      // Overlap only with a short sentence: carrying a long one would repeat most of a passage.
      i = back > 0 && words[j - 1] < opts.minWords / 2 ? j - back : j;
    }
    // A short tail joins the passage before it when the two still fit.
    if (ranges.length > 1) {
      const [ti, tj] = ranges[ranges.length - 1];
      const [pi] = ranges[ranges.length - 2];
      const tail = words.slice(ti, tj).reduce((a, b) => a + b, 0);
      const joined = words.slice(pi, tj).reduce((a, b) => a + b, 0);
      if (tail < opts.minWords && joined <= opts.maxWords) {
        ranges.pop();
        ranges[ranges.length - 1][1] = tj;
      }
    }
    for (const [a, b] of ranges) {
      const start = sents[a].start;
      const end = sents[b - 1].end;
      chunks.push({ start, end, text: article.text.slice(start, end) });
    }
  }
  return chunks;
}
