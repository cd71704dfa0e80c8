import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswerService, QuestionError, validateQuestion } from '../src/answer/service.js';
import { loadEmbedder, type Embedder } from '../src/embed/embedder.js';
import { buildIndex } from '../src/index/build.js';
import { answerKind, countedWord } from '../src/answer/question.js';
import { numbersIn } from '../src/answer/extract.js';
import { detectLanguage } from '../src/text/language.js';
import { LexicalIndex } from '../src/index/lexical.js';
import { planQuery } from '../src/retrieve/query.js';
import { makeWorkspace, type Workspace } from './helpers/workspace.js';
import type { Answer } from '../src/types.js';
import { LABELS } from '../src/answer/i18n.js';
import { fullSources } from '../src/cli/chat.js';

async function openLexical(ws: Workspace): Promise<AnswerService> {
  await buildIndex({ seedsDir: ws.config.SEEDS_DIR, indexDir: ws.config.INDEX_DIR, model: null, getEmbedder: async () => ({ embedder: null, reason: 'off' }) });
  return AnswerService.open(ws.config);
}

/** Answers each question from a lexical index of just these articles. */
async function askOf(articles: Record<string, string>, questions: string[]): Promise<Answer[]> {
  const ws = await makeWorkspace({ seeds: false, articles });
  const service = await openLexical(ws);
  try {
    const out: Answer[] = [];
    for (const q of questions) out.push(await service.ask(q));
    return out;
  } finally {
    await service.close();
    ws.cleanup();
  }
}

