/**
 * Generates a small BERT-architecture ONNX model with seeded random weights and a
 * WordPiece tokenizer learnt from a text corpus, laid out exactly like a Hugging Face
 * Hub model folder so that transformers.js loads it offline:
 *
 *   <outDir>/config.json               model_type "bert", hidden_size, …
 *   <outDir>/tokenizer.json            HF tokenizers format (BertNormalizer without accent
 *                                      stripping, BertPreTokenizer, WordPiece "##", [CLS] … [SEP])
 *   <outDir>/tokenizer_config.json
 *   <outDir>/special_tokens_map.json
 *   <outDir>/onnx/model.onnx            fp32 graph
 *   <outDir>/onnx/model_quantized.onnx  what dtype "q8" loads: the fp32 graph again, or with
 *                                      `quantized: true` a dynamically int8-quantized graph
 *                                      (DynamicQuantizeLinear + MatMulInteger + scale), the
 *                                      pattern onnxruntime's quantize_dynamic produces
 *   <outDir>/generator.json            the options and corpus fingerprint it was made from
 *
 * The model is useless for meaning, but with small random weights it behaves roughly like a
 * bag-of-words embedder (texts sharing tokens get closer vectors), and it has the exact
 * inputs/outputs of a BERT feature extractor: input_ids, attention_mask, token_type_ids →
 * last_hidden_state. The same seed always gives byte-identical files.
 *
 * CLI:
 *   tsx scripts/make-test-model.ts --out models/citebot/test-tiny --corpus seeds
 *       [--layers 2 --hidden 64 --heads 4 --intermediate 128 --vocab N --max-positions 512 --seed 42 --quantized]
 *   tsx scripts/make-test-model.ts --preset e5-small --out models/citebot/timing-e5-small --corpus seeds
 *       (12 layers, hidden 384, 12 heads, ff 1536, vocab 30000, 512 positions, quantized)
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';
import type { onnx as O } from 'onnx-proto';

const { onnx } = onnxProto;

/** Bump when the generated files change for the same options (invalidates cached test models). */
export const GENERATOR_VERSION = 1;

export interface BertModelOptions {
  outDir: string;
  /** `.txt` / `.md` files under this folder (recursively) are read as corpus. */
  corpusDir?: string;
  corpusTexts?: string[];
  layers?: number;
  hidden?: number;
  heads?: number;
  intermediate?: number;
  /** Exact vocabulary size (padded with `[unusedN]` fillers). Default: what the corpus gives, at most 8000. */
  vocabSize?: number;
  maxPositions?: number;
  seed?: number;
  quantized?: boolean;
}

export interface BertModelResult {
  outDir: string;
  vocabSize: number;
  dim: number;
}

/** Shape of the default test model: fast enough for unit tests. */
export const TINY_SHAPE = { layers: 2, hidden: 64, heads: 4, intermediate: 128, maxPositions: 512 } as const;

/** Shape of Xenova/multilingual-e5-small (vocabulary made smaller), for benchmarks. */
export const E5_SMALL_SHAPE = {
  layers: 12,
  hidden: 384,
  heads: 12,
  intermediate: 1536,
  vocabSize: 30000,
  maxPositions: 512,
  quantized: true,
} as const;

const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;
const DEFAULT_MAX_NATURAL_VOCAB = 8000;

/** Same character classes as the BertPreTokenizer of @huggingface/tokenizers. */
const PUNCT = '\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E';
const PRE_TOKEN_RE = new RegExp(`[^\\s${PUNCT}]+|[${PUNCT}]`, 'gu');

/** Letters that should always be known, whatever the corpus. */
const BASE_ALPHABET = [
  ...'abcdefghijklmnopqrstuvwxyz0123456789',
  ...'абвгдеёжзийклмнопрстуфхцчшщъыьэюя',
  ...'әғқңөұүһі',
  ...'.,;:!?()[]{}"\'«»“”„‘’-–—/\\%&#№@*+=<>_$€₸',
];

/** Words the embedder itself adds (e5 prefixes). */
const ALWAYS_WORDS = ['passage', 'query'];

