// pack.js: the one door to the GPU in the page (affine3d/pack.py): numbers become the float32 WebGL reads.
//
// float64 (plain JS numbers) on the CPU, float32 on the GPU; a GLSL matrix is read column by column and
// uniformMatrix*fv is always called with transpose = false. So every matrix that crosses to the GPU
// (Affine.toGL(), the normal matrix, the projection, the morph's stage maps) goes through matrix() or
// mat4Blocks() here, and every other Float32Array (vertex data, buffers read back) is made by floats().
// tests/test_web_site.py reads every other module and fails on one that makes a Float32Array itself.

// A matrix given as rows (any size, n x m) as float32, column by column: the bytes of a GLSL matN uniform.
export function matrix(rows) {
  const n = rows.length, m = rows[0].length;
  const out = new Float32Array(n * m);
  for (let c = 0; c < m; c++) for (let r = 0; r < n; r++) out[n * c + r] = rows[r][c];
  return out;
}

// Blocks (i, j) of the square matrix H (rows, 4 * nBlocks wide) as consecutive column-major mat4s, block (i, j)
// at index nBlocks * i + j, for the first rowBlocks block rows (pack.mat4_blocks).
export function mat4Blocks(H, rowBlocks = null) {
  const nBlocks = H[0].length / 4, rb = rowBlocks ?? H.length / 4;
  const out = new Float32Array(16 * rb * nBlocks);
  for (let i = 0; i < rb; i++) {
    for (let j = 0; j < nBlocks; j++) {
      const o = 16 * (nBlocks * i + j);
      for (let c = 0; c < 4; c++) for (let r = 0; r < 4; r++) out[o + 4 * c + r] = H[4 * i + r][4 * j + c];
    }
  }
  return out;
}

// Plain float32 data (vertex attributes, a buffer to read back into): from numbers, or zeros of a length.
export function floats(valuesOrLength) {
  return typeof valuesOrLength === "number" ? new Float32Array(valuesOrLength) : Float32Array.from(valuesOrLength);
}
