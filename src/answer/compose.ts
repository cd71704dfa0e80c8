import { analysePassage, type PassageAnalysis } from '../index/analysis.js';
import type { IndexReader } from '../index/reader.js';
import type { Retrieval } from '../retrieve/hybrid.js';
import { conceptMasks, coverage, type Concept, type QueryPlan } from '../retrieve/query.js';
import { analyze, analyzeWord } from '../text/analyze.js';
import type { Answer, ArticleMeta, Citation, Figure, Lang, Passage, ScoredPassage } from '../types.js';
import { quoteSpan, showQuote, type QuoteSpan } from './quote.js';
import { acronymFor, acronymsIn, namesIn, numbersIn, quotedIn, yearsIn, type Candidate, type NumberMention } from './extract.js';
import { evidenceOf, tooWeak } from './evidence.js';
import { LABELS } from './i18n.js';
import { answerKind, countedWord, headWords, type AnswerKind } from './question.js';

/**
 * Below this share of the question's (idf-weighted) concepts found in one passage, the articles are taken
 * not to hold the answer. Calibrated on the dev questions: answerable ones score 0.6–1, the others 0–0.35.
 */
export const MIN_COVERAGE = 0.5;
const MAX_QUOTES = 3;
/** Candidates scoring within this of each other are a tie, settled by the article's date. */
const TIE = 0.08;
/** Another article's figure is part of a disagreement when its sentence scores at least this share of the answer's. */
const FIGURE_SHARE = 0.8;
const UNIT_BONUS = 0.3;
const WHO_IS = /^\s*([Кк]то\s+(такой|такая|такие|это)|[Ww]ho\s+(is|was|are)\s+\p{Lu}|\p{Lu}[\p{L}-]*(\s+\p{Lu}[\p{L}-]*)*\s+(деген\s+)?кім)/u;
const NOW_BONUS = 0.1;
const NOW_MARKER =
  /(на сегодняшний день|в настоящее время|на данный момент|сегодня|сейчас|ныне|today|currently|at present|now|recently|бүгінгі таңда|бүгінде|қазір|қазіргі)(?!\p{L})/iu;
const PAST_MARKER =
  /(изначально|первоначально|сначала|при создании|в начале|initially|originally|at first|when .* (founded|created|established)|алғашында|бастапқыда|алғаш|(?<!\p{N})(19|20)\d\d(?!\p{N}))/iu;
const MAX_QUOTE_CHARS = 320;
// Module constants, not literals inside functions: see the note in text/analyze.ts.
const WORDS = /[\p{L}\p{N}]+/gu;
/** "UN", "РК", "США" as a word of a phrase. */
const SHORT_CAPS_WORD = /(^|\s)\p{Lu}{1,4}(\s|$)/u;
const ACRONYM = /^\p{Lu}{2,6}$/u;

/** A sentence below this share of the best one's score gives no answer; a quote needs QUOTE_SHARE of the answer's. */
const ANSWER_SHARE = 0.45;
const QUOTE_SHARE = 0.7;
/** Below this share of the best score, no step reads a sentence. */
const KEEP_SHARE = ANSWER_SHARE * QUOTE_SHARE;

/** A sentence of a retrieved passage, scored against the question. */
interface ScoredSentence extends SentenceReading {
  score: number;
  /** Rank of the (best) passage it came from. */
  passageRank: number;
}

export interface ComposeInput {
  question: string;
  language: Lang;
  retrieval: Retrieval;
  index: IndexReader;
  /** Cosine similarity above which a dense hit alone (with some lexical support) counts as evidence. */
  denseRescue?: number;
  /** The question as read beforehand from the same plan (`readQuestion`, e.g. while its vector is computed). */
  reading?: QuestionReading;
}

