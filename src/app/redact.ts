/** The settings that must never be printed, read from the environment (after `.env`), valid or not. */
export function secretsFrom(env: Record<string, string | undefined> = process.env): string[] {
  return [env.BOT_TOKEN, env.WEBHOOK_SECRET].map((s) => s?.trim() ?? '').filter((s) => s.length >= 8);
}

/** `text` with every secret replaced by ***: the one redaction every printed error and log line goes through. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined> = secretsFrom()): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 8) out = out.split(s).join('***');
  return out;
}
