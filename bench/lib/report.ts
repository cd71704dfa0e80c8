/** bench/results.md and bench/latency.svg from the figures of a run. */
import { lineChart } from './svg.js';

export interface Target {
  figure: string;
  op: '<=' | '>=';
  value: number;
  what: string;
}

export const TARGETS: Target[] = [
  // The latency budget (README "Speed"): a Telegram round trip is ~100 ms, so these bound simplicity, not a race.
  { figure: 'query_p95_ms_lexical_10k', op: '<=', value: 10, what: 'lexical question→answer p95 at 10k documents' },
  { figure: 'hybrid_minus_bare_p50_ms', op: '<=', value: 3, what: 'hybrid p50 minus the bare query embedding p50, ms (10k)' },
  { figure: 'reindex_one_doc_s_10k', op: '<=', value: 5, what: 're-index after one changed document of 10k (s)' },
];

interface Result {
  figures: Record<string, number | string | null>;
  meta: {
    date: string;
    quick: boolean;
    machine: { cpus: number; cpu: string | null; memory_gb: number; node: string; platform: string };
    load_average_start: number[];
    load_average_end: number[];
    corpora: Record<string, number>;
    questions: number;
    recall_questions: number;
    passes: Record<string, number>;
    seconds: number;
    large_index_reused: boolean;
  };
  details: Record<string, unknown>;
  notes: string[];
}

const num = (v: unknown) => (typeof v === 'number' ? v : NaN);
const show = (v: unknown) => (v === undefined || v === null || (typeof v === 'number' && !Number.isFinite(v)) ? '–' : String(v));

const MEANING: Record<string, string> = {
  model_load_ms: 'load the timing model (ONNX session + tokenizer + warm-up)',
  index_passages_per_s: 'full index build of the 1k corpus with the timing model: passages / wall seconds',
  index_build_s_1k: 'that build, seconds',
  passages_1k: 'passages in the 1k corpus',
  index_build_s_10k_hash_vectors: 'full build of the 10k corpus with hashing stand-in vectors (everything but the model)',
  reindex_one_doc_s_10k: 'incremental buildIndex after one changed document of 10k (timing model), median',
  embed_query_p50_ms: 'bare forward pass of the timing model for a question (embedQuery on the main thread), p50: the faster of 1 and 2 ONNX threads',
  hybrid_over_bare_p50: 'query_p50_ms_hybrid_10k / embed_query_p50_ms',
  hybrid_minus_bare_p50_ms: 'query_p50_ms_hybrid_10k − embed_query_p50_ms: what answering adds to the model call',
  cold_start_ms: 'spawn `node bin/citebot.js ask` → first answer byte, 10k index, hybrid (model loaded)',
  cold_start_ms_10k_lexical: 'the same with EMBEDDINGS=0 (lexical only)',
  cold_start_ms_5: 'the same on the 5-document index, hybrid',
  peak_rss_mb: 'peak RSS of `ask --file` answering the dev questions on the 10k index, hybrid',
};

function meaning(k: string): string {
  if (MEANING[k]) return MEANING[k];
  let m: RegExpMatchArray | null;
  if ((m = k.match(/^query_p(50|95)_ms_(lexical|hybrid)_(\w+)_first$/))) return `AnswerService.ask, ${m[2]}, p${m[1]}, ${m[3]} corpus: each question once on a freshly loaded index (per-index caches cold, code warm)`;
  if ((m = k.match(/^query_p(50|95)_ms_(lexical|hybrid)_(\w+)$/))) return `AnswerService.ask, ${m[2]}, warm, p${m[1]}, ${m[3]} corpus`;
  if ((m = k.match(/^peer_ratio_(.+?)(?:_(5|1k))?$/))) return `${m[1]} median latency / ours (retrieval only, same passages${/memory/.test(m[1]) ? ' and vectors' : ''}), ${m[2] ?? '10k'} corpus`;
  if ((m = k.match(/^recall5_(.+)$/))) return `recall@5 on the dev questions over the 5 real articles (a source among the docs of the top 5 passages), ${m[1]}`;
  return '';
}

export function targetStatus(r: Result): Array<{ t: Target; value: number; met: boolean }> {
  return TARGETS.map((t) => {
    const value = num(r.figures[t.figure]);
    return { t, value, met: Number.isFinite(value) && (t.op === '<=' ? value <= t.value : value >= t.value) };
  });
}

/**
 * peer_ratio_* ≥ 1 (10k corpus) with our recall@5 at least the peer's. Recall is taken on the 5 real articles: in the
 * synthetic corpora each source competes with hundreds of near-copies that repeat its sentences with other figures.
 */
