// morph.js: a network's forward pass as stages that move a solid (affine3d/nn/morph.py): the paths from
// I to W, the display maps of wider layers, the panel's lines, and the player that walks the stages.

import { Affine } from "./affine.js";
import { fixed } from "./format.js";
import { _, fill, ngettext } from "./i18n.js";
import { determinant, identityRows, matmul, singularValues, svd, symmetricEigen, transpose } from "./linalg.js";
import { activationLabel, affineApply, applyActivation } from "./network.js";

export const SINGULAR_RTOL = 1e-9;

// ------------------------------------------------------------------------------------------- paths from I to W
export const PATHS = ["linear", "polar"];
export const NEAR_HALF_TURN = 1e-6;
// The page's polar path diagonalises width x width matrices in plain JS: layers up to this wide.
export const MAX_POLAR_WIDTH = 64;

// nn/paths.py's PolarPath: A(t) = R(t) ((1 - t) I + t S) from I to W = R S, R(t) = exp(t log R). With
// C = (R + R^T)/2 = Q diag(cos θ) Q^T and K = (R - R^T)/2 (sin θ J in each turning plane),
//     R(t) = Q diag(cos tθ) Q^T + Q diag(sin tθ / sin θ) Q^T K,
// the same rotation exp(t log R) is in Python; planes at (nearly) a half turn are turned by their own 2x2 block.
export class PolarPath {
  constructor(W) {
    const n = W.length;
    const { U, sigma, V } = svd(W);
    if (determinant(U) * determinant(V) < 0) { // R = U V^T is a mirror: flip the least-stretched direction
      U[n - 1] = U[n - 1].map((v) => -v);
      sigma[n - 1] = -sigma[n - 1];
    }
    this.W = W;
    this.rotation = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => U.reduce((s, u, k) => s + u[i] * V[k][j], 0)));
    this.stretch = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => V.reduce((s, v, k) => s + v[i] * sigma[k] * v[j], 0)));
    this.mirrored = sigma[n - 1] < 0;
    const R = this.rotation;
    this.K = R.map((row, i) => row.map((v, j) => (v - R[j][i]) / 2));
    const C = R.map((row, i) => row.map((v, j) => (v + R[j][i]) / 2));
    const { values, vectors } = symmetricEigen(C);
    const order = values.map((_, k) => k).sort((a, b) => values[a] - values[b]); // ascending: half turns first
    let half = order.filter((k) => values[k] < -1 + NEAR_HALF_TURN).length;
    half += half % 2;
    this.halfPlanes = [];
    for (let p = 0; p + 1 < half; p += 2) {
      const a = vectors[order[p]], b = vectors[order[p + 1]];
      const Ra = R.map((row) => row.reduce((s, v, j) => s + v * a[j], 0)), Rb = R.map((row) => row.reduce((s, v, j) => s + v * b[j], 0));
      const dot = (x, y) => x.reduce((s, v, i) => s + v * y[i], 0);
      this.halfPlanes.push({ a, b, angle: Math.atan2(dot(b, Ra) - dot(a, Rb), dot(a, Ra) + dot(b, Rb)) });
    }
    this.turning = order.slice(half).map((k) => ({ q: vectors[k], theta: Math.acos(Math.min(1, Math.max(-1, values[k]))) }));
  }

  // R(t) = exp(t log R): a rotation turning at a steady rate from I (t = 0) to R (t = 1).
  rotationAt(t) {
    const n = this.W.length;
    const G = Array.from({ length: n }, () => new Array(n).fill(0)), H = Array.from({ length: n }, () => new Array(n).fill(0));
    for (const { q, theta } of this.turning) {
      const g = Math.cos(t * theta), sine = Math.sin(theta), h = sine > 1e-12 ? Math.sin(t * theta) / sine : t;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { G[i][j] += g * q[i] * q[j]; H[i][j] += h * q[i] * q[j]; }
    }
    const out = matmul(H, this.K).map((row, i) => row.map((v, j) => v + G[i][j]));
    for (const { a, b, angle } of this.halfPlanes) {
      const c = Math.cos(t * angle), s = Math.sin(t * angle);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) out[i][j] += c * (a[i] * a[j] + b[i] * b[j]) + s * (b[i] * a[j] - a[i] * b[j]);
      }
    }
    return out;
  }

  // A(t): exactly I at t = 0 and W (to rounding) at t = 1.
  at(t) {
    const n = this.W.length;
    if (t === 0) return identityRows(n);
    const stretch = this.stretch.map((row, i) => row.map((v, j) => (i === j ? 1 - t : 0) + t * v));
    return matmul(this.rotationAt(t), stretch);
  }
}

