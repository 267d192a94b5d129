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

const count = (n) => n.toLocaleString("en-US");
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
  if (text.length > MAX_HEADER_BYTES) throw new ModelError(`${name}: ${what} is ${count(text.length)} characters, more than the ${count(MAX_HEADER_BYTES)} affine3d reads`);
  let value;
  try {
    value = JSON.parse(text);
  } catch (exc) {
    throw new ModelError(`${name}: ${what} is not valid JSON (${exc.message})`);
  }
  if (jsonDepth(value) > MAX_JSON_DEPTH) throw new ModelError(`${name}: ${what} nests too deeply (more than ${MAX_JSON_DEPTH} levels); refused`);
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
  if (size < 8) throw new ModelError(`${name}: truncated: ${size} bytes, but a .safetensors file starts with an 8-byte header length`);
  const length = new DataView(buffer).getBigUint64(0, true);
  if (length > BigInt(size - 8)) {
    throw new ModelError(`${name}: the header length says ${count(length)} bytes but only ${count(size - 8)} follow (truncated, or not a .safetensors file)`);
  }
  if (length > BigInt(MAX_HEADER_BYTES)) throw new ModelError(`${name}: the JSON header is ${count(length)} bytes, more than the ${count(MAX_HEADER_BYTES)} affine3d reads`);
  let text;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(buffer, 8, Number(length)));
  } catch {
    throw new ModelError(`${name}: the header is not valid JSON (not UTF-8 text); the file is corrupted or not a .safetensors file`);
  }
  const header = loadJSON(name, text, "the JSON header");
  if (header === null || typeof header !== "object" || Array.isArray(header)) {
    throw new ModelError(`${name}: the header must be a JSON object`);
  }
  const seen = new Set();
  for (const key of topLevelKeys(text)) {
    if (seen.has(key)) throw new ModelError(`${name}: the header names tensor ${short(key)} twice; a tensor name must be unique`);
    seen.add(key);
  }
  const dataStart = 8 + Number(length), dataSize = size - dataStart;
  const metadata = header.__metadata__ ?? {};
  delete header.__metadata__;
  if (typeof metadata !== "object" || Array.isArray(metadata) || !Object.values(metadata).every((v) => typeof v === "string")) {
    throw new ModelError(`${name}: __metadata__ must map strings to strings`);
  }
  const tensors = {};
  for (const [key, entry] of Object.entries(header)) {
    const where = `${name}: tensor ${short(key)}`;
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) throw new ModelError(`${where}: expected an object with dtype, shape and data_offsets`);
    const { dtype, shape, data_offsets: offsets } = entry;
    if (typeof dtype !== "string" || !(dtype in DTYPES)) throw new ModelError(`${where}: unknown dtype ${short(dtype)}`);
    if (!Array.isArray(shape) || shape.length > 32 || !shape.every((s) => Number.isSafeInteger(s) && s >= 0)) {
      throw new ModelError(`${where}: shape must be a list of at most 32 non-negative integers (each below 2^63), got ${short(shape)}`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(Number.isSafeInteger) || !(0 <= offsets[0] && offsets[0] <= offsets[1])) {
      throw new ModelError(`${where}: data_offsets must be [begin, end] with 0 <= begin <= end, got ${short(offsets)}`);
    }
    const needed = shape.reduce((p, s) => p * s, 1) * DTYPES[dtype];
    const [begin, end] = offsets;
    if (end > dataSize) {
      throw new ModelError(`${where}: its bytes [${count(begin)}, ${count(end)}) lie past the end of the file (only ${count(dataSize)} data bytes; truncated?)`);
    }
    if (end - begin !== needed) {
      throw new ModelError(`${where}: the header says shape (${shape.join(", ")}) ${dtype} (${count(needed)} bytes) but gives it bytes [${count(begin)}, ${count(end)}) (${count(end - begin)} bytes)`);
    }
    tensors[key] = { dtype, shape, begin: dataStart + begin, end: dataStart + end };
  }
  const ordered = Object.entries(tensors).sort((a, b) => a[1].begin - b[1].begin || a[1].end - b[1].end);
  for (let k = 1; k < ordered.length; k++) {
    if (ordered[k][1].begin < ordered[k - 1][1].end) throw new ModelError(`${name}: tensors '${ordered[k - 1][0]}' and '${ordered[k][0]}' overlap in the file`);
  }
  return { metadata, tensors };
}

// The architecture JSON (common.parse_architecture), checked field by field.
function parseArchitecture(name, text) {
  const record = loadJSON(name, text, `the '${METADATA_KEY}' entry`);
  if (record === null || typeof record !== "object" || Array.isArray(record) || record.format !== "affine3d.mlp") {
    throw new ModelError(`${name}: the '${METADATA_KEY}' entry does not describe an affine3d MLP (no "format": 'affine3d.mlp')`);
  }
  const version = record.version;
  if (!Number.isInteger(version) || version < 1) throw new ModelError(`${name}: architecture version ${short(version)}: expected a whole number >= 1`);
  if (version > FORMAT_VERSION) throw new ModelError(`${name}: architecture version ${short(version)} is newer than this affine3d reads (${FORMAT_VERSION})`);
  const layers = record.layers;
  if (!Array.isArray(layers) || layers.length === 0) throw new ModelError(`${name}: the architecture lists no layers`);
  if (layers.length > MAX_LAYERS) throw new ModelError(`${name}: the architecture lists ${count(layers.length)} layers, more than the ${count(MAX_LAYERS)} affine3d reads`);
  layers.forEach((spec, index) => {
    if (spec === null || typeof spec !== "object" || typeof spec.weight !== "string" || typeof spec.bias !== "string") {
      throw new ModelError(`${name}: layer ${index + 1} of the architecture must name its 'weight' and 'bias' tensors`);
    }
  });
  const metadata = record.metadata ?? {};
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) throw new ModelError(`${name}: the architecture's 'metadata' must be a JSON object`);
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
    if (!Number.isFinite(values[k])) throw new ModelError(`${name}: tensor '${key}': entry ${k} is ${values[k]}; expected finite weights`);
  }
  return values;
}