describe('answers from the sample articles (lexical)', () => {
  let ws: Workspace;
  let service: AnswerService;
  const article = (doc: string) => readFileSync(path.join(ws.seeds, doc), 'utf8');
  beforeAll(async () => {
    ws = await makeWorkspace();
    service = await openLexical(ws);
  });
  afterAll(async () => {
    await service.close();
    ws.cleanup();
  });

  it('gives the number first, quotes that are exact substrings, and numbered sources', async () => {
    const a = await service.ask('Сколько стран входит в хаб?');
    expect(a.answered).toBe(true);
    expect(a.direct).toBe('43 страны-участницы');
    expect(a.text.startsWith('43 страны-участницы.')).toBe(true);
    expect(a.citations.length).toBeGreaterThanOrEqual(1);
    for (const c of [...a.citations, ...a.more]) expect(article(c.doc).slice(c.start, c.end)).toBe(c.quote);
    for (const c of a.citations) expect(a.text).toContain(`[${c.n}] ${c.title}`);
    expect(a.more.length).toBeGreaterThan(0);
    expect(a.citations[0]).toMatchObject({ doc: '000_d5247af2f4a2beb1.txt', outlet: 'El.kz' });
    expect(a.text).toContain(`«${a.citations[0].quote}» [1]`);
    expect(a.text).toContain('Источники:');
  });

  it('gives the short answer in the question\'s language: a figure from an article in another language stays in its quote', async () => {
    // The Kazakh article's "40-тан астам ел" ranks first for this wording.
    const a = await service.ask('Сколько стран в хабе?');
    expect(a.answered).toBe(true);
    expect(a.direct === undefined || /стран/.test(a.direct)).toBe(true);
    expect(a.text).not.toMatch(/^40-тан/);
  });

  it('shows the disagreement between articles, newest first, each figure with its source', async () => {
    const a = await service.ask('Сколько стран входит в хаб?');
    const figures = a.disagreement ?? [];
    expect(figures.length).toBeGreaterThanOrEqual(3);
    const values = figures.map((f) => f.value);
    expect(values[0]).toMatch(/^43/);
    expect(values.some((v) => v.startsWith('36'))).toBe(true);
    expect(values.some((v) => /30/.test(v))).toBe(true);
    // Each figure cites a different article, and the order follows the articles' dates.
    const docs = figures.map((f) => a.citations.find((c) => c.n === f.citation)!);
    expect(new Set(docs.map((d) => d.doc)).size).toBe(figures.length);
    const years = docs.map((d) => (d.date ? Number(d.date.slice(0, 4)) : d.inferredYear ?? 0));
    expect([...years].sort((x, y) => y - x)).toEqual(years);
    expect(a.text).toContain('Статьи расходятся');
  });

  it('numbers each quote once, 1..N, and each disagreeing figure cites a quote that holds it', async () => {
    const a = await service.ask('Сколько стран входит в хаб?');
    const all = [...a.citations, ...a.more].map((c) => c.n);
    expect(all).toEqual(all.map((_, i) => i + 1));
    for (const f of a.disagreement ?? []) expect(a.citations.find((c) => c.n === f.citation)!.quote).toContain(f.value);
    const [quotes, , sources] = a.text.split('\n\n').slice(1);
    expect(quotes.split('\n').map((l) => l.match(/\[(\d+)\]$/)?.[1])).toEqual(a.citations.map((c) => String(c.n)));
    expect(sources.split('\n').slice(1).map((l) => l.match(/^\[(\d+)\]/)?.[1])).toEqual(a.citations.map((c) => String(c.n)));
  });

  it('a count answer ends on the counted noun; a person answer is a whole name or none', async () => {
    expect((await service.ask('Сколько институциональных партнеров у хаба?')).direct).toBe('более 80 институциональных партнеров');
    expect((await service.ask('How many international organizations established the Hub?')).direct).toBe('5 international organizations');
    const who = await service.ask('Who founded the hub?');
    expect(who.direct).toBeUndefined();
    expect(who.text.startsWith('«')).toBe(true);
  });

  it('answers in the language of the question, quotes in the language of the article', async () => {
    const kk = await service.ask('Хаб елордада қай жылдан бері жұмыс істейді?');
    expect(kk.language).toBe('kk');
    expect(kk.direct).toBe('2013');
    expect(kk.text).toContain('Дереккөздер:');
    const en = await service.ask('Who chairs the Steering Committee of the Astana Civil Service Hub?');
    expect(en.language).toBe('en');
    expect(en.direct).toMatch(/Baymenov|Байменов/);
    expect(en.text).toContain('Sources:');
    const ru = await service.ask('Кто руководит Бюро по государственной службе Грузии?');
    expect(ru.direct).toBe('Екатерина Кардава');
  });

  it('finds a person, a year, an organisation and a quoted name: short only when sure, else in the first quote', async () => {
    const firstLine = async (q: string) => (await service.ask(q)).text.split('\n')[0];
    expect((await service.ask('Who presented the SMART-learning methodology?')).direct).toBe('Mr. Lim');
    expect(await firstLine('Когда был создан Астанинский хаб государственной службы?')).toMatch(/^«.*2013/);
    expect(await firstLine('Через какую информационную систему будет проходить конкурсный отбор?')).toMatch(/«eqyzmet\.gov\.kz»/);
    expect(await firstLine("Which countries' governments took the initiative to co-finance the hub in 2015?")).toContain('Thailand, Georgia and Kyrgyzstan');
    expect((await service.ask('Together with which organization was the Hub created?')).text).toContain('United Nations Development Programme');
    expect((await service.ask('When was the conference on innovative approaches held?')).text).toContain('December 8-9');
  });

  it('answers "who is X" with what the articles say of X, not with another name', async () => {
    const a = await service.ask('Кто такой Ларби Джакта?');
    expect(a.answered).toBe(true);
    expect(a.direct).toBeUndefined();
    expect(a.citations[0].quote).toContain('Ларби Джакта');
  });

  it('says plainly, in the question\'s language, that the articles do not hold the answer', async () => {
    const cases: Array<[string, RegExp]> = [
      ['What is the capital of France?', /^The articles do not contain the answer/],
      ['Какая завтра будет погода в Алматы?', /^В статьях нет ответа/],
      ['Ертең ауа райы қандай болады?', /^Мақалаларда бұл сұраққа жауап жоқ/],
      ['Сколько стоит билет на концерт?', /^В статьях нет ответа/],
    ];
    for (const [q, re] of cases) {
      const a = await service.ask(q);
      expect(a.answered, q).toBe(false);
      expect(a.text, q).toMatch(re);
      expect(a.text).not.toContain('«');
      // A refusal that came close names the articles nearest the question, each by its source line, none quoted.
      for (const c of a.citations) expect(a.text, q).toContain(`[${c.n}] ${c.title}`);
    }
    // Far from anything in the articles: nothing is named.
    for (const q of ['What is the capital of France?', 'Ертең ауа райы қандай болады?']) expect((await service.ask(q)).citations, q).toEqual([]);
  });

  it('rejects empty, over-long and control-character questions with a clear message', async () => {
    for (const bad of ['', '   \n ', 'x'.repeat(2001), 'hello\u0007world', 'a\u0000b']) {
      expect(() => validateQuestion(bad)).toThrow(QuestionError);
      await expect(service.ask(bad)).rejects.toThrow(QuestionError);
    }
    expect(validateQuestion('  Сколько   стран?  ')).toBe('Сколько стран?');
  });

  it('reports timings and handles hostile text as a plain question', async () => {
    const a = await service.ask('<script>alert(1)</script> & "хаб" \'; DROP TABLE');
    expect(typeof a.answered).toBe('boolean');
    expect(a.timings_ms.total).toBeGreaterThanOrEqual(0);
  });
});

