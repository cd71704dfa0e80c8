import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { found, scoreReplies, summarize, topBlock } from '../src/eval/metrics.js';
import { MiniSearchPeer } from '../src/eval/peer.js';
import { makeWorkspace, ROOT, type Workspace } from './helpers/workspace.js';

describe('eval figures (as the public score.py computes them)', () => {
  it('a gold span counts at a word start, and a number must not run on into more digits', () => {
    expect(found('308', 'уступила всего 308 очков')).toBe(true);
    expect(found('30', 'уступила всего 308 очков')).toBe(false);
    expect(found('Шорт', 'Кейван Шорт лидирует')).toBe(true);
    expect(found('орт', 'Кейван Шорт лидирует')).toBe(false);
    expect(found('«Ёлка».', 'ёлка стоит')).toBe(true);
  });

  it('the first block is the direct line, else the first quote', () => {
    expect(topBlock('43 страны.\n\n«…» [1]')).toBe('43 страны.');
    expect(topBlock('«first» [1]\n«second» [2]\n\nSources:')).toBe('«first» [1]');
  });

  it('groups count top-hit, doc@3, direct right and refusals', () => {
    const qs = [
      { id: 'a', lang: 'ru', question: 'q', expect: ['136'], sources: ['x.txt'], answerable: true, group: 'same-ru' },
      { id: 'b', lang: 'ru', question: 'q', expect: ['24'], sources: ['x.txt'], answerable: true, group: 'same-ru' },
      { id: 'c', lang: 'en', question: 'q', expect: [], sources: [], answerable: false, group: 'ood-en' },
    ];
    const replies = new Map([
      ['a', { answered: true, answer: '136 мешков.\n\n«…» [1]', citations: [{ doc: 'x.txt', quote: 'в количестве 136' }] }],
      ['b', { answered: true, answer: '5 мешков.\n\n«…» [1]', citations: [{ doc: 'y.txt', quote: '…' }, { doc: 'x.txt', quote: 'с 24' }] }],
      ['c', { answered: true, answer: '«…» [1]', citations: [{ doc: 'y.txt', quote: '…' }] }],
    ]);
    const s = summarize(scoreReplies(qs, replies));
    expect(s['same-ru.top']).toBe(50);
    expect(s['same-ru.doc3']).toBe(100);
    expect(s.same_direct_right).toBe(50);
    expect(s.ood_refused).toBe(0);
  });

  it('the MiniSearch peer answers with the best-overlap sentence of the best paragraph', () => {
    const peer = new MiniSearchPeer([
      { doc: 'a.txt', text: 'Title\n\nThe bridge cost 300 million dollars. It opened to traffic in 1932.\n\nOther things happened.' },
      { doc: 'b.txt', text: 'Cats\n\nCats sleep a lot. They purr.' },
    ]);
    const r = peer.ask('When was the bridge opened to traffic?');
    expect(r.citations[0].doc).toBe('a.txt');
    expect(r.answer).toContain('It opened to traffic in 1932.');
  });
});

describe('npm run eval', () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await makeWorkspace();
  });
  afterAll(() => ws.cleanup());
  const run = (args: string[]) =>
    spawnSync(process.execPath, [path.join(ROOT, 'bin', 'citebot.js'), 'eval', ...args], {
      cwd: ws.root,
      env: { PATH: process.env.PATH!, HOME: ws.root, ...ws.env },
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('scores a question file on a corpus in a temporary index, citebot beside the peer, leaving data/ alone', () => {
    const q = path.join(ws.root, 'q.jsonl');
    writeFileSync(
      q,
      [
        { id: '1', lang: 'ru', question: 'Сколько стран входит в хаб?', expect: ['43'], sources: ['000_d5247af2f4a2beb1.txt'], answerable: true },
        { id: '2', lang: 'en', question: 'Who won the 1998 football world cup final in Paris?', expect: [], sources: [], answerable: false },
      ]
        .map((x) => JSON.stringify(x))
        .join('\n'),
    );
    const r = run(['--corpus', ws.seeds, q]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/same-ru\s+1\s+100\.0 \/\s*[\d.]+/);
    expect(r.stdout).toMatch(/ood-en\s+1\s+\|\s+100\.0 \/\s+0\.0/);
    expect(existsSync(path.join(ws.root, 'data'))).toBe(false);
  });

  it('a missing question file is one clear line', () => {
    const r = run(['--corpus', ws.seeds, 'nope.jsonl']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('citebot: no question file nope.jsonl');
  });
});