export function peerStatus(r: Result): Array<{ name: string; ratio: number; ours: number; theirs: number; met: boolean; path: string }> {
  const peers = r.details.peers as Record<string, Record<string, { path: string; ratio?: number; recall5: number }>> | undefined;
  const big = peers?.['10k'];
  const small = peers?.['5'];
  if (!big) return [];
  return Object.entries(big)
    .filter(([, v]) => v.ratio !== undefined)
    .map(([name, v]) => {
      const path = v.path;
      const ours = small?.[path === 'dense' ? 'citebot_dense' : 'citebot_lexical']?.recall5 ?? NaN;
      const theirs = small?.[name]?.recall5 ?? NaN;
      return { name, ratio: v.ratio!, ours, theirs, met: v.ratio! >= 1 && ours >= theirs, path };
    });
}

export function renderMarkdown(r: Result): string {
  const f = r.figures;
  const m = r.meta;
  const L: string[] = [];
  L.push(`# citebot benchmark${m.quick ? ' (quick smoke run: small corpora, few passes — not the real figures)' : ''}`);
  L.push('');
  L.push(
    `${m.date.slice(0, 16).replace('T', ' ')} UTC · ${m.machine.cpus} × ${m.machine.cpu} · ${m.machine.memory_gb} GB · node ${m.machine.node} · ` +
      `load average ${m.load_average_start.join('/')} at start, ${m.load_average_end.join('/')} at end · ${m.seconds} s · corpora ${Object.entries(m.corpora)
        .map(([k, v]) => `${k}=${v} docs`)
        .join(', ')} · ${m.questions} dev questions × ${m.passes.lexical} passes (lexical), × ${m.passes.hybrid} (hybrid)`,
  );
  L.push('');
  L.push('## Targets');
  L.push('');
  L.push('| target | figure | value | met |');
  L.push('|---|---|---:|:---:|');
  for (const s of targetStatus(r)) L.push(`| ${s.t.what} ${s.t.op} ${s.t.value} | \`${s.t.figure}\` | ${show(s.value)} | ${s.met ? 'yes' : '**no**'} |`);
  for (const p of peerStatus(r))
    L.push(`| ${p.name} (${p.path}) slower than ours (10k) at equal or better recall@5 (5 real articles) | \`peer_ratio_${p.name}\` | ×${p.ratio}; recall@5 ours ${p.ours}, peer ${p.theirs} | ${p.met ? 'yes' : '**no**'} |`);
  L.push('');

  L.push('## Latency against corpus size (warm, AnswerService.ask, ms)');
  L.push('');
  L.push('| corpus | lexical p50 | lexical p95 | retrieve p50 | compose p50 | hybrid p50 | hybrid p95 | hybrid: embed / retrieve / compose p50 | bare embed p50 | index load ms |');
  L.push('|---|---:|---:|---:|---:|---:|---:|---|---:|---:|');
  const lat = (r.details.latency ?? {}) as Record<string, Record<string, number>>;
  for (const k of ['5', '1k', '10k']) {
    const lx = lat[`lexical_${k}`] ?? {};
    const hy = lat[`hybrid_${k}`] ?? {};
    L.push(
      `| ${k} (${m.corpora[k]} docs) | ${show(lx.p50)} | ${show(lx.p95)} | ${show(lx.retrieve_p50)} | ${show(lx.compose_p50)} | ${show(hy.p50)} | ${show(hy.p95)} | ${show(hy.embed_p50)} / ${show(hy.retrieve_p50)} / ${show(hy.compose_p50)} | ${show(hy.bare_embed_p50)} | ${show(lx.index_load_ms)} |`,
    );
  }
  L.push('');
  L.push('Hybrid: the question is embedded in a worker thread while the lexical search runs, so `embed` (asking for the vector → having it) overlaps `retrieve`, and the parts add up to more than the total. Bare embed: the faster of the model\'s forward pass on the main thread with 1 and with 2 ONNX threads (timed against each other first: `details.latency.hybrid_*.bare_embed_p50_by_threads`), then interleaved alone with the answers.');
  L.push('');
  L.push('![latency against corpus size](latency.svg)');
  L.push('');

  const peers = r.details.peers as Record<string, Record<string, Record<string, unknown>>> | undefined;
  if (peers) {
    L.push('## Peers: retrieval only, same passages (and vectors), interleaved question by question');
    L.push('');
    L.push('Ours = `retrieve()` (lexical mode: query planning with cross-lingual expansion, BM25, fusion, de-duplication; k = 5) for the lexical path, `VectorIndex.search` (HNSW) for the dense path. ' +
      'Peer latency is its own search call for the 5 best passages. ratio = peer p50 / ours (> 1: we are faster). ' +
      'Dense recall uses the random-weight timing model, so it says nothing about quality: `exact agreement` (share of the exact cosine top 5 found) is the meaningful dense quality figure.');
    L.push('');
    L.push('| corpus | system | path | p50 ms | ratio | samples | recall@5 | exact agreement@5 | build ms |');
    L.push('|---|---|---|---:|---:|---:|---:|---:|---:|');
    for (const [k, sys] of Object.entries(peers)) {
      for (const [name, v] of Object.entries(sys)) {
        L.push(`| ${k} | ${name} | ${show(v.path)} | ${show(v.p50_ms)} | ${show(v.ratio)} | ${show(v.samples)} | ${show(v.recall5)} | ${show(v.exact_agreement5)} | ${show(v.build_ms)} |`);
      }
    }
    L.push('');
    L.push('recall@5 at 1k and 10k is shown for completeness only: the synthetic documents repeat the seed sentences with other figures and names, so there the real source competes with hundreds of near-copies and the figure measures chance, not quality. The targets use recall on the 5 real articles.');
    L.push('');
    const sweeps = Object.entries(peers).filter(([, sys]) => (sys.citebot_dense as { ef_sweep?: unknown })?.ef_sweep);
    if (sweeps.length) {
      L.push('HNSW search effort (`ef`, default 64) against agreement with exact cosine search, same vectors and questions:');
      L.push('');
      L.push('| corpus | ef | p50 ms | exact agreement@5 |');
      L.push('|---|---:|---:|---:|');
      for (const [k, sys] of sweeps) for (const e of (sys.citebot_dense as { ef_sweep: Array<Record<string, number>> }).ef_sweep) L.push(`| ${k} | ${e.ef} | ${e.p50_ms} | ${e.exact_agreement5} |`);
      L.push('');
    }
  }

  L.push('## Index build and re-index');
  L.push('');
  const bm = r.details.build_mid as { passages: number; seconds: number; phases: Record<string, number> } | undefined;
  const bl = r.details.build_large as { passages: number; seconds: number; phases: Record<string, number> } | undefined;
  const ri = r.details.reindex as { median_phases: Record<string, number>; runs: Array<{ seconds: number; embedded: number }> } | undefined;
  L.push('Phases are the wall time between buildIndex\'s progress events (see `PhaseTimes` in bench/run.ts for what build.ts does in each).');
  L.push('');
  L.push('| build | passages | seconds | start → scan | scan → plan | plan → write | write → end |');
  L.push('|---|---:|---:|---:|---:|---:|---:|');
  const ph = (p: Record<string, number>) => `${show(p.until_scan_s)} | ${show(p.scan_to_plan_s)} | ${show(p.plan_to_write_s)} | ${show(p.write_s)}`;
  if (bm) L.push(`| full, 1k, timing model | ${bm.passages} | ${bm.seconds} | ${ph(bm.phases)} |`);
  if (bl) L.push(`| full, 10k, hashing stand-in vectors | ${bl.passages} | ${bl.seconds} | ${ph(bl.phases)} |`);
  if (ri) L.push(`| incremental, 10k, 1 changed doc (median of ${ri.runs.length}) | ${ri.runs[0]?.embedded ?? '–'} embedded | ${show(f.reindex_one_doc_s_10k)} | ${ph(ri.median_phases)} |`);
  L.push('');

  L.push('## All figures');
  L.push('');
  L.push('| figure | value | meaning |');
  L.push('|---|---:|---|');
  for (const [k, v] of Object.entries(f)) L.push(`| \`${k}\` | ${show(v)} | ${meaning(k)} |`);
  L.push('');
  if (r.notes.length) {
    L.push('## Notes');
    L.push('');
    for (const n of r.notes) L.push(`- ${n}`);
    L.push('');
  }
  L.push('Method: see bench/README.md. Timing model: random weights with the shape of multilingual-e5-small (q8) — for timing only, never quality.');
  L.push('');
  return L.join('\n');
}

