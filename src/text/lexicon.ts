/**
 * Every word list of citebot in one place: function words, question words, month names. General language,
 * never the vocabulary of any particular set of articles.
 */

/** Month names per month (January first): the stems that start every inflected form, in ru / en / kk. */
export const MONTH_STEMS: ReadonlyArray<readonly string[]> = [
  ['январ', 'january', 'jan', 'қаңтар'],
  ['феврал', 'february', 'feb', 'ақпан'],
  ['март', 'march', 'mar', 'наурыз'],
  ['апрел', 'april', 'apr', 'сәуір'],
  ['мая', 'май', 'мае', 'may', 'мамыр'],
  ['июн', 'june', 'jun', 'маусым'],
  ['июл', 'july', 'jul', 'шілде'],
  ['август', 'august', 'aug', 'тамыз'],
  ['сентябр', 'september', 'sep', 'sept', 'қыркүйек'],
  ['октябр', 'october', 'oct', 'қазан'],
  ['ноябр', 'november', 'nov', 'қараша'],
  ['декабр', 'december', 'dec', 'желтоқсан'],
];

const ABBREVIATION = /^[a-z]{3,4}$/;
const EXACT = new Set(['мая', 'май', 'мае', 'may', 'june', 'july']);

/**
 * A regex source matching one month word in any of its forms ("июля", "March", "қыркүйекте"); English
 * abbreviations ("Mar") are left out, as they are also words.
 */
export const MONTH_WORD = `(?:${MONTH_STEMS.flat()
  .filter((s) => EXACT.has(s) || !ABBREVIATION.test(s))
  .sort((a, b) => b.length - a.length)
  .map((s) => (EXACT.has(s) ? s : `${s}\\p{L}*`))
  .join('|')})`;

/** The month (1–12) a word names, or 0. */
export function monthOf(word: string): number {
  const w = word.toLowerCase();
  for (let i = 0; i < MONTH_STEMS.length; i++) {
    for (const s of MONTH_STEMS[i]) if (EXACT.has(s) || ABBREVIATION.test(s) ? w === s || w === `${s}.` : w.startsWith(s)) return i + 1;
  }
  return 0;
}

/**
 * Function words of the three languages, plus question words: they say what kind of answer is wanted, not what
 * it is about, so they must not decide which passage is relevant.
 */
export const STOPWORDS: ReadonlySet<string> = new Set(
  `
a an the of in on at to for from by with and or but not no is are was were be been being am do does did done has have had
it its this that these those there here as into about over under than then so such can could will would shall should may might
must what which who whom whose when where why how many much i you he she we they me him her us them my your his our their
any some all each every other also only just very more most less least one ones if whether
и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее её мне было вот от меня еще ещё нет о из ему
теперь когда даже ну вдруг ли если уже или ни быть был него до вас нибудь опять уж вам ведь там потом себя ничего ей может они
тут где есть надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого
какой совсем ним здесь этом один почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при наконец два об другой
хоть после над больше тот через эти нас про всего них какая много разве три эту моя впрочем хорошо свою этой перед иногда лучше
чуть том нельзя такой им более всегда конечно всю между это также является являются который которая которые которое которых
сколько каким какими какие каких какую каком каков какова каково чей чья чьё чье кем кому кого чем чему каким какого
және мен бен пен да де та те бұл осы ол сол мына ана бір екі үш не ме ма ба бе па пе ғой қой ғана тек әрі бірақ немесе
үшін туралы бойынша арқылы сияқты дейін кейін шейін қарай жоқ бар еді екен болып болды болады болса болған
кім кімді кімнің кімге қандай қанша неше қашан қайда қай неге неліктен қалай ма ме мә нені неден неше нешінші қаншалықты
деген дегеніміз дегенді дегеніміз қандай қандайы
`
    .split(/\s+/)
    .filter(Boolean),
);

/**
 * Interrogatives that take a noun naming what is asked ("в каком году", "қай жылы", "what year"), and the nouns
 * of time that, standing right after one, are part of the question's "when", not of what it is about.
 */
export const INTERROGATIVE_DETERMINERS: ReadonlySet<string> = new Set(
  'какой какая какое какие какую каком какого каких каким какими которого котором которой какова каков which what қай қандай нешінші'.split(' '),
);
export const TIME_NOUNS =
  /^(?:год|году|года|годах|годы|годов|месяц|месяце|месяца|дня|день|числа|числе|веке|века|век|year|years|month|day|date|century|decade|жыл|жылы|жылдары|жылдан|жылға|айда|айы|күні|ғасыр|ғасырда|ғасырдың)$/;

/**
 * Words that open a sentence leaning on the one before it (a pronoun or a connective): such a sentence quoted alone
 * leaves the reader asking "who?" or "what?" (ru / en / kk).
 */
export const LEANING_OPENERS: ReadonlySet<string> = new Set(
  [
    'он', 'она', 'оно', 'они', 'его', 'её', 'ее', 'их', 'ему', 'ей', 'им', 'это', 'этот', 'эта', 'эти', 'этого', 'этой',
    'этих', 'этом', 'там', 'тогда', 'однако', 'но', 'также', 'затем', 'позже', 'впоследствии', 'кроме', 'тем',
    'he', 'she', 'it', 'they', 'his', 'her', 'its', 'their', 'them', 'this', 'these', 'that', 'those', 'there', 'then',
    'however', 'but', 'also', 'later', 'thus',
    'ол', 'оның', 'олар', 'олардың', 'оған', 'бұл', 'бұның', 'мұның', 'сол', 'осы', 'онда', 'алайда', 'бірақ',
    'сондай-ақ', 'кейін', 'сонымен',
  ],
);

/** A definite article: "The neighbourhood lies…" points back to the neighbourhood the sentence before named. */
export const DEFINITE_ARTICLES: ReadonlySet<string> = new Set(['the']);
/** Words after "the" that order or compare rather than name what is meant ("The first stage…", "The same day…"). */
export const ORDERING_ADJECTIVES: ReadonlySet<string> = new Set(
  ['first', 'second', 'third', 'last', 'next', 'same', 'new', 'old', 'main', 'former', 'latter', 'following', 'previous', 'final', 'whole', 'original', 'current', 'latest', 'largest', 'biggest', 'best'],
);

/**
 * Endings of words that describe rather than name (adjectives, participles): a count's shown phrase never ends on
 * one ("более 80 институциональных" → "… партнеров"). ru case endings (-ий only after к г х ж ч ш щ: "отделений"
 * is a noun), en derivational suffixes, kk -лық/-дық/-тық.
 */
export const ADJECTIVE_ENDING =
  /(?:ых|их|ый|[кгхжчшщ]ий|ой|ая|яя|ое|ее|ую|юю|ого|его|ому|ему|ыми|ими|al|ic|ive|ous|ful|лық|лік|дық|дік|тық|тік|ғы|гі|қы|кі)$/iu;
