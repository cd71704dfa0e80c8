/**
 * The extractive answer: refuse when the evidence is weak (evidence.ts); otherwise rank the retrieved passages'
 * sentences (sentences.ts), open with a short direct answer only when the best sentence holds one candidate of the
 * kind asked for (kinds/), quote the best sentences, list disagreeing figures for counts, and number the sources.
 */
import type { IndexReader } from '../index/reader.js';
import type { Retrieval } from '../retrieve/hybrid.js';
import type { Answer, ArticleMeta, Citation, Figure, Lang, ScoredPassage } from '../types.js';
import { evidenceOf, nearMiss, tooWeak } from './evidence.js';
import { acronymFor, acronymsIn } from './extract.js';
import { LABELS } from './i18n.js';
import { candidatesFor } from './kinds/index.js';
import type { Typed } from './kinds/types.js';
import { answerKind, type AnswerKind } from './question.js';
import { quoteSpan, wrapQuote } from './quote.js';
import { distanceToQuestion, questionContext, rankSentences, wordsBetween, type RankedSentence } from './sentences.js';
import { COMPOSE, DIRECT, REFUSAL } from './weights.js';
import { widenedSpan, type SentenceSlot } from './widen.js';
import { analysePassage } from '../index/analysis.js';

export interface ComposeInput {
  question: string;
  language: Lang;
  retrieval: Retrieval;
  index: IndexReader;
  /** Cosine similarity above which a dense hit alone (with some lexical support) counts as evidence. */
  denseRescue?: number;
}

type Composed = Omit<Answer, 'timings_ms'>;

/** "How many … are" asks for the figure as it stands now: a sentence stating it as current wins a near-tie. */
const NOW_MARKER =
  /(на сегодняшний день|в настоящее время|на данный момент|сегодня|сейчас|ныне|today|currently|at present|now|recently|бүгінгі таңда|бүгінде|қазір|қазіргі)(?!\p{L})/iu;
const INITIAL_MARKER = /(изначально|первоначально|сначала|при создании|в начале|initially|originally|at first|алғашында|бастапқыда|алғаш)(?!\p{L})/iu;
/** A question about the start or about a given year does not ask for the figure as it is now. */
const PAST_MARKER = new RegExp(`${INITIAL_MARKER.source}|founded|created|established|(?<!\\p{N})(19|20)\\d\\d(?!\\p{N})`, 'iu');

