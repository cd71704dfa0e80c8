/**
 * The bot's own words in ru / kk / en. Everything returned is Telegram HTML: dynamic parts are escaped here.
 * (The answers themselves are worded by the composer, see src/answer/i18n.ts.)
 */
import type { BuildSummary } from '../index/build.js';
import { detectLanguage } from '../text/language.js';
import type { Lang } from '../types.js';
import { escapeHtml as e } from './format.js';

/** What the bot tells about its index (a subset of AnswerService.info()). */
export interface IndexFacts {
  articles: number;
  passages: number;
  model: string | null;
  builtAt: string;
}

export interface BotTexts {
  /** `examples`: questions about the loaded articles (src/answer/examples.ts). */
  start: (facts: IndexFacts, examples: string[]) => string;
  help: (facts: IndexFacts, examples: string[]) => string;
  about: (facts: IndexFacts) => string;
  moreButton: string;
  moreHeader: string;
  moreGone: string;
  textOnly: string;
  rateLimited: (seconds: number) => string;
  notAllowed: string;
  adminOnly: string;
  reindexing: string;
  reindexBusy: (detail?: string) => string;
  reindexDone: (s: BuildSummary, facts: IndexFacts) => string;
  reindexFailed: (detail: string) => string;
  tooLong: (length: number, max: number) => string;
  controlChars: string;
  emptyQuestion: string;
  unknownCommand: (command: string) => string;
  failed: string;
  rebuilding: string;
}

const examples = (questions: string[]) => questions.map((q) => `• <code>${e(q)}</code>`).join('\n');