export function compose({ question, language, retrieval, index, denseRescue = 1.1, reading }: ComposeInput): Omit<Answer, 'timings_ms'> {
  const L = LABELS[language];
  const refuse = (text: string): Omit<Answer, 'timings_ms'> => ({ question, language, answered: false, citations: [], more: [], text });
  // A question in another language than its answer matches few words; a close dense match vouches for it.
  const denseVouches = retrieval.bestDense >= denseRescue && retrieval.bestCoverage >= MIN_COVERAGE / 2;
  if (!retrieval.passages.length || (!denseVouches && tooWeak(evidenceOf(retrieval)))) {
    return refuse(retrieval.unknownNames.length ? L.refusalNames(retrieval.unknownNames) : L.refusal);
  }

  const r = reading ?? readQuestion(question, language, retrieval.plan, index);
  const { kind, unitConcept } = r;
  const sentences = scoreSentences(retrieval, r);
  if (!sentences.length) return refuse(L.refusal);
  const meta = (docId: string) => index.document(docId)?.meta;

  // The direct answer: the best typed candidate among the best sentences. Candidates whose sentences score
  // alike are told apart by nearness to the question's words, then by the article's date (newest first).
  const typed: Array<{ sentence: ScoredSentence; candidate: Typed; score: number }> = [];
  for (const s of sentences) {
    // Below this a sentence cannot give the answer (see `direct` below), so its candidates are not worth finding.
    if (s.score < sentences[0].score * ANSWER_SHARE || r.askedAbout) break;
    for (const { candidate, now, support, near } of r.candidatesOf(s)) {
      typed.push({ sentence: s, candidate, score: s.score + candidate.bonus + now + support - near * 0.02 });
    }
  }
  const years = new Map<string, number>();
  const yearOf = (docId: string) => {
    let y = years.get(docId);
    if (y === undefined) years.set(docId, (y = recency(meta(docId))));
    return y;
  };
  const newestFirst = (a: { sentence: ScoredSentence; score: number }, b: { sentence: ScoredSentence; score: number }) =>
    Math.abs(a.score - b.score) > TIE ? b.score - a.score : yearOf(b.sentence.docId) - yearOf(a.sentence.docId) || b.score - a.score;
  typed.sort(newestFirst);
  // A typed candidate from a sentence far weaker than the best is not the answer.
  const direct = process.env.NODIRECT ? undefined : typed.find((t) => t.sentence.score >= sentences[0].score * (t.candidate.bonus >= UNIT_BONUS ? ANSWER_SHARE : 0.6));

  // Quotes: the direct answer's sentence (or the best one), then the best of other documents.
  const first = direct?.sentence ?? sentences[0];
  const quotes: ScoredSentence[] = [first];
  for (const s of sentences) {
    if (quotes.length >= MAX_QUOTES) break;
    if (quotes.some((q) => q.docId === s.docId && overlaps(q, s))) continue;
    if (s.score < first.score * QUOTE_SHARE || s.coverage < 0.35) continue;
    if (quotes.some((q) => q.docId === s.docId) && sentences.some((o) => !quotes.some((q) => q.docId === o.docId) && o.score >= first.score * QUOTE_SHARE)) continue;
    quotes.push(s);
  }

  // Disagreement: other articles giving another figure for the same count, each article's best figure.
  const figures: Array<{ sentence: ScoredSentence; candidate: Typed }> = [];
  if (kind === 'count' && unitConcept && direct?.candidate.bonus === UNIT_BONUS) {
    const perDoc = new Map<string, (typeof typed)[number]>();
    for (const t of typed) {
      if (t.candidate.bonus !== UNIT_BONUS || t.score < direct.score * FIGURE_SHARE) continue;
      if (t.sentence.docId === direct.sentence.docId) continue;
      if (!perDoc.has(t.sentence.docId)) perDoc.set(t.sentence.docId, t);
    }
    const all = [direct, ...perDoc.values()];
    if (new Set(all.map((t) => t.candidate.value)).size > 1) figures.push(...all.sort((a, b) => yearOf(b.sentence.docId) - yearOf(a.sentence.docId)));
  }

  const citations: Citation[] = [];
  const numberOf = new Map<string, number>();
  const cite = (s: ScoredSentence, focus?: Candidate): Citation => {
    let n = numberOf.get(s.docId);
    if (n === undefined) numberOf.set(s.docId, (n = numberOf.size + 1));
    const q = trimQuote(s, focus);
    const c = citation(n, s.docId, meta(s.docId), s.text.slice(q.start - s.start, q.end - s.start), q.start, q.end, round(s.score));
    if (q.cutBefore) c.cutBefore = true;
    if (q.cutAfter) c.cutAfter = true;
    citations.push(c);
    return c;
  };
  const quoteCitations = quotes.map((q) => cite(q, q === direct?.sentence ? direct.candidate : undefined));
  // Each figure's own sentence is among the citations, so that every figure can be checked against its article.
  const figureList: Figure[] = figures.map((f) => {
    const quoted = citations.find((c) => c.doc === f.sentence.docId && c.start <= f.sentence.start + f.candidate.start && f.sentence.start + f.candidate.end <= c.end);
    return { value: f.candidate.text, citation: (quoted ?? cite(f.sentence, f.candidate)).n };
  });

  let directText = direct ? direct.candidate.text : undefined;
  if (direct && (kind === 'organization' || kind === 'which' || kind === 'person')) {
    const acr = acronymFor(directText!, articleAcronyms(index, direct.sentence.docId));
    if (acr && !directText!.includes(acr)) directText += ` (${acr})`;
  }

  const more = retrieval.passages
    .filter((p) => !citations.some((c) => c.doc === p.passage.docId && c.start >= p.passage.start && c.end <= p.passage.end))
    .slice(0, 5)
    .map((p, i) => passageCitation(p, meta(p.passage.docId), citations.length + i + 1));

  const text = renderText({ direct: directText, quotes: quoteCitations, figures: figureList, citations, language });
  // Field by field in the answer's order (see `citation`).
  const answer = { question, language, answered: true } as Omit<Answer, 'timings_ms'>;
  if (directText) answer.direct = directText;
  answer.citations = citations;
  if (figureList.length) answer.disagreement = figureList;
  answer.more = more;
  answer.text = text;
  return answer;
}

