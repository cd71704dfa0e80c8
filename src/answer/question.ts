import type { Lang } from '../types.js';

/** What kind of answer a question asks for. */
export type AnswerKind = 'count' | 'date' | 'person' | 'organization' | 'place' | 'which' | 'definition' | 'other';

// First match wins: "Кто такой X" is a definition before it is a person, "which organisation" an organisation
// before a "which".
const PATTERNS: Array<[AnswerKind, RegExp]> = [
  ['definition', /(^\s*(что\s+так(ое|ая|ой|ие)|что\s+(означает|значит)|кто\s+так(ой|ая|ие)|what\s+(is|are)\s+(a|an)\s|what\s+does\s.+\smean|define\s)|(дегеніміз|деген(іміз)?|деп\s+нені)\s+(не|кім|нені)?\s*\??\s*$)/iu],
  ['count', /(^|[^\p{L}])(сколько|скольких|қанша|неше|how\s+many|how\s+much|what\s+number|number\s+of)(?!\p{L})/iu],
  ['date', /(^|[^\p{L}])(когда|в\s+каком\s+году|с\s+какого\s+года|какого\s+года|қашан|қай\s+жыл\p{L}*|when|what\s+year|which\s+year|since\s+when)(?!\p{L})/iu],
  ['organization', /(^|[^\p{L}])(как(ая|ой|ие|ую|ими|ой)\s+организаци\p{L}*|как(ое|им|ого)\s+(ведомств|агентств)\p{L}*|which\s+organi[sz]ations?|what\s+organi[sz]ations?|which\s+agency|қай\s+ұйым\p{L}*|қандай\s+ұйым\p{L}*)(?!\p{L})/iu],
  ['person', /(^|[^\p{L}])(кто|кого|кем|кому|кім\p{L}*|who|whom|whose)(?!\p{L})/iu],
  ['place', /(^|[^\p{L}])(где|куда|откуда|в\s+каком\s+городе|в\s+какой\s+стране|қайда|қай\s+жерде|where|which\s+city|which\s+countr(y|ies)|what\s+city)(?!\p{L})/iu],
  ['which', /(^|[^\p{L}])(как(ой|ая|ое|ие|ую|им|ими|ого|ом|ой)|через\s+как\p{L}+|what|which|қай|қандай)(?!\p{L})/iu],
];

export function answerKind(question: string): AnswerKind {
  for (const [kind, re] of PATTERNS) if (re.test(question)) return kind;
  return 'other';
}

/**
 * For a count question, the word for what is counted: the first content word after "сколько" /
 * "how many" / "қанша" ("стран", "countries", "ел").
 */
export function countedWord(question: string): string | undefined {
  const m = question.match(/(?:сколько|скольких|қанша|неше|how\s+many|how\s+much|number\s+of)\s+(?:(?:всего|же|ещё|еще|the|of)\s+)*([\p{L}-]+)/iu);
  return m?.[1]?.toLowerCase();
}

export function isQuestionLang(x: string): x is Lang {
  return x === 'ru' || x === 'kk' || x === 'en';
}

/**
 * For "which X" questions, the words naming what kind of thing is asked for ("информационную систему",
 * "указом", "organization"): the answer usually stands right after them in the article.
 */
export function headWords(question: string): string[] {
  const m = question.match(/(?:^|[^\p{L}])(?:как(?:ой|ая|ое|ие|ую|им|ими|ого|ом|ой)|which|what|қай|қандай)\s+([\p{L}-]+)(?:\s+([\p{L}-]+))?/iu);
  return m ? [m[1], m[2]].filter((w): w is string => !!w).map((w) => w.toLowerCase()) : [];
}
