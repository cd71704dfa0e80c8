import { isCyrillic, soundKey } from './translit.js';

/**
 * Keys the index groups its terms under, so that a question word finds the terms sharing a key with one lookup
 * instead of a walk over the vocabulary (millions of terms in a large archive). The index stores each term's keys
 * when it is built: a change here (or to `soundKey`) needs ANALYZER_VERSION bumped, which rebuilds indexes.
 */
export const TERM_KEYS = {
  /** A sound key per script ("c:" Cyrillic, "l:" Latin), for matching across scripts. */
  sound: (term: string): string | null => {
    const k = soundKey(term);
    return k ? (isCyrillic(term) ? 'c:' : 'l:') + k : null;
  },
  /** The first five letters, for matching inflected names. */
  prefix: (term: string): string | null => (term.length < 5 ? null : term.slice(0, 5)),
};

export type TermKeyKind = keyof typeof TERM_KEYS;

/** The sound key under which the terms of the other script that sound like `term` are found; null when it has none. */
export function otherScriptSoundKey(term: string): string | null {
  const k = soundKey(term);
  return k ? (isCyrillic(term) ? 'l:' : 'c:') + k : null;
}
