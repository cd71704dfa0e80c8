/**
 * Person, place and organisation questions: runs of capitalised words the question does not already hold. A person
 * is two words or more and not a body; an organisation has a body word or is an acronym; lists answer together.
 */
import { namesIn, type Candidate } from '../extract.js';
import type { QuestionContext, Typed } from './types.js';

/** Words that make a capitalised phrase the name of an organisation. */
const ORG_HINT =
  /(programme|program|organi[sz]ation|administration|government|department|agency|bank|union|nations|fund|institute|academy|association|council|ministry|commission|forum|foundation|university|centre|center|office|company|corporation|party|church|parliament|court|программ|организац|агентств|банк|союз|фонд|институт|академи|ассоциаци|совет|министерств|комисси|университет|центр|администрац|правительств|департамент|компани|корпораци|парти|церк|парламент|суд|ұйым|агенттік|қор|академия|кеңес|министрлік|университет|партия)/i;
/** Words that make a capitalised phrase the name of an event. */
const EVENT_HINT = /(conference|summit|forum|seminar|session|war|cup|конференц|форум|семинар|сесси|саммит|войн|кубок|соғыс)/i;
const SHORT_CAPS_WORD = /(^|\s)\p{Lu}{1,4}(\s|$)/u;
const ACRONYM = /^\p{Lu}{2,6}$/u;
/**
 * A capitalised phrase after "of"/"for" is the tail of a longer name ("Regional hub of Civil Service"), not a person;
 * after "<Name> of" it is the tail of an organisation whose head word the question holds ("Ministry of Foreign Affairs").
 */
const TAIL_OF = /(?:^|[^\p{L}])(?:of|for)\s+(?:the\s+)?$/iu;
const NAME_TAIL_OF = /(?<!\p{L})\p{Lu}[\p{L}'’-]*\s+(?:of|for)\s+(?:the\s+)?$/u;
const LIST_JOINER = /^\s*(,\s*|,?\s+(and|и|және|мен|or|или)\s+)$/u;

export function personCandidates(sentence: string, q: QuestionContext): Typed[] {
  return whole(sentence, namesIn(sentence, q.inQuestion), TAIL_OF)
    .filter((c) => /\s/.test(c.text) && !SHORT_CAPS_WORD.test(c.text) && !ORG_HINT.test(c.text) && !EVENT_HINT.test(c.text))
    .map((c) => ({ ...c, strength: 0.8 }));
}

export function organizationCandidates(sentence: string, q: QuestionContext): Typed[] {
  return listsOf(sentence, whole(sentence, namesIn(sentence, q.inQuestion), NAME_TAIL_OF)).map((c) => ({ ...c, strength: ORG_HINT.test(c.text) || ACRONYM.test(c.text) ? 0.8 : 0.3 }));
}

export function placeCandidates(sentence: string, q: QuestionContext): Typed[] {
  return listsOf(sentence, namesIn(sentence, q.inQuestion))
    .filter((c) => !ORG_HINT.test(c.text))
    .map((c) => ({ ...c, strength: 0.6 }));
}

/** Only whole names: a direct answer that is the tail of a name ("Civil Service") is wrong, so it is not offered. */
function whole(sentence: string, names: Candidate[], tail: RegExp): Candidate[] {
  return names.filter((c) => !tail.test(sentence.slice(Math.max(0, c.start - 40), c.start)));
}

/** Names listed one after another ("Thailand, Georgia and Kyrgyzstan") answer together. */
function listsOf(sentence: string, names: Candidate[]): Candidate[] {
  const out: Candidate[] = [];
  for (const c of names) {
    const last = out[out.length - 1];
    if (last && LIST_JOINER.test(sentence.slice(last.end, c.start))) out[out.length - 1] = { text: sentence.slice(last.start, c.end), start: last.start, end: c.end };
    else out.push(c);
  }
  return out;
}
