import { ConfigError } from '../config.js';
import { IndexBusyError, IndexDamagedError, IndexMissingError } from '../index/store.js';
import { redact } from './redact.js';

/** A mistake of the user's (bad question, bad option): printed as one line, exit code 2, no stack trace. */
export class UsageError extends Error {
  readonly exitCode = 2;
}

/** One line on stderr, with the bot token and webhook secret masked. */
export function printError(line: string): void {
  process.stderr.write(redact(`citebot: ${line}`) + '\n');
}

/** The one line (and exit code) an error ends a command with; only an unexpected error keeps its stack. */
export function describeFailure(e: unknown): { line: string; code: number } {
  if (e instanceof ConfigError || e instanceof UsageError) return { line: e.message, code: 2 };
  if (e instanceof IndexMissingError || e instanceof IndexBusyError || e instanceof IndexDamagedError) return { line: e.message, code: 1 };
  if (e instanceof Error && e.name === 'AbortError') return { line: 'interrupted; the previous index is left as it was.', code: 130 };
  // A file system refusal (missing permission, a file where a folder should be) is the setting's fault: its message says it all.
  if (e instanceof Error && typeof (e as NodeJS.ErrnoException).syscall === 'string') return { line: e.message, code: 1 };
  return { line: `unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`, code: 1 };
}

/** Runs a command's main function: its result is the exit code; a failure is printed by `describeFailure`. */
export function runMain(main: () => Promise<number | void>): void {
  main().then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (e: unknown) => {
      const { line, code } = describeFailure(e);
      printError(line);
      process.exit(code);
    },
  );
}
