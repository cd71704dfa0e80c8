import { mulberry32 } from '../../scripts/make-test-model.js';
/**
 * Synthetic corpora for the benchmark: the five seed articles plus generated ones that recombine the seed
 * sentences (same language per document) with other numbers, dates and names, so that the tokenizer, the
 * chunker and the index see text like the real articles. Deterministic: document i depends only on the seed
 * articles, the generator version, `seed` and i (so the first 995 documents of the 10k corpus are those of 1k).
 */
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { splitSentences } from '../../src/chunk/sentences.js';
import { ingestDir } from '../../src/ingest/read.js';
import type { Lang } from '../../src/types.js';
import { BENCH_CACHE, SEEDS } from './paths.js';

export const CORPUS_VERSION = 2;
export const DEFAULT_CORPUS_SEED = 20240807;

/** mulberry32: small, fast, the same stream everywhere (shared with the model generator). */
export const rng = mulberry32;

interface SeedSentences {
  id: string;
  language: Lang;
  title: string;
  sentences: string[];
}

export interface SentencePool {
  seeds: SeedSentences[];
  byLang: Record<Lang, SeedSentences[]>;
  /** Generated surnames per script, most frequent first. */
  names: { cyr: string[]; lat: string[] };
  fingerprint: string;
}

const CYR_SYL = ['ба', 'бек', 'жан', 'нур', 'сул', 'тан', 'ай', 'ер', 'бол', 'мұх', 'ра', 'ли', 'ас', 'кар', 'сей', 'дау', 'ман', 'ға', 'ұл', 'жол', 'қас', 'ым', 'ор', 'ин', 'ду', 'са', 'ки', 'мир', 'ла', 'та', 'шам', 'әл', 'ха', 'ге', 'рим', 'зат'];
const CYR_END = ['ов', 'ев', 'ова', 'ева', 'ин', 'ина', 'ұлы', 'қызы', 'бай', 'беков', 'енко', 'ский'];
const TRANSLIT: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ж: 'zh', з: 'z', и: 'i', й: 'y', к: 'k', л: 'l', м: 'm', н: 'n', о: 'o', п: 'p', р: 'r', с: 's',
  т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'sch', ы: 'y', э: 'e', ю: 'yu', я: 'ya', ә: 'a', ғ: 'gh', қ: 'q', ң: 'ng',
  ө: 'o', ұ: 'u', ү: 'u', һ: 'h', і: 'i', ь: '', ъ: '',
};

function makeNames(r: () => number, n: number): { cyr: string[]; lat: string[] } {
  const cyr = new Set<string>();
  while (cyr.size < n) {
    const k = 2 + Math.floor(r() * 2);
    let w = '';
    for (let i = 0; i < k; i++) w += CYR_SYL[Math.floor(r() * CYR_SYL.length)];
    w += CYR_END[Math.floor(r() * CYR_END.length)];
    cyr.add(w[0].toUpperCase() + w.slice(1));
  }
  const cyrList = [...cyr];
  const lat = cyrList.map((w) => {
    const s = [...w.toLowerCase()].map((c) => TRANSLIT[c] ?? c).join('');
    return s[0].toUpperCase() + s.slice(1);
  });
  return { cyr: cyrList, lat };
}

export async function loadSentencePool(seedsDir = SEEDS): Promise<SentencePool> {
  const { articles } = await ingestDir(seedsDir);
  if (!articles.length) throw new Error(`no seed articles in ${seedsDir}`);
  const seeds: SeedSentences[] = articles.map((a) => {
    const sentences: string[] = [];
    a.content.forEach(([s, e], i) => {
      if (i === 0) return; // the title line
      for (const sp of splitSentences(a.text, s, e)) {
        const t = a.text.slice(sp.start, sp.end).replace(/\s+/g, ' ').trim();
        if (/[\p{L}]{3}/u.test(t)) sentences.push(t);
      }
    });
    return { id: a.id, language: a.language, title: a.title, sentences };
  });
  const byLang = { ru: [], kk: [], en: [] } as Record<Lang, SeedSentences[]>;
  for (const s of seeds) byLang[s.language].push(s);
  const fingerprint = createHash('sha256')
    .update(JSON.stringify(articles.map((a) => [a.id, a.hash])))
    .digest('hex')
    .slice(0, 16);
  return { seeds, byLang, names: makeNames(rng(12345), 600), fingerprint };
}

const LANG_WEIGHTS: Array<[Lang, number]> = [
  ['ru', 0.6],
  ['kk', 0.2],
  ['en', 0.2],
];
const RU_DAYS = ['Понедельник', 'Вторник', 'Среда', 'Четверг', 'Пятница', 'Суббота', 'Воскресенье'];
const RU_MONTHS = ['января', 'февраля', 'марта', 'апреля', 'мая', 'июня', 'июля', 'августа', 'сентября', 'октября', 'ноября', 'декабря'];
const KK_MONTHS = ['қаңтар', 'ақпан', 'наурыз', 'сәуір', 'мамыр', 'маусым', 'шілде', 'тамыз', 'қыркүйек', 'қазан', 'қараша', 'желтоқсан'];
const EN_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const OUTLETS = ['Kazinform', 'El.kz', 'BNews.kz', 'Tengrinews', 'Zakon.kz', 'Inform.kz', 'Astana Times'];

