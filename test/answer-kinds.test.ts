/** The answer parts on made-up sentences: each kind's candidates, the question kinds, the Kazakh stemmer, refusal. */
import { describe, expect, it } from 'vitest';
import { answerability, nearMiss, tooWeak, type Evidence } from '../src/answer/evidence.js';
import { countCandidates } from '../src/answer/kinds/count.js';
import { dateCandidates } from '../src/answer/kinds/date.js';
import { definesSomething } from '../src/answer/kinds/definition.js';
import { organizationCandidates, personCandidates, placeCandidates } from '../src/answer/kinds/names.js';
import type { QuestionContext } from '../src/answer/kinds/types.js';
import { whichCandidates } from '../src/answer/kinds/which.js';
import { answerKind } from '../src/answer/question.js';
import { stem } from '../src/text/analyze.js';
import { stemKazakh } from '../src/text/kazakh.js';
import { monthOf } from '../src/text/lexicon.js';

/** A question context over plain lower-cased stems, for made-up sentences. */
function context(questionWords: string[], opts: { unit?: string[]; head?: string[] } = {}): QuestionContext {
  const termsOf = (w: string) => [stem(w.toLowerCase())];
  const asked = new Set(questionWords.map((w) => stem(w.toLowerCase())));
  return {
    inQuestion: (w) => termsOf(w).some((t) => asked.has(t)),
    termsOf,
    unitTerms: opts.unit ? new Set(opts.unit.map((w) => stem(w))) : undefined,
    headTerms: opts.head ? new Set(opts.head.map((w) => stem(w))) : undefined,
  };
}

