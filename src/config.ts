import { z } from 'zod';

/** Raised for a bad setting: the interfaces print `message` as one line and exit with code 2. */
export class ConfigError extends Error {
  readonly exitCode = 2;
}

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'], {
    message: 'expected one of 1, 0, true, false, yes, no, on, off',
  })
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const idList = z
  .string()
  .regex(/^\s*(\d+\s*(,\s*\d+\s*)*)?$/, { message: 'expected comma-separated numeric Telegram user ids, e.g. 12345,67890' })
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map(Number),
  );

const positiveInt = (name: string) =>
  z.coerce.number({ message: `expected a whole number` }).int({ message: `${name} must be a whole number` }).positive({ message: 'expected a positive whole number' });

/**
 * One schema for every setting citebot reads from the environment (and `.env`).
 * Each variable is documented in `.env.example`.
 */
export const configSchema = z.object({
  SEEDS_DIR: z.string().min(1).default('seeds'),
  INDEX_DIR: z.string().min(1).default('data'),
  MODELS_DIR: z.string().min(1).default('models'),
  EMBEDDING_MODEL: z
    .string()
    .regex(/^[\w.-]+(\/[\w.-]+)?$/, { message: 'expected a model id such as Xenova/multilingual-e5-small' })
    .default('Xenova/multilingual-e5-small'),
  EMBEDDING_DTYPE: z.enum(['q8', 'fp32', 'fp16', 'int8', 'uint8', 'q4'], { message: 'expected one of q8, fp32, fp16, int8, uint8, q4' }).default('q8'),
  /** `0` skips the neural model entirely: lexical retrieval only. */
  EMBEDDINGS: bool.default(true),
  /** `0` never contacts the Hugging Face hub; the model must already be in MODELS_DIR. */
  ALLOW_MODEL_DOWNLOAD: bool.default(true),
  EMBED_BATCH_SIZE: positiveInt('EMBED_BATCH_SIZE').max(256, { message: 'expected at most 256' }).default(16),
  /** How words are normalised for the lexical index (see README, "Retrieval quality"). Changing it rebuilds the index. */
  LEXICAL_ANALYZER: z.enum(['stem', 'prefix5', 'ngram3', 'exact'], { message: 'expected one of stem, prefix5, ngram3, exact' }).default('stem'),
  /** `0`: the chat and the bot do not watch SEEDS_DIR (re-index with `citebot index`). */
  WATCH_SEEDS: bool.default(true),
  /** `1`: the bot tells ADMIN_USER_IDS in Telegram when changed articles were re-indexed. */
  NOTIFY_ADMINS: bool.default(false),
  /** Passages retrieved for an answer (before composing). */
  TOP_K: positiveInt('TOP_K').max(50, { message: 'expected at most 50' }).default(16),
  /**
   * With vectors: a question whose best passage is at least this similar (cosine) is answered even when it shares
   * few words with it (cross-lingual). Set for multilingual-e5; above 1 turns it off.
   */
  DENSE_RESCUE_SIMILARITY: z.coerce.number({ message: 'expected a number between 0 and 2' }).min(0, { message: 'expected a number between 0 and 2' }).max(2, { message: 'expected a number between 0 and 2' }).default(0.86),
  BOT_TOKEN: z
    .string()
    .regex(/^\d+:[\w-]{20,}$/, { message: 'expected a token from @BotFather, like 123456789:AA…' })
    .optional(),
  TELEGRAM_API_ROOT: z.url({ message: 'expected a URL such as https://api.telegram.org' }).optional(),
  WEBHOOK_URL: z.url({ message: 'expected an https URL that Telegram can reach' }).optional(),
  WEBHOOK_PORT: positiveInt('WEBHOOK_PORT').max(65535, { message: 'expected a port number up to 65535' }).default(8443),
  WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,256}$/, { message: 'expected 1-256 characters of A-Z, a-z, 0-9, _ and -' })
    .optional(),
  ALLOWED_USER_IDS: idList.default([]),
  ADMIN_USER_IDS: idList.default([]),
  RATE_LIMIT_PER_MINUTE: positiveInt('RATE_LIMIT_PER_MINUTE').default(20),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent'], { message: 'expected one of debug, info, warn, error, silent' }).default('info'),
});

export type Config = z.infer<typeof configSchema>;

/**
 * Reads the settings from `env` (process.env after dotenv by default).
 * Empty strings count as unset so that a blank line in `.env` means "use the default".
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v.trim() !== '') present[key] = v.trim();
  }
  const parsed = configSchema.safeParse(present);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const name = String(issue.path[0] ?? 'configuration');
  const shown = name === 'BOT_TOKEN' || name === 'WEBHOOK_SECRET' ? '(hidden)' : JSON.stringify(present[name] ?? '');
  throw new ConfigError(`Invalid ${name}=${shown}: ${issue.message}`);
}

let dotenvLoaded = false;

/** Loads `.env` once (without overriding real environment variables), then validates. */
export async function loadConfigFromEnvironment(): Promise<Config> {
  if (!dotenvLoaded) {
    const dotenv = await import('dotenv');
    dotenv.config({ quiet: true });
    dotenvLoaded = true;
  }
  return loadConfig(process.env);
}
