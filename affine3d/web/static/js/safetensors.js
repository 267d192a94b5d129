// safetensors.js: a dropped .safetensors file -> a Network, read in the page (nothing is uploaded anywhere).
//
// The format (Hugging Face): an 8-byte little-endian header length, that many bytes of JSON (per tensor
// its dtype, shape and data_offsets into the bytes that follow; "__metadata__" holds strings), then the raw
// tensor bytes. affine3d keeps the architecture (activations, tensor names) as one JSON string under
// __metadata__["affine3d"] (affine3d/nn/files/common.py). Every check of affine3d/nn/files/safetensors.py
// is made here too, in the same order (MLP.load's checks first: header, architecture, budgets of
// affine3d/nn/files/common.py), then the page's own budgets (what plain JS can play smoothly), all from the
// header's shapes before a byte of a tensor is read; each failure is one sentence naming the file and the
// field: a file someone sends a student cannot freeze or crash the page.

import { Network, ACTIVATION_NAMES } from "./network.js";
import { _, fill, proseNumber } from "./i18n.js";

const DTYPES = { // name -> bytes per element; the ones a network's weights may use are read below
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, I64: 8, U64: 8, F64: 8,
};
// MLP.load's budgets (affine3d/nn/files/common.py): the same numbers, so a file refused there is refused here.
export const MAX_HEADER_BYTES = 8 * 2 ** 20;
export const MAX_TENSOR_BYTES = 256 * 2 ** 20;
export const MAX_LAYERS = 1024;
export const MAX_JSON_DEPTH = 64;
// The page's own budgets, past MLP.load's: a layer this wide at most (the CPU morph keeps every vertex's values),
// and at most this many weights in all (held as JS numbers); a square layer's singular values need an eigen-
// decomposition of its smaller side, at most MAX_PAGE_SQUARE.
export const MAX_PAGE_WIDTH = 4096;
export const MAX_PAGE_WEIGHTS = 4000000;
export const MAX_PAGE_SQUARE = 128;
const METADATA_KEY = "affine3d";
const FORMAT_VERSION = 1;

export class ModelError extends Error {}

const count = (n) => proseNumber(n); // a number in a sentence, the reader's way
const short = (value, limit = 60) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > limit ? `${text.slice(0, limit - 3)}...` : text;
};

