// affine.js: the Affine class (affine3d/affine.py): a 3D affine map, its products, inverse and GPU bytes.
//
// - Column vectors: y = A x + b. A 3D map is the 4x4 homogeneous matrix [[A, b], [0 0 0 1]].
// - F.matmul(G) is F∘G (first G, then F): exactly the product of the matrices, like Python's F @ G.
// - Stored float64 (plain JS numbers) column-major: m[4 * column + row]. toGL() is the way to the GPU:
//   pack.js's matrix(), a column-major Float32Array, the bytes a GLSL mat4 uniform expects (Affine.to_gl()).
// - Radians everywhere. tests/test_web.py checks every function here against the Python it mirrors.

import { matrix } from "./pack.js";

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

  // float32, column-major: the one way a matrix goes to the GPU (pack.js's matrix(), as Affine.to_gl()).
  toGL() {
    return matrix(this.matrix);
  }
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