// ---------------------------------------------------------------------------
// Deterministic PRNG (mulberry32): integer arithmetic only, same stream everywhere.

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------
// Corpus and vocabulary

async function listCorpusFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await fs.readdir(d, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && /\.(txt|md)$/i.test(e.name)) out.push(p);
    }
  };
  await walk(dir);
  return out;
}

async function readCorpus(opts: Pick<BertModelOptions, 'corpusDir' | 'corpusTexts'>): Promise<string[]> {
  const texts: string[] = [];
  if (opts.corpusDir) {
    for (const file of await listCorpusFiles(opts.corpusDir)) {
      texts.push((await fs.readFile(file, 'utf8')).replace(/^\uFEFF/, ''));
    }
  }
  if (opts.corpusTexts) texts.push(...opts.corpusTexts);
  return texts;
}

/** BertNormalizer(clean_text, lowercase, strip_accents=false) as @huggingface/tokenizers does it. */
function normalize(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0 || cp === 0xfffd) continue;
    if (ch !== '\t' && ch !== '\n' && ch !== '\r' && /^\p{Cc}|\p{Cf}|\p{Co}|\p{Cs}$/u.test(ch)) continue;
    out += /^\s$/u.test(ch) ? ' ' : ch;
  }
  return out.toLowerCase();
}

function preTokenize(text: string): string[] {
  return normalize(text).trim().match(PRE_TOKEN_RE) ?? [];
}

function byScoreThenText(a: [string, number], b: [string, number]): number {
  if (b[1] !== a[1]) return b[1] - a[1];
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/**
 * WordPiece vocabulary: special tokens, every character (alone and as `##c`), then whole
 * words and frequent word-initial / `##` inner pieces ranked by corpus frequency.
 */
export function buildVocab(texts: string[], vocabSize?: number): string[] {
  const wordFreq = new Map<string, number>();
  for (const t of texts) {
    for (const w of preTokenize(t)) wordFreq.set(w, (wordFreq.get(w) ?? 0) + 1);
  }
  for (const w of ALWAYS_WORDS) wordFreq.set(w, (wordFreq.get(w) ?? 0) + 1);

  const chars = new Set<string>(BASE_ALPHABET.map((c) => c.toLowerCase()));
  for (const w of wordFreq.keys()) for (const c of w) chars.add(c);
  const charList = [...chars].sort();

  const vocab: string[] = [...SPECIAL_TOKENS];
  const seen = new Set<string>(vocab);
  const push = (tok: string): boolean => {
    if (seen.has(tok)) return false;
    seen.add(tok);
    vocab.push(tok);
    return true;
  };
  for (const c of charList) push(c);
  for (const c of charList) push('##' + c);

  if (vocabSize !== undefined && vocab.length > vocabSize) {
    throw new Error(`vocabSize ${vocabSize} is too small: the characters of the corpus alone need ${vocab.length} entries`);
  }

  // Candidates: whole words (weighted up: a whole word saves the most pieces) and pieces.
  const scores = new Map<string, number>();
  const add = (tok: string, s: number) => scores.set(tok, (scores.get(tok) ?? 0) + s);
  for (const [w, f] of wordFreq) {
    const cs = [...w];
    if (cs.length < 2 || cs.length > 40) continue;
    add(w, f * 3);
    if (cs.length < 4) continue;
    for (let k = 2; k <= Math.min(cs.length - 1, 8); k++) add(cs.slice(0, k).join(''), f);
    for (let i = 1; i < cs.length; i++) {
      for (let len = 2; len <= 6 && i + len <= cs.length; len++) add('##' + cs.slice(i, i + len).join(''), f);
    }
  }
  const ranked = [...scores.entries()].filter(([tok, s]) => s >= 2 || wordFreq.has(tok)).sort(byScoreThenText);
  const limit = vocabSize ?? DEFAULT_MAX_NATURAL_VOCAB;
  for (const [tok] of ranked) {
    if (vocab.length >= limit) break;
    push(tok);
  }
  if (vocabSize !== undefined) {
    for (let i = 0; vocab.length < vocabSize; i++) push(`[unused${i}]`);
  }
  return vocab;
}

// ---------------------------------------------------------------------------
// Tokenizer files

function tokenizerJson(vocab: string[]): unknown {
  const ids = Object.create(null) as Record<string, number>;
  vocab.forEach((tok, i) => (ids[tok] = i));
  const special = (t: string) => ({ id: t, ids: [ids[t]], tokens: [t] });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((t) => ({
      id: ids[t],
      content: t,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: false, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: { '[CLS]': special('[CLS]'), '[SEP]': special('[SEP]') },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: ids,
    },
  };
}

// ---------------------------------------------------------------------------
// ONNX graph building

type Dims = number[];
const F32 = onnx.TensorProto.DataType.FLOAT;
const I64 = onnx.TensorProto.DataType.INT64;
const I8 = onnx.TensorProto.DataType.INT8;

function attrInt(name: string, i: number): O.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i };
}
function attrFloat(name: string, f: number): O.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.FLOAT, f };
}
function attrInts(name: string, ints: number[]): O.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints };
}

