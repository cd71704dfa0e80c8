/**
 * `citebot chat` keeps stdout for the conversation: the skipped-file warnings and the "(index reloaded…)" lines of
 * the background re-index go to stderr, and a skipped file is named once, again only when it changes.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeWorkspace, ROOT, type Workspace } from './helpers/workspace.js';

const BIN = path.join(ROOT, 'bin', 'citebot.js');
const BRIDGE = 'Новый мост через Иртыш\nВ Семее построили новый мост длиной 1 250 метров. Его открыли для движения в пятницу.\n';

async function until(check: () => boolean, ms: number, what: string, show: () => string): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms; the chat printed:\n${show()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const count = (text: string, what: string) => text.split(what).length - 1;

describe('citebot chat: warnings and index lines on stderr, each skipped file named once', () => {
  let ws: Workspace;
  afterAll(() => ws?.cleanup());

  it('names the empty, binary and menu-only files at start-up only; an article edit does not name them again; a changed bad file is named again', async () => {
    ws = await makeWorkspace({ seeds: false, articles: { 'bridge.txt': BRIDGE, 'empty.txt': '', 'nav.html': '<html><body><nav><a href="/">Home</a></nav></body></html>' } });
    ws.write('binary.txt', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 1]));
    const chat = spawn(process.execPath, [BIN, 'chat'], { cwd: ws.root, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...ws.env } });
    let out = '';
    let err = '';
    chat.stdout.on('data', (d) => (out += String(d)));
    chat.stderr.on('data', (d) => (err += String(d)));
    const show = () => `--- stdout\n${out}\n--- stderr\n${err}`;
    const exited = new Promise<number | null>((resolve) => chat.on('exit', resolve));
    try {
      await until(() => out.includes('citebot: 1 articles') && out.endsWith('? '), 40_000, 'chat start', show);
      for (const f of ['binary.txt', 'empty.txt', 'nav.html']) expect(count(err, `warning: skipped ${f}`), show()).toBe(1);

      ws.write('bridge.txt', BRIDGE.replace('1 250', '1 400'));
      await until(() => err.includes('index reloaded'), 60_000, 're-index after the edit', show);
      expect(err).toMatch(/^\(articles changed \(0 added, 1 changed, 0 removed\); index reloaded: 1 articles/m);
      for (const f of ['binary.txt', 'empty.txt', 'nav.html']) expect(count(err, `warning: skipped ${f}`), show()).toBe(1);

      ws.write('binary.txt', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 2, 3]));
      await until(() => count(err, 'warning: skipped binary.txt') === 2, 60_000, 'the changed binary file named again', show);

      chat.stdin.write('Какой длины новый мост в Семее?\n');
      await until(() => out.includes('1 400 метров') && out.endsWith('? '), 60_000, 'answer', show);
      chat.stdin.write('/quit\n');
      expect(await exited).toBe(0);
      // stdout: the greeting, prompts and the answer only, no blank line where a status line was taken out.
      expect(out).not.toMatch(/warning|skipped|index reloaded|articles changed/);
      expect(out).toMatch(/^citebot: 1 articles[^\n]*\n\? [^\n]*1 400 метров/);
      expect(err).not.toMatch(/\n\n/);
      expect(count(err, 'warning: skipped empty.txt') + count(err, 'warning: skipped nav.html')).toBe(2);
    } finally {
      chat.kill('SIGKILL');
    }
  }, 180_000);
});