describe('answer kinds', () => {
  it('count: the number followed by what is counted is strong, other numbers weak, the question\'s own numbers none', () => {
    const q = context(['мост', '2019'], { unit: ['пролетов'] });
    const cs = countCandidates('В 2019 году мост длиной 1 250 метров получил 12 пролетов.', q);
    expect(cs.find((c) => c.strength === 1)?.text).toBe('12 пролетов');
    expect(cs.map((c) => c.value)).toEqual(['1250', '12']);
    // The end of a range shares its unit with the start: neither is the one figure a direct answer needs.
    const range = countCandidates('Площадь утраченных лесов увеличилась со 415 000 до 587 000 квадратных километров.', context(['площадь'], { unit: ['квадратных'] }));
    expect(range.map((c) => c.value)).toEqual(['415000', '<587000']);
    expect(range.filter((c) => c.strength >= 1)).toEqual([]);
    expect(countCandidates('Площадь выросла до 587 000 квадратных километров.', context(['площадь'], { unit: ['квадратных'] }))[0].strength).toBe(1);
  });

  it('count: the shown phrase ends on the counted noun, never on a describing word', () => {
    // "Сколько региональных отделений у фонда?" counts from "региональных".
    const ru = countCandidates('Фонд объединяет более 80 региональных отделений и 12 стран.', context(['региональных', 'отделений', 'фонд'], { unit: ['региональных'] }));
    expect(ru.find((c) => c.strength === 1)?.text).toBe('более 80 региональных отделений');
    // "How many regional banks founded the fund?": the noun, not the question's verb after it.
    const en = countCandidates('Initially 7 regional banks founded the fund.', context(['regional', 'banks', 'founded', 'fund'], { unit: ['regional'] }));
    expect(en.find((c) => c.strength === 1)?.text).toBe('7 regional banks');
    // No noun within reach: the number with its modifier alone.
    expect(countCandidates('Их стало более 9 новых.', context(['новых'], { unit: ['новых'] }))[0].text).toBe('более 9');
  });

  it('person and organisation: only whole names, never the tail of a longer one', () => {
    const s = 'The Northern hub of Public Service was founded by Anna Berg in 2010.';
    const people = personCandidates(s, context(['founded', 'hub'])).map((c) => c.text);
    expect(people).toContain('Anna Berg');
    expect(people).not.toContain('Public Service');
    // "Which ministry…": the question holds "Ministry", and "Foreign Affairs" alone is not the organisation.
    const orgs = organizationCandidates('The Ministry of Foreign Affairs signed it with the Harbour Authority.', context(['ministry', 'signed']));
    expect(orgs.map((c) => c.text)).not.toContain('Foreign Affairs');
    expect(orgs.map((c) => c.text)).toContain('Harbour Authority');
  });

  it('date: dates and years the question does not give, the most specific first', () => {
    const cs = dateCandidates('The bridge opened on March 5, 2021, ten years after work began in 2011.', context(['bridge', '2011']));
    expect(cs.map((c) => c.text)).toEqual(['March 5, 2021']);
    // Years of history count too; a range of years is a span, not a date.
    expect(dateCandidates('Ахмет 1873 жылы Сарытүбек ауылында туған.', context(['ахмет'])).map((c) => c.text)).toEqual(['1873']);
    expect(dateCandidates('The abbey was founded in 1066 by the king.', context(['abbey'])).map((c) => c.text)).toEqual(['1066']);
    expect(dateCandidates('Ахмет Байтұрсынұлы (1873-1938) ақын.', context(['ахмет']))).toEqual([]);
    // A decade is one date, not its first year.
    expect(dateCandidates('The system was created in the 1950s by Congress.', context(['system'])).map((c) => c.text)).toEqual(['1950s']);
    expect(dateCandidates('Завод построили в 1990-е годы.', context(['завод'])).map((c) => c.text)).toEqual(['1990-е годы']);
  });

  it('person: two capitalised words that are not a body; organisation and place from the same runs', () => {
    const s = 'Mayor John Carter of Springfield met the World Health Organization in Geneva.';
    expect(personCandidates(s, context(['met'])).map((c) => c.text)).toContain('John Carter');
    expect(personCandidates(s, context(['met'])).map((c) => c.text)).not.toContain('World Health Organization');
    expect(organizationCandidates(s, context(['met'])).filter((c) => c.strength >= 0.8).map((c) => c.text)).toEqual(['World Health Organization']);
    expect(placeCandidates('Флаги подняли Казахстан, Грузия и Кыргызстан.', context(['флаги'])).map((c) => c.text)).toEqual(['Казахстан, Грузия и Кыргызстан']);
    // A capitalised article inside a sentence opens a title; at the sentence's start it is just an article.
    expect(organizationCandidates("The programme's first serial, An Unearthly Child, shows the Doctor.", context(['serial'])).map((c) => c.text)).toContain('An Unearthly Child');
    expect(organizationCandidates('The Harbour Authority signed it.', context(['signed'])).map((c) => c.text)).toEqual(['Harbour Authority']);
  });

  it('which: only a quoted name right after the kind asked for', () => {
    const q = context(['система'], { head: ['систему'] }); // "Через какую систему…?"
    expect(whichCandidates('Отбор пройдёт через систему «Открытый конкурс», писала газета «Вести».', q).map((c) => c.text)).toEqual(['Открытый конкурс']);
  });

  it('definition: a sentence that defines ranks as one', () => {
    expect(definesSomething('Сепсис — это реакция организма на инфекцию.')).toBe(true);
    expect(definesSomething('A hub is a central place where things meet.')).toBe(true);
    expect(definesSomething('The hub opened in 2013.')).toBe(false);
  });

  it('tells the kind of a question in each language', () => {
    expect(answerKind('Сколько пролетов у моста?')).toBe('count');
    expect(answerKind('How many spans does the bridge have?')).toBe('count');
    expect(answerKind('Көпірдің неше аралығы бар?')).toBe('count');
    expect(answerKind('В каком году открыли мост?')).toBe('date');
    expect(answerKind('Көпір қай жылы ашылды?')).toBe('date');
    expect(answerKind('Who built the bridge?')).toBe('person');
    expect(answerKind('Көпірді кім салды?')).toBe('person');
    expect(answerKind('Где построили мост?')).toBe('place');
    expect(answerKind('Which organization paid for the bridge?')).toBe('organization');
    expect(answerKind('Что такое сепсис?')).toBe('definition');
    expect(answerKind('Сепсис дегеніміз не?')).toBe('definition');
    expect(answerKind('Почему мост закрыли?')).toBe('other');
  });
});

