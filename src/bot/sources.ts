/**
 * /sources as one message: a page of article titles with previous / next buttons that edit that message,
 * so a large index is never a flood of messages (Telegram answers floods with 429s for the whole bot).
 */
import type { InlineKeyboardMarkup } from 'telegraf/types';
import type { Lang } from '../types.js';
import { escapeHtml } from './format.js';

export const SOURCES_PER_PAGE = 20;
/** A title is cut here, so a page stays far below Telegram's 4,096 characters. */
const MAX_TITLE_CHARS = 150;
/** Callback data of the page buttons: `src:<page>`. */
export const SOURCES_ACTION = /^src:(\d{1,7})$/;

const HEADER: Record<Lang, (n: number, page: number, pages: number) => string> = {
  ru: (n, p, ps) => `Статьи в индексе (${n})${ps > 1 ? `, страница ${p} из ${ps}` : ''}:`,
  kk: (n, p, ps) => `Индекстегі мақалалар (${n})${ps > 1 ? `, ${p}/${ps} бет` : ''}:`,
  en: (n, p, ps) => `Articles in the index (${n})${ps > 1 ? `, page ${p} of ${ps}` : ''}:`,
};
const EMPTY: Record<Lang, string> = { ru: 'В индексе нет статей.', kk: 'Индексте мақала жоқ.', en: 'The index holds no articles.' };
const BUTTONS: Record<Lang, [string, string]> = { ru: ['‹ Назад', 'Далее ›'], kk: ['‹ Артқа', 'Әрі қарай ›'], en: ['‹ Previous', 'Next ›'] };

const cut = (t: string) => (t.length > MAX_TITLE_CHARS ? `${t.slice(0, MAX_TITLE_CHARS - 1).trimEnd()}…` : t);

/** Page `page` (0-based; clamped to the pages there are) of the titles, as HTML and its buttons. */
export function sourcesPage(titles: ReadonlyArray<string>, page: number, lang: Lang): { html: string; keyboard: InlineKeyboardMarkup; page: number } {
  const pages = Math.max(1, Math.ceil(titles.length / SOURCES_PER_PAGE));
  const p = Math.min(Math.max(0, Math.trunc(page) || 0), pages - 1);
  const first = p * SOURCES_PER_PAGE;
  const lines = titles.slice(first, first + SOURCES_PER_PAGE).map((t, i) => `${first + i + 1}. ${escapeHtml(cut(t))}`);
  const html = titles.length ? `<b>${escapeHtml(HEADER[lang](titles.length, p + 1, pages))}</b>\n${lines.join('\n')}` : escapeHtml(EMPTY[lang]);
  const [prev, next] = BUTTONS[lang];
  const row = [
    ...(p > 0 ? [{ text: prev, callback_data: `src:${p - 1}` }] : []),
    ...(p < pages - 1 ? [{ text: next, callback_data: `src:${p + 1}` }] : []),
  ];
  return { html, keyboard: { inline_keyboard: row.length ? [row] : [] }, page: p };
}