function half(bits) { // IEEE 754 binary16 -> number
  const sign = bits & 0x8000 ? -1 : 1, exponent = (bits >> 10) & 0x1f, fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

// How deeply parsed JSON nests (common.json_depth), level by level (no recursion).
function jsonDepth(value) {
  let depth = 0, level = [value];
  while (level.length) {
    const containers = level.filter((v) => v !== null && typeof v === "object");
    if (!containers.length) break;
    depth += 1;
    level = containers.flatMap((c) => (Array.isArray(c) ? c : Object.values(c)));
  }
  return depth;
}

// JSON.parse with every failure a ModelError naming the file and what (common.load_json).
function loadJSON(name, text, what) {
  if (text.length > MAX_HEADER_BYTES) throw new ModelError(fill(_("{name}: {what} is {length} characters, more than the {limit} affine3d reads"), { name, what, length: count(text.length), limit: count(MAX_HEADER_BYTES) }));
  let value;
  try {
    value = JSON.parse(text);
  } catch (exc) {
    throw new ModelError(fill(_("{name}: {what} is not valid JSON ({reason})"), { name, what, reason: exc.message }));
  }
  if (jsonDepth(value) > MAX_JSON_DEPTH) throw new ModelError(fill(_("{name}: {what} nests too deeply (more than {limit} levels); refused"), { name, what, limit: MAX_JSON_DEPTH }));
  return value;
}

// The keys of the top-level JSON object in text, in order, duplicates kept (JSON.parse keeps only the last).
function topLevelKeys(text) {
  const keys = [];
  let depth = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text[k];
    if (c === '"') {
      let end = k + 1;
      while (text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      if (depth === 1) {
        let next = end + 1;
        while (/\s/.test(text[next])) next += 1;
        if (text[next] === ":") keys.push(JSON.parse(text.slice(k, end + 1)));
      }
      k = end;
    } else if (c === "{" || c === "[") depth += 1;
    else if (c === "}" || c === "]") depth -= 1;
  }
  return keys;
}

// The checked header: {metadata, tensors: name -> {dtype, shape, begin, end} (absolute offsets)}.
export function readHeader(buffer, name) {
  const size = buffer.byteLength;
  if (size < 8) throw new ModelError(fill(_("{name}: truncated: {size} bytes, but a .safetensors file starts with an 8-byte header length"), { name, size }));
  const length = new DataView(buffer).getBigUint64(0, true);
  if (length > BigInt(size - 8)) {
    throw new ModelError(fill(_("{name}: the header length says {length} bytes but only {rest} follow (truncated, or not a .safetensors file)"), { name, length: count(length), rest: count(size - 8) }));
  }
  if (length > BigInt(MAX_HEADER_BYTES)) throw new ModelError(fill(_("{name}: the JSON header is {length} bytes, more than the {limit} affine3d reads"), { name, length: count(length), limit: count(MAX_HEADER_BYTES) }));
  let text;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(buffer, 8, Number(length)));
  } catch {
    throw new ModelError(fill(_("{name}: the header is not valid JSON (not UTF-8 text); the file is corrupted or not a .safetensors file"), { name }));
  }
  const header = loadJSON(name, text, _("the JSON header"));
  if (header === null || typeof header !== "object" || Array.isArray(header)) {
    throw new ModelError(fill(_("{name}: the header must be a JSON object"), { name }));
  }
  const seen = new Set();
  for (const key of topLevelKeys(text)) {
    if (seen.has(key)) throw new ModelError(fill(_("{name}: the header names tensor {key} twice; a tensor name must be unique"), { name, key: short(key) }));
    seen.add(key);
  }
  const dataStart = 8 + Number(length), dataSize = size - dataStart;
  const metadata = header.__metadata__ ?? {};
  delete header.__metadata__;
  if (typeof metadata !== "object" || Array.isArray(metadata) || !Object.values(metadata).every((v) => typeof v === "string")) {
    throw new ModelError(fill(_("{name}: __metadata__ must map strings to strings"), { name }));
  }
  const tensors = {};
  for (const [key, entry] of Object.entries(header)) {
    const where = `${name}: tensor ${short(key)}`;
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) throw new ModelError(fill(_("{where}: expected an object with dtype, shape and data_offsets"), { where }));
    const { dtype, shape, data_offsets: offsets } = entry;
    if (typeof dtype !== "string" || !(dtype in DTYPES)) throw new ModelError(fill(_("{where}: unknown dtype {dtype}"), { where, dtype: short(dtype) }));
    if (!Array.isArray(shape) || shape.length > 32 || !shape.every((s) => Number.isSafeInteger(s) && s >= 0)) {
      throw new ModelError(fill(_("{where}: shape must be a list of at most 32 non-negative integers (each below 2^63), got {shape}"), { where, shape: short(shape) }));
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(Number.isSafeInteger) || !(0 <= offsets[0] && offsets[0] <= offsets[1])) {
      throw new ModelError(fill(_("{where}: data_offsets must be [begin, end] with 0 <= begin <= end, got {offsets}"), { where, offsets: short(offsets) }));
    }
    const needed = shape.reduce((p, s) => p * s, 1) * DTYPES[dtype];
    const [begin, end] = offsets;
    if (end > dataSize) {
      throw new ModelError(fill(_("{where}: its bytes [{begin}, {end}) lie past the end of the file (only {data_size} data bytes; truncated?)"), { where, begin: count(begin), end: count(end), data_size: count(dataSize) }));
    }
    if (end - begin !== needed) {
      throw new ModelError(fill(_("{where}: the header says shape ({shape}) {dtype} ({needed} bytes) but gives it bytes [{begin}, {end}) ({given} bytes)"), { where, shape: shape.join(", "), dtype, needed: count(needed), begin: count(begin), end: count(end), given: count(end - begin) }));
    }
    tensors[key] = { dtype, shape, begin: dataStart + begin, end: dataStart + end };
  }
  const ordered = Object.entries(tensors).sort((a, b) => a[1].begin - b[1].begin || a[1].end - b[1].end);
  for (let k = 1; k < ordered.length; k++) {
    if (ordered[k][1].begin < ordered[k - 1][1].end) throw new ModelError(fill(_("{name}: tensors '{first}' and '{second}' overlap in the file"), { name, first: ordered[k - 1][0], second: ordered[k][0] }));
  }
  return { metadata, tensors };
}