describe('text', () => {
  it('Kazakh: plural, possessive and case endings come off in chains; short stems stay', () => {
    expect(stemKazakh('елдердің')).toBe('елдер');
    expect(stemKazakh('мектептерімізде')).toBe('мектеп');
    expect(stemKazakh('кітаптарының')).toBe('кітап');
    expect(stemKazakh('қалаларда')).toBe('қала');
    expect(stemKazakh('ел')).toBe('ел');
    // Possessive + accusative after a vowel: the same stem as the possessive alone.
    expect(stemKazakh('бабасын')).toBe(stemKazakh('бабасы'));
  });

  it('Russian and English forms meet at one Snowball stem', () => {
    expect(stem('перехватов', 'ru')).toBe(stem('перехваты', 'ru'));
    expect(stem('countries', 'en')).toBe(stem('country', 'en'));
    // British and American spellings meet too, and every form of a word the same way.
    for (const [uk, us] of [['naturalised', 'naturalized'], ['centre', 'center'], ['colours', 'colors'], ['analyse', 'analyzing'], ['metres', 'meter'], ['organisation', 'organization']])
      expect(stem(uk, 'en'), uk).toBe(stem(us, 'en'));
    expect(stem('rise', 'en')).toBe(stem('rising', 'en'));
    expect(stem('hour', 'en')).toBe(stem('hours', 'en'));
    // A decade written with an apostrophe is the same decade, not the year it starts with.
    expect(stem("1970's", 'en')).toBe(stem('1970s', 'en'));
    expect(stem("1970's", 'en')).not.toBe(stem('1970', 'en'));
  });

  it('one month list for every language', () => {
    expect([monthOf('июля'), monthOf('July'), monthOf('шілде'), monthOf('Sept.'), monthOf('мост')]).toEqual([7, 7, 7, 9, 0]);
  });
});

describe('refusal', () => {
  const strong: Evidence = { coverage: 1, bm25Share: 1.2, logBm25: 2.5, unknownShare: 0, unknownNames: 0, crossLingual: false };
  it('answers when the best passage matches the question fully, refuses when its words are nowhere', () => {
    expect(tooWeak(strong)).toBe(false);
    expect(tooWeak({ ...strong, coverage: 0.3, bm25Share: 0.3, logBm25: 1, unknownShare: 0.6, unknownNames: 1 })).toBe(true);
  });
  it('each feature pushes the way its reason says', () => {
    expect(answerability({ ...strong, unknownShare: 0.3 })).toBeLessThan(answerability(strong));
    expect(answerability({ ...strong, unknownNames: 1 })).toBeLessThan(answerability(strong));
    expect(answerability({ ...strong, coverage: 0.5 })).toBeLessThan(answerability(strong));
  });
  it('a refusal close to the bar is a near miss (worth naming the closest articles); one far below is not', () => {
    const weak: Evidence = { ...strong, coverage: 0.3, bm25Share: 0.3, logBm25: 1, unknownShare: 0.6, unknownNames: 1 };
    const justBelow: Evidence = { coverage: 0.8, bm25Share: 0.5, logBm25: 1.8, unknownShare: 0.2, unknownNames: 0, crossLingual: false };
    expect(tooWeak(justBelow)).toBe(true);
    expect(nearMiss(justBelow)).toBe(true);
    expect(nearMiss(weak)).toBe(false);
    expect(nearMiss(strong)).toBe(false); // answered: not a miss at all
  });
  it('a passage in another language gets a lower bar (words match only through the glossary)', () => {
    const borderline: Evidence = { coverage: 0.8, bm25Share: 0.5, logBm25: 1.8, unknownShare: 0.2, unknownNames: 0, crossLingual: false };
    expect(tooWeak(borderline)).toBe(true);
    expect(tooWeak({ ...borderline, crossLingual: true })).toBe(false);
  });
});
