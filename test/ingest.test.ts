import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chunkArticle } from '../src/chunk/chunker.js';
import { countWords, splitSentences } from '../src/chunk/sentences.js';
import { findPublicationDate, inferYear } from '../src/ingest/metadata.js';
import { ingestDir } from '../src/ingest/read.js';
import { makeWorkspace, PROJECT_SEEDS, type Workspace } from './helpers/workspace.js';

let ws: Workspace | undefined;
afterEach(() => ws?.cleanup());

describe('ingestion of the sample articles', () => {
  it('reads title, outlet, author, date and language', async () => {
    const { articles, warnings } = await ingestDir(PROJECT_SEEDS);
    expect(warnings).toEqual([]);
    const by = Object.fromEntries(articles.map((a) => [a.id, a]));
    expect(by['000_d5247af2f4a2beb1.txt']).toMatchObject({ title: 'Представители 30 стран мира обсуждают проблемы и перспективы развития госслужбы', outlet: 'El.kz', language: 'ru' });
    expect(by['001_6b6724220e226ad6.txt']).toMatchObject({ outlet: 'BNews.kz', language: 'ru' });
    expect(by['002_a1f8ba5e82933b6e.txt']).toMatchObject({ author: 'Ақзер Сегізбай', language: 'kk' });
    expect(by['002_a1f8ba5e82933b6e.txt'].title.length).toBeLessThanOrEqual(160);
    expect(by['003_f7efe0f394f00140.txt']).toMatchObject({ title: 'Госслужба должна быть престижной и конкурентной', date: '2024-08-07', language: 'ru' });
    expect(by['004_5adce98acdbb4eb6.txt']).toMatchObject({ title: 'Conference on innovative methods of civil servants’ development', language: 'en' });
    // No stated date: inferred from the founding year and "за 10 лет"
    expect(by['000_d5247af2f4a2beb1.txt'].inferredYear).toBe(2023);
  });

  it('leaves page furniture out of the content', async () => {
    const { articles } = await ingestDir(PROJECT_SEEDS);
    for (const a of articles) {
      const content = a.content.map(([s, e]) => a.text.slice(s, e)).join('\n');
      for (const junk of ['Reading mode', 'Give feedback', 'Прочитано 446 раз', 'Последнее изменение']) expect(content).not.toContain(junk);
      for (const p of chunkArticle(a)) for (const junk of ['Reading mode', 'Give feedback', 'Прочитано', 'Последнее изменение']) expect(p.text).not.toContain(junk);
    }
  });

  it('parses datelines in Russian, Kazakh and English and ignores "last modified"', () => {
    expect(findPublicationDate(['Title', 'Среда, 07 Август 2024 12:47 Автор'])).toBe('2024-08-07');
    expect(findPublicationDate(['Title', 'Последнее изменение Пятница, 09 Август 2024 13:13'])).toBeUndefined();
    expect(findPublicationDate(['Заголовок', '12 тамыз 2023'])).toBe('2023-08-12');
    expect(findPublicationDate(['Headline', 'Published March 5, 2021 10:00'])).toBe('2021-03-05');
    // A dateline opening the story.
    expect(findPublicationDate(['Новый мост', 'Алматы, 3 мая 2024 — В области открыли новый мост.'])).toBe('2024-05-03');
    expect(findPublicationDate(['New school', 'ASTANA, March 5, 2023. The ministry opened a school.'])).toBe('2023-03-05');
    expect(findPublicationDate(['Жаңа мектеп', 'Астана, 12 тамыз 2023 жылы / Мектеп ашылды.'])).toBe('2023-08-12');
    // A date later in the opening sentence is what the story is about, not when it was written.
    expect(findPublicationDate(['Указ', 'Президент подписал указ 17 июля 2024 года о реформе.'])).toBeUndefined();
    expect(findPublicationDate(['Report', 'The report from Geneva names 3 May 2024 as the deadline.'])).toBeUndefined();
    expect(inferYear('Created in 2013. Over 8 years the hub grew.', new Date('2026-01-01'))).toBe(2021);
  });

  it('skips empty, binary and non-UTF-8 files with a warning naming each, reads nested .md, does not follow symlinks', async () => {
    ws = await makeWorkspace({ seeds: false });
    ws.write('good.txt', 'Good title\nThe hub has 12 members. It was created in 2013.\n');
    ws.write('nested/deeper/note.md', '# Markdown title\n\nSome body text about the hub.\n');
    ws.write('empty.txt', '   \n\n');
    ws.write('binary.txt', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1, 2, 3]));
    ws.write('latin1.txt', new Uint8Array([0x43, 0x61, 0x66, 0xe9, 0x20, 0xe0, 0x20, 0x50, 0x61, 0x72, 0x69, 0x73]));
    ws.write('ignored.pdf', 'not an article');
    mkdirSync(path.join(ws.root, 'outside'));
    writeFileSync(path.join(ws.root, 'outside', 'secret.txt'), 'Outside the seeds folder');
    symlinkSync(path.join(ws.root, 'outside'), path.join(ws.seeds, 'link'));
    symlinkSync(path.join(ws.root, 'outside', 'secret.txt'), path.join(ws.seeds, 'link.txt'));
    const { articles, warnings } = await ingestDir(ws.seeds);
    expect(articles.map((a) => a.id).sort()).toEqual(['good.txt', 'nested/deeper/note.md']);
    expect(articles.find((a) => a.id.endsWith('.md'))!.title).toBe('Markdown title');
    expect(warnings.map((w) => w.file).sort()).toEqual(['binary.txt', 'empty.txt', 'latin1.txt']);
    expect(warnings.find((w) => w.file === 'latin1.txt')!.reason).toMatch(/UTF-8/);
    expect(warnings.find((w) => w.file === 'binary.txt')!.reason).toMatch(/binary/);
  });
});