export function renderSvg(r: Result): string {
  const lat = (r.details.latency ?? {}) as Record<string, Record<string, number>>;
  const sizes: Array<[string, number]> = Object.entries(r.meta.corpora);
  const pts = (k: string, field: string): Array<[number, number]> => sizes.map(([key, n]) => [n, num(lat[`${k}_${key}`]?.[field])]);
  return lineChart({
    title: 'citebot: question → answer latency against corpus size',
    subtitle: `warm, median of ${r.meta.questions} dev questions × passes; ${r.meta.machine.cpus} × ${r.meta.machine.cpu ?? 'cpu'}${r.meta.quick ? ' (quick run)' : ''}`,
    xLabel: 'documents in the corpus (log scale)',
    yLabel: 'milliseconds',
    series: [
      { name: 'lexical p50', color: '#1f77b4', points: pts('lexical', 'p50') },
      { name: 'lexical p95', color: '#1f77b4', dash: '6 4', points: pts('lexical', 'p95') },
      { name: 'hybrid p50', color: '#d62728', points: pts('hybrid', 'p50') },
      { name: 'hybrid p95', color: '#d62728', dash: '6 4', points: pts('hybrid', 'p95') },
      { name: 'bare query embedding p50', color: '#2ca02c', points: pts('hybrid', 'bare_embed_p50') },
    ],
    hlines: [
      { y: 5, label: 'target: lexical p50 ≤ 5 ms', color: '#1f77b4' },
      { y: 15, label: 'target: lexical p95 ≤ 15 ms', color: '#7f7f7f' },
    ],
  });
}
