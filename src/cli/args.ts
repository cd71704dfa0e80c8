import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../app/main.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `node:util` parseArgs with `--help` / `-h` added: a mistake becomes a one-line UsageError naming the usage;
 * `help: true` in the result means print `usage` and exit 0.
 */
export function parseCommand<O extends Options>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    const message = (e as Error).message.split('. ')[0].replace(/^Unknown option/, 'unknown option');
    throw new UsageError(`${message}; ${usage.split('\n')[0]}`);
  }
}