// Whether (1 - t) I + t W passes det 0 for t in (0, 1]: W has a real eigenvalue <= 0, read off
// det A(t) = Π (1 - t + t λ) sampled at t = k / 4096 (a sign change, or a zero).
export function straightPathFlattens(W) {
  const n = W.length;
  let previous = 1;
  for (let k = 1; k <= 4096; k++) {
    const t = k / 4096;
    const d = determinant(identityRows(n).map((row, i) => row.map((v, j) => (1 - t) * v + t * W[i][j])));
    if (d === 0 || Math.sign(d) !== Math.sign(previous)) return true;
    previous = d;
  }
  return false;
}

function pad(values, width) {
  const out = values.slice();
  while (out.length < width) out.push(0);
  return out;
}

function stageName(stage) {
  return `layer ${stage.layer} of ${stage.nLayers}: ${stage.kind === "affine" ? "affine" : activationLabel(stage.activation)}`;
}

// The stage's name as the panel shows it, in the reader's language (stage.name stays English: an id for tests).
function stageTitle(stage) {
  return fill(_("layer {k} of {n}: {what}"), { k: stage.layer, n: stage.nLayers, what: stage.kind === "affine" ? _("affine") : activationLabel(stage.activation) });
}

// A network's forward pass as stages that move points; displays map each space to R^3 (see nn/morph.py).
export class Morph {
  constructor(network, points, path = "linear") {
    if (!PATHS.includes(path)) throw new Error(fill(_("path: expected one of {choices}, got {path}"), { choices: PATHS.join(", "), path: JSON.stringify(path) }));
    const { layers, sizes } = network;
    if (sizes[0] !== 3) {
      throw new Error(fill(_("model: expected 3 inputs (a point of 3D space), got {inputs}: W1 has shape ({rows}, {inputs}); only a 3 -> ... -> 3 network can move a solid's vertices"), { inputs: sizes[0], rows: layers[0].W.length }));
    }
    const last = sizes[sizes.length - 1];
    if (last !== 3) {
      const k = layers.length;
      throw new Error(fill(_("model: expected 3 outputs (a point of 3D space), got {last}: W{k} has shape ({last}, {columns}); only a 3 -> ... -> 3 network can move a solid's vertices"), { last, k, columns: layers[k - 1].W[0].length }));
    }
    this.network = network;
    this.path = path;
    const widest = Math.max(...network.sizes);
    if (path === "polar" && widest > MAX_POLAR_WIDTH) {
      throw new Error(fill(_("path polar: the page turns layers up to {limit} wide, but this network has a layer {widest} wide (sizes {sizes}); the linear path plays it"), { limit: MAX_POLAR_WIDTH, widest, sizes: network.sizes.join("-") }));
    }
    this.stages = [];
    layers.forEach((layer, i) => {
      const m = layer.W[0].length, h = layer.W.length, width = Math.max(m, h);
      const base = { layer: i + 1, nLayers: layers.length, W: layer.W, b: layer.b, activation: layer.activation, path };
      const polar = path === "polar"
        ? new PolarPath(identityRows(width).map((row, r) => row.map((_, c) => layer.W[r]?.[c] ?? 0))) : null;
      this.stages.push({ ...base, kind: "affine", widthIn: m, widthOut: h, width, polar });
      if (layer.activation.name !== "identity") this.stages.push({ ...base, kind: "activation", widthIn: h, widthOut: h, width: h });
    });
    this.stages.forEach((stage, index) => { stage.index = index; stage.name = stageName(stage); });
    this.infos = this.stages.map(stageInfo);
    this.maxWidth = Math.max(...this.stages.map((s) => s.width));
    this.displays = this.displayMaps(points);
  }

  get nStages() {
    return this.stages.length;
  }

  // The affine stage's map at t on R^width: A(t) = (1 - t) I + t W, b(t) = t b (W, b padded with zeros).
  mapAt(stage, t) {
    const n = stage.width;
    if (stage.polar) return { A: stage.polar.at(t), b: Array.from({ length: n }, (_, i) => t * (stage.b[i] ?? 0)) };
    const A = identityRows(n).map((row, i) => row.map((v, j) => (1 - t) * v + t * (stage.W[i]?.[j] ?? 0)));
    const b = Array.from({ length: n }, (_, i) => t * (stage.b[i] ?? 0));
    return { A, b };
  }

  // The values at every stage boundary for each point: keys[s][p] (MLP.trace's z_i and a_i).
  keyframes(points) {
    const frames = [points.map((p) => p.slice())];
    for (const stage of this.stages) {
      const prev = frames[frames.length - 1];
      frames.push(prev.map((x) => (stage.kind === "affine" ? affineApply(stage.W, stage.b, x) : applyActivation(stage.activation, x))));
    }
    return frames;
  }