export function compose({ question, language, retrieval, index, denseRescue = 1.1 }: ComposeInput): Composed {
  const L = LABELS[language];
  const meta = (docId: string) => index.document(docId)?.meta;
  const refuse = (text: string, closest: Citation[] = []): Composed => ({
    question,
    language,
    answered: false,
    citations: closest,
    more: [],
    text: closest.length ? `${text}\n\n${L.closest}\n${sourceLines(closest, language)}` : text,
  });
  // A question in another language than its answer matches few words; a close dense match vouches for it.
  const denseVouches = retrieval.bestDense >= denseRescue && retrieval.bestCoverage >= COMPOSE.denseRescueCoverage;
  const evidence = evidenceOf(retrieval, index, language);
  const kind = answerKind(question);
  const q = questionContext(question, language, retrieval, index);
  if (!retrieval.passages.length || (!denseVouches && tooWeak(evidence))) {
    const text = retrieval.unknownNames.length ? L.refusalNames(retrieval.unknownNames) : L.refusal;
    if (!retrieval.passages.length || !nearMiss(evidence)) return refuse(text);
    // Close to the bar: the articles nearest the question are named (by source line; none of them answers it), each
    // cited by its best sentence for `ask --json` and /sources.
    const ranked = rankSentences(retrieval, index, kind, q);
    const nearest = retrieval.documents.slice(0, REFUSAL.closestArticles).flatMap((d) => ranked.find((x) => x.docId === d) ?? []);
    return refuse(text, nearest.map((x, i) => sentenceCitation(i + 1, x, meta(x.docId))));
  }
  const ranked = rankSentences(retrieval, index, kind, q);
  if (!ranked.length) return refuse(L.refusal);
  const yearOf = (docId: string) => recency(meta(docId));

  const best = bestSentence(ranked, kind, question, yearOf);
  // The short answer is the reply's own words, so it is in the question's language: a figure from an article in
  // another language is shown in its quote, not as the answer line ("40-тан астам ел" for "Сколько стран…?");
  // a bare year or number reads the same in every language.
  const candidate = directAnswer(kind, best);
  const direct = candidate && (meta(best.docId)?.language === language || !/\p{L}/u.test(candidate.text)) ? candidate : undefined;
  const first = widened(best, ranked, index, (text) => candidatesFor(kind, text, q).length > 0);
  // Across languages BM25 sees only names and glossary words: too little to rank articles by (dev split, lexical:
  // ru>en questions' source among the first three 18.0 % without article ranking, 12.5 % with it, 14.1 % with it
  // except when the best passage is in another language).
  const quotes = pickQuotes(ranked, first, evidence.crossLingual ? [] : retrieval.documents);
  const asksNow = !PAST_MARKER.test(question);
  // Counts: when the best sentence gives one counted figure, other articles' figures for it are listed too (with
  // or without a short answer line).
  const counted = kind === 'count' ? best.candidates.filter((c) => c.strength >= DIRECT.count) : [];
  const figures = counted.length === 1 ? disagreement(ranked, best, counted[0], yearOf, asksNow) : [];

  // Each [n] is one quote: two quotes of one article get two numbers (their source lines name the same article).
  const citations: Citation[] = [];
  const cite = (s: RankedSentence, focus?: { start: number; end: number }): Citation => {
    const c = sentenceCitation(citations.length + 1, s, meta(s.docId), focus);
    citations.push(c);
    return c;
  };
  const focus = direct && { start: direct.start + best.start - first.start, end: direct.end + best.start - first.start };
  for (const s of quotes) cite(wholeTitle(s, index), s === first ? focus : undefined);
  // Each figure cites a quote that holds it: a shown quote, else its own sentence as a further numbered quote.
  const figureList: Figure[] = figures.map((f) => {
    const at = f.sentence.start + f.candidate.start;
    const quoted = citations.find((c) => c.doc === f.sentence.docId && c.start <= at && at + f.candidate.text.length <= c.end);
    return { value: f.candidate.text, citation: (quoted ?? cite(f.sentence, f.candidate)).n };
  });

  let directText = direct?.text;
  if (direct && (kind === 'organization' || kind === 'which' || kind === 'person')) {
    const acr = acronymFor(direct.text, acronymsIn(articleText(index, best.docId)));
    if (acr && !direct.text.includes(acr)) directText = `${direct.text} (${acr})`;
  }

  const more = retrieval.passages
    .filter((p) => !citations.some((c) => c.doc === p.passage.docId && c.start >= p.passage.start && c.end <= p.passage.end))
    .slice(0, 5)
    .map((p, i) => passageCitation(p, meta(p.passage.docId), citations.length + i + 1));

  return {
    question,
    language,
    answered: true,
    ...(directText ? { direct: directText } : {}),
    citations,
    ...(figureList.length ? { disagreement: figureList } : {}),
    more,
    text: renderText({ direct: directText, figures: figureList, citations, language }),
  };
}

/**
 * The best-supported sentence. For a count, sentences within a near-tie of the best that also give a counted
 * figure are told apart by the figure being stated as current ("на сегодняшний день"), then by the newer article.
 */
function bestSentence(ranked: RankedSentence[], kind: AnswerKind, question: string, yearOf: (doc: string) => number): RankedSentence {
  const top = ranked[0];
  if (kind !== 'count') return top;
  const asksNow = !PAST_MARKER.test(question);
  const counted = (s: RankedSentence) => s.candidates.some((c) => c.strength >= DIRECT.count);
  const tied = ranked.filter((s) => s.score >= top.score - COMPOSE.tie && counted(s));
  if (!tied.length) return top;
  const now = (s: RankedSentence) => (asksNow && NOW_MARKER.test(s.text) ? 1 : 0);
  return tied.sort((a, b) => now(b) - now(a) || yearOf(b.docId) - yearOf(a.docId) || b.score - a.score)[0];
}

/**
 * The short answer: only from the best sentence, only for a kind whose candidates proved reliable on the dev split
 * (DIRECT), and only when the sentence holds exactly one strong candidate (two would be a guess).
 */
function directAnswer(kind: AnswerKind, best: RankedSentence): Typed | undefined {
  const min = (DIRECT as Record<string, number | undefined>)[kind];
  // A rare name can carry most of the question's weight: the sentence must also say something the question asks
  // of it ("Ш. Уәлиханов 1856 жылы танысты" is no answer to when he died).
  if (min === undefined || best.coverage < DIRECT.minCoverage || !best.matchesPlainWord) return undefined;
  const strong = best.candidates.filter((c) => c.strength >= min);
  const near = strong.filter((c) => distanceToQuestion(best, c) <= DIRECT.maxDistance);
  if (near.length !== 1) return undefined;
  // One of an enumeration ("Rose Tyler (Billie Piper), Martha Jones…") is not the answer by itself.
  const listed = strong.some((c) => c !== near[0] && wordsBetween(best, c, near[0]) < DIRECT.listGap);
  return listed ? undefined : near[0];
}

