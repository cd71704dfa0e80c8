import { describe, expect, it } from 'vitest';
import { exampleQuestions, examplesByLanguage } from '../src/answer/examples.js';

const TITLES = [
  { title: 'Mountain rescue teams trained in the Alps' },
  { title: 'Сборная по хоккею выиграла турнир в Праге' },
  { title: 'Ауыл шаруашылығы министрлігі жаңа бағдарлама қабылдады' },
  { title: 'Городской совет утвердил бюджет на следующий год и новые правила парковки автомобилей в историческом центре города' },
  { title: 'Новости' },
];

describe('example questions from the loaded articles', () => {
  it('asks about articles in the user’s language first, then the others, in the user’s language', () => {
    expect(exampleQuestions(TITLES, 'ru')).toEqual([
      'О чём статья «Сборная по хоккею выиграла турнир в Праге»?',
      'О чём статья «Городской совет утвердил бюджет на следующий год и новые правила…»?',
      'О чём статья «Mountain rescue teams trained in the Alps»?',
    ]);
    expect(exampleQuestions(TITLES, 'kk', 1)).toEqual(['«Ауыл шаруашылығы министрлігі жаңа бағдарлама қабылдады» мақаласы не туралы?']);
    expect(exampleQuestions(TITLES, 'en', 2)).toEqual([
      'What is the article “Mountain rescue teams trained in the Alps” about?',
      'What is the article “Сборная по хоккею выиграла турнир в Праге” about?',
    ]);
  });

  it('skips one-word and repeated titles, and gives none for no articles', () => {
    const q = exampleQuestions([{ title: 'Новости' }, { title: 'Итоги недели.' }, { title: 'итоги  недели' }], 'ru');
    expect(q).toEqual(['О чём статья «Итоги недели»?']);
    expect(exampleQuestions([], 'en')).toEqual([]);
  });

  it('never cuts a title inside a word', () => {
    const [q] = exampleQuestions([{ title: 'Word '.repeat(40) }], 'en');
    expect(q).toMatch(/^What is the article “(Word ){13}Word…” about\?$/);
  });

  it('for the terminal chat: one example per language the articles are written in, asked in it', () => {
    expect(examplesByLanguage(TITLES)).toEqual([
      'О чём статья «Сборная по хоккею выиграла турнир в Праге»?',
      '«Ауыл шаруашылығы министрлігі жаңа бағдарлама қабылдады» мақаласы не туралы?',
      'What is the article “Mountain rescue teams trained in the Alps” about?',
    ]);
    expect(examplesByLanguage([{ title: 'Only English news here' }])).toEqual(['What is the article “Only English news here” about?']);
  });
});