  // The display map of stage at t: {A (3 x width rows), b (3)}: values -> scene position.
  display(stage, t) {
    if (stage.kind === "activation") return this.displays[stage.layer];
    if (stage.width <= 3) return { A: identityRows(3).map((row) => pad(row, stage.width).slice(0, stage.width)), b: [0, 0, 0] };
    const [dIn, dOut] = [stage.layer - 1, stage.layer].map((j) => widened(this.displays[j], stage.width));
    if (t === 0) return dIn;
    if (t === 1) return dOut;
    return {
      A: dIn.A.map((row, i) => row.map((v, j) => (1 - t) * v + t * dOut.A[i][j])),
      b: dIn.b.map((v, i) => (1 - t) * v + t * dOut.b[i]),
    };
  }

  // One display map per space: 0 the input (identity), i the output of layer i (padding, or principal axes).
  displayMaps(points) {
    const maps = [{ A: identityRows(3), b: [0, 0, 0] }];
    const keys = points && points.length ? this.keyframes(points) : null;
    this.sampleKeys = keys; // the sample points' keyframes: CPUMorph plays from them rather than computing them again
    this.network.layers.forEach((layer, index) => {
      const i = index + 1, h = layer.W.length;
      if (h <= 3 || keys === null) {
        maps.push({ A: identityRows(3).map((row) => pad(row, h).slice(0, h)), b: [0, 0, 0] });
        return;
      }
      const mine = this.stages.filter((s) => s.layer === i);
      const values = mine.flatMap((s) => keys[s.index + 1]);
      const previousMap = maps[maps.length - 1];
      const before = keys[mine[0].index].map((x) => affineApply(previousMap.A, previousMap.b, x));
      maps.push(principalDisplay(values, mine.flatMap(() => before)));
    });
    return maps;
  }
}

function widened(display, width) {
  return { A: display.A.map((row) => pad(row, width)), b: display.b };
}

// D(x) = R^T U^T (x - mean) + centre: U the top 3 principal directions of values (N x h), R the orthogonal
// 3x3 lining the picture up with previous (N x 3) (Procrustes), centre the mean of previous.
function principalDisplay(values, previous) {
  const h = values[0].length, N = values.length;
  const mean = new Float64Array(h);
  for (const v of values) for (let j = 0; j < h; j++) mean[j] += v[j];
  for (let j = 0; j < h; j++) mean[j] /= N;
  const centred = values.map((v) => { const c = new Float64Array(h); for (let j = 0; j < h; j++) c[j] = v[j] - mean[j]; return c; });
  const U = principalDirections(centred, 3); // 3 rows of length h: U^T
  const shown = centred.map((v) => U.map((u) => u.reduce((s, x, j) => s + x * v[j], 0)));
  const centre = [0, 1, 2].map((k) => previous.reduce((s, p) => s + p[k], 0) / N);
  const target = previous.map((p) => p.map((x, k) => x - centre[k]));
  const M = [0, 1, 2].map((i) => [0, 1, 2].map((j) => shown.reduce((s, v, n) => s + v[i] * target[n][j], 0)));
  const R = Affine.fromRows(M).orthonormalized().A; // the orthogonal polar factor of M maximises trace(R^T M)
  const A = [0, 1, 2].map((i) => Array.from({ length: h }, (_, j) => U.reduce((s, u, k) => s + R[k][i] * u[j], 0)));
  return { A, b: [0, 1, 2].map((i) => centre[i] - A[i].reduce((s, a, j) => s + a * mean[j], 0)) };
}

// The top k principal directions (unit rows of length h) of centred values (N x h). Exactly, by Jacobi, on the
// smaller of the h x h covariance and the N x N Gram matrix (u = X^T g / |X^T g|, the same directions) while that
// is at most EXACT_PCA wide; past that (a 3-1000-3 network on a 1 500-vertex mesh) by subspace iteration on the
// covariance, never formed: Q <- orth(X^T (X Q)) with k + 9 vectors, then Rayleigh-Ritz, to 1e-11.
export const EXACT_PCA = 160;