function scoreSentences(retrieval: Retrieval, r: QuestionReading): ScoredSentence[] {
  const maxPassage = retrieval.passages[0]?.score || 1;
  const read = retrieval.passages.map((sp) => r.sentencesOf(sp.passage));
  const scores = read.map(({ facts, coverage, context }, rank) => {
    const passageShare = 0.1 * (retrieval.passages[rank].score / maxPassage);
    return facts.map((f, i) => {
      let score = 0.65 * coverage[i] + 0.25 * context[i] + passageShare;
      if (f.asks) score -= 0.3; // an interviewer's question is not an answer
      if (f.words.length < 4) score -= 0.2;
      return score;
    });
  });
  // Only sentences that some later step could use are kept (and copied): most score far below the best.
  let best = -Infinity;
  for (const xs of scores) for (const x of xs) if (x > best) best = x;
  const floor = best > 0 ? best * KEEP_SHARE : -Infinity;
  const byKey = new Map<string, ScoredSentence>();
  read.forEach(({ facts, coverage, context }, rank) => {
    facts.forEach((f, i) => {
      const score = scores[rank][i];
      if (score < floor) return;
      const prev = byKey.get(f.key);
      if (prev && prev.score >= score) return;
      // Spelled out: a spread with added fields took ~4 µs a sentence here (V8 builds such an object on a slow path).
      const { key, docId, start, end, text, words, terms, asks } = f;
      byKey.set(key, { key, docId, start, end, text, words, terms, asks, coverage: coverage[i], context: context[i], score, passageRank: rank });
    });
  });
  return [...byKey.values()].sort((a, b) => b.score - a.score || a.passageRank - b.passageRank || a.start - b.start);
}

/** A sentence of a passage, whatever the question (read once per passage analysis). */
interface SentenceFacts {
  /** `docId:start`: one sentence, whichever passages hold it. */
  key: string;
  docId: string;
  /** Offsets in the article. */
  start: number;
  end: number;
  text: string;
  /** Its words, offsets relative to `text`, with their index terms. */
  words: Array<{ start: number; end: number; terms: readonly string[] }>;
  terms: Set<string>;
  /** Ends with a question mark. */
  asks: boolean;
}

