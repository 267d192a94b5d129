// affine.js: the maths the page does itself, with affine3d's conventions (affine3d/affine.py, app/arcball.py,
// nn/morph.py). tests/test_web.py checks every function here against the Python it mirrors.
//
// - Column vectors: y = A x + b. A 3D map is the 4x4 homogeneous matrix [[A, b], [0 0 0 1]].
// - F.matmul(G) is F∘G (first G, then F): exactly the product of the matrices, like Python's F @ G.
// - Stored float64 (plain JS numbers) column-major: m[4 * column + row]. toGL() is the one exit to the
//   GPU: a column-major Float32Array, the bytes a GLSL mat4 uniform expects (Affine.to_gl() in Python).
// - Radians everywhere. Network weights W have shape (out, in), as rows: W[i][j].

// ------------------------------------------------------------------------------------------- Affine (3D)
export class Affine {
  // m: 16 numbers, column-major, last row 0 0 0 1.
  constructor(m) {
    this.m = Float64Array.from(m);
  }

  // A as rows (3x3) and b (3): F(x) = A x + b.
  static fromRows(A, b = [0, 0, 0]) {
    const m = new Float64Array(16);
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) m[4 * c + r] = A[r][c];
      m[12 + r] = b[r];
    }
    m[15] = 1;
    return new Affine(m);
  }

  // A 4x4 homogeneous matrix given as rows (its last row must be 0 0 0 1).
  static fromMatrix(rows) {
    return Affine.fromRows(rows.slice(0, 3).map((row) => row.slice(0, 3)), rows.slice(0, 3).map((row) => row[3]));
  }

  static identity() {
    return Affine.fromRows([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  }

  static translation(t) {
    return Affine.fromRows([[1, 0, 0], [0, 1, 0], [0, 0, 1]], t);
  }

  // Rodrigues: R = I + sin(a) K + (1 - cos(a)) K^2, K the cross-product matrix of the unit axis.
  static rotation(axis, angle) {
    const n = Math.hypot(axis[0], axis[1], axis[2]);
    const [x, y, z] = axis.map((v) => v / n);
    const K = [[0, -z, y], [z, 0, -x], [-y, x, 0]];
    const K2 = matmul3(K, K);
    const s = Math.sin(angle), c1 = 1 - Math.cos(angle);
    return Affine.fromRows([0, 1, 2].map((r) => [0, 1, 2].map((c) => (r === c ? 1 : 0) + s * K[r][c] + c1 * K2[r][c])));
  }

  // About a coordinate axis (0 x, 1 y, 2 z); active, right-handed: rotationZ(pi/2) sends x to y.
  static axisRotation(axis, angle) {
    const c = Math.cos(angle), s = Math.sin(angle);
    const j = (axis + 1) % 3, k = (axis + 2) % 3;
    const R = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
    R[j][j] = c; R[j][k] = -s; R[k][j] = s; R[k][k] = c;
    return Affine.fromRows(R);
  }

  static rotationX(angle) { return Affine.axisRotation(0, angle); }
  static rotationY(angle) { return Affine.axisRotation(1, angle); }
  static rotationZ(angle) { return Affine.axisRotation(2, angle); }

  // The rotation of a quaternion (normalised first); order "wxyz" or "xyzw" says where the scalar stands.
  static fromQuaternion(q, order) {
    if (order !== "wxyz" && order !== "xyzw") throw new Error(`order: expected "wxyz" or "xyzw", got ${order}`);
    const n = Math.hypot(...q);
    if (!(n >= 1e-12)) throw new Error(`q: expected a non-zero quaternion, got ${q}`);
    const [w, x, y, z] = (order === "wxyz" ? q : [q[3], q[0], q[1], q[2]]).map((v) => v / n);
    return Affine.fromRows([
      [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
      [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
      [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ]);
  }

  // The unit quaternion of this rotation, w >= 0 (Shepperd's method, as Affine.to_quaternion).
  toQuaternion(order) {
    const R = this.A;
    const trace = R[0][0] + R[1][1] + R[2][2];
    const candidates = [trace, R[0][0], R[1][1], R[2][2]];
    const largest = candidates.indexOf(Math.max(...candidates));
    let w, x, y, z;
    if (largest === 0) {
      w = Math.sqrt(1 + trace) / 2;
      x = (R[2][1] - R[1][2]) / (4 * w); y = (R[0][2] - R[2][0]) / (4 * w); z = (R[1][0] - R[0][1]) / (4 * w);
    } else if (largest === 1) {
      x = Math.sqrt(1 + R[0][0] - R[1][1] - R[2][2]) / 2;
      w = (R[2][1] - R[1][2]) / (4 * x); y = (R[0][1] + R[1][0]) / (4 * x); z = (R[0][2] + R[2][0]) / (4 * x);
    } else if (largest === 2) {
      y = Math.sqrt(1 - R[0][0] + R[1][1] - R[2][2]) / 2;
      w = (R[0][2] - R[2][0]) / (4 * y); x = (R[0][1] + R[1][0]) / (4 * y); z = (R[1][2] + R[2][1]) / (4 * y);
    } else {
      z = Math.sqrt(1 - R[0][0] - R[1][1] + R[2][2]) / 2;
      w = (R[1][0] - R[0][1]) / (4 * z); x = (R[0][2] + R[2][0]) / (4 * z); y = (R[1][2] + R[2][1]) / (4 * z);
    }
    let q = [w, x, y, z];
    const n = Math.hypot(...q);
    q = q.map((v) => (w < 0 ? -v : v) / n);
    return order === "wxyz" ? q : [q[1], q[2], q[3], q[0]];
  }

  get A() {
    const m = this.m;
    return [0, 1, 2].map((r) => [m[r], m[4 + r], m[8 + r]]);
  }

  get b() {
    return [this.m[12], this.m[13], this.m[14]];
  }

  // The 4x4 matrix as rows (as Python's F.matrix).
  get matrix() {
    const m = this.m;
    return [0, 1, 2, 3].map((r) => [m[r], m[4 + r], m[8 + r], m[12 + r]]);
  }

  // F∘G: first G, then F.
  matmul(G) {
    const a = this.m, b = G.m, out = new Float64Array(16);
    for (let c = 0; c < 4; c++) {
      for (let r = 0; r < 4; r++) {
        let s = 0;
        for (let k = 0; k < 4; k++) s += a[4 * k + r] * b[4 * c + k];
        out[4 * c + r] = s;
      }
    }
    return new Affine(out);
  }

  // F(p) for one point p = [x, y, z].
  apply(p) {
    const m = this.m;
    return [0, 1, 2].map((r) => m[r] * p[0] + m[4 + r] * p[1] + m[8 + r] * p[2] + m[12 + r]);
  }

  get determinant() {
    return det3(this.A);
  }

  // max |A^T A - I|: how far A is from orthonormal (0 for a rotation, up to rounding).
  orthonormalityError() {
    const A = this.A;
    let worst = 0;
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += A[k][i] * A[k][j];
        worst = Math.max(worst, Math.abs(s - (i === j ? 1 : 0)));
      }
    }
    return worst;
  }

  // The nearest map with orthonormal A (the polar factor U V^T of A's SVD, as Python's orthonormalized),
  // by Newton's iteration X <- (X + X^-T) / 2; b kept.
  orthonormalized() {
    let X = this.A;
    for (let i = 0; i < 50; i++) {
      const Xit = transpose3(inverse3(X));
      const next = X.map((row, r) => row.map((v, c) => (v + Xit[r][c]) / 2));
      const change = Math.max(...next.flat().map((v, k) => Math.abs(v - X.flat()[k])));
      X = next;
      if (change < 1e-16) break;
    }
    return Affine.fromRows(X, this.b);
  }

  // (A^-1)^T as rows: what surface normals go through (Affine.normal_matrix()).
  normalMatrix() {
    return transpose3(inverse3(this.A));
  }

  inverse() {
    const Ai = inverse3(this.A);
    const b = this.b;
    return Affine.fromRows(Ai, Ai.map((row) => -(row[0] * b[0] + row[1] * b[1] + row[2] * b[2])));
  }

  // float32, column-major: the one way a matrix goes to the GPU.
  toGL() {
    return Float32Array.from(this.m);
  }
}

// A 4x4 array of rows (a projection) as column-major float32 for a mat4 uniform.
export function matrixGL(rows) {
  const out = new Float32Array(rows.length * rows.length);
  const n = rows.length;
  for (let c = 0; c < n; c++) for (let r = 0; r < n; r++) out[n * c + r] = rows[r][c];
  return out;
}

export function matmul3(A, B) {
  return A.map((row) => [0, 1, 2].map((c) => row[0] * B[0][c] + row[1] * B[1][c] + row[2] * B[2][c]));
}

export function transpose3(A) {
  return [0, 1, 2].map((r) => [A[0][r], A[1][r], A[2][r]]);
}

export function det3(A) {
  return A[0][0] * (A[1][1] * A[2][2] - A[1][2] * A[2][1])
    - A[0][1] * (A[1][0] * A[2][2] - A[1][2] * A[2][0])
    + A[0][2] * (A[1][0] * A[2][1] - A[1][1] * A[2][0]);
}

export function inverse3(A) {
  const d = det3(A);
  if (!(Math.abs(d) > 0)) throw new Error("A is singular (det 0): it has no inverse");
  const [[a, b, c], [e, f, g], [h, i, j]] = A;
  return [
    [(f * j - g * i) / d, (c * i - b * j) / d, (b * g - c * f) / d],
    [(g * h - e * j) / d, (a * j - c * h) / d, (c * e - a * g) / d],
    [(e * i - f * h) / d, (b * h - a * i) / d, (a * f - b * e) / d],
  ];
}

// ------------------------------------------------------------------------------------------- projections
// camera space -> clip space, as rows (affine3d/projection.py: gluPerspective's matrix, depth -1..1).
export function perspective(fovy, aspect, near, far) {
  const f = 1 / Math.tan(fovy / 2);
  return [
    [f / aspect, 0, 0, 0],
    [0, f, 0, 0],
    [0, 0, (far + near) / (near - far), (2 * far * near) / (near - far)],
    [0, 0, -1, 0],
  ];
}

export function orthographic(left, right, bottom, top, near, far) {
  return [
    [2 / (right - left), 0, 0, -(right + left) / (right - left)],
    [0, 2 / (top - bottom), 0, -(top + bottom) / (top - bottom)],
    [0, 0, -2 / (far - near), -(far + near) / (far - near)],
    [0, 0, 0, 1],
  ];
}

// Scene.projection(aspect, ortho): the orthographic box frames at the world's origin what the perspective shows.
export function sceneProjection(camera, aspect, ortho) {
  if (!ortho) return perspective(camera.fov, aspect, camera.near, camera.far);
  const halfHeight = camera.distance * Math.tan(camera.fov / 2);
  const halfWidth = halfHeight * aspect;
  return orthographic(-halfWidth, halfWidth, -halfHeight, halfHeight, camera.near, camera.far);
}

// ------------------------------------------------------------------------------------------- arcball, turntable
// As affine3d/app/arcball.py: window coordinates with the origin at the bottom-left, y up.
export const PITCH_LIMIT = (89 * Math.PI) / 180;

// The rotation turning direction p0 toward p1 about p0 x p1 (by the angle between them).
export function arcRotation(p0, p1) {
  const n0 = Math.hypot(...p0), n1 = Math.hypot(...p1);
  const a = p0.map((v) => v / n0), b = p1.map((v) => v / n1);
  const axis = [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
  const sin = Math.hypot(...axis);
  if (sin < 1e-12) return Affine.identity();
  return Affine.rotation(axis, Math.atan2(sin, a[0] * b[0] + a[1] * b[1] + a[2] * b[2]));
}

export class Arcball {
  constructor(size, rotation = Affine.identity()) {
    this.name = "arcball";
    this.resize(size);
    this.rotation = rotation;
    this.pressPoint = null;
    this.pressRotation = rotation;
  }

  resize([width, height]) {
    this.width = width;
    this.height = height;
  }

  get radius() {
    return Math.min(this.width, this.height) / 2;
  }

  // Window pixel -> the point of the unit sphere under it; outside its silhouette, the nearest rim point.
  spherePoint(x, y) {
    const px = (x - this.width / 2) / this.radius, py = (y - this.height / 2) / this.radius;
    const d2 = px * px + py * py;
    if (d2 <= 1) return [px, py, Math.sqrt(1 - d2)];
    const d = Math.sqrt(d2);
    return [px / d, py / d, 0];
  }

  press(x, y) {
    this.pressPoint = this.spherePoint(x, y);
    this.pressRotation = this.rotation;
  }

  // R = rotation(p_press -> p) @ R_press, re-orthonormalised: the grabbed point stays under the cursor.
  drag(x, y) {
    if (this.pressPoint === null) this.press(x, y);
    this.rotation = arcRotation(this.pressPoint, this.spherePoint(x, y)).matmul(this.pressRotation).orthonormalized();
    return this.rotation;
  }

  release() {
    this.pressPoint = null;
  }

  spin(angle) {
    this.rotation = Affine.rotationY(angle).matmul(this.rotation).orthonormalized();
    if (this.pressPoint !== null) this.pressRotation = Affine.rotationY(angle).matmul(this.pressRotation).orthonormalized();
    return this.rotation;
  }

  reset(rotation = Affine.identity()) {
    this.rotation = rotation;
    this.pressPoint = null;
  }
}

export class Turntable {
  constructor(size, rotation = Affine.identity()) {
    this.name = "turntable";
    this.resize(size);
    this.last = null;
    this.reset(rotation);
  }

  resize([width, height]) {
    this.width = width;
    this.height = height;
  }

  get radius() {
    return Math.min(this.width, this.height) / 2;
  }

  // rotation_x(pitch) @ rotation_y(yaw): yaw about the world's up axis, pitch about the camera's x; never roll.
  get rotation() {
    return Affine.rotationX(this.pitch).matmul(Affine.rotationY(this.yaw));
  }

  press(x, y) {
    this.last = [x, y];
  }

  drag(x, y) {
    if (this.last === null) this.press(x, y);
    const [x0, y0] = this.last;
    this.yaw = remainder(this.yaw + (x - x0) / this.radius, 2 * Math.PI);
    this.pitch = Math.min(PITCH_LIMIT, Math.max(-PITCH_LIMIT, this.pitch - (y - y0) / this.radius));
    this.last = [x, y];
    return this.rotation;
  }

  release() {
    this.last = null;
  }

  spin(angle) {
    this.yaw = remainder(this.yaw + angle, 2 * Math.PI);
    return this.rotation;
  }

  // Yaw and pitch of a rotation, its roll dropped.
  reset(rotation = Affine.identity()) {
    const R = rotation.A;
    this.pitch = Math.min(PITCH_LIMIT, Math.max(-PITCH_LIMIT, Math.atan2(R[2][1], R[1][1])));
    const M = matmul3(Affine.rotationX(-this.pitch).A, R);
    this.yaw = Math.atan2(M[0][2], M[0][0]);
    this.last = null;
  }
}

// IEEE remainder (Python's math.remainder): x - n y with n the integer nearest x / y, ties to even.
export function remainder(x, y) {
  const q = x / y;
  let n = Math.round(q);
  if (Math.abs(q - Math.trunc(q)) === 0.5) n = 2 * Math.round(q / 2);
  return x - n * y;
}

// ------------------------------------------------------------------------------------------- numbers as text
// value with `decimals` places and no "-0.000" (format_matrix's cells).
export function fixed(value, decimals = 3) {
  const text = value.toFixed(decimals);
  return /^-0\.?0*$/.test(text) ? text.slice(1) : text;
}

// Rows "[ a  b  c | d ]", the last column set off by "|" (app/state.py's format_matrix).
export function formatMatrix(rows, decimals = 3) {
  const cells = rows.map((row) => row.map((v) => fixed(v, decimals)));
  const width = Math.max(...cells.flat().map((c) => c.length)) + 1;
  return cells.map((row) => "[ " + row.slice(0, -1).map((c) => c.padStart(width)).join(" ") + " | "
    + row[row.length - 1].padStart(width) + " ]");
}

// ------------------------------------------------------------------------------------------- a network
// Activations on one value (softmax works on a whole vector: see applyActivation).
const SIGMA = {
  identity: (z) => z,
  relu: (z) => Math.max(z, 0),
  leaky_relu: (z, alpha) => (z >= 0 ? z : alpha * z),
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
  tanh: (z) => Math.tanh(z),
};

export const ACTIVATION_NAMES = ["identity", "relu", "leaky_relu", "sigmoid", "tanh", "softmax"];

// activation: {name, alpha}; x: array of numbers -> a new array.
export function applyActivation(activation, x) {
  if (activation.name === "softmax") {
    const top = Math.max(...x);
    const e = x.map((v) => Math.exp(v - top));
    const total = e.reduce((s, v) => s + v, 0);
    return e.map((v) => v / total);
  }
  const f = SIGMA[activation.name];
  return x.map((v) => f(v, activation.alpha));
}

export function activationLabel(activation) {
  return activation.name === "leaky_relu" ? `leaky_relu(alpha=${activation.alpha})` : activation.name;
}

// W x + b, W as rows (out, in).
export function affineApply(W, b, x) {
  return W.map((row, i) => row.reduce((s, w, j) => s + w * x[j], b[i]));
}

// An MLP: layers [{W (rows, out x in), b, activation: {name, alpha}}], checked to chain.
export class Network {
  constructor(layers, name = "") {
    this.layers = layers;
    this.name = name;
    this.sizes = [layers[0].W[0].length, ...layers.map((layer) => layer.W.length)];
  }

  // Every value of the forward pass of one point: [x, z1, a1, z2, a2, ...] (MLP.trace's order).
  trace(x) {
    const steps = [x.slice()];
    let a = x;
    for (const layer of this.layers) {
      const z = affineApply(layer.W, layer.b, a);
      a = applyActivation(layer.activation, z);
      steps.push(z, a);
    }
    return steps;
  }

  forward(x) {
    const steps = this.trace(x);
    return steps[steps.length - 1];
  }
}

// ------------------------------------------------------------------------------------------- linear algebra (n x n)
export function identityRows(n) {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
}

// det of a square matrix by Gaussian elimination with partial pivoting.
export function determinant(M) {
  const n = M.length;
  const a = M.map((row) => row.slice());
  let det = 1;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i][k]) > Math.abs(a[p][k])) p = i;
    if (a[p][k] === 0) return 0;
    if (p !== k) { [a[p], a[k]] = [a[k], a[p]]; det = -det; }
    det *= a[k][k];
    for (let i = k + 1; i < n; i++) {
      const f = a[i][k] / a[k][k];
      for (let j = k; j < n; j++) a[i][j] -= f * a[k][j];
    }
  }
  return det;
}

