/** Takes the index lock of the given folder and holds it until killed (test/store.test.ts). */
import { tryLock } from '../../src/index/lock.js';

const release = tryLock(process.argv[2]);
process.stdout.write(release ? 'held\n' : 'busy\n');
setInterval(() => undefined, 1000);