/** A sentence as the question sees it, before any ranking. */
interface SentenceReading extends SentenceFacts {
  coverage: number;
  /** Coverage counting the sentence before it in the passage too ("Хаб… . Бүгінгі таңда ұйым 42…"). */
  context: number;
}

/** A passage's sentences and, for each, its coverage of the question's concepts without and with the one before. */
interface PassageReading {
  facts: SentenceFacts[];
  coverage: number[];
  context: number[];
}

const factsCache = new WeakMap<PassageAnalysis, SentenceFacts[]>();

function sentenceFacts(index: IndexReader, p: Passage): SentenceFacts[] {
  const analysis = analysePassage(index, p);
  let facts = factsCache.get(analysis);
  if (!facts) {
    facts = analysis.sentences.filter((s) => !s.title).map(({ start, end, text, words, terms }) => ({
      key: `${p.docId}:${p.start + start}`,
      docId: p.docId,
      start: p.start + start,
      end: p.start + end,
      text,
      words,
      terms,
      asks: text.trimEnd().endsWith('?'),
    }));
    factsCache.set(analysis, facts);
  }
  return facts;
}

/** A typed answer found in a sentence, with what places it among the others. */
interface CandidateReading {
  candidate: Typed;
  now: number;
  support: number;
  near: number;
}

/**
 * What the composer reads from a question: its kind, its concepts, and, per passage and sentence, coverage and
 * typed candidates (each read once, on first need). None of it depends on the ranking.
 */
export interface QuestionReading {
  kind: AnswerKind;
  /** What a count question counts. */
  unitConcept?: Concept;
  /** "Кто такой …?": the quotes answer, not a name. */
  askedAbout: boolean;
  sentencesOf(p: Passage): PassageReading;
  candidatesOf(s: { key: string; text: string; words: SentenceReading['words'] }): CandidateReading[];
}

export function readQuestion(question: string, language: Lang, plan: QueryPlan, index: IndexReader): QuestionReading {
  const analyzer = index.lexical.analyzer;
  const kind = answerKind(question);
  const questionTerms = new Set(plan.concepts.flatMap((c) => c.terms));
  const termsOf = (word: string) => analyzeWord(word, analyzer);
  const seenWords = new Map<string, boolean>();
  const inQuestion = (word: string) => {
    let v = seenWords.get(word);
    if (v === undefined) seenWords.set(word, (v = termsOf(word).some((t) => questionTerms.has(t))));
    return v;
  };
  // term → index of the question concept it matches, for the word-position measures below
  const conceptOfTerm = new Map<string, number>();
  plan.concepts.forEach((c, i) => c.terms.forEach((t) => conceptOfTerm.has(t) || conceptOfTerm.set(t, i)));
  const askedAbout = kind === 'person' && WHO_IS.test(question);
  const unitConcept = kind === 'count' ? conceptOf(plan.concepts, countedWord(question), analyzer) : undefined;
  const head = new Set(headWords(question).flatMap((w) => analyze(w, analyzer, { lang: language })));
  // "How many … are" asks for the figure as it stands now: prefer one the article states as current.
  const asksNow = kind === 'count' && !PAST_MARKER.test(question);
  const masks = conceptMasks(plan);

  const perPassage = new Map<number, PassageReading>();
  const sentencesOf = (p: Passage): PassageReading => {
    let out = perPassage.get(p.id);
    if (out) return out;
    const facts = sentenceFacts(index, p);
    const cov = new Array<number>(facts.length);
    const ctx = new Array<number>(facts.length);
    let prevTerms = new Set<string>();
    let prevMask = 0;
    facts.forEach(({ terms }, i) => {
      if (masks) {
        const mask = masks.maskOf(terms);
        cov[i] = masks.coverageOf(mask);
        ctx[i] = masks.coverageOf(mask | prevMask);
        prevMask = mask;
      } else {
        cov[i] = coverage(plan, terms);
        ctx[i] = coverage(plan, terms, prevTerms);
        prevTerms = terms;
      }
    });
    perPassage.set(p.id, (out = { facts, coverage: cov, context: ctx }));
    return out;
  };

  const perSentence = new Map<string, CandidateReading[]>();
  const candidatesOf = (s: { key: string; text: string; words: SentenceReading['words'] }): CandidateReading[] => {
    let out = perSentence.get(s.key);
    if (out) return out;
    out = [];
    const candidates = candidatesFor(kind, s.text, { inQuestion, termsOf, unit: unitConcept, head });
    if (candidates.length) {
      const now = asksNow && NOW_MARKER.test(s.text) ? NOW_BONUS : 0;
      const asked = questionWords(s.words, conceptOfTerm);
      for (const c of candidates) {
        const near = Math.min(proximity(s.words, c, asked), 10);
        // The words just around a name say whose name it is ("председатель Агентства … службы Дархан Жазыкбаев").
        const support = kind === 'person' || kind === 'organization' || kind === 'place' ? localSupport(s.words, c, conceptOfTerm) * 0.04 : 0;
        out.push({ candidate: c, now, support, near });
      }
    }
    perSentence.set(s.key, out);
    return out;
  };

  return {
    kind,
    unitConcept,
    askedAbout,
    sentencesOf,
    candidatesOf,
  };
}