function principalDirections(centred, k) {
  const N = centred.length, h = centred[0].length;
  if (Math.min(N, h) > EXACT_PCA) return subspaceDirections(centred, k);
  if (h <= N) {
    const cov = Array.from({ length: h }, (_, i) => Array.from({ length: h }, (_, j) => centred.reduce((s, v) => s + v[i] * v[j], 0)));
    return symmetricEigen(cov).vectors.slice(0, k);
  }
  const gram = centred.map((a) => centred.map((b) => a.reduce((s, v, j) => s + v * b[j], 0)));
  return symmetricEigen(gram).vectors.slice(0, k).map((g) => {
    const u = Array.from({ length: h }, (_, j) => centred.reduce((s, v, n) => s + g[n] * v[j], 0));
    const length = Math.hypot(...u) || 1;
    return u.map((v) => v / length);
  });
}

function orthonormalRows(rows) { // modified Gram-Schmidt, twice (in place); a row that vanishes stays zero
  for (let pass = 0; pass < 2; pass++) {
    rows.forEach((row, j) => {
      for (let i = 0; i < j; i++) {
        let d = 0;
        for (let c = 0; c < row.length; c++) d += row[c] * rows[i][c];
        for (let c = 0; c < row.length; c++) row[c] -= d * rows[i][c];
      }
      let n = 0;
      for (let c = 0; c < row.length; c++) n += row[c] * row[c];
      n = Math.sqrt(n);
      for (let c = 0; c < row.length; c++) row[c] = n > 0 ? row[c] / n : 0;
    });
  }
  return rows;
}

function covarianceTimes(centred, q) { // X^T (X q), X never squared
  const h = q.length, out = new Float64Array(h);
  for (const row of centred) {
    let y = 0;
    for (let c = 0; c < h; c++) y += row[c] * q[c];
    for (let c = 0; c < h; c++) out[c] += y * row[c];
  }
  return out;
}

function subspaceDirections(centred, k) {
  const h = centred[0].length, p = Math.min(h, k + 9);
  let Q = orthonormalRows(Array.from({ length: p }, (_, j) => Float64Array.from({ length: h }, (_, i) => Math.cos(0.7 * (i + 1) * (j + 1)) + (i === j ? 1 : 0))));
  for (let iteration = 0; iteration < 500; iteration++) {
    const Z = orthonormalRows(Q.map((q) => covarianceTimes(centred, q)));
    let change = 0; // how far the old top-k vectors lie from the new subspace
    for (let j = 0; j < k; j++) {
      const r = Float64Array.from(Q[j]);
      for (const z of Z) {
        let d = 0;
        for (let c = 0; c < h; c++) d += r[c] * z[c];
        for (let c = 0; c < h; c++) r[c] -= d * z[c];
      }
      change = Math.max(change, Math.hypot(...r));
    }
    Q = Z;
    if (change < 1e-11) break;
  }
  const CQ = Q.map((q) => covarianceTimes(centred, q));
  const B = Q.map((qi) => CQ.map((cj) => qi.reduce((s, v, c) => s + v * cj[c], 0)));
  return symmetricEigen(B).vectors.slice(0, k).map((v) => {
    const u = Array.from({ length: h }, (_, c) => v.reduce((s, w, j) => s + w * Q[j][c], 0));
    const length = Math.hypot(...u) || 1;
    return u.map((x) => x / length);
  });
}

// What the panel shows about a stage: W | b, det W (square only), singular values, rank.
export function stageInfo(stage) {
  const s = singularValues(stage.W);
  const rank = s[0] > 0 ? s.filter((v) => v > SINGULAR_RTOL * s[0]).length : 0;
  const square = stage.W.length === stage.W[0].length;
  return { stage, W: stage.W, b: stage.b, determinant: square ? determinant(stage.W) : null, singularValues: s, rank };
}

export function determinantAt(info, t) {
  if (info.determinant === null) return null;
  const n = info.W.length;
  if (info.stage.polar) return determinant(info.stage.polar.at(t));
  return determinant(identityRows(n).map((row, i) => row.map((v, j) => (1 - t) * v + t * info.W[i][j])));
}

// app/stage_text.py's path_notes: what the path from I to W must do (shown during an affine stage); [] when nothing to say.
export function pathNotes(info) {
  const i = info.stage.layer, det = info.determinant;
  if (det === null || info.rank < info.W.length) return [];
  if (det < 0) return [_("det W < 0: every path from I (det 1) to W passes det 0;"), fill(_("swap two neurons (two rows of W{i}) and det W{i} > 0"), { i })];
  if (info.stage.path === "linear" && straightPathFlattens(info.W)) {
    return [_("W has a negative eigenvalue: this straight path passes det 0;"), _("--path polar turns instead (det A(t) > 0 all the way)")];
  }
  return [];
}

function small(v, digits) { // fixed point, or powers of ten for what would print as 0.00
  return v !== 0 && Math.abs(v) < 0.5 * 10 ** -digits ? v.toExponential(1).replace(/e([+-])(\d)$/, "e$10$2") : fixed(v, digits);
}