/**
 * The best sentence as quoted first: with its neighbour when that belongs to the answer (widen.ts). `holdsAnswer`
 * tells a neighbour holding something of the kind asked for (a name, a figure, a date).
 */
function widened(best: RankedSentence, ranked: RankedSentence[], index: IndexReader, holdsAnswer: (text: string) => boolean): RankedSentence {
  const p = best.source;
  const scores = new Map(ranked.filter((s) => s.docId === p.docId).map((s) => [s.start, s.score]));
  const slots: SentenceSlot[] = analysePassage(index, p).sentences.map((s) => ({ start: s.start, end: s.end, score: s.title ? undefined : scores.get(p.start + s.start) }));
  const i = slots.findIndex((s) => p.start + s.start === best.start);
  if (i < 0) return best;
  // Only when the best sentence lacks it (rankSentences found its candidates) is a neighbour's name or figure a
  // reason to quote that neighbour.
  if (!best.candidates.length) for (const j of [i - 1, i + 1]) if (slots[j]?.score !== undefined) slots[j].holdsAnswer = holdsAnswer(p.text.slice(slots[j].start, slots[j].end));
  const span = widenedSpan(p.text, slots, i);
  if (span.start === slots[i].start && span.end === slots[i].end) return best;
  return { ...best, start: p.start + span.start, end: p.start + span.end, text: p.text.slice(span.start, span.end) };
}

/**
 * A quote never leaves a «title» open: a sentence the splitter ended inside one ("на тему «Меритократия.") runs on
 * through the sentence that closes it, in the same paragraph and at most TITLE_REACH characters further.
 */
function wholeTitle(s: RankedSentence, index: IndexReader): RankedSentence {
  const open = (t: string) => (t.match(/«/g)?.length ?? 0) - (t.match(/»/g)?.length ?? 0);
  if (open(s.text) <= 0) return s;
  const p = s.source;
  const from = s.start - p.start;
  const to = s.end - p.start;
  for (const x of analysePassage(index, p).sentences) {
    if (x.start < to) continue;
    if (x.end - to > TITLE_REACH || /[\n\r]/.test(p.text.slice(to, x.start))) break;
    const text = p.text.slice(from, x.end);
    if (open(text) <= 0) return { ...s, end: p.start + x.end, text };
  }
  return s;
}
const TITLE_REACH = 200;

/**
 * The best sentence, then the best of other articles scoring near it (the best-matching articles first, then by
 * score), then more of the same articles.
 */
function pickQuotes(ranked: RankedSentence[], best: RankedSentence, documents: readonly string[]): RankedSentence[] {
  const quotes = [best];
  const fits = (s: RankedSentence) => s.score >= best.score * COMPOSE.quoteShare && !quotes.includes(s);
  for (const d of documents.slice(0, COMPOSE.maxQuotes)) {
    if (quotes.length >= COMPOSE.maxQuotes || quotes.some((x) => x.docId === d)) continue;
    const s = ranked.find((x) => x.docId === d);
    if (s && fits(s)) quotes.push(s);
  }
  for (const s of ranked) if (quotes.length < COMPOSE.maxQuotes && fits(s) && !quotes.some((x) => x.docId === s.docId)) quotes.push(s);
  for (const s of ranked) if (quotes.length < COMPOSE.maxQuotes && fits(s) && !quotes.some((x) => x.docId === s.docId && x.start < s.end && s.start < x.end)) quotes.push(s);
  return quotes;
}

/**
 * Other articles' figures for the same count, each article's best, newest first; none when all agree. When the
 * question asks how many there are now, an article's figure stated as current beats one stated as initial.
 */
