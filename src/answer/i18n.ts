import type { Lang } from '../types.js';

/** The reply's own words in each language; quotes stay in the language of their article. */
export interface Labels {
  refusal: string;
  refusalNames: (names: string[]) => string;
  /** Heads the articles named after a refusal that came close. */
  closest: string;
  disagreement: string;
  sources: string;
  noDate: string;
  inferred: (year: number) => string;
  file: string;
}

export const LABELS: Record<Lang, Labels> = {
  ru: {
    refusal: 'В статьях нет ответа на этот вопрос.',
    refusalNames: (n) => `В статьях нет ответа на этот вопрос: ${n.join(', ')} в них не упоминается.`,
    closest: 'Ближе всего к вопросу:',
    disagreement: 'Статьи расходятся (сначала более новые):',
    sources: 'Источники:',
    noDate: 'дата не указана',
    inferred: (y) => `около ${y} г. (по тексту)`,
    file: 'файл',
  },
  kk: {
    refusal: 'Мақалаларда бұл сұраққа жауап жоқ.',
    refusalNames: (n) => `Мақалаларда бұл сұраққа жауап жоқ: ${n.join(', ')} туралы айтылмайды.`,
    closest: 'Сұраққа ең жақын мақалалар:',
    disagreement: 'Мақалалардағы деректер әртүрлі (алдымен жаңалары):',
    sources: 'Дереккөздер:',
    noDate: 'күні көрсетілмеген',
    inferred: (y) => `шамамен ${y} ж. (мәтін бойынша)`,
    file: 'файл',
  },
  en: {
    refusal: 'The articles do not contain the answer to this question.',
    refusalNames: (n) => `The articles do not contain the answer to this question: they do not mention ${n.join(', ')}.`,
    closest: 'Closest to the question:',
    disagreement: 'The articles disagree (newest first):',
    sources: 'Sources:',
    noDate: 'date not stated',
    inferred: (y) => `about ${y} (inferred from the text)`,
    file: 'file',
  },
};