// The architecture JSON (common.parse_architecture), checked field by field.
function parseArchitecture(name, text) {
  const record = loadJSON(name, text, fill(_("the '{key}' entry"), { key: METADATA_KEY }));
  if (record === null || typeof record !== "object" || Array.isArray(record) || record.format !== "affine3d.mlp") {
    throw new ModelError(fill(_("{name}: the '{METADATA_KEY}' entry does not describe an affine3d MLP (no \"format\": 'affine3d.mlp')"), { name, METADATA_KEY }));
  }
  const version = record.version;
  if (!Number.isInteger(version) || version < 1) throw new ModelError(fill(_("{name}: architecture version {version}: expected a whole number >= 1"), { name, version: short(version) }));
  if (version > FORMAT_VERSION) throw new ModelError(fill(_("{name}: architecture version {version} is newer than this affine3d reads ({FORMAT_VERSION})"), { name, version: short(version), FORMAT_VERSION }));
  const layers = record.layers;
  if (!Array.isArray(layers) || layers.length === 0) throw new ModelError(fill(_("{name}: the architecture lists no layers"), { name }));
  if (layers.length > MAX_LAYERS) throw new ModelError(fill(_("{name}: the architecture lists {layers} layers, more than the {limit} affine3d reads"), { name, layers: count(layers.length), limit: count(MAX_LAYERS) }));
  layers.forEach((spec, index) => {
    if (spec === null || typeof spec !== "object" || typeof spec.weight !== "string" || typeof spec.bias !== "string") {
      throw new ModelError(fill(_("{name}: layer {layer} of the architecture must name its 'weight' and 'bias' tensors"), { name, layer: index + 1 }));
    }
  });
  const metadata = record.metadata ?? {};
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) throw new ModelError(fill(_("{name}: the architecture's 'metadata' must be a JSON object"), { name }));
  return record;
}

function readTensor(buffer, name, key, info) {
  const view = new DataView(buffer, info.begin, info.end - info.begin);
  const n = info.shape.reduce((p, s) => p * s, 1);
  const values = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    if (info.dtype === "F32") values[k] = view.getFloat32(4 * k, true);
    else if (info.dtype === "F64") values[k] = view.getFloat64(8 * k, true);
    else values[k] = half(view.getUint16(2 * k, true));
    if (!Number.isFinite(values[k])) throw new ModelError(fill(_("{name}: tensor '{key}': entry {k} is {value}; expected finite weights"), { name, key, k, value: values[k] }));
  }
  return values;
}

function activation(name, spec, i) {
  const a = typeof spec === "string" ? { name: spec } : spec;
  if (a === null || typeof a !== "object" || !ACTIVATION_NAMES.includes(a.name)) {
    throw new ModelError(fill(_("{name}: layer {i}: unknown activation {activation}; expected one of {choices}"), { name, i, activation: short(a?.name ?? spec), choices: ACTIVATION_NAMES.join(", ") }));
  }
  const alpha = a.alpha ?? 0.01;
  if (typeof alpha !== "number" || !Number.isFinite(alpha)) throw new ModelError(fill(_("{name}: layer {i}: leaky_relu alpha: expected a finite number, got {alpha}"), { name, i, alpha: short(alpha) }));
  return { name: a.name, alpha };
}