describe('question analysis', () => {
  it('tells what kind of answer is asked for', () => {
    expect(answerKind('Сколько стран входит в хаб?')).toBe('count');
    expect(answerKind('Хабқа қанша ел қатысады?')).toBe('count');
    expect(answerKind('How many countries are in the Hub?')).toBe('count');
    expect(answerKind('Когда был создан хаб?')).toBe('date');
    expect(answerKind('Кто руководит бюро?')).toBe('person');
    expect(answerKind('Together with which organization was the Hub created?')).toBe('organization');
    expect(countedWord('Сколько всего исследований провел Хаб?')).toBe('исследований');
    expect(countedWord('How many countries initially established the Hub?')).toBe('countries');
  });

  it('reads "in what year" as the question word: the year noun is not something to match', () => {
    const index = new LexicalIndex('stem');
    index.add(1, 'In 1911 Smith published a book of poems in Orenburg; Smith was a teacher in the years before.');
    index.add(2, 'Ахмет 1911 жылы Орынборда «Маса» жинағын шығарды.');
    const words = (q: string) => planQuery(q, index).concepts.map((c) => c.word);
    expect(words('In what year was Smith born?')).toEqual(['smith', 'born']);
    expect(words('Ахмет қай жылы туған?')).toEqual(['ахмет', 'туған']);
    expect(words('В каком году родился Смит?')).toEqual(['родился', 'смит']);
    // An initial is part of a name, wherever it stands.
    expect(planQuery('Ш. Уәлиханов қай жылы қайтыс болған?', index).concepts.map((c) => [c.word, c.name])).toEqual([
      ['ш', true],
      ['уәлиханов', true],
      ['қайтыс', false],
    ]);
    // Elsewhere in a question a year is what it is about.
    expect(words('What did Smith publish that year?')).toContain('year');
  });

  it('never leaves a «title» open in a quote, though its full stops end sentences', async () => {
    const [a] = await askOf(
      { 'conf.txt': 'Конференция\n\nВ Астане прошла конференция на тему «Меритократия. Добропорядочность. Инновации». В ней участвовали 300 человек.\n' },
      ['На какую тему прошла конференция в Астане?'],
    );
    expect(a.answered).toBe(true);
    for (const c of a.citations) {
      expect((c.quote.match(/«/g) ?? []).length).toBe((c.quote.match(/»/g) ?? []).length);
    }
    expect(a.citations[0].quote).toContain('«Меритократия. Добропорядочность. Инновации»');
  });

  it('quotes the row of a Markdown table that answers, though a row is only a few words', async () => {
    const [a] = await askOf(
      {
        'harvest.md': '# Урожай 2023\n\nУрожай пшеницы по областям в 2023 году.\n\n| Область | Урожай, млн тонн |\n|---|---|\n| Костанайская | 5,1 |\n| Северо-Казахстанская | 4,0 |\n| Акмолинская | 3,2 |\n',
        'other.txt': 'Погода\n\nВ Костанайской области весной прошли дожди. Урожай овощей вырос.\n',
      },
      ['Какой урожай пшеницы в Костанайской области?'],
    );
    expect(a.citations.map((c) => c.quote)).toContain('Костанайская · 5,1');
  });

  const town = {
    'library.txt':
      'The city library reopens after renovation\n\nMayor Arman Serikov signed the decree on 3 March 2024. The renovation of the central city library was approved after a long debate in the council.\n\nThe library now holds 120,000 books and a new children\'s section. Readers can borrow up to ten books at a time.\n',
    'bridge.txt':
      'A new bridge over the river\n\nThe new bridge over the Ishim river was opened in May. It is 400 metres long and carries four lanes of traffic.\n\nEngineers tested the bridge with forty loaded trucks before the opening.\n',
    'festival.txt':
      'Music festival in the park\n\nThe summer music festival took place in the central park. More than fifty bands played over three days.\n\nTickets were sold out a week before the festival began.\n',
  };

  it('quotes the sentence next to the best one when it holds the name asked for and the best one holds none', async () => {
    const [a] = await askOf(town, ['Who approved the renovation of the central city library?']);
    expect(a.answered).toBe(true);
    expect(a.citations[0].quote).toBe('Mayor Arman Serikov signed the decree on 3 March 2024. The renovation of the central city library was approved after a long debate in the council.');
  });

  it('names the articles nearest a question it almost answered, without quoting them; nothing for a question far off', async () => {
    const [near, far] = await askOf(town, ['Who is the director of the library?', 'When will the museum reopen?']);
    expect(near.answered).toBe(false);
    expect(near.text).toBe(`${LABELS.en.refusal}\n\n${LABELS.en.closest}\n[1] The city library reopens after renovation — about 2024 (inferred from the text) (library.txt)`);
    // For `ask --json` and /sources each named article carries its best sentence, an exact span like any quote.
    expect(near.citations).toHaveLength(1);
    expect(town['library.txt'].slice(near.citations[0].start, near.citations[0].end)).toBe(near.citations[0].quote);
    expect(fullSources(near).split('\n')[0]).toBe(LABELS.en.closest);
    expect(far).toMatchObject({ answered: false, citations: [], text: LABELS.en.refusal });
  });

  it('gives no year as the short answer when the year next to the name answers another question', async () => {
    const questions = ['In what year was John Smith born?', 'Ахмет Байтұрсынов қай жылы туған?', 'Ш. Уәлиханов қай жылы қайтыс болған?'];
    const answers = await askOf(
      {
        'smith.txt': 'John Smith\n\nIn 1911 John Smith published a book of poems in Orenburg. The book sold well across the steppe.\n',
        'ahmet.txt': 'Ахмет Байтұрсынов\n\n1911 жылы Ахмет Байтұрсынов Орынборда «Маса» жинағын шығарды. Кітап кең таралды.\n',
        'walikhanov.txt': 'Ш. Уәлиханов\n\nШ. Уәлиханов 1856 жылы Семеновпен танысты. Олар көп сөйлесті.\n',
        // "born" and "туған" are words of the archive, so the question's other words are what a sentence must match.
        'others.txt': 'Poets of the steppe\n\nMany poets were born in the steppe and wrote about it. Көп ақын далада туған. Ақын ерте қайтыс болды.\n',
      },
      questions,
    );
    answers.forEach((a, i) => expect(a.direct, questions[i]).toBeUndefined());
  });


  it('reads numbers with qualifiers and what they count, skipping years and dates', () => {
    const ns = numbersIn('Хаб с 2013 года включает 43 страны-участницы и более 80 партнеров, 17 июля, 2024-2029 годы, 40-тан астам ел.');
    expect(ns.map((n) => n.value)).toEqual(['43', '>80', '>40']);
    expect(ns[0].text).toBe('43 страны-участницы');
    expect(numbersIn('reaching more than 30 countries')[0]).toMatchObject({ value: '>30', text: 'more than 30 countries' });
  });

  it('plans a question against the index as it is now, after passages are added or removed', () => {
    const index = new LexicalIndex('stem');
    index.add(1, 'The Hub publishes research on civil service reform.');
    index.add(2, 'Kazakhstan hosts a regional office.');
    const plan = () => planQuery('How many partners does the Hub have?', index, 'en').concepts.find((c) => c.word === 'partners')!;
    expect(plan()).toMatchObject({ known: false });
    index.add(3, 'The Hub has more than 80 partners.');
    expect(plan()).toMatchObject({ known: true, weight: index.idf(plan().terms[0]) });
    expect(index.search(planQuery('How many partners?', index, 'en').terms, 5).map((h: { id: number }) => h.id)).toEqual([3]);
    // A name is matched across scripts by sound: its Latin spelling is found once an article has it.
    const latin = () => planQuery('Что сказал Дамитову?', index, 'ru').concepts.flatMap((c) => c.terms).filter((t) => /[a-z]/.test(t));
    expect(latin()).toEqual([]);
    index.add(4, 'Damitov spoke in Astana.');
    expect(latin()).toContain('damitov');
    index.remove(3);
    expect(plan()).toMatchObject({ known: false });
    expect(index.search(planQuery('How many partners?', index, 'en').terms, 5)).toEqual([]);
  });

  it('tells the language of a text from its letters', () => {
    expect(detectLanguage('Сколько стран входит в хаб?')).toBe('ru');
    expect(detectLanguage('Хабқа қанша ел қатысады?')).toBe('kk');
    expect(detectLanguage('How many countries are in the Hub?')).toBe('en');
    // Letters outside the common blocks count too: accented Latin, Cyrillic Supplement (Komi Ԁ), a Kazakh name in Russian.
    expect(detectLanguage('Déjà ÉÀÇÔ über straße')).toBe('en');
    expect(detectLanguage('ԀԁԂԃ')).toBe('ru');
    expect(detectLanguage('2024 — 43!')).toBe('en');
  });
});

