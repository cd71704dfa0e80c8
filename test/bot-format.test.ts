/** Telegram HTML formatting and splitting: pure functions, checked against a strict parser of Telegram's HTML. */
import { describe, expect, it } from 'vitest';
import { LABELS } from '../src/answer/i18n.js';
import { escapeHtml, formatAnswer, formatMore, htmlToText, splitHtml, TELEGRAM_LIMIT } from '../src/bot/format.js';
import type { Answer, Citation } from '../src/types.js';
import { parseTelegramHtml } from './helpers/telegram.js';

const citation = (n: number, over: Partial<Citation> = {}): Citation => ({
  n,
  doc: `doc${n}.txt`,
  title: `Title ${n} <b>&</b>`,
  outlet: 'El.kz',
  date: '2024-08-07',
  quote: `Quote ${n} with <tags> & "quotes"`,
  start: 0,
  end: 10,
  score: 1,
  ...over,
});

function answer(over: Partial<Answer> = {}): Answer {
  const L = LABELS.ru;
  const cits = [citation(1), citation(2, { outlet: undefined, date: undefined, inferredYear: 2015 })];
  return {
    question: 'Сколько стран?',
    language: 'ru',
    answered: true,
    direct: '43 страны',
    citations: cits,
    disagreement: [
      { value: '43 страны', citation: 1 },
      { value: '<30> стран', citation: 2 },
    ],
    more: [citation(3)],
    text: [
      '43 страны.',
      cits.map((c) => `«${c.quote}» [${c.n}]`).join('\n'),
      `${L.disagreement}\n• 43 страны [1], 2024-08-07\n• <30> стран [2], ${L.inferred(2015)}`,
      `${L.sources}\n[1] Title 1 <b>&</b> — El.kz, 2024-08-07 (doc1.txt)\n[2] Title 2 <b>&</b> — ${L.inferred(2015)} (doc2.txt)`,
    ].join('\n\n'),
    timings_ms: {},
    ...over,
  };
}

/** A small deterministic PRNG, so the generated cases are the same on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Random well-formed HTML of the kind the bot writes: words, lines, paragraphs, entities, emoji, nested tags. */
function randomHtml(rand: () => number, size: number): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const atoms = ['слово', 'word', 'сөз', '&amp;', '&lt;b&gt;', '&quot;', '😀', '43', '«цитата»', 'x'.repeat(30)];
  const seps = [' ', ' ', ' ', '\n', '\n\n', ''];
  let out = '';
  const open: string[] = [];
  while (out.length < size) {
    const r = rand();
    if (r < 0.05 && open.length < 3) {
      const t = pick(['b', 'i', 'code', 'a']);
      out += t === 'a' ? '<a href="https://example.com/?a=1&amp;b=2">' : `<${t}>`;
      open.push(t);
    } else if (r < 0.1 && open.length) out += `</${open.pop()}>`;
    else out += pick(atoms) + pick(seps);
  }
  while (open.length) out += `</${open.pop()}>`;
  return out;
}

const squash = (s: string) => s.replace(/\s+/g, '');

describe('escapeHtml / htmlToText', () => {
  it('escapes exactly what Telegram needs and round-trips', () => {
    const s = 'a < b && c > d "q" \'s\' <b>bold</b> &amp;';
    const e = escapeHtml(s);
    expect(e).toBe('a &lt; b &amp;&amp; c &gt; d "q" \'s\' &lt;b&gt;bold&lt;/b&gt; &amp;amp;');
    expect(parseTelegramHtml(e)).toBe(s);
    expect(htmlToText(e)).toBe(s);
  });

  it('drops control characters, normalises line ends and repairs lone surrogates', () => {
    expect(escapeHtml('a\u0000b\u0007c\r\nd\re\tf')).toBe('abc\nd\ne\tf');
    expect(escapeHtml('x\ud800y')).toBe('x\ufffdy');
    expect(escapeHtml('😀')).toBe('😀');
  });

  it('decodes numeric entities', () => {
    expect(htmlToText('&#65;&#x42;&lt;&gt;&quot;&amp;&unknown;')).toBe('AB<>"&&unknown;');
  });
});

describe('formatAnswer', () => {
  it('reads exactly as the command line text, with the direct answer and section labels in bold', () => {
    const a = answer();
    const html = formatAnswer(a);
    expect(parseTelegramHtml(html)).toBe(a.text);
    expect(html.startsWith('<b>43 страны.</b>\n\n')).toBe(true);
    expect(html).toContain(`<b>${LABELS.ru.sources}</b>`);
    expect(html).toContain(`<b>${LABELS.ru.disagreement}</b>`);
    expect(html).toContain('«Quote 1 with &lt;tags&gt; &amp; "quotes"» [1]');
    expect(html).toContain('[1] Title 1 &lt;b&gt;&amp;&lt;/b&gt; — El.kz, 2024-08-07 (doc1.txt)');
    expect(html).toContain('• &lt;30&gt; стран [2]');
  });

  it('leaves a refusal plain', () => {
    const a = answer({ answered: false, direct: undefined, citations: [], more: [], text: 'В статьях нет ответа на этот вопрос: <Атлантида> & Co в них не упоминается.' });
    const html = formatAnswer(a);
    expect(html).not.toContain('<b>');
    expect(parseTelegramHtml(html)).toBe(a.text);
  });
});