function bytesOf(a: Float32Array | BigInt64Array | Int8Array): Uint8Array {
  // TypedArray bytes are little-endian on every platform Node runs on; ONNX raw_data is little-endian.
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

class GraphBuilder {
  readonly nodes: O.INodeProto[] = [];
  readonly initializers: O.ITensorProto[] = [];
  private counter = 0;

  fresh(hint: string): string {
    return `/${hint}_${this.counter++}`;
  }

  node(opType: string, inputs: string[], hint: string, attrs: O.IAttributeProto[] = [], nOut = 1): string[] {
    const name = this.fresh(hint);
    const outputs = nOut === 1 ? [`${name}_output_0`] : Array.from({ length: nOut }, (_, i) => `${name}_output_${i}`);
    this.nodes.push({ name, opType, input: inputs, output: outputs, attribute: attrs });
    return outputs;
  }

  op(opType: string, inputs: string[], attrs: O.IAttributeProto[] = []): string {
    return this.node(opType, inputs, opType, attrs)[0];
  }

  float(name: string, dims: Dims, data: Float32Array): string {
    this.initializers.push({ name, dims, dataType: F32, rawData: bytesOf(data) });
    return name;
  }

  int64(name: string, dims: Dims, values: number[]): string {
    this.initializers.push({ name, dims, dataType: I64, rawData: bytesOf(BigInt64Array.from(values.map(BigInt))) });
    return name;
  }

  int8(name: string, dims: Dims, data: Int8Array): string {
    this.initializers.push({ name, dims, dataType: I8, rawData: bytesOf(data) });
    return name;
  }

  scalarF(name: string, v: number): string {
    return this.float(name, [], Float32Array.of(v));
  }
}

/** Symmetric per-tensor int8 quantization (what quantize_dynamic does for QInt8 weights). */
function quantizeSymmetric(w: Float32Array): { q: Int8Array; scale: number } {
  let max = 0;
  for (let i = 0; i < w.length; i++) max = Math.max(max, Math.abs(w[i]));
  const scale = Math.fround(max > 0 ? max / 127 : 1);
  const q = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) q[i] = Math.max(-127, Math.min(127, Math.round(w[i] / scale)));
  return { q, scale };
}

interface Shape {
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
  vocabSize: number;
  maxPositions: number;
}

/**
 * Seeded weights, generated in a fixed order so that fp32 and quantized graphs share them.
 * Uniform(-a, a) with a = std·√3 (std 0.02 like BERT's initializer_range); position and token
 * type embeddings are made smaller so that word identity dominates the pooled vector.
 */