/** Among passages read ahead, candidates are found in sentences covering at least this share of the best one's coverage. */
const AHEAD_COVERAGE_SHARE = 0.6;

/**
 * Reads ahead, before the ranking is known (while the question's vector is computed): the sentences of passages
 * likely to be ranked, and the candidates of those covering the question best. Only ever saves work later: the
 * answer is the same with or without it.
 */
export function readAhead(r: QuestionReading, passages: Passage[]): void {
  const read = passages.map((p) => r.sentencesOf(p));
  let best = 0;
  for (const { coverage } of read) for (const c of coverage) if (c > best) best = c;
  if (!best || r.askedAbout) return;
  for (const { facts, coverage } of read) facts.forEach((f, i) => coverage[i] >= best * AHEAD_COVERAGE_SHARE && r.candidatesOf(f));
}

type Typed = Candidate & { bonus: number };

/** A candidate with its bonus (spelled out, not spread: see `scoreSentences`); a count may reach its counted word. */
function typedOf(c: Candidate, bonus: number, end = c.end, text = c.text): Typed {
  return { text, start: c.start, end, value: c.value, bonus };
}

/** Words that make a capitalised phrase the name of an organisation. */
const ORG_HINT =
  /(programme|program|organi[sz]ation|administration|government|department|agency|bank|union|nations|fund|institute|academy|association|council|ministry|commission|forum|foundation|university|centre|center|office|программ|организац|агентств|банк|союз|фонд|институт|академи|ассоциаци|совет|министерств|комисси|университет|центр|администрац|правительств|департамент|ұйым|агенттік|қор|академия|кеңес|министрлік)/i;

/** The candidate comes right after one of the head words ("системы «eqyzmet.gov.kz»"): at most one word between. */
function follows(sentence: string, c: Candidate, head: Set<string>, termsOf: (word: string) => readonly string[]): boolean {
  const before = sentence.slice(0, c.start).match(WORDS) ?? [];
  return before.slice(-2).some((w) => termsOf(w).some((t) => head.has(t)));
}

interface CandidateContext {
  inQuestion: (word: string) => boolean;
  termsOf: (word: string) => readonly string[];
  /** What a count question counts. */
  unit?: Concept;
  /** The kind a "which X" question asks for. */
  head?: Set<string>;
}

