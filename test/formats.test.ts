import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runIndex } from '../src/app/app.js';
import { AnswerService } from '../src/answer/service.js';
import { chunkArticle } from '../src/chunk/chunker.js';
import { buildIndex } from '../src/index/build.js';
import { htmlText } from '../src/ingest/formats.js';
import { findOutlet } from '../src/ingest/metadata.js';
import { ingestDir } from '../src/ingest/read.js';
import { makeWorkspace, PROJECT_SEEDS, ROOT, type Workspace } from './helpers/workspace.js';

const fixture = (f: string) => readFileSync(path.join(ROOT, 'test', 'fixtures', 'formats', f), 'utf8');
const lexical = (ws: Workspace) => buildIndex({ seedsDir: ws.config.SEEDS_DIR, indexDir: ws.config.INDEX_DIR, model: null, getEmbedder: async () => ({ embedder: null, reason: 'off' }) });

let ws: Workspace | undefined;
afterEach(() => ws?.cleanup());

describe('article formats: the text a reader sees is indexed and quoted', () => {
  it('reads Markdown as its reader text: headings, emphasis, link text, list items; outlet from a linked name', async () => {
    ws = await makeWorkspace({ seeds: false, articles: { 'forum.md': fixture('forum.md') } });
    const { articles, warnings } = await ingestDir(ws.seeds);
    expect(warnings).toEqual([]);
    const a = articles[0];
    expect(a).toMatchObject({ format: 'markdown', title: 'Форум «Digital Jas» собрал молодых программистов', outlet: 'El.kz', date: '2024-03-14', language: 'ru' });
    expect(a.text).toContain('зарегистрировались более 2 500 участников из 17 регионов');
    expect(a.text).toContain('\nПобедителем хакатона стала команда Qazaq Code из Караганды.\n');
    for (const markup of ['**', '__', '](', '[', '`', '- Победителем', '> «', '#', 'layout:', 'forum.jpg']) expect(a.text).not.toContain(markup);
  });

  it('reads a saved web page as its article: title, text, <meta> date, site name and author; no menu, ads or comments', async () => {
    ws = await makeWorkspace({ seeds: false, articles: { 'library.html': fixture('library.html') } });
    const { articles, warnings } = await ingestDir(ws.seeds);
    expect(warnings).toEqual([]);
    const a = articles[0];
    expect(a).toMatchObject({ format: 'html', title: 'В Павлодаре открылась новая библиотека', date: '2023-09-21', outlet: 'Павлодар Таймс', author: 'Айгерим Нурланова', language: 'ru' });
    expect(a.text).toContain('Фонд библиотеки насчитывает более 48 тысяч книг на казахском, русском и английском языках.');
    for (const clutter of ['Политика', 'Поиск', 'Курс доллара', 'Реклама', 'Комментарии', 'парковку', 'Наконец-то', 'Читайте также', 'Все права', 'dataLayer', '<']) expect(a.text).not.toContain(clutter);
  });

  it('answers from a Markdown and an HTML article with clean quotes, exact substrings of the reader text', async () => {
    ws = await makeWorkspace();
    ws.write('news/forum.md', fixture('forum.md'));
    ws.write('news/library.html', fixture('library.html'));
    await lexical(ws);
    const service = await AnswerService.open(ws.config);
    try {
      const { articles } = await ingestDir(ws.seeds);
      const text = (doc: string) => articles.find((x) => x.id === doc)!.text;
      const books = await service.ask('Сколько книг в фонде библиотеки в Павлодаре?');
      expect(books.answered).toBe(true);
      expect(books.citations[0].doc).toBe('news/library.html');
      expect(books.text).toContain('более 48 тысяч книг');
      const forum = await service.ask('Сколько участников зарегистрировались на форум Digital Jas?');
      expect(forum.answered).toBe(true);
      expect(forum.citations[0].doc).toBe('news/forum.md');
      expect(forum.text).toContain('более 2 500 участников');
      for (const a of [books, forum]) {
        for (const c of [...a.citations, ...a.more]) {
          expect(text(c.doc).slice(c.start, c.end)).toBe(c.quote);
          for (const junk of ['**', '](', 'http', '<', 'Комментарии', 'парковку']) expect(c.quote).not.toContain(junk);
        }
      }
    } finally {
      await service.close();
    }
  });

  it('takes the site name off a "Headline | Site" title, and finds an outlet named at the start of a sentence', () => {
    const body = '<p>' + 'Городская библиотека открыла новый читальный зал на 120 мест, сообщили в пресс-службе. '.repeat(4) + '</p>';
    for (const sep of [' | ', ' — ', ' - ']) {
      const page = `<html><head><title>Библиотека открыла зал${sep}City News</title><meta property="og:site_name" content="City News"></head><body><article><h1>Библиотека открыла зал</h1>${body}${body}</article></body></html>`;
      expect(htmlText(page)).toMatchObject({ title: 'Библиотека открыла зал', outlet: 'City News' });
    }
    expect(findOutlet('Передает ИА Казинформ, в Астане открылся форум.')).toBe('Казинформ');
    expect(findOutlet('Reports Tengrinews.kz: the forum opened.')).toBe('Tengrinews.kz');
    expect(findOutlet('и передает нам привет')).toBeUndefined();
  });

  it('a page with no article, an empty Markdown file: one warning naming each, the rest indexed', async () => {
    ws = await makeWorkspace({ seeds: false });
    ws.write('ok.md', fixture('forum.md'));
    ws.write('menu-only.html', '<html><head><title>Сайт</title></head><body><nav><a href="/">Главная</a></nav></body></html>');
    ws.write('blank.md', '<!-- draft -->\n\n---\n');
    ws.write('broken.htm', '<html><body><<<>>> \u0000');
    // As `citebot index` (and the background build) report them: one line per skipped file.
    const lines: string[] = [];
    const s = await runIndex(ws.config, { onEvent: (e) => e.kind === 'warning' && lines.push(e.text) });
    expect(s.added).toBe(1);
    expect(s.warnings.map((w) => w.file).sort()).toEqual(['blank.md', 'broken.htm', 'menu-only.html']);
    expect(lines.sort()).toEqual([
      expect.stringMatching(/^warning: skipped blank\.md: empty/),
      expect.stringMatching(/^warning: skipped broken\.htm: binary/),
      expect.stringMatching(/^warning: skipped menu-only\.html: no article text found on the page$/),
    ]);
  });

  it('keeps page clutter (a tag cloud with counts) out of passages', async () => {
    const { articles } = await ingestDir(PROJECT_SEEDS);
    for (const a of articles) {
      for (const p of chunkArticle(a)) {
        expect(p.text).not.toMatch(/(?:^|\n)\d{1,3} \p{Ll}+(?:\n|$)/u);
        expect(p.text).not.toMatch(/\d{1,3} \p{Ll}+\p{Lu}\p{Ll}/u);
      }
    }
  });

  it('decodes a saved page by the charset it declares (windows-1251)', async () => {
    // cp1251: А..я are 0xC0..0xFF; ASCII as is.
    const cp1251 = (t: string) => Uint8Array.from([...t].map((ch) => (ch >= 'А' && ch <= 'я' ? ch.charCodeAt(0) - 0x410 + 0xc0 : ch.charCodeAt(0))));
    const body = 'Аким города открыл новый парк площадью двенадцать гектаров. В парке высадили тысячу деревьев и построили детскую площадку для жителей района.';
    const page = `<html><head><meta charset="windows-1251"><title>Новый парк</title></head><body><article><h1>Новый парк</h1><p>${body}</p><p>${body}</p></article></body></html>`;
    ws = await makeWorkspace({ seeds: false });
    ws.write('park.html', cp1251(page));
    const { articles, warnings } = await ingestDir(ws.seeds);
    expect(warnings).toEqual([]);
    expect(articles[0].title).toBe('Новый парк');
    expect(articles[0].text).toContain('площадью двенадцать гектаров');
  });
});