function makeWeights(shape: Shape, seed: number): Map<string, { dims: Dims; data: Float32Array }> {
  const rnd = mulberry32(seed);
  const w = new Map<string, { dims: Dims; data: Float32Array }>();
  const uniform = (name: string, dims: Dims, std: number) => {
    const n = dims.reduce((a, b) => a * b, 1);
    const a = std * Math.sqrt(3);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = (rnd() * 2 - 1) * a;
    w.set(name, { dims, data });
  };
  const constant = (name: string, dims: Dims, v: number) => {
    const n = dims.reduce((a, b) => a * b, 1);
    w.set(name, { dims, data: new Float32Array(n).fill(v) });
  };
  const { hidden: H, intermediate: I, vocabSize: V, maxPositions: P, layers: L } = shape;
  uniform('embeddings.word_embeddings.weight', [V, H], 0.02);
  uniform('embeddings.position_embeddings.weight', [P, H], 0.004);
  uniform('embeddings.token_type_embeddings.weight', [2, H], 0.004);
  constant('embeddings.LayerNorm.weight', [H], 1);
  constant('embeddings.LayerNorm.bias', [H], 0);
  for (let l = 0; l < L; l++) {
    const p = `encoder.layer.${l}`;
    for (const m of ['query', 'key', 'value']) {
      uniform(`${p}.attention.self.${m}.weight`, [H, H], 0.02);
      uniform(`${p}.attention.self.${m}.bias`, [H], 0.02);
    }
    uniform(`${p}.attention.output.dense.weight`, [H, H], 0.02);
    uniform(`${p}.attention.output.dense.bias`, [H], 0.02);
    constant(`${p}.attention.output.LayerNorm.weight`, [H], 1);
    constant(`${p}.attention.output.LayerNorm.bias`, [H], 0);
    uniform(`${p}.intermediate.dense.weight`, [H, I], 0.02);
    uniform(`${p}.intermediate.dense.bias`, [I], 0.02);
    uniform(`${p}.output.dense.weight`, [I, H], 0.02);
    uniform(`${p}.output.dense.bias`, [H], 0.02);
    constant(`${p}.output.LayerNorm.weight`, [H], 1);
    constant(`${p}.output.LayerNorm.bias`, [H], 0);
  }
  return w;
}