function candidatesFor(kind: AnswerKind, sentence: string, { inQuestion, termsOf, unit, head }: CandidateContext): Typed[] {
  switch (kind) {
    case 'count':
      return numbersIn(sentence)
        .filter((n) => !inQuestion(n.value.replace(/^[<>]/, '')))
        .map((n) => {
          const k = unit ? unitIndex(n, unit, termsOf) : -1;
          // Show the number up to the counted word: "42 қатысушы ел", "35 наиболее развитых стран".
          return k < 0 ? typedOf(n, 0.02) : typedOf(n, UNIT_BONUS, n.unitEnds[k], sentence.slice(n.start, n.unitEnds[k]));
        });
    case 'date':
      return yearsIn(sentence)
        .filter((y) => !inQuestion(y.value!))
        .map((y) => typedOf(y, 0.2));
    case 'person':
      return namesIn(sentence, inQuestion)
        // A person is named by two words or a title and a name; "UN", "РК", "США" name bodies, "Kazakhstan" a place,
        // "Development Programme" an organisation.
        .filter((c) => /\s/.test(c.text) && !SHORT_CAPS_WORD.test(c.text) && !ORG_HINT.test(c.text) && !EVENT_HINT.test(c.text))
        .map((c) => typedOf(c, 0.15));
    case 'organization':
      return listsOf(sentence, namesIn(sentence, inQuestion)).map((c) => typedOf(c, ORG_HINT.test(c.text) || ACRONYM.test(c.text) ? 0.15 : 0.03));
    case 'place':
      return listsOf(sentence, namesIn(sentence, inQuestion)).map((c) => typedOf(c, /\s/.test(c.text) ? 0.08 : 0.05));
    case 'which':
      // Only a name right after the kind asked for answers "which X": any other quoted name is a guess.
      return quotedIn(sentence)
        .filter((c) => !inQuestion(c.text) && !!head && follows(sentence, c, head, termsOf))
        .map((c) => typedOf(c, UNIT_BONUS));
    default:
      return [];
  }
}

/** Words that make a capitalised phrase the name of an event, not of a person. */
const EVENT_HINT = /(conference|summit|forum|seminar|session|конференц|форум|семинар|сесси|саммит)/i;

/** Names listed one after another ("Thailand, Georgia and Kyrgyzstan") answer together. */
function listsOf(sentence: string, names: Candidate[]): Candidate[] {
  const out: Candidate[] = [];
  for (const c of names) {
    const last = out[out.length - 1];
    if (last && /^\s*(,\s*|,?\s+(and|и|және|мен)\s+)$/u.test(sentence.slice(last.end, c.start))) {
      out[out.length - 1] = { text: sentence.slice(last.start, c.end), start: last.start, end: c.end };
    } else out.push(c);
  }
  return out;
}

/** The counted word is among the words right after the number ("42 қатысушы ел", "35 наиболее развитых стран"). */
function unitIndex(n: NumberMention, unit: Concept, termsOf: (word: string) => readonly string[]): number {
  return n.unitWords.findIndex((w) => termsOf(w).some((t) => unit.terms.includes(t)));
}

function conceptOf(concepts: Concept[], word: string | undefined, analyzer: IndexReader['lexical']['analyzer']): Concept | undefined {
  if (!word) return undefined;
  const terms = analyze(word, analyzer);
  return concepts.find((c) => c.terms.some((t) => terms.includes(t)));
}

/** Indices of the sentence's words that are words of the question. */
function questionWords(words: ScoredSentence['words'], conceptOfTerm: Map<string, number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < words.length; i++) {
    for (const t of words[i].terms) {
      if (conceptOfTerm.has(t)) {
        out.push(i);
        break;
      }
    }
  }
  return out;
}

/** Words between a candidate and the nearest word of the question (`asked`: their indices) in its sentence. */
function proximity(words: ScoredSentence['words'], c: Candidate, asked: number[]): number {
  // Words are in order and do not overlap: [0, a) end before the candidate starts, [b, n) start after it ends.
  let a = 0;
  while (a < words.length && words[a].end <= c.start) a++;
  let b = a;
  while (b < words.length && words[b].start < c.end) b++;
  let best = 50;
  for (const i of asked) {
    const w = words[i];
    if (w.start >= c.start && w.start < c.end) return 0;
    best = Math.min(best, (w.end <= c.start ? Math.max(0, a - i - 1) : Math.max(0, i - b)) + 1);
  }
  return best;
}

