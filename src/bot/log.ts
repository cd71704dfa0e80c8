import { TelegramError } from 'telegraf';
import { redact } from '../app/redact.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Masks one more secret from now on (a webhook secret made up at start). */
  hide(secret: string): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/**
 * One line per event on stderr. Everything written goes through the project's one redaction (src/app/redact.ts)
 * of the bot token and the webhook secret, so no error message or URL can leak them.
 */
export function createLogger(level: LogLevel, secrets: Array<string | undefined>, write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const hidden = secrets.filter((s): s is string => !!s);
  const at = (l: Exclude<LogLevel, 'silent'>) => (message: string) => {
    if (ORDER[l] < ORDER[level]) return;
    write(redact(`${new Date().toISOString()} ${l.padEnd(5)} ${message.replace(/\s*\n\s*/g, ' | ')}\n`, hidden));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), hide: (s) => void hidden.push(s) };
}

/** An error in one line: Telegram's code and description, or the message; never a request payload. */
export function describeError(e: unknown): string {
  if (e instanceof TelegramError) return `Telegram ${e.code ?? '?'}: ${e.description ?? e.message}`;
  if (e instanceof Error) return `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}`;
  return String(e);
}