function buildModel(shape: Shape, weights: Map<string, { dims: Dims; data: Float32Array }>, quantized: boolean): Uint8Array {
  const g = new GraphBuilder();
  const { hidden: H, heads: NH, layers: L } = shape;
  const headDim = H / NH;
  const W = (name: string) => {
    const t = weights.get(name)!;
    return g.float(name, t.dims, t.data);
  };

  // Shared constants
  const axes0 = g.int64('const_axes_0', [1], [0]);
  const axes12 = g.int64('const_axes_1_2', [2], [1, 2]);
  const one1 = g.int64('const_1', [1], [1]);
  const two1 = g.int64('const_2', [1], [2]);
  const zero1 = g.int64('const_0', [1], [0]);
  const shapeHeads = g.int64('const_shape_heads', [4], [0, 0, NH, headDim]);
  const shapeMerge = g.int64('const_shape_merge', [3], [0, 0, H]);
  const fOne = g.scalarF('const_f_1', 1);
  const fMaskNeg = g.scalarF('const_f_mask', -10000);
  const fScale = g.scalarF('const_f_attn_scale', 1 / Math.sqrt(headDim));
  const fHalf = g.scalarF('const_f_0_5', 0.5);
  const fInvSqrt2 = g.scalarF('const_f_inv_sqrt2', Math.SQRT1_2);

  // Quantized MatMul helpers (quantize_dynamic pattern); activations are quantized once per tensor.
  const dqlCache = new Map<string, [string, string, string]>();
  const dynQuant = (x: string): [string, string, string] => {
    let r = dqlCache.get(x);
    if (!r) {
      const [q, s, zp] = g.node('DynamicQuantizeLinear', [x], 'DynamicQuantizeLinear', [], 3);
      r = [q, s, zp];
      dqlCache.set(x, r);
    }
    return r;
  };
  const linear = (x: string, wName: string, bName: string): string => {
    let y: string;
    if (!quantized) {
      y = g.op('MatMul', [x, W(wName)]);
    } else {
      const t = weights.get(wName)!;
      const { q, scale } = quantizeSymmetric(t.data);
      const wq = g.int8(`${wName}_quantized`, t.dims, q);
      const ws = g.scalarF(`${wName}_scale`, scale);
      const wzp = g.int8(`${wName}_zero_point`, [], Int8Array.of(0));
      const [xq, xs, xzp] = dynQuant(x);
      const mmi = g.op('MatMulInteger', [xq, wq, xzp, wzp]);
      const cast = g.op('Cast', [mmi], [attrInt('to', F32)]);
      const s = g.op('Mul', [xs, ws]);
      y = g.op('Mul', [cast, s]);
    }
    return g.op('Add', [y, W(bName)]);
  };
  const layerNorm = (x: string, prefix: string): string =>
    g.op('LayerNormalization', [x, W(`${prefix}.weight`), W(`${prefix}.bias`)], [attrInt('axis', -1), attrFloat('epsilon', 1e-12)]);

  // Embeddings
  let wordEmb: string;
  if (!quantized) {
    wordEmb = g.op('Gather', [W('embeddings.word_embeddings.weight'), 'input_ids']);
  } else {
    // Gather on an int8 table + DequantizeLinear (what quantize_dynamic does to Gather).
    const t = weights.get('embeddings.word_embeddings.weight')!;
    const { q, scale } = quantizeSymmetric(t.data);
    const wq = g.int8('embeddings.word_embeddings.weight_quantized', t.dims, q);
    const ws = g.scalarF('embeddings.word_embeddings.weight_scale', scale);
    const wzp = g.int8('embeddings.word_embeddings.weight_zero_point', [], Int8Array.of(0));
    const gathered = g.op('Gather', [wq, 'input_ids']);
    wordEmb = g.op('DequantizeLinear', [gathered, ws, wzp]);
  }
  const inputShape = g.op('Shape', ['input_ids']);
  const seqLen = g.op('Slice', [inputShape, one1, two1, axes0]);
  const posEmb = g.op('Slice', [W('embeddings.position_embeddings.weight'), zero1, seqLen, axes0]);
  const typeEmb = g.op('Gather', [W('embeddings.token_type_embeddings.weight'), 'token_type_ids']);
  let hidden = layerNorm(g.op('Add', [g.op('Add', [wordEmb, typeEmb]), posEmb]), 'embeddings.LayerNorm');

  // Additive attention bias from the mask: 0 where attended, -10000 where padded. [B,1,1,S]
  const maskF = g.op('Cast', ['attention_mask'], [attrInt('to', F32)]);
  const inv = g.op('Sub', [fOne, maskF]);
  const bias = g.op('Unsqueeze', [g.op('Mul', [inv, fMaskNeg]), axes12]);

  for (let l = 0; l < L; l++) {
    const p = `encoder.layer.${l}`;
    const q = linear(hidden, `${p}.attention.self.query.weight`, `${p}.attention.self.query.bias`);
    const k = linear(hidden, `${p}.attention.self.key.weight`, `${p}.attention.self.key.bias`);
    const v = linear(hidden, `${p}.attention.self.value.weight`, `${p}.attention.self.value.bias`);
    const qh = g.op('Transpose', [g.op('Reshape', [q, shapeHeads])], [attrInts('perm', [0, 2, 1, 3])]);
    const kh = g.op('Transpose', [g.op('Reshape', [k, shapeHeads])], [attrInts('perm', [0, 2, 3, 1])]);
    const vh = g.op('Transpose', [g.op('Reshape', [v, shapeHeads])], [attrInts('perm', [0, 2, 1, 3])]);
    const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [qh, kh]), fScale]), bias]);
    const probs = g.op('Softmax', [scores], [attrInt('axis', -1)]);
    const ctx = g.op('Transpose', [g.op('MatMul', [probs, vh])], [attrInts('perm', [0, 2, 1, 3])]);
    const merged = g.op('Reshape', [ctx, shapeMerge]);
    const attnOut = linear(merged, `${p}.attention.output.dense.weight`, `${p}.attention.output.dense.bias`);
    hidden = layerNorm(g.op('Add', [attnOut, hidden]), `${p}.attention.output.LayerNorm`);

    const inter = linear(hidden, `${p}.intermediate.dense.weight`, `${p}.intermediate.dense.bias`);
    // GELU (erf form): 0.5·x·(1 + erf(x/√2))
    const erf = g.op('Erf', [g.op('Mul', [inter, fInvSqrt2])]);
    const gelu = g.op('Mul', [g.op('Mul', [inter, fHalf]), g.op('Add', [erf, fOne])]);
    const ffOut = linear(gelu, `${p}.output.dense.weight`, `${p}.output.dense.bias`);
    hidden = layerNorm(g.op('Add', [ffOut, hidden]), `${p}.output.LayerNorm`);
  }
  g.nodes.push({ name: '/output_identity', opType: 'Identity', input: [hidden], output: ['last_hidden_state'] });

  const tensorType = (elemType: number, dims: Array<string | number>): O.ITypeProto => ({
    tensorType: {
      elemType,
      shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
    },
  });
  const model: O.IModelProto = {
    irVersion: 8,
    producerName: 'citebot-make-test-model',
    producerVersion: String(GENERATOR_VERSION),
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: quantized ? 'citebot_bert_quantized' : 'citebot_bert',
      node: g.nodes,
      initializer: g.initializers,
      input: [
        { name: 'input_ids', type: tensorType(I64, ['batch_size', 'sequence_length']) },
        { name: 'attention_mask', type: tensorType(I64, ['batch_size', 'sequence_length']) },
        { name: 'token_type_ids', type: tensorType(I64, ['batch_size', 'sequence_length']) },
      ],
      output: [{ name: 'last_hidden_state', type: tensorType(F32, ['batch_size', 'sequence_length', H]) }],
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

// ---------------------------------------------------------------------------

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Fingerprint of the corpus `generateBertModel` would read with these options (as in generator.json). */
export async function corpusFingerprint(opts: Pick<BertModelOptions, 'corpusDir' | 'corpusTexts'>): Promise<{ texts: number; sha256: string }> {
  const texts = await readCorpus(opts);
  return { texts: texts.length, sha256: sha256(texts.join('\u0000')) };
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} must be a positive whole number, got ${v}`);
  return v;
}

export async function generateBertModel(opts: BertModelOptions): Promise<BertModelResult> {
  const layers = positiveInt('layers', opts.layers ?? TINY_SHAPE.layers);
  const hidden = positiveInt('hidden', opts.hidden ?? TINY_SHAPE.hidden);
  const heads = positiveInt('heads', opts.heads ?? TINY_SHAPE.heads);
  const intermediate = positiveInt('intermediate', opts.intermediate ?? TINY_SHAPE.intermediate);
  const maxPositions = positiveInt('maxPositions', opts.maxPositions ?? TINY_SHAPE.maxPositions);
  const seed = opts.seed ?? 42;
  const quantized = opts.quantized ?? false;
  if (hidden % heads !== 0) throw new Error(`hidden (${hidden}) must be divisible by heads (${heads})`);
  if (opts.vocabSize !== undefined) positiveInt('vocabSize', opts.vocabSize);

  const texts = await readCorpus(opts);
  const vocab = buildVocab(texts, opts.vocabSize);
  const shape: Shape = { layers, hidden, heads, intermediate, vocabSize: vocab.length, maxPositions };

  const weights = makeWeights(shape, seed);
  const fp32 = buildModel(shape, weights, false);
  const q8 = quantized ? buildModel(shape, weights, true) : fp32;

  const outDir = path.resolve(opts.outDir);
  await fs.mkdir(path.join(outDir, 'onnx'), { recursive: true });
  const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';

  const config = {
    _name_or_path: `citebot/generated-bert-${layers}x${hidden}`,
    architectures: ['BertModel'],
    model_type: 'bert',
    attention_probs_dropout_prob: 0.1,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    hidden_size: hidden,
    initializer_range: 0.02,
    intermediate_size: intermediate,
    layer_norm_eps: 1e-12,
    max_position_embeddings: maxPositions,
    num_attention_heads: heads,
    num_hidden_layers: layers,
    pad_token_id: 0,
    position_embedding_type: 'absolute',
    type_vocab_size: 2,
    vocab_size: vocab.length,
  };
  const tokenizerConfig = {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    strip_accents: false,
    tokenize_chinese_chars: true,
    clean_up_tokenization_spaces: true,
    model_max_length: maxPositions,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
  };
  const specialTokensMap = { cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]', unk_token: '[UNK]', mask_token: '[MASK]' };
  const generator = {
    generator: 'scripts/make-test-model.ts',
    version: GENERATOR_VERSION,
    options: { layers, hidden, heads, intermediate, vocabSize: opts.vocabSize ?? null, maxPositions, seed, quantized },
    corpus: { texts: texts.length, sha256: sha256(texts.join('\u0000')) },
    vocabSize: vocab.length,
    model_sha256: sha256(fp32),
    model_quantized_sha256: quantized ? sha256(q8) : sha256(fp32),
  };

  await fs.writeFile(path.join(outDir, 'config.json'), json(config));
  await fs.writeFile(path.join(outDir, 'tokenizer.json'), json(tokenizerJson(vocab)));
  await fs.writeFile(path.join(outDir, 'tokenizer_config.json'), json(tokenizerConfig));
  await fs.writeFile(path.join(outDir, 'special_tokens_map.json'), json(specialTokensMap));
  await fs.writeFile(path.join(outDir, 'onnx', 'model.onnx'), fp32);
  await fs.writeFile(path.join(outDir, 'onnx', 'model_quantized.onnx'), q8);
  await fs.writeFile(path.join(outDir, 'generator.json'), json(generator));

  return { outDir, vocabSize: vocab.length, dim: hidden };
}

// ---------------------------------------------------------------------------
// CLI

const USAGE =
  'usage: tsx scripts/make-test-model.ts --out DIR [--corpus DIR] [--preset tiny|e5-small]\n' +
  '       [--layers N] [--hidden N] [--heads N] [--intermediate N] [--vocab N] [--max-positions N] [--seed N] [--quantized]\n';

function readArgs(argv: string[]): BertModelOptions {
  const number = { type: 'string' } as const;
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      out: { type: 'string' },
      corpus: { type: 'string' },
      preset: { type: 'string' },
      layers: number,
      hidden: number,
      heads: number,
      intermediate: number,
      vocab: number,
      'max-positions': number,
      seed: number,
      quantized: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const num = (flag: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${flag} expects a positive whole number`);
    return n;
  };
  const presets: Record<string, Partial<BertModelOptions>> = { tiny: TINY_SHAPE, 'e5-small': E5_SMALL_SHAPE };
  if (values.preset !== undefined && !presets[values.preset]) throw new Error('--preset expects tiny or e5-small');
  if (!values.out) throw new Error('--out DIR is required (e.g. --out models/citebot/test-tiny)');
  const shape = Object.fromEntries(
    Object.entries({ layers: 'layers', hidden: 'hidden', heads: 'heads', intermediate: 'intermediate', vocabSize: 'vocab', maxPositions: 'max-positions', seed: 'seed' } as const)
      .map(([key, flag]) => [key, num(flag, values[flag])])
      .filter(([, v]) => v !== undefined),
  );
  return { ...(values.preset ? presets[values.preset] : {}), ...shape, outDir: values.out, corpusDir: values.corpus, quantized: values.quantized || undefined } as BertModelOptions;
}

async function main(): Promise<void> {
  let opts: BertModelOptions;
  try {
    opts = readArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  const t0 = performance.now();
  try {
    const r = await generateBertModel(opts);
    const sizes = await Promise.all(
      ['model.onnx', 'model_quantized.onnx'].map(async (f) => (await fs.stat(path.join(r.outDir, 'onnx', f))).size),
    );
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1) + ' MB';
    process.stdout.write(
      `wrote ${path.relative(process.cwd(), r.outDir) || '.'}: vocab ${r.vocabSize}, dim ${r.dim}, ` +
        `model.onnx ${mb(sizes[0])}, model_quantized.onnx ${mb(sizes[1])} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );
  } catch (e) {
    process.stderr.write(`could not generate the model: ${(e as Error).message}\n`);
    process.exit(1);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void main();
}