/** "2024-08-07 12:47 UTC" from an ISO timestamp; the raw value when it does not parse. */
export function formatWhen(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export const BOT_TEXTS: Record<Lang, BotTexts> = {
  ru: {
    start: (f, x) =>
      `Здравствуйте! Я отвечаю на вопросы по ${f.articles} новостным статьям: коротко, с дословными цитатами и пронумерованными источниками.\n\n` +
      `Просто напишите вопрос, например:\n${examples(x)}\n\n/help — подробнее, /sources — список статей.`,
    help: (f, x) =>
      `Я знаю только то, что написано в ${f.articles} статьях (${f.passages} фрагментов) — список: /sources. ` +
      `Вопрос можно задать по-русски, по-казахски или по-английски; ответ — с цитатами [n] и источниками (название, издание, дата).\n\n` +
      `Примеры:\n${examples(x)}\n\n` +
      `Кнопка «Ещё источники» показывает другие найденные фрагменты. В группах я отвечаю, когда меня упоминают, отвечают на моё сообщение или пишут /ask вопрос.\n\n` +
      `/sources — статьи, /about — об индексе.`,
    about: (f) =>
      `<b>Индекс</b>\nСтатей: ${f.articles}\nФрагментов: ${f.passages}\nПоиск: ${f.model ? `гибридный, модель ${e(f.model)}` : 'только лексический'}\nПостроен: ${e(formatWhen(f.builtAt))}`,
    moreButton: 'Ещё источники',
    moreHeader: 'Ещё источники:',
    moreGone: 'Эти источники больше недоступны — задайте вопрос ещё раз.',
    textOnly: 'Я понимаю только текст: отправьте вопрос сообщением. Примеры вопросов: /help',
    rateLimited: (s) => `Слишком много вопросов за минуту. Пожалуйста, подождите ${s} с и спросите снова.`,
    notAllowed: 'Извините, этот бот доступен только приглашённым пользователям.',
    adminOnly: 'Эта команда доступна только администраторам бота.',
    reindexing: 'Обновляю индекс…',
    reindexBusy: (d) => `Индекс уже обновляется${d ? ` (${e(d)})` : ''}. Попробуйте позже.`,
    reindexDone: (s, f) =>
      `<b>Индекс обновлён</b> за ${s.seconds} с: добавлено ${s.added}, изменено ${s.changed}, удалено ${s.removed}, без изменений ${s.unchanged}. ` +
      `Сейчас: ${f.articles} статей, ${f.passages} фрагментов${s.model ? `, векторы ${e(s.model.id)}` : ', только лексический поиск'}.`,
    reindexFailed: (d) => `Не удалось обновить индекс: ${e(d)}`,
    tooLong: (n, max) => `Вопрос слишком длинный (${n} символов, можно не больше ${max}). Сформулируйте его короче.`,
    controlChars: 'В вопросе есть управляющие символы. Отправьте обычный текст.',
    emptyQuestion: 'Напишите вопрос после команды: <code>/ask ваш вопрос</code>. Примеры вопросов: /help',
    unknownCommand: (c) => `Не знаю команды /${e(c)}. Список команд: /help`,
    failed: 'Извините, не получилось ответить на это сообщение. Попробуйте ещё раз.',
    rebuilding: 'Индекс статей повреждён и сейчас пересобирается. Спросите ещё раз через минуту.',
  },
  kk: {
    start: (f, x) =>
      `Сәлеметсіз бе! Мен ${f.articles} жаңалық мақаласы бойынша сұрақтарға жауап беремін: қысқаша, сөзбе-сөз дәйексөздермен және нөмірленген дереккөздермен.\n\n` +
      `Сұрағыңызды жазыңыз, мысалы:\n${examples(x)}\n\n/help — толығырақ, /sources — мақалалар тізімі.`,
    help: (f, x) =>
      `Мен тек ${f.articles} мақалада (${f.passages} үзінді) жазылғанды білемін — тізімі: /sources. ` +
      `Сұрақты қазақша, орысша немесе ағылшынша қоюға болады; жауапта [n] дәйексөздері мен дереккөздер (атауы, басылым, күні) болады.\n\n` +
      `Мысалдар:\n${examples(x)}\n\n` +
      `«Басқа дереккөздер» батырмасы табылған басқа үзінділерді көрсетеді. Топтарда мені атап өткенде, хабарламама жауап бергенде немесе /ask сұрақ деп жазғанда жауап беремін.\n\n` +
      `/sources — мақалалар, /about — индекс туралы.`,
    about: (f) =>
      `<b>Индекс</b>\nМақалалар: ${f.articles}\nҮзінділер: ${f.passages}\nІздеу: ${f.model ? `гибридті, ${e(f.model)} моделі` : 'тек лексикалық'}\nҚұрылған уақыты: ${e(formatWhen(f.builtAt))}`,
    moreButton: 'Басқа дереккөздер',
    moreHeader: 'Басқа дереккөздер:',
    moreGone: 'Бұл дереккөздер енді қолжетімсіз — сұрағыңызды қайта қойыңыз.',
    textOnly: 'Мен тек мәтінді түсінемін: сұрағыңызды хабарлама етіп жіберіңіз. Сұрақ мысалдары: /help',
    rateLimited: (s) => `Бір минутта сұрақ тым көп. ${s} секунд күтіп, қайта сұраңыз.`,
    notAllowed: 'Кешіріңіз, бұл бот тек шақырылған пайдаланушыларға қолжетімді.',
    adminOnly: 'Бұл команда тек бот әкімшілеріне қолжетімді.',
    reindexing: 'Индексті жаңартып жатырмын…',
    reindexBusy: (d) => `Индекс қазір жаңартылып жатыр${d ? ` (${e(d)})` : ''}. Кейінірек қайталаңыз.`,
    reindexDone: (s, f) =>
      `<b>Индекс жаңартылды</b> (${s.seconds} с): қосылды ${s.added}, өзгерді ${s.changed}, жойылды ${s.removed}, өзгеріссіз ${s.unchanged}. ` +
      `Қазір: ${f.articles} мақала, ${f.passages} үзінді${s.model ? `, ${e(s.model.id)} векторлары` : ', тек лексикалық іздеу'}.`,
    reindexFailed: (d) => `Индексті жаңарту мүмкін болмады: ${e(d)}`,
    tooLong: (n, max) => `Сұрақ тым ұзын (${n} таңба, ең көбі ${max}). Қысқарақ жазыңыз.`,
    controlChars: 'Сұрақта басқару таңбалары бар. Кәдімгі мәтін жіберіңіз.',
    emptyQuestion: 'Сұрағыңызды командадан кейін жазыңыз: <code>/ask сұрағыңыз</code>. Сұрақ мысалдары: /help',
    unknownCommand: (c) => `/${e(c)} командасын білмеймін. Командалар тізімі: /help`,
    failed: 'Кешіріңіз, бұл хабарламаға жауап бере алмадым. Қайта көріңіз.',
    rebuilding: 'Мақалалар индексі зақымданған, қазір қайта құрылып жатыр. Бір минуттан кейін қайта сұраңыз.',
  },
  en: {
    start: (f, x) =>
      `Hello! I answer questions about ${f.articles} news articles: briefly, with verbatim quotes and numbered sources.\n\n` +
      `Just send a question, for example:\n${examples(x)}\n\n/help for more, /sources for the list of articles.`,
    help: (f, x) =>
      `I only know what ${f.articles} articles (${f.passages} passages) say — see /sources. ` +
      `Ask in English, Russian or Kazakh; the answer comes with quotes [n] and their sources (title, outlet, date).\n\n` +
      `Examples:\n${examples(x)}\n\n` +
      `The “More sources” button shows the other passages found. In groups I answer when mentioned, when someone replies to me, or on /ask question.\n\n` +
      `/sources — the articles, /about — the index.`,
    about: (f) =>
      `<b>Index</b>\nArticles: ${f.articles}\nPassages: ${f.passages}\nRetrieval: ${f.model ? `hybrid, model ${e(f.model)}` : 'lexical only'}\nBuilt: ${e(formatWhen(f.builtAt))}`,
    moreButton: 'More sources',
    moreHeader: 'More sources:',
    moreGone: 'These sources are no longer available; please ask again.',
    textOnly: 'I only understand text: send me a question as text. Example questions: /help',
    rateLimited: (s) => `Too many questions in a minute. Please wait ${s} s and ask again.`,
    notAllowed: 'Sorry, this bot is only available to invited users.',
    adminOnly: 'This command is only for the bot’s administrators.',
    reindexing: 'Updating the index…',
    reindexBusy: (d) => `The index is already being updated${d ? ` (${e(d)})` : ''}. Please try again later.`,
    reindexDone: (s, f) =>
      `<b>Index updated</b> in ${s.seconds} s: ${s.added} added, ${s.changed} changed, ${s.removed} removed, ${s.unchanged} unchanged. ` +
      `Now: ${f.articles} articles, ${f.passages} passages${s.model ? `, vectors from ${e(s.model.id)}` : ', lexical only'}.`,
    reindexFailed: (d) => `Could not update the index: ${e(d)}`,
    tooLong: (n, max) => `The question is too long (${n} characters; at most ${max}). Please make it shorter.`,
    controlChars: 'The question contains control characters. Please send plain text.',
    emptyQuestion: 'Type your question after the command: <code>/ask your question</code>. Example questions: /help',
    unknownCommand: (c) => `I don't know the command /${e(c)}. See /help`,
    failed: 'Sorry, I could not answer this message. Please try again.',
    rebuilding: 'The index of articles was damaged and is being rebuilt. Please ask again in a minute.',
  },
};

/**
 * The language to talk to a user in: the language of their words when there are any, else Telegram's
 * `language_code` (ru / kk; anything else English).
 */
export function pickLanguage(text: string | undefined, languageCode: string | undefined): Lang {
  const words = (text ?? '').replace(/^\/\S*/, '').replace(/@\w+/g, '');
  if (/\p{L}{2}/u.test(words)) return detectLanguage(words);
  const code = languageCode?.toLowerCase().split(/[-_]/)[0];
  return code === 'ru' || code === 'kk' ? code : 'en';
}