/** Rewrites numbers (same number of digits; years stay years) and, sometimes, capitalised names. */
function mutate(sentence: string, lang: Lang, r: () => number, pool: SentencePool): string {
  let s = sentence.replace(/\d+/g, (m) => {
    const n = Number(m);
    if (m.length === 4 && n >= 1900 && n <= 2100) return String(1995 + Math.floor(r() * 31));
    if (r() < 0.3) return m;
    const lo = m.length === 1 ? 1 : 10 ** (m.length - 1);
    return String(lo + Math.floor(r() * (10 ** m.length - lo)));
  });
  const names = lang === 'en' ? pool.names.lat : pool.names.cyr;
  // Capitalised words after the first one: names, places, organisations.
  s = s.replace(/(?<=[\p{L}\p{N},;:»)] )\p{Lu}[\p{Ll}]{3,}/gu, (m) => {
    if (r() >= 0.35) return m;
    const k = Math.floor(names.length * r() * r()); // a few names are frequent, most are rare
    return names[k];
  });
  return s;
}

function dateLine(lang: Lang, r: () => number): string {
  const y = 2010 + Math.floor(r() * 16);
  const m = Math.floor(r() * 12);
  const d = 1 + Math.floor(r() * 28);
  const hh = String(8 + Math.floor(r() * 12)).padStart(2, '0');
  const mm = String(Math.floor(r() * 60)).padStart(2, '0');
  if (lang === 'ru') return `${RU_DAYS[Math.floor(r() * 7)]}, ${String(d).padStart(2, '0')} ${RU_MONTHS[m]} ${y} ${hh}:${mm}`;
  if (lang === 'kk') return `${y} жылғы ${d} ${KK_MONTHS[m]}, ${hh}:${mm}`;
  return `${EN_MONTHS[m]} ${d}, ${y}`;
}

/** The text of synthetic document `i` (0-based) of a corpus made with `seed`. */
export function syntheticDocument(pool: SentencePool, seed: number, i: number): string {
  const r = rng((seed ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0);
  let x = r();
  let lang: Lang = 'ru';
  for (const [l, w] of LANG_WEIGHTS) {
    if (x < w && pool.byLang[l].length) {
      lang = l;
      break;
    }
    x -= w;
  }
  if (!pool.byLang[lang].length) lang = pool.seeds[0].language;
  const sameLang = pool.byLang[lang];
  const parent = sameLang[Math.floor(r() * sameLang.length)];
  const all = sameLang.flatMap((s) => s.sentences);

  // Length like the seeds (237–722 words): 200–800 words.
  const targetWords = 200 + Math.floor(r() * 600);
  const body: string[] = [];
  let words = 0;
  let pos = Math.floor(r() * parent.sentences.length);
  while (words < targetWords) {
    let sentence: string;
    if (r() < 0.7) {
      sentence = parent.sentences[pos % parent.sentences.length];
      pos++;
    } else {
      sentence = all[Math.floor(r() * all.length)];
    }
    const m = mutate(sentence, lang, r, pool);
    body.push(m);
    words += m.split(/\s+/).length;
  }
  const from = Math.floor(r() * all.length);
  const titleSource = r() < 0.5 ? parent.title : (all.find((s, k) => k >= from && s.split(' ').length <= 16) ?? parent.title);
  const title = mutate(titleSource, lang, r, pool).replace(/[.!?…]+$/, '');

  const lines: string[] = [title, ''];
  if (r() < 0.5) lines.push(dateLine(lang, r), '');
  // Paragraphs of 1–5 sentences.
  for (let k = 0; k < body.length; ) {
    const n = 1 + Math.floor(r() * 5);
    lines.push(body.slice(k, k + n).join(' '));
    k += n;
  }
  if (r() < 0.4) {
    const outlet = OUTLETS[Math.floor(r() * OUTLETS.length)];
    lines.push('', lang === 'ru' ? `Источник: ${outlet}` : lang === 'kk' ? `Дереккөз: ${outlet}` : `Source: ${outlet}`);
  }
  return lines.join('\n') + '\n';
}

export function syntheticFileName(text: string, i: number): string {
  return `syn${String(i).padStart(5, '0')}_${createHash('sha256').update(text).digest('hex').slice(0, 16)}.txt`;
}

export interface Corpus {
  name: string;
  dir: string;
  documents: number;
  /** The synthetic file that the re-index figure edits. */
  editable?: string;
}

/**
 * The 5 seed articles plus `documents - 5` synthetic ones in bench/.cache/corpora/<name>/, generated once
 * (a stamp file says with what; a different stamp regenerates it).
 */
export async function ensureCorpus(name: string, documents: number, opts: { seed?: number; pool?: SentencePool; log?: (s: string) => void } = {}): Promise<Corpus> {
  const seed = opts.seed ?? DEFAULT_CORPUS_SEED;
  const pool = opts.pool ?? (await loadSentencePool());
  const dir = path.join(BENCH_CACHE, 'corpora', name);
  const stampFile = path.join(dir, '.stamp.json');
  const stamp = JSON.stringify({ version: CORPUS_VERSION, seed, documents, seeds: pool.fingerprint });
  const synthetic = Math.max(0, documents - pool.seeds.length);
  const firstSynthetic = async () => (await fs.readdir(dir)).filter((f) => f.startsWith('syn')).sort()[0];
  if (existsSync(stampFile) && (await fs.readFile(stampFile, 'utf8')) === stamp) {
    return { name, dir, documents, editable: synthetic ? await firstSynthetic() : undefined };
  }
  opts.log?.(`generating corpus ${name} (${documents} documents)…`);
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  for (const f of await fs.readdir(SEEDS)) if (/\.(txt|md)$/i.test(f)) await fs.copyFile(path.join(SEEDS, f), path.join(dir, f));
  for (let i = 0; i < synthetic; i++) {
    const text = syntheticDocument(pool, seed, i);
    await fs.writeFile(path.join(dir, syntheticFileName(text, i)), text);
  }
  await fs.writeFile(stampFile, stamp);
  return { name, dir, documents, editable: synthetic ? await firstSynthetic() : undefined };
}
