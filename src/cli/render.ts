import type { AppEvent } from '../app/app.js';
import { redact } from '../app/redact.js';

/**
 * Renders the app's events on stderr (stdout stays the answer): on a terminal, progress overwrites one line;
 * elsewhere (CI, pipes) only the first line of each phase is printed. `quiet` keeps warnings only.
 */
export function stderrRenderer(opts: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): { onEvent: (e: AppEvent) => void; end: () => void } {
  const stream = opts.stream ?? process.stderr;
  const tty = stream.isTTY;
  let phase = '';
  const end = () => {
    if (tty && phase) stream.write('\r\x1b[K');
    phase = '';
  };
  const line = (text: string) => {
    end();
    stream.write(redact(text) + '\n');
  };
  const onEvent = (e: AppEvent) => {
    if (e.kind === 'warning') return line(e.text);
    if (opts.quiet) return;
    if (e.kind === 'notice') return line(e.text);
    if (tty) stream.write(`\r\x1b[K${e.text}`);
    else if (e.phase !== phase) stream.write(e.text + '\n');
    phase = e.phase;
  };
  return { onEvent, end };
}