function activation(name, spec, i) {
  const a = typeof spec === "string" ? { name: spec } : spec;
  if (a === null || typeof a !== "object" || !ACTIVATION_NAMES.includes(a.name)) {
    throw new ModelError(`${name}: layer ${i}: unknown activation ${short(a?.name ?? spec)}; expected one of ${ACTIVATION_NAMES.join(", ")}`);
  }
  const alpha = a.alpha ?? 0.01;
  if (typeof alpha !== "number" || !Number.isFinite(alpha)) throw new ModelError(`${name}: layer ${i}: leaky_relu alpha: expected a finite number, got ${short(alpha)}`);
  return { name: a.name, alpha };
}

// A Network from the bytes of a .safetensors file written by MLP.save (or any file with the same header).
// Everything is checked on the header's shapes first (MLP.load's checks, 3 in and 3 out, the page's budgets);
// only then are the tensors read, each once however many layers name it.
export function parseModel(buffer, name) {
  const { metadata, tensors } = readHeader(buffer, name);
  if (!(METADATA_KEY in metadata)) {
    throw new ModelError(`${name}: no '${METADATA_KEY}' entry in the header's __metadata__, so the architecture (activations) is unknown; tensors: ${Object.keys(tensors).join(", ") || "none"} (see 'affine3d inspect')`);
  }
  const record = parseArchitecture(name, metadata[METADATA_KEY]);
  const wanted = new Set(record.layers.flatMap((spec) => [spec.weight, spec.bias]).filter((key) => key in tensors));
  const total = [...wanted].reduce((s, key) => s + tensors[key].end - tensors[key].begin, 0);
  if (total > MAX_TENSOR_BYTES) {
    throw new ModelError(`${name}: the tensors need ${(total / 2 ** 20).toFixed(1)} MiB, more than the ${MAX_TENSOR_BYTES / 2 ** 20} MiB a model file may hold; refused before reading`);
  }
  const shapes = record.layers.map((spec, index) => {
    const i = index + 1;
    for (const key of [spec.weight, spec.bias]) {
      if (!(key in tensors)) throw new ModelError(`${name}: layer ${i}: tensor ${short(key)} is missing from the file`);
    }
    const w = tensors[spec.weight], b = tensors[spec.bias];
    if (w.shape.length !== 2 || b.shape.length !== 1 || b.shape[0] !== w.shape[0]) {
      throw new ModelError(`${name}: layer ${i}: expected weight (out, in) and bias (out,), got '${spec.weight}' (${w.shape.join(", ")}) and '${spec.bias}' (${b.shape.join(", ")}${b.shape.length === 1 ? "," : ""})`);
    }
    for (const [key, t] of [[spec.weight, w], [spec.bias, b]]) {
      if (!["F16", "F32", "F64"].includes(t.dtype)) throw new ModelError(`${name}: tensor ${short(key)} has dtype ${t.dtype}; expected F16, F32 or F64`);
    }
    if (w.shape[0] === 0 || w.shape[1] === 0) throw new ModelError(`${name}: layer ${i}: weight '${spec.weight}' has shape (${w.shape.join(", ")}); expected at least one row and column`);
    return w.shape;
  });
  for (let i = 1; i < shapes.length; i++) {
    const before = shapes[i - 1][0], after = shapes[i][1];
    if (before !== after) {
      throw new ModelError(`${name}: layer ${i + 1}: expected W${i + 1} with ${before} columns (layer ${i} has ${before} outputs), got shape (${shapes[i].join(", ")})`);
    }
  }
  const k = shapes.length;
  if (shapes[0][1] !== 3) {
    throw new ModelError(`${name}: model: expected 3 inputs (a point of 3D space), got ${shapes[0][1]}: W1 has shape (${shapes[0].join(", ")}); only a 3 -> ... -> 3 network can move a solid's vertices`);
  }
  if (shapes[k - 1][0] !== 3) {
    throw new ModelError(`${name}: model: expected 3 outputs (a point of 3D space), got ${shapes[k - 1][0]}: W${k} has shape (${shapes[k - 1].join(", ")}); only a 3 -> ... -> 3 network can move a solid's vertices`);
  }
  const sizes = [3, ...shapes.map((s) => s[0])];
  const widest = Math.max(...sizes), weights = shapes.reduce((s, [o, n]) => s + o * n + o, 0);
  const square = shapes.find(([o, n]) => Math.min(o, n) > MAX_PAGE_SQUARE);
  if (widest > MAX_PAGE_WIDTH || weights > MAX_PAGE_WEIGHTS || square) {
    const why = widest > MAX_PAGE_WIDTH ? `a layer ${count(widest)} wide (the page plays up to ${count(MAX_PAGE_WIDTH)})`
      : weights > MAX_PAGE_WEIGHTS ? `${count(weights)} weights (the page plays up to ${count(MAX_PAGE_WEIGHTS)})`
        : `a ${square[0]}x${square[1]} layer (the page diagonalises layers up to ${MAX_PAGE_SQUARE} on their smaller side)`;
    throw new ModelError(`${name}: sizes ${sizes.join("-")}: ${why}; the desktop plays it: affine3d view --mlp ${name}`);
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
