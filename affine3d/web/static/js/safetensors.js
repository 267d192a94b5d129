// safetensors.js: a dropped .safetensors file -> a Network, read in the page (nothing is uploaded anywhere).
//
// The format (Hugging Face): an 8-byte little-endian header length, that many bytes of JSON (per tensor
// its dtype, shape and data_offsets into the bytes that follow; "__metadata__" holds strings), then the raw
// tensor bytes. affine3d keeps the architecture (activations, tensor names) as one JSON string under
// __metadata__["affine3d"] (affine3d/nn/files/common.py). Every check of affine3d/nn/files/safetensors.py
// is made here too, before a byte of a tensor is read, and each failure is one sentence naming the file
// and the field: a file someone sends a student cannot crash the page.

import { Network, ACTIVATION_NAMES } from "./affine.js";

const DTYPES = { // name -> bytes per element; the ones a network's weights may use are read below
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, I64: 8, U64: 8, F64: 8,
};
const MAX_HEADER_BYTES = 100000000; // the safetensors library's own limit
const METADATA_KEY = "affine3d";

export class ModelError extends Error {}

const count = (n) => n.toLocaleString("en-US");

function half(bits) { // IEEE 754 binary16 -> number
  const sign = bits & 0x8000 ? -1 : 1, exponent = (bits >> 10) & 0x1f, fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

// The checked header: {metadata, tensors: name -> {dtype, shape, begin, end} (absolute offsets)}.
export function readHeader(buffer, name) {
  const size = buffer.byteLength;
  if (size < 8) throw new ModelError(`${name}: truncated: ${size} bytes, but a .safetensors file starts with an 8-byte header length`);
  const length = new DataView(buffer).getBigUint64(0, true);
  if (length > BigInt(size - 8) || length > BigInt(MAX_HEADER_BYTES)) {
    throw new ModelError(`${name}: the header length says ${count(length)} bytes but only ${count(size - 8)} follow (truncated, or not a .safetensors file)`);
  }
  const headerBytes = new Uint8Array(buffer, 8, Number(length));
  let header;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(headerBytes));
  } catch (exc) {
    throw new ModelError(`${name}: the header is not valid JSON (${exc.message}); the file is corrupted or not a .safetensors file`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) {
    throw new ModelError(`${name}: the header must be a JSON object`);
  }
  const dataStart = 8 + Number(length), dataSize = size - dataStart;
  const metadata = header.__metadata__ ?? {};
  delete header.__metadata__;
  if (typeof metadata !== "object" || Array.isArray(metadata) || !Object.values(metadata).every((v) => typeof v === "string")) {
    throw new ModelError(`${name}: __metadata__ must map strings to strings`);
  }
  const tensors = {};
  for (const [key, entry] of Object.entries(header)) {
    if (entry === null || typeof entry !== "object") throw new ModelError(`${name}: tensor '${key}': expected an object with dtype, shape and data_offsets`);
    const { dtype, shape, data_offsets: offsets } = entry;
    if (!(dtype in DTYPES)) throw new ModelError(`${name}: tensor '${key}': unknown dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && s >= 0)) {
      throw new ModelError(`${name}: tensor '${key}': shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(Number.isSafeInteger) || !(0 <= offsets[0] && offsets[0] <= offsets[1])) {
      throw new ModelError(`${name}: tensor '${key}': data_offsets must be [begin, end] with 0 <= begin <= end, got ${JSON.stringify(offsets)}`);
    }
    const needed = shape.reduce((p, s) => p * s, 1) * DTYPES[dtype];
    const [begin, end] = offsets;
    if (end - begin !== needed) {
      throw new ModelError(`${name}: tensor '${key}': the header says shape (${shape.join(", ")}) ${dtype} (${count(needed)} bytes) but gives it bytes [${begin}, ${end}) (${count(end - begin)} bytes)`);
    }
    if (end > dataSize) {
      throw new ModelError(`${name}: tensor '${key}': bytes [${begin}, ${end}) of the data lie past the end of the file (only ${count(dataSize)} data bytes; truncated?)`);
    }
    tensors[key] = { dtype, shape, begin: dataStart + begin, end: dataStart + end };
  }
  const ordered = Object.entries(tensors).sort((a, b) => a[1].begin - b[1].begin || a[1].end - b[1].end);
  for (let k = 1; k < ordered.length; k++) {
    if (ordered[k][1].begin < ordered[k - 1][1].end) throw new ModelError(`${name}: tensors '${ordered[k - 1][0]}' and '${ordered[k][0]}' overlap in the file`);
  }
  return { metadata, tensors };
}