// Eigenvalues (descending) and unit eigenvectors (vectors[k] belongs to values[k]) of a symmetric matrix:
// cyclic Jacobi rotations until the off-diagonal part is gone.
export function symmetricEigen(S) {
  const n = S.length;
  const a = S.map((row) => row.slice());
  const V = identityRows(n);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0, total = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { total += a[i][j] * a[i][j]; if (i !== j) off += a[i][j] * a[i][j]; }
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        if (a[p][q] === 0) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) { // a <- a J (columns p, q)
          const akp = a[k][p], akq = a[k][q];
          a[k][p] = c * akp - s * akq; a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) { // a <- J^T a (rows p, q)
          const apk = a[p][k], aqk = a[q][k];
          a[p][k] = c * apk - s * aqk; a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k][p], vkq = V[k][q];
          V[k][p] = c * vkp - s * vkq; V[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j][j] - a[i][i]);
  return { values: order.map((i) => a[i][i]), vectors: order.map((i) => V.map((row) => row[i])) };
}

// Singular values of W (out x in), descending: square roots of the eigenvalues of the smaller Gram matrix.
export function singularValues(W) {
  const out = W.length, n = W[0].length;
  const gram = out < n
    ? W.map((ri) => W.map((rj) => ri.reduce((s, v, k) => s + v * rj[k], 0)))
    : Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => W.reduce((s, row) => s + row[i] * row[j], 0)));
  return symmetricEigen(gram).values.map((v) => Math.sqrt(Math.max(v, 0)));
}

