/** Languages citebot tells apart and answers in. */
export type Lang = 'ru' | 'kk' | 'en';

/** How an article file is written: its reader text comes from it (see ingest/formats.ts). */
export type SourceFormat = 'text' | 'markdown' | 'html';

/** An article read from SEEDS_DIR, with what could be learnt about it. */
export interface Article {
  /** Path relative to SEEDS_DIR with forward slashes; for top-level files, the file name. */
  id: string;
  /**
   * The reader text: what a person reading the article sees. A .txt file as it is (BOM removed); Markdown without
   * its markup; a web page's main text without navigation or comments. Every offset and every quote points into it.
   */
  text: string;
  /** The file's format, from which `text` was extracted. */
  format: SourceFormat;
  /** sha256 of the raw file bytes. */
  hash: string;
  title: string;
  outlet?: string;
  author?: string;
  /** ISO date (YYYY-MM-DD) the text states, if any. */
  date?: string;
  /** A year inferred from the text when no date is stated (e.g. founding year + "for 10 years"). */
  inferredYear?: number;
  language: Lang;
  /** [start, end) character ranges of real content: page furniture is left out. */
  content: Array<[number, number]>;
}

/** Metadata of an article as kept in the index manifest. */
export type ArticleMeta = Omit<Article, 'text' | 'content'>;

/** A retrievable span of an article: `text === article.text.slice(start, end)`. */
export interface Passage {
  id: number;
  docId: string;
  start: number;
  end: number;
  text: string;
}

/** A passage returned by retrieval, with its fused score and the ranks it got. */
export interface ScoredPassage {
  passage: Passage;
  score: number;
  lexicalRank?: number;
  lexicalScore?: number;
  denseRank?: number;
  denseScore?: number;
}

/** One numbered source in an answer. */
export interface Citation {
  n: number;
  doc: string;
  title: string;
  outlet?: string;
  date?: string;
  inferredYear?: number;
  /** Exact substring of the article. */
  quote: string;
  /** Offsets of the quote in the article text. */
  start: number;
  end: number;
  /** The quote is part of a longer sentence: shown with "…" where text was left out (answer/quote.ts). */
  cutBefore?: boolean;
  cutAfter?: boolean;
  score: number;
}

/** One figure of a disagreement between articles, e.g. "43" from [1]. */
export interface Figure {
  value: string;
  citation: number;
}

export interface Answer {
  question: string;
  language: Lang;
  answered: boolean;
  /** The short direct answer ("43 страны-участницы"), if the question asks for one and it was found. */
  direct?: string;
  /** Citations whose quotes are shown as the answer (1 to 3), then any further sources of disagreement. */
  citations: Citation[];
  /** Different figures found for the same question, newest first. */
  disagreement?: Figure[];
  /** Further passages that were retrieved but not quoted ("More sources"). */
  more: Citation[];
  /** The full text a person reads (plain text, no markup). */
  text: string;
  /** embed, retrieve, compose and total, in ms; the model's work overlaps the lexical search, so the parts can add up to more than total. */
  timings_ms: Record<string, number>;
}
