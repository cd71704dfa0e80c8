/** Spawns the real command line (`node bin/citebot.js ask`) and times process start → first answer, with peak RSS. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './paths.js';

export interface SpawnResult {
  /** Spawn → first byte of the answer on stdout. */
  firstAnswerMs: number;
  /** Spawn → process exit. */
  exitMs: number;
  /** Largest peak RSS reported by the node processes of the run. */
  maxRssMb: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

const HOOK = pathToFileURL(path.join(ROOT, 'bench', 'lib', 'rss-hook.mjs')).href;

export function runAsk(args: string[], env: Record<string, string>): Promise<SpawnResult> {
  return runCli('ask', args, env);
}

/** `node bin/citebot.js <command> …` timed, with its peak RSS. */
export function runCli(command: string, args: string[], env: Record<string, string>): Promise<SpawnResult> {
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('npm_') && k !== 'NODE_OPTIONS') childEnv[k] = v;
  Object.assign(childEnv, env, { NODE_OPTIONS: `--import=${HOOK}` });
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first = NaN;
    let out = '';
    let err = '';
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'citebot.js'), command, ...args], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => {
      if (Number.isNaN(first)) first = performance.now() - t0;
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const exitMs = performance.now() - t0;
      const rss = [...err.matchAll(/citebot-bench-maxrss-kb (\d+)/g)].map((m) => Number(m[1]));
      resolve({
        firstAnswerMs: first,
        exitMs,
        maxRssMb: rss.length ? Math.max(...rss) / 1024 : NaN,
        code,
        stdout: out,
        stderr: err.replace(/\n?citebot-bench-maxrss-kb \d+\n?/g, ''),
      });
    });
  });
}