// A Network from the bytes of a .safetensors file written by MLP.save (or any file with the same header).
// Everything is checked on the header's shapes first (MLP.load's checks, 3 in and 3 out, the page's budgets);
// only then are the tensors read, each once however many layers name it.
export function parseModel(buffer, name) {
  const { metadata, tensors } = readHeader(buffer, name);
  if (!(METADATA_KEY in metadata)) {
    throw new ModelError(fill(_("{name}: no '{METADATA_KEY}' entry in the header's __metadata__, so the architecture (activations) is unknown; tensors: {tensors} (see 'affine3d inspect')"), { name, METADATA_KEY, tensors: Object.keys(tensors).join(", ") || "none" }));
  }
  const record = parseArchitecture(name, metadata[METADATA_KEY]);
  const wanted = new Set(record.layers.flatMap((spec) => [spec.weight, spec.bias]).filter((key) => key in tensors));
  const total = [...wanted].reduce((s, key) => s + tensors[key].end - tensors[key].begin, 0);
  if (total > MAX_TENSOR_BYTES) {
    throw new ModelError(fill(_("{name}: the tensors need {size_mib} MiB, more than the {limit_mib} MiB a model file may hold; refused before reading"), { name, size_mib: (total / 2 ** 20).toFixed(1), limit_mib: MAX_TENSOR_BYTES / 2 ** 20 }));
  }
  const shapes = record.layers.map((spec, index) => {
    const i = index + 1;
    for (const key of [spec.weight, spec.bias]) {
      if (!(key in tensors)) throw new ModelError(fill(_("{name}: layer {i}: tensor {key} is missing from the file"), { name, i, key: short(key) }));
    }
    const w = tensors[spec.weight], b = tensors[spec.bias];
    if (w.shape.length !== 2 || b.shape.length !== 1 || b.shape[0] !== w.shape[0]) {
      throw new ModelError(fill(_("{name}: layer {i}: expected weight (out, in) and bias (out,), got '{weight}' ({weight_shape}) and '{bias}' ({bias_shape}{comma})"), { name, i, weight: spec.weight, weight_shape: w.shape.join(", "), bias: spec.bias, bias_shape: b.shape.join(", "), comma: b.shape.length === 1 ? "," : "" }));
    }
    for (const [key, t] of [[spec.weight, w], [spec.bias, b]]) {
      if (!["F16", "F32", "F64"].includes(t.dtype)) throw new ModelError(fill(_("{name}: tensor {key} has dtype {dtype}; expected F16, F32 or F64"), { name, key: short(key), dtype: t.dtype }));
    }
    if (w.shape[0] === 0 || w.shape[1] === 0) throw new ModelError(fill(_("{name}: layer {i}: weight '{weight}' has shape ({weight_shape}); expected at least one row and column"), { name, i, weight: spec.weight, weight_shape: w.shape.join(", ") }));
    return w.shape;
  });
  for (let i = 1; i < shapes.length; i++) {
    const before = shapes[i - 1][0], after = shapes[i][1];
    if (before !== after) {
      throw new ModelError(fill(_("{name}: layer {next}: expected W{next} with {before} columns (layer {i} has {before} outputs), got shape ({shape})"), { name, next: i + 1, before, i, shape: shapes[i].join(", ") }));
    }
  }
  const k = shapes.length;
  if (shapes[0][1] !== 3) {
    throw new ModelError(fill(_("{name}: model: expected 3 inputs (a point of 3D space), got {inputs}: W1 has shape ({shape}); only a 3 -> ... -> 3 network can move a solid's vertices"), { name, inputs: shapes[0][1], shape: shapes[0].join(", ") }));
  }
  if (shapes[k - 1][0] !== 3) {
    throw new ModelError(fill(_("{name}: model: expected 3 outputs (a point of 3D space), got {outputs}: W{k} has shape ({shape}); only a 3 -> ... -> 3 network can move a solid's vertices"), { name, outputs: shapes[k - 1][0], k, shape: shapes[k - 1].join(", ") }));
  }
  const sizes = [3, ...shapes.map((s) => s[0])];
  const widest = Math.max(...sizes), weights = shapes.reduce((s, [o, n]) => s + o * n + o, 0);
  const square = shapes.find(([o, n]) => Math.min(o, n) > MAX_PAGE_SQUARE);
  if (widest > MAX_PAGE_WIDTH || weights > MAX_PAGE_WEIGHTS || square) {
    const why = widest > MAX_PAGE_WIDTH ? fill(_("a layer {width} wide (the page plays up to {limit})"), { width: count(widest), limit: count(MAX_PAGE_WIDTH) })
      : weights > MAX_PAGE_WEIGHTS ? fill(_("{count} weights (the page plays up to {limit})"), { count: count(weights), limit: count(MAX_PAGE_WEIGHTS) })
        : fill(_("a {shape} layer (the page diagonalises layers up to {limit} on their smaller side)"), { shape: `${square[0]}x${square[1]}`, limit: MAX_PAGE_SQUARE });
    throw new ModelError(fill(_("{name}: sizes {sizes}: {why}; the desktop plays it: affine3d view --mlp {name}"), { name, sizes: sizes.join("-"), why }));
  }
  const cache = new Map(); // a tensor named by many layers is read once
  const read = (key) => {
    if (!cache.has(key)) cache.set(key, readTensor(buffer, name, key, tensors[key]));
    return cache.get(key);
  };
  const layers = record.layers.map((spec, index) => {
    const [out, n] = shapes[index];
    const flat = read(spec.weight);
    const W = Array.from({ length: out }, (_, r) => Array.from(flat.subarray(r * n, (r + 1) * n)));
    return { W, b: Array.from(read(spec.bias)), activation: activation(name, spec.activation ?? "identity", index + 1) };
  });
  return new Network(layers, name);
}