// The panel's text, line for line as stage_lines in app/stage_text.py.
export function infoLines(info, t = null, digits = 2) {
  const { stage } = info;
  const i = stage.layer;
  const name = stageTitle(stage);
  const lines = [t === null ? name : `${name}   t = ${t.toFixed(2)}`];
  if (stage.kind === "affine" && stage.path === "polar") lines.push(`x -> A(t) x + b(t),  A(t) = R(t) ((1-t) I + t S),  W${i} = R S,  b(t) = t b${i}`);
  else if (stage.kind === "affine") lines.push(`x -> A(t) x + b(t),  A(t) = (1-t) I + t W${i},  b(t) = t b${i}`);
  else lines.push(`x -> (1-t) x + t ${activationLabel(stage.activation)}(x)   (${fill(_("element-wise, after W{i} x + b{i}"), { i })})`);
  const out = info.W.length, nIn = info.W[0].length;
  lines.push(`W${i} (${out}x${nIn}) | b${i}`);
  const number = (v) => fixed(v, digits).padStart(digits + 4);
  info.W.slice(0, 8).forEach((row, r) => {
    lines.push(`[${row.slice(0, 8).map(number).join(" ")}${nIn > 8 ? " ..." : ""} ] [${number(info.b[r])}]`);
  });
  if (out > 8) lines.push(`... (${fill(ngettext("{count} more row", "{count} more rows", out - 8), { count: out - 8 })})`);
  const sv = info.singularValues.slice(0, 8).map((v) => small(v, digits)).join(", ");
  if (info.determinant === null) {
    lines.push(fill(_("det: none ({shape} is not square); singular values {values}"), { shape: `${out}x${nIn}`, values: sv }));
  } else {
    let note = "";
    if (info.rank < out) note = `  ${_("singular: flattens the solid")}`;
    else if (info.determinant < 0) note = `  < 0: ${_("turns the solid inside out")}`;
    lines.push(`det W${i} = ${small(info.determinant, digits)}${note}`);
    lines.push(fill(_("singular values {values}"), { values: sv }));
    if (stage.kind === "affine" && t !== null) lines.push(`det A(t) = ${small(determinantAt(info, t), digits)}`);
  }
  if (out < nIn) lines.push(`${nIn} -> ${out}: ${fill(_("the layer drops to {count} dimensions"), { count: out })}`);
  return lines;
}

// ------------------------------------------------------------------------------------------- playing the stages
// app/player.py's StagePlayer: a position p in [0, nStages]; p = k + t is time t of stage k.
export class StagePlayer {
  constructor(nStages, { secondsPerStage = 2.0, holdS = 0.6, playing = true } = {}) {
    this.nStages = nStages;
    this.secondsPerStage = secondsPerStage;
    this.holdS = holdS;
    this.playing = playing;
    this.position = 0;
    this.held = 0;
  }

  get stageIndex() {
    return Math.max(0, Math.ceil(this.position) - 1);
  }

  get t() {
    return this.position - this.stageIndex;
  }

  get atInput() {
    return this.position === 0;
  }

  holdHere() {
    if (this.position === 0) return this.holdS;
    return this.position >= this.nStages ? 3 * this.holdS : this.holdS;
  }

  update(dtS) {
    if (!this.playing || dtS <= 0) return;
    let remaining = dtS;
    while (remaining > 0) {
      if (this.position === Math.trunc(this.position) && this.held < this.holdHere()) {
        const wait = Math.min(remaining, this.holdHere() - this.held);
        this.held += wait;
        remaining -= wait;
        continue;
      }
      if (this.position >= this.nStages) {
        this.position = 0;
        this.held = 0;
        continue;
      }
      const boundary = Math.floor(this.position) + 1;
      const step = remaining / this.secondsPerStage;
      if (this.position + step >= boundary) {
        remaining -= (boundary - this.position) * this.secondsPerStage;
        this.position = boundary;
        this.held = 0;
      } else {
        this.position += step;
        remaining = 0;
      }
    }
  }

  toggle() {
    this.playing = !this.playing;
    if (this.playing && this.position >= this.nStages) {
      this.position = 0;
      this.held = this.holdS;
    }
  }

  next() { this.seek(Math.floor(this.position) + 1); }
  previous() { this.seek(Math.ceil(this.position) - 1); }
  scrub(stages) { this.seek(this.position + stages); }

  seek(position) {
    this.position = Math.min(Math.max(position, 0), this.nStages);
    this.playing = false;
    this.held = 0;
  }
}