function readTensor(buffer, name, key, info) {
  const view = new DataView(buffer, info.begin, info.end - info.begin);
  const n = info.shape.reduce((p, s) => p * s, 1);
  const values = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    if (info.dtype === "F32") values[k] = view.getFloat32(4 * k, true);
    else if (info.dtype === "F64") values[k] = view.getFloat64(8 * k, true);
    else if (info.dtype === "F16") values[k] = half(view.getUint16(2 * k, true));
    else throw new ModelError(`${name}: tensor '${key}' has dtype ${info.dtype}; expected F16, F32 or F64`);
    if (!Number.isFinite(values[k])) throw new ModelError(`${name}: tensor '${key}': entry ${k} is ${values[k]}; expected finite weights`);
  }
  return values;
}

function activation(name, spec, i) {
  const a = typeof spec === "string" ? { name: spec } : spec;
  if (a === null || typeof a !== "object" || !ACTIVATION_NAMES.includes(a.name)) {
    throw new ModelError(`${name}: layer ${i}: unknown activation ${JSON.stringify(a?.name ?? spec)}; expected one of ${ACTIVATION_NAMES.join(", ")}`);
  }
  const alpha = a.alpha ?? 0.01;
  if (typeof alpha !== "number" || !Number.isFinite(alpha)) throw new ModelError(`${name}: layer ${i}: leaky_relu alpha: expected a finite number, got ${JSON.stringify(alpha)}`);
  return { name: a.name, alpha };
}

// A Network from the bytes of a .safetensors file written by MLP.save (or any file with the same header).
export function parseModel(buffer, name) {
  const { metadata, tensors } = readHeader(buffer, name);
  if (!(METADATA_KEY in metadata)) {
    throw new ModelError(`${name}: no '${METADATA_KEY}' entry in the header's __metadata__, so the architecture (activations) is unknown; tensors: ${Object.keys(tensors).join(", ") || "none"} (see 'affine3d inspect')`);
  }
  let record;
  try {
    record = JSON.parse(metadata[METADATA_KEY]);
  } catch (exc) {
    throw new ModelError(`${name}: the '${METADATA_KEY}' entry is not valid JSON (${exc.message})`);
  }
  if (record === null || typeof record !== "object" || record.format !== "affine3d.mlp") {
    throw new ModelError(`${name}: the '${METADATA_KEY}' entry does not describe an affine3d MLP (no "format": 'affine3d.mlp')`);
  }
  if (!Number.isInteger(record.version) || record.version > 1) throw new ModelError(`${name}: architecture version ${JSON.stringify(record.version)} is newer than this page reads (1)`);
  if (!Array.isArray(record.layers) || record.layers.length === 0) throw new ModelError(`${name}: the architecture lists no layers`);
  const layers = record.layers.map((spec, index) => {
    const i = index + 1;
    if (spec === null || typeof spec !== "object" || typeof spec.weight !== "string" || typeof spec.bias !== "string") {
      throw new ModelError(`${name}: layer ${i} of the architecture must name its 'weight' and 'bias' tensors`);
    }
    for (const key of [spec.weight, spec.bias]) {
      if (!(key in tensors)) throw new ModelError(`${name}: layer ${i}: tensor '${key}' is missing from the file`);
    }
    const w = tensors[spec.weight], b = tensors[spec.bias];
    if (w.shape.length !== 2 || b.shape.length !== 1 || b.shape[0] !== w.shape[0]) {
      throw new ModelError(`${name}: layer ${i}: expected weight (out, in) and bias (out,), got '${spec.weight}' (${w.shape.join(", ")}) and '${spec.bias}' (${b.shape.join(", ")}${b.shape.length === 1 ? "," : ""})`);
    }
    if (w.shape[0] === 0 || w.shape[1] === 0) throw new ModelError(`${name}: layer ${i}: weight '${spec.weight}' has shape (${w.shape.join(", ")}); expected at least one row and column`);
    const [out, n] = w.shape;
    const flat = readTensor(buffer, name, spec.weight, w);
    const W = Array.from({ length: out }, (_, r) => Array.from(flat.subarray(r * n, (r + 1) * n)));
    return { W, b: Array.from(readTensor(buffer, name, spec.bias, b)), activation: activation(name, spec.activation ?? "identity", i) };
  });
  for (let i = 1; i < layers.length; i++) {
    const before = layers[i - 1].W.length, after = layers[i].W[0].length;
    if (before !== after) {
      throw new ModelError(`${name}: layer ${i + 1}: expected W${i + 1} with ${before} columns (layer ${i} has ${before} outputs), got shape (${layers[i].W.length}, ${after})`);
    }
  }
  return new Network(layers, name);
}
