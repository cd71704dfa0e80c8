import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeWorkspace, ROOT, type Workspace } from './helpers/workspace.js';

const BIN = path.join(ROOT, 'bin', 'citebot.js');

/** `citebot <command> …` as a user runs it (the package's bin), in the workspace folder. */
function run(ws: Workspace, command: string, args: string[], opts: { env?: Record<string, string>; input?: string } = {}) {
  const r = spawnSync(process.execPath, [BIN, command, ...args], {
    cwd: ws.root,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? ws.root, ...ws.env, ...opts.env },
    input: opts.input ?? '',
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('command line', () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await makeWorkspace();
  });
  afterAll(() => ws.cleanup());

  it('ask on a fresh checkout builds the index first (progress on stderr), then answers', async () => {
    const fresh = await makeWorkspace();
    try {
      const r = run(fresh, 'ask', ['--json', 'Сколько стран входит в хаб?']);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/building it from/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(JSON.parse(r.stdout.trim())).toMatchObject({ answered: true, answer: expect.stringMatching(/^43 страны-участницы/) });
    } finally {
      fresh.cleanup();
    }
  });

  it('ask with no articles folder either says so in one line', async () => {
    const bare = await makeWorkspace({ seeds: false });
    try {
      const r = run(bare, 'ask', ['Сколько стран входит в хаб?'], { env: { SEEDS_DIR: path.join(bare.root, 'no-such-folder') } });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/no-such-folder/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      bare.cleanup();
    }
  });

  it('index --json ends with the summary object; a second run says the index is up to date', () => {
    const first = run(ws, 'index', ['--json']);
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout.trim().split('\n').pop()!);
    expect(summary).toMatchObject({ added: 5, changed: 0, removed: 0, unchanged: 0 });
    expect(Object.keys(summary)).toEqual(expect.arrayContaining(['added', 'changed', 'removed', 'unchanged', 'passages', 'seconds']));
    const second = run(ws, 'index', []);
    expect(second.code).toBe(0);
    // Lexical only (EMBEDDINGS=0): no word of embedding.
    expect(second.stdout).toMatch(/index is up to date\./);
    expect(second.stdout + second.stderr).not.toMatch(/embed/);
    expect(second.stdout).toMatch(/5 unchanged/);
  });

  it('ask --json follows the contract', () => {
    const r = run(ws, 'ask', ['--json', 'Сколько стран входит в хаб?']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0]);
    expect(Object.keys(j).sort()).toEqual(['answer', 'answered', 'citations', 'language', 'question', 'timings_ms']);
    expect(j).toMatchObject({ question: 'Сколько стран входит в хаб?', language: 'ru', answered: true });
    expect(j.answer).toMatch(/^43 страны-участницы/);
    for (const c of j.citations) {
      expect(Object.keys(c)).toEqual(expect.arrayContaining(['doc', 'title', 'quote', 'score']));
      expect(readFileSync(path.join(ws.seeds, c.doc), 'utf8')).toContain(c.quote);
    }
    expect(typeof j.timings_ms.total).toBe('number');
    // Lexical only: nothing was embedded, so no embed timing; figures rounded; citations in the order of their numbers.
    expect(j.timings_ms).not.toHaveProperty('embed');
    for (const v of Object.values(j.timings_ms) as number[]) expect(Math.round(v * 100) / 100).toBe(v);
    const ns: number[] = j.citations.map((c: { n: number }) => c.n);
    expect(ns).toEqual([...ns].sort((a, b) => a - b));
    expect([...new Set(ns)]).toEqual(Array.from({ length: Math.max(...ns) }, (_, i) => i + 1));
    for (const c of j.citations) expect(Math.round(c.score * 1e4) / 1e4).toBe(c.score);
  });

  it('ask prints the answer for a person, and a refusal with answered=false', () => {
    const r = run(ws, 'ask', ['Who chairs the Steering Committee of the Astana Civil Service Hub?']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Baymenov/);
    expect(r.stdout).toMatch(/Sources:/);
    const no = JSON.parse(run(ws, 'ask', ['--json', 'What is the capital of France?']).stdout);
    expect(no).toMatchObject({ answered: false, citations: [] });
  });

  it('ask --file answers every line with its id, loading once', () => {
    const file = path.join(ws.root, 'q.jsonl');
    const qs = ['{"id":"a","question":"Сколько стран входит в хаб?"}', '{"id":"b","question":"Хабқа қанша ел қатысады?"}', '', '{"id":"c","question":"What is the capital of France?"}'];
    writeFileSync(file, qs.join('\n'));
    const r = run(ws, 'ask', ['--file', file]);
    expect(r.code).toBe(0);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(out.map((o) => o.id)).toEqual(['a', 'b', 'c']);
    expect(out[1].language).toBe('kk');
    expect(out[2].answered).toBe(false);
  });

  it('bad input: one clear line, exit code 2, no stack trace', () => {
    const cases: Array<[string[], RegExp]> = [
      [[''], /empty/],
      [['   '], /empty/],
      [['x'.repeat(2001)], /too long/],
      [['bad\u0007question'], /control characters/],
      [['--nope'], /unknown option/],
    ];
    for (const [args, re] of cases) {
      const r = run(ws, 'ask', args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const env = run(ws, 'ask', ['вопрос'], { env: { TOP_K: 'many' } });
    expect(env.code).toBe(2);
    expect(env.stderr.trim()).toMatch(/^citebot: Invalid TOP_K="many"/);
    const idx = run(ws, 'index', [], { env: { EMBEDDINGS: 'maybe' } });
    expect(idx.code).toBe(2);
    expect(idx.stderr).toMatch(/EMBEDDINGS/);
  });

  it('chat answers, shows /sources, and leaves on Ctrl-D', () => {
    const r = run(ws, 'chat', [], { input: 'Сколько стран входит в хаб?\n/sources\n/help\n' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/43 страны-участницы/);
    expect(r.stdout).toMatch(/score/);
    expect(r.stdout).toMatch(/\/quit/);
    // /help's examples are about the loaded articles, one in each language they are written in.
    expect(r.stdout).toMatch(/О чём статья «.+»\?\n {2}«.+» мақаласы не туралы\?\n {2}What is the article “.+” about\?/);
  });

  it('--help on every command prints its usage on stdout and exits 0', () => {
    for (const command of ['ask', 'chat', 'index', 'eval', 'bot']) {
      const r = run(ws, command, ['--help']);
      expect(r.code, command).toBe(0);
      expect(r.stdout, command).toMatch(new RegExp(`^usage: citebot ${command}`));
      expect(r.stderr, command).toBe('');
    }
    const top = run(ws, '--help', []);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/ask .*\n.*chat/s);
    const unknown = run(ws, 'frobnicate', []);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command frobnicate/);
  });

  it('an unreadable file in seeds/ is named by the build that skips it, not by every ask after it', async () => {
    const bad = await makeWorkspace();
    try {
      bad.write('image.txt', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 1]));
      bad.write('empty.txt', '');
      bad.write('utf16.txt', Buffer.from('\ufeffСтатья в UTF-16.', 'utf16le'));
      const idx = run(bad, 'index', []);
      expect(idx.code).toBe(0);
      expect(idx.stderr).toMatch(/scanning .*: 8 files/);
      expect(idx.stderr).toMatch(/warning: skipped image\.txt/);
      for (let i = 0; i < 2; i++) {
        const r = run(bad, 'ask', ['Сколько стран входит в хаб?']);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/43 страны-участницы/);
        expect(r.stderr).toBe('');
      }
    } finally {
      bad.cleanup();
    }
  });

  it('chat: commands with words after them are recognised', () => {
    const r = run(ws, 'chat', [], { input: '/help me\n/articles please\n/quit now\nСколько стран входит в хаб?\n' });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/Unknown command/);
    expect(r.stdout).toMatch(/Commands: \/help/);
    expect(r.stdout).not.toMatch(/43 страны-участницы/);
  });

  it('SIGTERM leaves the chat like /quit: exit 0, no stack trace, its background build stopped', async () => {
    expect(run(ws, 'index', []).code).toBe(0);
    // Written while no chat ran: the chat's watcher starts a background build at once.
    ws.write('late.txt', 'Новый мост через Иртыш\nВ Семее построили новый мост длиной 1 250 метров.\n');
    const child = spawn(process.execPath, [BIN, 'chat'], { cwd: ws.root, env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? ws.root, ...ws.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<[number | null, string | null]>((resolve) => child.on('exit', (code, signal) => resolve([code, signal])));
    await vi.waitFor(() => expect(stdout).toMatch(/\? $/), { timeout: 30_000, interval: 50 });
    child.kill('SIGTERM');
    expect(await exited).toEqual([0, null]);
    expect(stderr).not.toMatch(/\n\s+at /);
    // Nothing left behind (no lock held, no half-written index): the next run brings the index up to date.
    const after = run(ws, 'index', ['--json']);
    expect(after.code).toBe(0);
    ws.remove('late.txt');
    expect(run(ws, 'index', []).code).toBe(0);
  }, 60_000);

  it('/quit leaves the chat: lines after it are not answered', () => {
    const r = run(ws, 'chat', [], { input: '/quit\nСколько стран входит в хаб?\n' });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/43 страны-участницы/);
  });

  it('ask --file: a null, an array or a non-JSON line gets one error object and the batch goes on', () => {
    const file = path.join(ws.root, 'bad.jsonl');
    writeFileSync(file, ['null', '{"id":"a","question":"Сколько стран входит в хаб?"}', '[1,2]', 'not json', '{"id":"b","question":""}', '{"id":"c","question":"Хабқа қанша ел қатысады?"}'].join('\n'));
    const r = run(ws, 'ask', ['--file', file]);
    expect(r.code).toBe(1);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(out).toHaveLength(6);
    expect(out.map((o) => o.id ?? null)).toEqual([null, 'a', null, null, 'b', 'c']);
    expect(out.filter((o) => o.error).map((o) => o.line)).toEqual([1, 3, 4, 5]);
    expect(out[1]).toMatchObject({ answered: true });
    expect(out[5]).toMatchObject({ answered: true, language: 'kk' });
    expect(r.stderr.trim().split('\n')).toHaveLength(4);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('never prints the bot token or webhook secret, not even in an unexpected error\'s stack', () => {
    const token = '123456789:AAsecretTOKENsecretTOKENsecret';
    const secret = 'webhook-secret-value-42';
    const env = { BOT_TOKEN: token, WEBHOOK_SECRET: secret };
    // A file where the index folder should be: a file system error naming the path.
    const blocker = path.join(ws.root, `idx-${token}-${secret}`);
    writeFileSync(blocker, 'not a folder');
    const runs = [
      run(ws, 'ask', ['Сколько стран входит в хаб?'], { env: { ...env, INDEX_DIR: path.join(blocker, 'data') } }),
      run(ws, 'index', [], { env: { ...env, INDEX_DIR: path.join(blocker, 'data') } }),
      run(ws, 'ask', ['Сколько стран?'], { env: { ...env, INDEX_DIR: path.join(ws.root, 'fresh'), SEEDS_DIR: path.join(ws.root, `no-${token}`) } }),
    ];
    for (const r of runs) {
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/^citebot: .*\*\*\*/m);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stderr + r.stdout).not.toContain(token);
      expect(r.stderr + r.stdout).not.toContain(secret);
    }
  });

  it('an unexpected error\'s stack goes through the same redaction', async () => {
    const { describeFailure, printError } = await import('../src/app/main.js');
    const token = '123456789:AAsecretTOKENsecretTOKENsecret';
    const e = new TypeError(`invalid json response body at http://api/bot${token}/setWebhook`);
    const { line, code } = describeFailure(e);
    expect(code).toBe(1);
    expect(line).toMatch(/\n\s+at /); // a bug keeps its stack for the report
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    const saved = process.env.BOT_TOKEN;
    process.env.BOT_TOKEN = token;
    try {
      printError(line);
    } finally {
      spy.mockRestore();
      if (saved === undefined) delete process.env.BOT_TOKEN;
      else process.env.BOT_TOKEN = saved;
    }
    expect(written.join('')).toContain('bot***/setWebhook');
    expect(written.join('')).not.toContain(token);
  });
}, 120_000);
