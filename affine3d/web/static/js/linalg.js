// linalg.js: the n x n linear algebra numpy gives the Python side: det, symmetric eigenvectors, SVD.
// Matrices are arrays of rows (W[i][j]), float64.

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

export function matmul(A, B) {
  return A.map((row) => B[0].map((_, c) => row.reduce((s, v, k) => s + v * B[k][c], 0)));
}

export function transpose(A) {
  return A[0].map((_, c) => A.map((row) => row[c]));
}

// The SVD of a square W = U diag(sigma) V^T, sigma descending (numpy.linalg.svd's convention): V from the
// eigenvectors of W^T W, u_k = W v_k / sigma_k, and for a zero sigma_k a unit vector orthogonal to the others.
// Returned as columns: U[k] and V[k] are the k-th singular vectors.
export function svd(W) {
  const n = W.length;
  const gram = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => W.reduce((s, row) => s + row[i] * row[j], 0)));
  const { values, vectors: V } = symmetricEigen(gram);
  const sigma = values.map((v) => Math.sqrt(Math.max(v, 0)));
  const U = [];
  for (let k = 0; k < n; k++) {
    if (sigma[k] > 1e-12 * Math.max(sigma[0], 1e-300)) {
      U.push(W.map((row) => row.reduce((s, w, j) => s + w * V[k][j], 0) / sigma[k]));
      continue;
    }
    for (let e = 0; e < n; e++) { // Gram-Schmidt on the standard basis: the first direction not yet spanned
      const u = Array.from({ length: n }, (_, i) => (i === e ? 1 : 0));
      for (const w of U) { const d = w.reduce((s, v, i) => s + v * u[i], 0); w.forEach((v, i) => { u[i] -= d * v; }); }
      const length = Math.hypot(...u);
      if (length > 1e-6) { U.push(u.map((v) => v / length)); break; }
    }
  }
  return { U, sigma, V };
}