describe('formatAnswer of a near miss', () => {
  it('a refusal naming the closest articles: the header in bold, the source lines escaped, the text unchanged', () => {
    const text = `В статьях нет ответа на этот вопрос.\n\n${LABELS.ru.closest}\n[1] Title 1 <b>&</b> — El.kz, 2024-08-07 (doc1.txt)`;
    const a = answer({ answered: false, direct: undefined, disagreement: undefined, citations: [citation(1)], more: [], text });
    const html = formatAnswer(a);
    expect(html).toContain(`<b>${LABELS.ru.closest}</b>`);
    expect(html).toContain('[1] Title 1 &lt;b&gt;&amp;&lt;/b&gt; — El.kz');
    expect(parseTelegramHtml(html)).toBe(a.text);
  });
});

describe('formatMore', () => {
  it('gives each further passage with its resolved source line', () => {
    const html = formatMore([citation(4, { quote: '  Passage <4> & more\n' }), citation(5, { outlet: undefined })], 'en', 'More sources:').join('\n\n');
    const text = parseTelegramHtml(html);
    expect(text).toBe(
      'More sources:\n\n«Passage <4> & more» [4]\n[4] Title 4 <b>&</b> — El.kz, 2024-08-07 (doc4.txt)\n\n' +
        '«Quote 5 with <tags> & "quotes"» [5]\n[5] Title 5 <b>&</b> — 2024-08-07 (doc5.txt)',
    );
  });
});

describe('splitHtml', () => {
  it('leaves a short message alone', () => {
    expect(splitHtml('<b>hi</b> &amp; bye')).toEqual(['<b>hi</b> &amp; bye']);
  });

  it('cuts on paragraph boundaries when it can', () => {
    const para = (c: string) => `${c.repeat(30)} `.repeat(60).trim(); // ~1,860 characters
    const html = [para('a'), para('b'), para('c'), para('d')].join('\n\n');
    const chunks = splitHtml(html);
    expect(chunks).toEqual([[para('a'), para('b')].join('\n\n'), [para('c'), para('d')].join('\n\n')]);
  });

  it('falls back to line, then word boundaries', () => {
    const line = 'слово '.repeat(100).trim(); // 599 characters
    const lines = Array.from({ length: 10 }, () => line).join('\n');
    const chunks = splitHtml(lines, 1500);
    expect(chunks).toEqual([`${line}\n${line}`, `${line}\n${line}`, `${line}\n${line}`, `${line}\n${line}`, `${line}\n${line}`]);
    const words = splitHtml(line, 100);
    for (const c of words) {
      expect(c.length).toBeLessThanOrEqual(100);
      expect(c).toMatch(/^(слово )*слово$/);
    }
  });

  it('closes and reopens tags at a cut, so each chunk is valid on its own', () => {
    const html = `<b>${'bold words '.repeat(1000).trim()}</b> tail`;
    const chunks = splitHtml(html);
    expect(chunks.length).toBe(3);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(TELEGRAM_LIMIT);
      parseTelegramHtml(c);
      expect(c.startsWith('<b>')).toBe(true);
    }
    expect(chunks.at(-1)!.endsWith('</b> tail')).toBe(true);
  });

  it('never cuts inside an entity, a tag or a surrogate pair, even with no spaces at all', () => {
    for (const unit of ['&amp;', '😀', '<i>x</i>', 'я']) {
      const chunks = splitHtml(unit.repeat(5000), 4096);
      expect(chunks.length).toBeGreaterThan(1);
      for (const c of chunks) {
        expect(c.length).toBeLessThanOrEqual(4096);
        expect(() => parseTelegramHtml(c)).not.toThrow();
        expect(c).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
      }
      expect(chunks.map(htmlToText).join('')).toBe(htmlToText(unit.repeat(5000)));
    }
  });

  it('drops chunks with nothing to read', () => {
    expect(splitHtml('   ')).toEqual([]);
    expect(splitHtml(`${'a '.repeat(30)}\n\n<b> </b>`, 60)).toEqual(['a '.repeat(30).trim()]);
  });

  it('keeps every generated message valid, within the limit and losing no text (1,000 random cases)', () => {
    const rand = rng(20241122);
    for (let i = 0; i < 1000; i++) {
      // At least room for the deepest nesting the generator makes (an <a href> inside two more tags) and some text.
      const limit = 150 + Math.floor(rand() * 400);
      const html = randomHtml(rand, Math.floor(rand() * limit * 5));
      const chunks = splitHtml(html, limit);
      for (const c of chunks) {
        expect(c.length, `case ${i}`).toBeLessThanOrEqual(limit);
        expect(parseTelegramHtml(c).trim(), `case ${i}`).not.toBe('');
      }
      expect(squash(chunks.map((c) => parseTelegramHtml(c)).join('')), `case ${i}`).toBe(squash(parseTelegramHtml(html)));
    }
  });
});