describe('chunking', () => {
  it('makes passages that are exact substrings at their offsets, of whole sentences, mostly 40–120 words', async () => {
    const { articles } = await ingestDir(PROJECT_SEEDS);
    let total = 0;
    let inRange = 0;
    for (const a of articles) {
      const chunks = chunkArticle(a);
      const sentenceStarts = new Set<number>();
      const sentenceEnds = new Set<number>();
      for (const [s, e] of a.content) for (const sp of splitSentences(a.text, s, e)) (sentenceStarts.add(sp.start), sentenceEnds.add(sp.end));
      for (const c of chunks) {
        expect(a.text.slice(c.start, c.end)).toBe(c.text);
        expect(sentenceStarts.has(c.start)).toBe(true);
        expect(sentenceEnds.has(c.end)).toBe(true);
        const w = countWords(c.text);
        total++;
        if (w >= 40 && w <= 120) inRange++;
        expect(w).toBeLessThanOrEqual(140);
      }
      // Every content sentence is in some passage.
      for (const s of sentenceStarts) expect(chunks.some((c) => c.start <= s && s < c.end)).toBe(true);
    }
    expect(inRange / total).toBeGreaterThan(0.8);
  });

  it('never cuts a sentence, even one longer than the maximum', () => {
    const long = 'Word '.repeat(200).trim() + '.';
    const text = `Title\n${long} Short one after.`;
    const chunks = chunkArticle({ text, content: [[0, 5], [6, text.length]] });
    expect(chunks.some((c) => c.text.includes(long))).toBe(true);
  });

  it('does not split at abbreviations, initials or inside domain names', () => {
    const t = 'Дж. Перри (США) выступил. Система «eqyzmet.gov.kz» работает с 2024 г. в стране. Mr. Lim presented it.';
    const s = splitSentences(t).map((x) => t.slice(x.start, x.end));
    expect(s).toEqual(['Дж. Перри (США) выступил.', 'Система «eqyzmet.gov.kz» работает с 2024 г. в стране.', 'Mr. Lim presented it.']);
    // A stop inside brackets just opened ("c." for circa, "Ph. D."): the sentence goes on after them; a bracket
    // never closed holds for 40 characters only.
    const b = 'Predecessors included Jacques Lefevre (c. 1455–1536), a professor. He taught (Ph. D. Paris) for years. A bracket left open (see above. Then this is a sentence that goes on long enough to close nothing at all. The end.';
    expect(splitSentences(b).map((x) => b.slice(x.start, x.end))).toEqual([
      'Predecessors included Jacques Lefevre (c. 1455–1536), a professor.',
      'He taught (Ph. D. Paris) for years.',
      'A bracket left open (see above. Then this is a sentence that goes on long enough to close nothing at all.',
      'The end.',
    ]);
  });

  it('reads text with no sentence end in pieces of at most 1,000 characters, cut after a comma or a space', () => {
    const words = ['нефть', 'баррель', 'стоит', 'цена', 'рынок', 'доллар', 'Астана'];
    let t = '';
    for (let i = 0; t.length < 300_000; i++) t += words[i % words.length] + (i % 40 === 39 ? ', ' : ' ');
    const t0 = performance.now();
    const spans = splitSentences(t);
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(Math.max(...spans.map((x) => x.end - x.start))).toBeLessThanOrEqual(1_000);
    // The pieces cover the text in order, each cut at a word's edge.
    for (let i = 1; i < spans.length; i++) expect(t.slice(spans[i - 1].end, spans[i].start)).toMatch(/^\s*$/);
    for (const x of spans) expect(t.slice(x.start, x.end)).toMatch(/^\S.*[^\s]$/s);
    expect(spans[0].start).toBe(0);
  });
});
