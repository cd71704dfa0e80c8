import { TelegramError } from 'telegraf';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** `text` with every secret (8 characters or more) replaced by ***. */
export function redact(secrets: Array<string | undefined>, text: string): string {
  return secrets.filter((s): s is string => !!s && s.length >= 8).reduce((acc, secret) => acc.split(secret).join('***'), text);
}

/**
 * One line per event on stderr. Every secret (the bot token, the webhook secret) is masked in whatever is
 * written, so no error message or URL can leak them.
 */
export function createLogger(level: LogLevel, secrets: Array<string | undefined>, write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const at = (l: Exclude<LogLevel, 'silent'>) => (message: string) => {
    if (ORDER[l] < ORDER[level]) return;
    write(redact(secrets, `${new Date().toISOString()} ${l.padEnd(5)} ${message.replace(/\s*\n\s*/g, ' | ')}\n`));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** An error in one line: Telegram's code and description, or the message; never a request payload. */
export function describeError(e: unknown): string {
  if (e instanceof TelegramError) return `Telegram ${e.code ?? '?'}: ${e.description ?? e.message}`;
  if (e instanceof Error) return `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}`;
  return String(e);
}
