/**
 * What `citebot index` tells about a build (stderr) says what it does: the passages to embed only when there are
 * vectors, and their true number; a full build names its files and its reason instead of counts it does not have.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, readdirSync, truncateSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { currentFolder } from '../src/index/store.js';
import { makeWorkspace, ROOT, type Workspace } from './helpers/workspace.js';

const BIN = path.join(ROOT, 'bin', 'citebot.js');
let ws: Workspace | undefined;
afterEach(() => ws?.cleanup());

function index(w: Workspace, args: string[] = []) {
  const r = spawnSync(process.execPath, [BIN, 'index', ...args], { cwd: w.root, env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? w.root, ...w.env }, encoding: 'utf8', timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  return { stdout: r.stdout, stderr: r.stderr };
}
const planLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('plan:'));
function addParagraph(w: Workspace) {
  const first = readdirSync(w.seeds).sort()[0];
  appendFileSync(path.join(w.seeds, first), '\n\nЕщё один абзац, добавленный позже: в нём новое предложение о мосте длиной 1 250 метров.\n');
}

describe('build progress lines', () => {
  it('lexical only (EMBEDDINGS=0): the first build says so, an edit gives true counts, nothing about embedding', async () => {
    ws = await makeWorkspace();
    const first = index(ws);
    expect(planLines(first.stderr)).toEqual(['plan: 5 files, first build']);
    addParagraph(ws);
    const second = index(ws);
    expect(planLines(second.stderr)).toEqual(['plan: 0 new, 1 changed, 0 removed, 4 unchanged']);
    expect(second.stdout).toMatch(/^index written\. documents: 0 added, 1 changed/);
    expect(first.stderr + first.stdout + second.stderr + second.stdout).not.toMatch(/embed/);
  }, 120_000);

  it('a damaged index: the plan is the full rebuild and its reason, not counts of nothing', async () => {
    ws = await makeWorkspace();
    index(ws);
    const db = path.join(ws.config.INDEX_DIR, currentFolder(ws.config.INDEX_DIR)!, 'index.db');
    truncateSync(db, Math.floor(statSync(db).size / 2));
    const r = index(ws);
    expect(r.stderr).toContain('the index is damaged: index.db; rebuilding');
    expect(planLines(r.stderr)).toEqual(['plan: 5 files, full rebuild: the index was damaged (index.db)']);
  }, 120_000);

  it('with vectors: embedding counts articles in a full build, the incremental plan names the passages it then embeds', async () => {
    ws = await makeWorkspace({ model: true });
    const first = index(ws, ['--json']);
    expect(planLines(first.stderr)).toEqual(['plan: 5 files, first build']);
    expect(first.stderr).toMatch(/^embedding \[#+\] 5\/5 articles$/m);
    expect(first.stderr).not.toMatch(/passages to embed/);
    expect(JSON.parse(first.stdout.trim().split('\n').pop()!).embedded).toBeGreaterThan(5);
    addParagraph(ws);
    const second = index(ws, ['--json']);
    const embedded = JSON.parse(second.stdout.trim().split('\n').pop()!).embedded as number;
    expect(embedded).toBeGreaterThan(0);
    expect(planLines(second.stderr)).toEqual([`plan: 0 new, 1 changed, 0 removed, 4 unchanged; ${embedded} passages to embed`]);
    expect(second.stderr).toMatch(/^embedding \[[#.]+\] \d+\/\d+ passages$/m);
  }, 180_000);
});
