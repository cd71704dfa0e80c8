/**
 * The figures of the public scorer (`eval/ext/score.py` of the shared folder), computed the same way (same normalisation, same span test, same
 * "first block"), so that `npm run eval` and the public scorer agree to the question.
 */

export interface EvalQuestion {
  id: string;
  lang: string;
  question: string;
  expect: string[];
  sources: string[];
  answerable: boolean;
  group: string;
}

/** What a reply must give to be scored: as `ask --json` prints it. */
export interface EvalReply {
  answered: boolean;
  answer: string;
  citations: Array<{ doc: string; quote: string }>;
}

function norm(s: string): string {
  return s.normalize('NFC').toLowerCase().replace(/ё/g, 'е').replace(/\s+/g, ' ');
}

const STRIP = ' .,;:«»"';
function strip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && STRIP.includes(s[a])) a++;
  while (b > a && STRIP.includes(s[b - 1])) b--;
  return s.slice(a, b);
}

const ALNUM = /[\p{L}\p{N}\p{M}]/u;
const DIGIT = /\p{Nd}/u;

/** score.py's `found`: the span at a word start, and a number that does not run on into more digits. */
export function found(expected: string, text: string): boolean {
  const e = strip(norm(expected));
  const t = norm(text);
  if (!e) return false;
  for (let i = t.indexOf(e); i >= 0; i = t.indexOf(e, i + 1)) {
    const beforeOk = i === 0 || !ALNUM.test(t[i - 1]);
    const j = i + e.length;
    const afterOk = !(DIGIT.test(e[e.length - 1]) && j < t.length && DIGIT.test(t[j]));
    if (beforeOk && afterOk) return true;
  }
  return false;
}

/** The reply's first block: its direct answer line, or its first quote when there is none. */
export function topBlock(answer: string): string {
  return answer.trim().split('\n\n')[0].split('\n')[0];
}

export interface GroupFigures {
  group: string;
  n: number;
  /** Answerable groups. */
  top: number;
  quote3: number;
  doc1: number;
  doc3: number;
  answered: number;
  direct: number;
  directOk: number;
  /** A gold span anywhere in the reply (the older "answer hit"). */
  anywhere: number;
  /** ood groups. */
  refused: number;
  answerable: boolean;
}

const basename = (p: string) => p.split(/[\\/]/).pop() ?? p;

/** Counts per group, as score.py does. */
export function scoreReplies(questions: EvalQuestion[], replies: Map<string, EvalReply>): GroupFigures[] {
  const groups = new Map<string, GroupFigures>();
  for (const q of questions) {
    let g = groups.get(q.group);
    if (!g) {
      g = { group: q.group, n: 0, top: 0, quote3: 0, doc1: 0, doc3: 0, answered: 0, direct: 0, directOk: 0, anywhere: 0, refused: 0, answerable: q.answerable };
      groups.set(q.group, g);
    }
    g.n++;
    const r = replies.get(q.id);
    const answered = !!r?.answered;
    if (!q.answerable) {
      if (!answered) g.refused++;
      continue;
    }
    const cits = r?.citations ?? [];
    const docs = [...new Set(cits.map((c) => basename(c.doc)))];
    if (answered) g.answered++;
    if (docs.length && q.sources.includes(docs[0])) g.doc1++;
    if (docs.slice(0, 3).some((d) => q.sources.includes(d))) g.doc3++;
    if (!answered || !r) continue;
    const top = topBlock(r.answer);
    if (q.expect.some((e) => found(e, top))) g.top++;
    if (q.expect.some((e) => found(e, r.answer))) g.anywhere++;
    if (!top.trimStart().startsWith('«')) {
      const short = top.trim().replace(/\.+$/, '');
      g.direct++;
      if (q.expect.some((e) => found(e, short) || (!!short && found(short, e)))) g.directOk++;
    }
    if (q.expect.some((e) => cits.slice(0, 3).some((c) => found(e, c.quote)))) g.quote3++;
  }
  return [...groups.values()].sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
}

/** The summary figures of score.py (percent) over all groups of a kind. */
export function summarize(groups: GroupFigures[]): Record<string, number> {
  const sum = (pred: (g: GroupFigures) => boolean, f: keyof GroupFigures) =>
    groups.filter(pred).reduce((a, g) => a + (g[f] as number), 0);
  const pct = (a: number, b: number) => (100 * a) / Math.max(1, b);
  const same = (g: GroupFigures) => g.answerable && !g.group.startsWith('cross');
  const cross = (g: GroupFigures) => g.answerable && g.group.startsWith('cross');
  const ood = (g: GroupFigures) => !g.answerable;
  const out: Record<string, number> = {
    same_top: pct(sum(same, 'top'), sum(same, 'n')),
    same_doc3: pct(sum(same, 'doc3'), sum(same, 'n')),
    same_answered: pct(sum(same, 'answered'), sum(same, 'n')),
    same_direct_right: pct(sum(same, 'directOk'), sum(same, 'direct')),
    cross_top: pct(sum(cross, 'top'), sum(cross, 'n')),
    cross_doc3: pct(sum(cross, 'doc3'), sum(cross, 'n')),
    ood_refused: pct(sum(ood, 'refused'), sum(ood, 'n')),
  };
  for (const g of groups) {
    if (g.answerable) {
      out[`${g.group}.top`] = pct(g.top, g.n);
      out[`${g.group}.doc3`] = pct(g.doc3, g.n);
      out[`${g.group}.answered`] = pct(g.answered, g.n);
    } else out[`${g.group}.refused`] = pct(g.refused, g.n);
  }
  return out;
}