function disagreement(ranked: RankedSentence[], best: RankedSentence, direct: Typed, yearOf: (doc: string) => number, asksNow: boolean) {
  const timeliness = (s: RankedSentence) => (asksNow ? (NOW_MARKER.test(s.text) ? 1 : 0) - (INITIAL_MARKER.test(s.text) ? 1 : 0) : 0);
  const perDoc = new Map<string, { sentence: RankedSentence; candidate: Typed }>([[best.docId, { sentence: best, candidate: direct }]]);
  // Judged by coverage, not by score: another article's sentence in another language scores lower for the same facts.
  const eligible = ranked.filter((s) => s.docId !== best.docId && s.coverage >= best.coverage * COMPOSE.figureShare);
  eligible.sort((a, b) => timeliness(b) - timeliness(a) || b.score - a.score);
  for (const s of eligible) {
    if (perDoc.has(s.docId)) continue;
    const c = s.candidates.find((x) => x.strength >= DIRECT.count);
    if (c) perDoc.set(s.docId, { sentence: s, candidate: c });
  }
  const all = [...perDoc.values()];
  if (new Set(all.map((f) => f.candidate.value)).size < 2) return [];
  return all.sort((a, b) => yearOf(b.sentence.docId) - yearOf(a.sentence.docId));
}

function recency(m: ArticleMeta | undefined): number {
  if (!m) return 0;
  if (m.date) return Number(m.date.slice(0, 4)) + 0.5;
  return m.inferredYear ?? 0;
}

/** A ranked sentence (or its part around `focus`, when longer than a quote may be) as citation number `n`. */
function sentenceCitation(n: number, s: RankedSentence, m: ArticleMeta | undefined, focus?: { start: number; end: number }): Citation {
  const span = quoteSpan(s.text, COMPOSE.maxQuoteChars, focus);
  const c = citation(n, s.docId, m, s.text.slice(span.start, span.end), s.start + span.start, s.start + span.end, round(s.score));
  if (span.cutBefore) c.cutBefore = true;
  if (span.cutAfter) c.cutAfter = true;
  return c;
}

/** "[n] Title — outlet, date (file)", one line per citation. */
function sourceLines(citations: Citation[], language: Lang): string {
  return citations.map((c) => `[${c.n}] ${describeSource(c, language)}`).join('\n');
}

/** The article's indexed text (its passages), for the abbreviations it uses. */
function articleText(index: IndexReader, docId: string): string {
  return (index.document(docId)?.passageIds ?? []).map((id) => index.passage(id)?.text ?? '').join('\n');
}

function passageCitation(p: ScoredPassage, m: ArticleMeta | undefined, n: number): Citation {
  const { docId, text, start, end } = p.passage;
  return citation(n, docId, m, text, start, end, round(p.score));
}

/** A citation of an article (file, title, outlet or author, date or inferred year) and its quote. */
function citation(n: number, docId: string, m: ArticleMeta | undefined, quote: string, start: number, end: number, score: number): Citation {
  const outlet = m?.outlet || m?.author;
  return {
    n,
    doc: docId,
    title: m?.title ?? docId,
    ...(outlet ? { outlet } : {}),
    ...(m?.date ? { date: m.date } : {}),
    ...(m?.inferredYear ? { inferredYear: m.inferredYear } : {}),
    quote,
    start,
    end,
    score,
  };
}

/** "Title — outlet, date (file)" for a source line. */
export function describeSource(c: Pick<Citation, 'title' | 'outlet' | 'date' | 'inferredYear' | 'doc'>, language: Lang): string {
  return `${c.title} — ${[c.outlet, whenOf(c, language)].filter(Boolean).join(', ')} (${c.doc})`;
}

/** The stated date, else the inferred year (said to be inferred), else "date not stated". */
export function whenOf(c: Pick<Citation, 'date' | 'inferredYear'>, language: Lang): string {
  const L = LABELS[language];
  return c.date ?? (c.inferredYear ? L.inferred(c.inferredYear) : L.noDate);
}

function renderText(a: { direct?: string; figures: Figure[]; citations: Citation[]; language: Lang }): string {
  const L = LABELS[a.language];
  const parts: string[] = [];
  if (a.direct) parts.push(`${a.direct}.`.replace(/([.!?])\.$/, '$1'));
  // Every citation is shown as its quote, so each [n] in the text can be read: the answer's quotes, then the
  // sentences of the disagreeing figures.
  parts.push(a.citations.map((q) => `${wrapQuote(q.quote, q)} [${q.n}]`).join('\n'));
  if (a.figures.length) {
    const byN = new Map(a.citations.map((c) => [c.n, c]));
    parts.push(`${L.disagreement}\n${a.figures.map((f) => `• ${f.value} [${f.citation}], ${whenOf(byN.get(f.citation)!, a.language)}`).join('\n')}`);
  }
  parts.push(`${L.sources}\n${sourceLines(a.citations, a.language)}`);
  return parts.join('\n\n');
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
