// Loaded with NODE_OPTIONS=--import into a process the benchmark spawns: reports its peak RSS when it exits.
import { writeSync } from 'node:fs';
process.on('exit', () => {
  try {
    writeSync(2, `\ncitebot-bench-maxrss-kb ${process.resourceUsage().maxRSS}\n`);
  } catch {
    // stderr closed: nothing to report
  }
});