describe('hybrid retrieval with the generated model', () => {
  it('answers through the dense + lexical path with the same contract', async () => {
    const ws = await makeWorkspace({ model: true });
    try {
      const getEmbedder = async () => {
        const r = await loadEmbedder({ modelId: ws.config.EMBEDDING_MODEL, modelsDir: ws.config.MODELS_DIR, dtype: 'q8', batchSize: 8, allowDownload: false });
        return r.ok ? { embedder: r.embedder } : { embedder: null as null, reason: r.reason };
      };
      await buildIndex({ seedsDir: ws.config.SEEDS_DIR, indexDir: ws.config.INDEX_DIR, model: { id: ws.config.EMBEDDING_MODEL, dtype: 'q8' }, getEmbedder });
      const service = await AnswerService.open(ws.config, { getEmbedder: () => getEmbedder() });
      expect(service.hybrid).toBe(true);
      expect(service.info().model).toBe(ws.config.EMBEDDING_MODEL);
      const a = await service.ask('Сколько стран входит в хаб?');
      expect(a.answered).toBe(true);
      expect(a.text).toMatch(/(?<!\d)43(?!\d)/);
      expect(a.timings_ms.embed).toBeGreaterThan(0);
      expect((await service.ask('What is the capital of France?')).answered).toBe(false);
      await service.close();
    } finally {
      ws.cleanup();
    }
  }, 60_000);

  it('keeps answering, lexical only and with one warning, when the model fails mid-run', async () => {
    const ws = await makeWorkspace({ model: true });
    try {
      const r = await loadEmbedder({ modelId: ws.config.EMBEDDING_MODEL, modelsDir: ws.config.MODELS_DIR, dtype: 'q8', batchSize: 8, allowDownload: false });
      if (!r.ok) throw new Error(r.reason);
      await buildIndex({ seedsDir: ws.config.SEEDS_DIR, indexDir: ws.config.INDEX_DIR, model: { id: ws.config.EMBEDDING_MODEL, dtype: 'q8' }, getEmbedder: async () => ({ embedder: r.embedder }) });
      // The real model, whose worker then goes away: every vector asked for after that fails.
      let broken = false;
      const flaky: Embedder = {
        modelId: r.embedder.modelId,
        dim: r.embedder.dim,
        embedPassages: (t) => r.embedder.embedPassages(t),
        embedQuery: (q) => (broken ? Promise.reject(new Error('the embedding worker stopped (exit code 1)')) : r.embedder.embedQuery(q)),
        dispose: async () => undefined,
      };
      const warnings: string[] = [];
      const service = await AnswerService.open(ws.config, { getEmbedder: async () => ({ embedder: flaky }), onWarning: (m) => warnings.push(m) });
      expect(service.hybrid).toBe(true);
      expect((await service.ask('Сколько стран входит в хаб?')).direct).toMatch(/^43/);
      broken = true;
      const a = await service.ask('Сколько стран входит в хаб?');
      expect(a.direct).toMatch(/^43/);
      expect(service.hybrid).toBe(false);
      expect(service.info().model).toBeNull();
      expect((await service.ask('How many countries are in the Hub?')).answered).toBe(true);
      expect(warnings).toEqual(['warning: the embedding model failed (the embedding worker stopped (exit code 1)); answering from the lexical index only.']);
      await service.close();
      await r.embedder.dispose();
    } finally {
      ws.cleanup();
    }
  }, 60_000);
});
