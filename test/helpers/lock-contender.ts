/**
 * One contender of the lock race (test/store.test.ts): takes the index lock `rounds` times as fast as it can; while
 * holding it, claims a marker file with O_EXCL. A second holder at the same moment would find the marker there.
 * Prints "violations <n>" at the end.
 */
import { closeSync, openSync, rmSync } from 'node:fs';
import path from 'node:path';
import { tryLock } from '../../src/index/lock.js';

const [dir, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg);
const marker = path.join(dir, 'holder');
let violations = 0;
let won = 0;
while (won < rounds) {
  const release = tryLock(dir);
  if (!release) continue;
  won++;
  try {
    closeSync(openSync(marker, 'wx'));
  } catch {
    violations++;
  }
  rmSync(marker, { force: true });
  release();
}
process.stdout.write(`violations ${violations}\n`);