// ------------------------------------------------------------------------------------------- the morph (nn/morph.py)
export const SINGULAR_RTOL = 1e-9;

function pad(values, width) {
  const out = values.slice();
  while (out.length < width) out.push(0);
  return out;
}

function stageName(stage) {
  return `layer ${stage.layer} of ${stage.nLayers}: ${stage.kind === "affine" ? "affine" : activationLabel(stage.activation)}`;
}

// A network's forward pass as stages that move points; displays map each space to R^3 (see nn/morph.py).
export class Morph {
  constructor(network, points) {
    const { layers, sizes } = network;
    if (sizes[0] !== 3) {
      throw new Error(`model: expected 3 inputs (a point of 3D space), got ${sizes[0]}: W1 has shape (${layers[0].W.length}, ${sizes[0]}); only a 3 -> ... -> 3 network can move a solid's vertices`);
    }
    const last = sizes[sizes.length - 1];
    if (last !== 3) {
      const k = layers.length;
      throw new Error(`model: expected 3 outputs (a point of 3D space), got ${last}: W${k} has shape (${last}, ${layers[k - 1].W[0].length}); only a 3 -> ... -> 3 network can move a solid's vertices`);
    }
    this.network = network;
    this.stages = [];
    layers.forEach((layer, i) => {
      const m = layer.W[0].length, h = layer.W.length;
      const base = { layer: i + 1, nLayers: layers.length, W: layer.W, b: layer.b, activation: layer.activation };
      this.stages.push({ ...base, kind: "affine", widthIn: m, widthOut: h, width: Math.max(m, h) });
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
  const mean = Array.from({ length: h }, (_, j) => values.reduce((s, v) => s + v[j], 0) / N);
  const centred = values.map((v) => v.map((x, j) => x - mean[j]));
  const cov = Array.from({ length: h }, (_, i) => Array.from({ length: h }, (_, j) => centred.reduce((s, v) => s + v[i] * v[j], 0)));
  const U = symmetricEigen(cov).vectors.slice(0, 3); // 3 rows of length h: U^T
  const shown = centred.map((v) => U.map((u) => u.reduce((s, x, j) => s + x * v[j], 0)));
  const centre = [0, 1, 2].map((k) => previous.reduce((s, p) => s + p[k], 0) / N);
  const target = previous.map((p) => p.map((x, k) => x - centre[k]));
  const M = [0, 1, 2].map((i) => [0, 1, 2].map((j) => shown.reduce((s, v, n) => s + v[i] * target[n][j], 0)));
  const R = Affine.fromRows(M).orthonormalized().A; // the orthogonal polar factor of M maximises trace(R^T M)
  const A = [0, 1, 2].map((i) => Array.from({ length: h }, (_, j) => U.reduce((s, u, k) => s + R[k][i] * u[j], 0)));
  return { A, b: [0, 1, 2].map((i) => centre[i] - A[i].reduce((s, a, j) => s + a * mean[j], 0)) };
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
  return determinant(identityRows(n).map((row, i) => row.map((v, j) => (1 - t) * v + t * info.W[i][j])));
}

function small(v, digits) { // fixed point, or powers of ten for what would print as 0.00
  return v !== 0 && Math.abs(v) < 0.5 * 10 ** -digits ? v.toExponential(1).replace(/e([+-])(\d)$/, "e$10$2") : fixed(v, digits);
}

// The panel's text, line for line as StageInfo.lines in nn/morph.py.
export function infoLines(info, t = null, digits = 2) {
  const { stage } = info;
  const i = stage.layer;
  const lines = [t === null ? stage.name : `${stage.name}   t = ${t.toFixed(2)}`];
  if (stage.kind === "affine") lines.push(`x -> A(t) x + b(t),  A(t) = (1-t) I + t W${i},  b(t) = t b${i}`);
  else lines.push(`x -> (1-t) x + t ${activationLabel(stage.activation)}(x)   (element-wise, after W${i} x + b${i})`);
  const out = info.W.length, nIn = info.W[0].length;
  lines.push(`W${i} (${out}x${nIn}) | b${i}`);
  const number = (v) => fixed(v, digits).padStart(digits + 4);
  info.W.slice(0, 8).forEach((row, r) => {
    lines.push(`[${row.slice(0, 8).map(number).join(" ")}${nIn > 8 ? " ..." : ""} ] [${number(info.b[r])}]`);
  });
  if (out > 8) lines.push(`... (${out - 8} more rows)`);
  const sv = info.singularValues.slice(0, 8).map((v) => small(v, digits)).join(", ");
  if (info.determinant === null) {
    lines.push(`det: none (${out}x${nIn} is not square); singular values ${sv}`);
  } else {
    let note = "";
    if (info.rank < out) note = "  singular: flattens the solid";
    else if (info.determinant < 0) note = "  < 0: turns the solid inside out";
    lines.push(`det W${i} = ${small(info.determinant, digits)}${note}`);
    lines.push(`singular values ${sv}`);
    if (stage.kind === "affine" && t !== null) lines.push(`det A(t) = ${small(determinantAt(info, t), digits)}`);
  }
  if (out < nIn) lines.push(`${nIn} -> ${out}: the layer drops to ${out} dimensions`);
  return lines;
}

// ------------------------------------------------------------------------------------------- playing the stages
// nn/morph.py's StagePlayer: a position p in [0, nStages]; p = k + t is time t of stage k.
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
