/**
 * Example questions for /help and the chat's help, made from the loaded articles' titles: whatever a user
 * indexed, the examples are about it (never fixed questions about one corpus). Pure: titles in, questions out.
 */
import { detectLanguage } from '../text/language.js';
import type { Lang } from '../types.js';

export interface ExampleSource {
  title: string;
  /** The article's language; told from the title when absent. */
  language?: Lang;
}

/** A title longer than this is cut at a word boundary: an example is something one would type. */
const MAX_TITLE_CHARS = 72;
/** Fewer words than this is not a title worth asking about ("Новости", "Home"). */
const MIN_TITLE_WORDS = 2;

const ASK_ABOUT: Record<Lang, (title: string) => string> = {
  ru: (t) => `О чём статья «${t}»?`,
  kk: (t) => `«${t}» мақаласы не туралы?`,
  en: (t) => `What is the article “${t}” about?`,
};

/** `title` trimmed, and cut after a whole word when too long. */
function shorten(title: string): string {
  const t = title.replace(/\s+/g, ' ').trim().replace(/[.!?:;,]+$/, '');
  if (t.length <= MAX_TITLE_CHARS) return t;
  const cut = t.slice(0, MAX_TITLE_CHARS + 1).replace(/\s+\S*$/, '');
  return `${cut.replace(/[.,:;—–-]+$/, '').trimEnd()}…`;
}

/**
 * Up to `max` example questions in `lang` about different articles: first those written in `lang`, then the
 * others (a cross-lingual question is a fair example too), each group in the order given.
 */
export function exampleQuestions(sources: ReadonlyArray<ExampleSource>, lang: Lang, max = 3): string[] {
  const seen = new Set<string>();
  const candidates: Array<{ title: string; same: boolean; order: number }> = [];
  sources.forEach((s, order) => {
    const title = shorten(s.title);
    const key = title.toLowerCase();
    if (title.split(' ').length < MIN_TITLE_WORDS || seen.has(key)) return;
    seen.add(key);
    candidates.push({ title, same: (s.language ?? detectLanguage(s.title)) === lang, order });
  });
  candidates.sort((a, b) => Number(b.same) - Number(a.same) || a.order - b.order);
  return candidates.slice(0, max).map((c) => ASK_ABOUT[lang](c.title));
}

/**
 * One example for each language that some article is written in, asked in that language (the terminal chat's help:
 * its reader may type in any of them).
 */
export function examplesByLanguage(sources: ReadonlyArray<ExampleSource>, langs: ReadonlyArray<Lang> = ['ru', 'kk', 'en']): string[] {
  const known = sources.map((s) => ({ title: s.title, language: s.language ?? detectLanguage(s.title) }));
  return langs.flatMap((lang) => exampleQuestions(known.filter((s) => s.language === lang), lang, 1));
}