/** How many of the question's concepts stand in the eight words before or three after a candidate. */
function localSupport(words: ScoredSentence['words'], c: Candidate, conceptOfTerm: Map<string, number>): number {
  const before = words.filter((w) => w.end <= c.start).slice(-8);
  const after = words.filter((w) => w.start >= c.end).slice(0, 3);
  const hit = new Set<number>();
  for (const w of [...before, ...after]) for (const t of w.terms) if (conceptOfTerm.has(t)) hit.add(conceptOfTerm.get(t)!);
  return hit.size;
}

function recency(m: ArticleMeta | undefined): number {
  if (!m) return 0;
  if (m.date) return Number(m.date.slice(0, 4)) + 0.5;
  return m.inferredYear ?? 0;
}

/** Long sentences are cut to whole clauses around what answers the question (see quote.ts). */
function trimQuote(s: ScoredSentence, focus?: Candidate): QuoteSpan {
  const q = quoteSpan(s.text, MAX_QUOTE_CHARS, focus);
  return { ...q, start: s.start + q.start, end: s.start + q.end };
}

function passageCitation(p: ScoredPassage, m: ArticleMeta | undefined, n: number): Citation {
  const { docId, text, start, end } = p.passage;
  return citation(n, docId, m, text, start, end, round(p.score));
}

/**
 * A citation of an article (file, title, outlet or author, date or inferred year) and its quote. Built field by
 * field in one order, not spread from parts: V8 copies a spread object with optional fields on a slow path.
 */
function citation(n: number, docId: string, m: ArticleMeta | undefined, quote: string, start: number, end: number, score: number): Citation {
  const c = { n, doc: docId, title: m?.title ?? docId } as Citation;
  const outlet = m?.outlet || m?.author;
  if (outlet) c.outlet = outlet;
  if (m?.date) c.date = m.date;
  if (m?.inferredYear) c.inferredYear = m.inferredYear;
  c.quote = quote;
  c.start = start;
  c.end = end;
  c.score = score;
  return c;
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

function renderText(a: { direct?: string; quotes: Citation[]; figures: Figure[]; citations: Citation[]; language: Lang }): string {
  const L = LABELS[a.language];
  const parts: string[] = [];
  if (a.direct) parts.push(`${a.direct}.`.replace(/([.!?])\.$/, '$1'));
  parts.push(a.quotes.map((q) => `«${showQuote(q.quote, q)}» [${q.n}]`).join('\n'));
  if (a.figures.length) {
    const byN = new Map(a.citations.map((c) => [c.n, c]));
    const lines = a.figures.map((f) => {
      return `• ${f.value} [${f.citation}], ${whenOf(byN.get(f.citation)!, a.language)}`;
    });
    parts.push(`${L.disagreement}\n${lines.join('\n')}`);
  }
  const sources = new Map<number, Citation>();
  for (const c of a.citations) if (!sources.has(c.n)) sources.set(c.n, c);
  parts.push(`${L.sources}\n${[...sources.values()].map((c) => `[${c.n}] ${describeSource(c, a.language)}`).join('\n')}`);
  return parts.join('\n\n');
}

const acronymCache = new WeakMap<IndexReader, Map<string, Set<string>>>();

/** The abbreviations an article uses, from its indexed passages (once per article and loaded index). */
function articleAcronyms(index: IndexReader, docId: string): Set<string> {
  let perDoc = acronymCache.get(index);
  if (!perDoc) acronymCache.set(index, (perDoc = new Map()));
  let set = perDoc.get(docId);
  if (!set) {
    set = acronymsIn((index.document(docId)?.passageIds ?? []).map((id) => index.passage(id)?.text ?? '').join('\n'));
    perDoc.set(docId, set);
  }
  return set;
}

function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start < b.end && b.start < a.end;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
