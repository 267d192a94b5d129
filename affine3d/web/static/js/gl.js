// gl.js: WebGL2 drawing with the desktop renderer's shader files (affine3d/gl/renderer.py, gl/morph.py).
//
// The shaders come from the site's shaders/ folder: shaders/mesh.vert & co., joined by the same include step
// as on the desktop and with their #version line adapted for WebGL2 (affine3d.gl.glsl.webgl_source).
// Per frame, as Renderer.draw: clear to the background; per object, model, normal_matrix and color; world
// and projection once. Every matrix reaches the GPU through pack.js (Affine.toGL(), matrix(), mat4Blocks()).
//
// A network's warp runs on the GPU (GPUMorph: morph.vert with transform feedback) for layers up to MAX_WIDTH
// wide, what four vec4 vertex attributes hold; a wider network runs on the CPU (CPUMorph: morph.js's maths,
// the same numbers), so any width the desktop takes plays here too. makeMorph() picks one and says which.

import { matrix, mat4Blocks, floats } from "./pack.js";
import { affineApply } from "./network.js";

export const ACTIVATION_CODES = { identity: 0, relu: 1, leaky_relu: 2, sigmoid: 3, tanh: 4, softmax: 5 };
export const MAX_BLOCKS = 4;
export const MAX_WIDTH = 4 * MAX_BLOCKS - 1;

function compile(gl, type, source, name) {
  const shader = gl.createShader(type);
  gl.shaderSource(shader, source);
  gl.compileShader(shader);
  if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) {
    const log = gl.getShaderInfoLog(shader);
    gl.deleteShader(shader);
    throw new Error(`${name}: ${log}`);
  }
  return shader;
}

// A linked program from shader texts; varyings: vertex outputs captured by transform feedback (interleaved).
export function buildProgram(gl, vertex, fragment, names, varyings = null) {
  const program = gl.createProgram();
  gl.attachShader(program, compile(gl, gl.VERTEX_SHADER, vertex, names[0]));
  gl.attachShader(program, compile(gl, gl.FRAGMENT_SHADER, fragment, names[1]));
  if (varyings) gl.transformFeedbackVaryings(program, varyings, gl.INTERLEAVED_ATTRIBS);
  gl.linkProgram(program);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(`${names.join(" + ")}: ${gl.getProgramInfoLog(program)}`);
  const uniforms = {};
  const n = gl.getProgramParameter(program, gl.ACTIVE_UNIFORMS);
  for (let k = 0; k < n; k++) {
    const name = gl.getActiveUniform(program, k).name.replace(/\[0\]$/, "");
    uniforms[name] = gl.getUniformLocation(program, name);
  }
  return { program, uniforms, attribute: (name) => gl.getAttribLocation(program, name) };
}

// Unshared corners for flat shading, interleaved position + face normal (Mesh.flat(), pack.vertices): 6 floats each.
export function flatVertices(positions, triangles, out = null) {
  const T = triangles.length / 3;
  const data = out ?? floats(T * 18);
  for (let t = 0; t < T; t++) {
    const i = 3 * triangles[3 * t], j = 3 * triangles[3 * t + 1], k = 3 * triangles[3 * t + 2];
    const ux = positions[j] - positions[i], uy = positions[j + 1] - positions[i + 1], uz = positions[j + 2] - positions[i + 2];
    const vx = positions[k] - positions[i], vy = positions[k + 1] - positions[i + 1], vz = positions[k + 2] - positions[i + 2];
    let nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    const length = Math.hypot(nx, ny, nz);
    if (length > 0) { nx /= length; ny /= length; nz /= length; } else { nx = ny = nz = 0; } // degenerate: zero, not NaN
    for (const [c, v] of [i, j, k].entries()) {
      const o = 18 * t + 6 * c;
      data[o] = positions[v]; data[o + 1] = positions[v + 1]; data[o + 2] = positions[v + 2];
      data[o + 3] = nx; data[o + 4] = ny; data[o + 5] = nz;
    }
  }
  return data;
}

// Smooth shading: every corner of every triangle with its own normal (normals: 9 per triangle, object space,
// Mesh.corner_normals(): the file's normals or angle-weighted ones that keep creases), interleaved as flatVertices.
export function smoothVertices(positions, triangles, normals, out = null) {
  const T = triangles.length / 3;
  const data = out ?? floats(T * 18);
  for (let t = 0; t < T; t++) {
    for (let c = 0; c < 3; c++) {
      const v = 3 * triangles[3 * t + c], o = 18 * t + 6 * c, n = 9 * t + 3 * c;
      data[o] = positions[v]; data[o + 1] = positions[v + 1]; data[o + 2] = positions[v + 2];
      data[o + 3] = normals[n]; data[o + 4] = normals[n + 1]; data[o + 5] = normals[n + 2];
    }
  }
  return data;
}

// Corner normals of a moved smooth mesh: per smoothing group (groups: a slot per corner, Mesh's smoothing groups
// from the scene JSON), the angle-weighted sum of its corners' face normals, normalised (geometry/normals.py).
export function groupNormals(positions, triangles, groups, nGroups, out = null) {
  const sums = new Float64Array(3 * nGroups);
  const T = triangles.length / 3;
  const corner = (t, c) => 3 * triangles[3 * t + c];
  for (let t = 0; t < T; t++) {
    const p = [0, 1, 2].map((c) => corner(t, c));
    const ux = positions[p[1]] - positions[p[0]], uy = positions[p[1] + 1] - positions[p[0] + 1], uz = positions[p[1] + 2] - positions[p[0] + 2];
    const vx = positions[p[2]] - positions[p[0]], vy = positions[p[2] + 1] - positions[p[0] + 1], vz = positions[p[2] + 2] - positions[p[0] + 2];
    let nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    const length = Math.hypot(nx, ny, nz);
    if (!(length > 0)) continue;
    nx /= length; ny /= length; nz /= length;
    for (let c = 0; c < 3; c++) {
      const a = p[c], b = p[(c + 1) % 3], d = p[(c + 2) % 3];
      const e1 = [positions[b] - positions[a], positions[b + 1] - positions[a + 1], positions[b + 2] - positions[a + 2]];
      const e2 = [positions[d] - positions[a], positions[d + 1] - positions[a + 1], positions[d + 2] - positions[a + 2]];
      const cos = (e1[0] * e2[0] + e1[1] * e2[1] + e1[2] * e2[2]) / (Math.hypot(...e1) * Math.hypot(...e2) || 1);
      const angle = Math.acos(Math.min(1, Math.max(-1, cos)));
      const g = 3 * groups[3 * t + c];
      sums[g] += angle * nx; sums[g + 1] += angle * ny; sums[g + 2] += angle * nz;
    }
  }
  const normals = out ?? new Float64Array(9 * T);
  for (let k = 0; k < 3 * T; k++) {
    const g = 3 * groups[k], length = Math.hypot(sums[g], sums[g + 1], sums[g + 2]) || 1;
    normals[3 * k] = sums[g] / length; normals[3 * k + 1] = sums[g + 1] / length; normals[3 * k + 2] = sums[g + 2] / length;
  }
  return normals;
}

// The enclosed volume, positive when triangles wind counter-clockwise seen from outside (Mesh.signed_volume).
export function signedVolume(positions, triangles) {
  let total = 0;
  for (let t = 0; t < triangles.length; t += 3) {
    const a = 3 * triangles[t], b = 3 * triangles[t + 1], c = 3 * triangles[t + 2];
    const [bx, by, bz, cx, cy, cz] = [positions[b], positions[b + 1], positions[b + 2], positions[c], positions[c + 1], positions[c + 2]];
    total += positions[a] * (by * cz - bz * cy) + positions[a + 1] * (bz * cx - bx * cz) + positions[a + 2] * (bx * cy - by * cx);
  }
  return total / 6;
}

// The stripes' width in pixels for a picture `height` pixels high (affine3d.geometry.shading.hatch_period).
export function hatchPeriod(height) {
  return Math.max(4, Math.round(height / 90));
}

// --------------------------------------------------------------------------------------------- the renderer
export class Renderer {
  constructor(gl, shaders) {
    this.gl = gl;
    this.mesh = buildProgram(gl, shaders["mesh.vert"], shaders["mesh.frag"], ["mesh.vert", "mesh.frag"]);
    this.lines = buildProgram(gl, shaders["lines.vert"], shaders["lines.frag"], ["lines.vert", "lines.frag"]);
    this.objects = [];
    this.cullBackFaces = true;
  }

  // Upload a scene's objects: each {model: Affine, color, wireframe, edgeColor, positions (Float64Array, 3 per vertex),
  // triangles, edges, shading ("flat" or "smooth"), normals (smooth: 9 per triangle), groups, nGroups}.
  setObjects(objects, { cullBackFaces = true } = {}) {
    const gl = this.gl;
    this.release();
    this.cullBackFaces = cullBackFaces;
    this.objects = objects.map((obj) => {
      const item = { ...obj };
      item.fill = this.vertexArray(this.mesh, this.fillVertices(item, obj.positions), ["in_position", "in_normal"]);
      item.fillCount = obj.triangles.length;
      item.lines = null;
      if (obj.edges.length) {
        item.lines = this.vertexArray(this.lines, floats(obj.positions), ["in_position"]);
        const ibo = gl.createBuffer();
        gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, ibo);
        gl.bufferData(gl.ELEMENT_ARRAY_BUFFER, Uint32Array.from(obj.edges), gl.STATIC_DRAW);
        item.lines.buffers.push(ibo);
        gl.bindVertexArray(null);
        item.linesCount = obj.edges.length;
      }
      return item;
    });
  }

  // The fill's vertices: flat (a face normal per triangle) or smooth (a normal per corner: the mesh's own, or
  // for moved positions the smoothing groups' normals recomputed, as MorphingScene does).
  fillVertices(item, positions, moved = false) {
    if (item.shading !== "smooth" || !item.normals) return flatVertices(positions, item.triangles, item.flat);
    const normals = moved && item.groups ? groupNormals(positions, item.triangles, item.groups, item.nGroups) : item.normals;
    return smoothVertices(positions, item.triangles, normals, item.flat);
  }

  vertexArray(program, data, names) {
    const gl = this.gl;
    const vao = gl.createVertexArray();
    gl.bindVertexArray(vao);
    const vbo = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, vbo);
    gl.bufferData(gl.ARRAY_BUFFER, data, gl.DYNAMIC_DRAW);
    const stride = 12 * names.length;
    names.forEach((name, k) => {
      const location = program.attribute(name);
      if (location < 0) return; // the compiler dropped it (a student's edit): its bytes are skipped
      gl.enableVertexAttribArray(location);
      gl.vertexAttribPointer(location, 3, gl.FLOAT, false, stride, 12 * k);
    });
    return { vao, vbo, buffers: [vbo] };
  }

  // New vertex positions for object k (same topology): its buffers rewritten in place, as Renderer.set_object;
  // hatched: drawn in stripes (a solid turned inside out, SceneObject.hatched).
  setPositions(k, positions, color, hatched = false) {
    const gl = this.gl, item = this.objects[k];
    item.positions = positions;
    item.color = color;
    item.hatched = hatched;
    item.flat = this.fillVertices(item, positions, true);
    gl.bindBuffer(gl.ARRAY_BUFFER, item.fill.vbo);
    gl.bufferSubData(gl.ARRAY_BUFFER, 0, item.flat);
    if (item.lines) {
      gl.bindBuffer(gl.ARRAY_BUFFER, item.lines.vbo);
      gl.bufferSubData(gl.ARRAY_BUFFER, 0, floats(positions));
    }
  }

  // One frame: view = {world: Affine, projection: rows, wireframe, background, light, ambient, edgeShade,
  // insideColor, insideShade}.
  draw(view) {
    const gl = this.gl;
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    gl.viewport(0, 0, gl.drawingBufferWidth, gl.drawingBufferHeight);
    const [r, g, b] = view.background;
    gl.clearColor(r, g, b, 1);
    gl.clearDepth(1);
    gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
    gl.enable(gl.DEPTH_TEST);
    gl.depthFunc(gl.LESS);
    if (this.cullBackFaces) { gl.enable(gl.CULL_FACE); gl.cullFace(gl.BACK); } else gl.disable(gl.CULL_FACE);

    const worldGL = view.world.toGL(), projectionGL = matrix(view.projection);
    const worldNormal = view.world.normalMatrix(), worldDet = view.world.determinant;
    const { program, uniforms: u } = this.mesh;
    gl.useProgram(program);
    gl.uniformMatrix4fv(u.world, false, worldGL);
    gl.uniformMatrix4fv(u.projection, false, projectionGL);
    gl.uniform3fv(u.light_dir, view.light);
    gl.uniform1f(u.ambient, view.ambient);
    gl.uniform3fv(u.inside_color, view.insideColor ?? [0, 0, 0]);
    gl.uniform1f(u.inside_shade, view.insideShade ?? 0);
    const hatch = hatchPeriod(gl.drawingBufferHeight);
    // Faces pushed a hair away from the camera, so edges drawn on them win the depth test.
    gl.enable(gl.POLYGON_OFFSET_FILL);
    gl.polygonOffset(1, 1);
    for (const item of this.objects) {
      // (A_w A_m)^-T = A_w^-T A_m^-T: the normal matrix of camera_from_object = world @ model.
      const normal = multiply3(worldNormal, item.model.normalMatrix());
      gl.uniformMatrix4fv(u.model, false, item.model.toGL());
      gl.uniformMatrix3fv(u.normal_matrix, false, matrix(normal));
      gl.uniform3fv(u.color, item.color);
      gl.uniform1i(u.hatch_period, item.hatched ? hatch : 0);
      // A mirror (det < 0) turns counter-clockwise triangles clockwise on screen: then that is the front.
      gl.frontFace(worldDet * item.model.determinant < 0 ? gl.CW : gl.CCW);
      gl.bindVertexArray(item.fill.vao);
      gl.drawArrays(gl.TRIANGLES, 0, item.fillCount);
    }
    gl.frontFace(gl.CCW);
    gl.disable(gl.POLYGON_OFFSET_FILL);

    const edged = this.objects.filter((item) => item.lines && (view.wireframe || item.wireframe));
    if (edged.length) {
      const { program: lp, uniforms: lu } = this.lines;
      gl.useProgram(lp);
      gl.uniformMatrix4fv(lu.world, false, worldGL);
      gl.uniformMatrix4fv(lu.projection, false, projectionGL);
      for (const item of edged) {
        gl.uniformMatrix4fv(lu.model, false, item.model.toGL());
        const base = item.hatched ? view.insideColor : item.color; // a hatched solid's grid in the stripes' dark
        gl.uniform3fv(lu.edge_color, item.edgeColor ?? base.map((c) => view.edgeShade * c));
        gl.bindVertexArray(item.lines.vao);
        gl.drawElements(gl.LINES, item.linesCount, gl.UNSIGNED_INT, 0);
      }
    }
    gl.bindVertexArray(null);
  }

  release() {
    const gl = this.gl;
    for (const item of this.objects) {
      for (const part of [item.fill, item.lines]) {
        if (!part) continue;
        gl.deleteVertexArray(part.vao);
        part.buffers.forEach((buffer) => gl.deleteBuffer(buffer));
      }
    }
    this.objects = [];
  }
}

function multiply3(A, B) {
  return A.map((row) => [0, 1, 2].map((c) => row[0] * B[0][c] + row[1] * B[1][c] + row[2] * B[2][c]));
}

// --------------------------------------------------------------------------------------------- the morph on the GPU
// gl/morph.py's GPUMorph: each stage of the forward pass moves the vertices in shaders/morph.vert, run with
// transform feedback. A vertex is a homogeneous vector of 4 * nBlocks floats (values, zeros, a 1 last);
// each affine stage is one block matrix [A(t) | b(t)] over [0 | 1]. Keyframes (the values at every stage
// boundary) are computed once on the GPU, each from the one before; a frame is one more pass from its keyframe.
export class GPUMorph {
  constructor(gl, shaders, morph, points) {
    if (morph.maxWidth > MAX_WIDTH) {
      throw new Error(`model: morph.vert takes layers up to ${MAX_WIDTH} wide (four vec4 attributes), but this network has a layer ${morph.maxWidth} wide: use CPUMorph (makeMorph picks it)`);
    }
    this.where = "GPU";
    this.gl = gl;
    this.morph = morph;
    this.nPoints = points.length;
    this.nBlocks = Math.ceil((morph.maxWidth + 1) / 4);
    this.slots = 4 * this.nBlocks;
    this.stride = this.slots + 3; // floats per captured vertex: the values, then the drawn position
    const varyings = [...Array(this.nBlocks).keys()].map((i) => `out_x${i}`).concat(["out_position"]);
    this.program = buildProgram(gl, shaders[`morph-${this.nBlocks}.vert`], shaders["lines.frag"],
      [`morph.vert (N_BLOCKS ${this.nBlocks})`, "lines.frag"], varyings);
    this.inputs = [...Array(this.nBlocks).keys()].map((i) => this.program.attribute(`in_x${i}`));
    const first = floats(this.nPoints * this.stride);
    const shown = morph.displays[0];
    points.forEach((p, n) => {
      first.set(p, n * this.stride);
      first[n * this.stride + this.slots - 1] = 1; // the homogeneous 1
      first.set(shown.A.map((row, i) => row[0] * p[0] + row[1] * p[1] + row[2] * p[2] + shown.b[i]), n * this.stride + this.slots);
    });
    this.keys = [this.buffer(first)];
    this.frameBuffer = this.buffer(first.byteLength);
    this.feedback = gl.createTransformFeedback();
    this.vaos = new Map();
    for (const stage of morph.stages) {
      const out = this.buffer(first.byteLength);
      this.run(stage, 1, this.keys[this.keys.length - 1], out);
      this.keys.push(out);
    }
  }

  buffer(dataOrSize) {
    const gl = this.gl, buffer = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
    gl.bufferData(gl.ARRAY_BUFFER, dataOrSize, gl.DYNAMIC_COPY);
    gl.bindBuffer(gl.ARRAY_BUFFER, null);
    return buffer;
  }

  vao(buffer) {
    const gl = this.gl;
    let vao = this.vaos.get(buffer);
    if (!vao) {
      vao = gl.createVertexArray();
      gl.bindVertexArray(vao);
      gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
      this.inputs.forEach((location, i) => {
        if (location < 0) return;
        gl.enableVertexAttribArray(location);
        gl.vertexAttribPointer(location, 4, gl.FLOAT, false, 4 * this.stride, 16 * i);
      });
      gl.bindVertexArray(null);
      this.vaos.set(buffer, vao);
    }
    return vao;
  }

  // F (rows A: out x in, b) as a slots x slots homogeneous matrix, b in the last column.
  homogeneous(A, b) {
    const H = Array.from({ length: this.slots }, () => new Array(this.slots).fill(0));
    A.forEach((row, i) => row.forEach((v, j) => { H[i][j] = v; }));
    b.forEach((v, i) => { H[i][this.slots - 1] = v; });
    H[this.slots - 1][this.slots - 1] = 1;
    return H;
  }

  run(stage, t, source, target) {
    const gl = this.gl, { program, uniforms: u } = this.program, morph = this.morph;
    gl.useProgram(program);
    let stageMap;
    if (stage.kind === "affine") {
      const { A, b } = morph.mapAt(stage, t);
      stageMap = this.homogeneous(A, b);
    } else {
      stageMap = this.homogeneous(Array.from({ length: this.slots - 1 }, (_, i) => Array.from({ length: this.slots - 1 }, (_, j) => (i === j ? 1 : 0))), []);
    }
    gl.uniformMatrix4fv(u.stage_map, false, mat4Blocks(stageMap));
    const shown = morph.display(stage, t);
    gl.uniformMatrix4fv(u.display, false, mat4Blocks(this.homogeneous(shown.A, shown.b), 1));
    const mask = floats(this.slots);
    mask.fill(1, 0, stage.widthOut);
    if (u.value_mask) gl.uniform4fv(u.value_mask, mask);
    gl.uniform1i(u.kind, stage.kind === "affine" ? 0 : 1);
    gl.uniform1i(u.activation, ACTIVATION_CODES[stage.activation.name]);
    if (u.alpha) gl.uniform1f(u.alpha, stage.activation.alpha);
    gl.uniform1f(u.t, t);
    gl.bindVertexArray(this.vao(source));
    gl.enable(gl.RASTERIZER_DISCARD);
    gl.bindTransformFeedback(gl.TRANSFORM_FEEDBACK, this.feedback);
    gl.bindBufferBase(gl.TRANSFORM_FEEDBACK_BUFFER, 0, target);
    gl.beginTransformFeedback(gl.POINTS);
    gl.drawArrays(gl.POINTS, 0, this.nPoints);
    gl.endTransformFeedback();
    gl.bindBufferBase(gl.TRANSFORM_FEEDBACK_BUFFER, 0, null);
    gl.bindTransformFeedback(gl.TRANSFORM_FEEDBACK, null);
    gl.disable(gl.RASTERIZER_DISCARD);
    gl.bindVertexArray(null);
  }

  read(buffer) {
    const gl = this.gl, data = floats(this.nPoints * this.stride);
    gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
    gl.getBufferSubData(gl.ARRAY_BUFFER, 0, data);
    gl.bindBuffer(gl.ARRAY_BUFFER, null);
    return data;
  }

  // The values at stage boundary index (0 the input; s + 1 the end of stage s): nPoints rows of the boundary's width.
  keyframe(index) {
    const stages = this.morph.stages;
    const width = index < stages.length ? stages[index].widthIn : stages[stages.length - 1].widthOut;
    const data = this.read(this.keys[index]);
    return Array.from({ length: this.nPoints }, (_, n) => Array.from(data.subarray(n * this.stride, n * this.stride + width)));
  }

  // Where the points are drawn at time t of stage: Float64Array, 3 per point (scene units, world space).
  positions(stage, t) {
    this.run(stage, t, this.keys[stage.index], this.frameBuffer);
    const data = this.read(this.frameBuffer);
    const out = new Float64Array(3 * this.nPoints);
    for (let n = 0; n < this.nPoints; n++) for (let k = 0; k < 3; k++) out[3 * n + k] = data[n * this.stride + this.slots + k];
    return out;
  }

  release() {
    const gl = this.gl;
    this.vaos.forEach((vao) => gl.deleteVertexArray(vao));
    [...this.keys, this.frameBuffer].forEach((buffer) => gl.deleteBuffer(buffer));
    gl.deleteTransformFeedback(this.feedback);
    gl.deleteProgram(this.program.program);
    this.vaos = new Map();
    this.keys = [];
  }
}

// --------------------------------------------------------------------------------------------- the morph on the CPU
// The same stages for a network wider than morph.vert holds: keyframes by morph.js's forward pass (float64),
// a frame as nn/morph.py's Morph.positions then the display map. Same interface as GPUMorph.
export class CPUMorph {
  constructor(morph, points) {
    this.where = "CPU";
    this.morph = morph;
    this.nPoints = points.length;
    this.keys = morph.sampleKeys && morph.sampleKeys[0].length === points.length ? morph.sampleKeys : morph.keyframes(points);
  }

  keyframe(index) {
    return this.keys[index].map((x) => x.slice());
  }

  positions(stage, t) {
    const start = this.keys[stage.index], end = this.keys[stage.index + 1];
    const n = stage.width, shown = this.morph.display(stage, t);
    const polar = stage.kind === "affine" && stage.path === "polar" && t > 0 && t < 1 ? this.morph.mapAt(stage, t) : null;
    const out = new Float64Array(3 * this.nPoints);
    const x = new Float64Array(n);
    for (let p = 0; p < this.nPoints; p++) {
      const a = start[p], b = end[p];
      if (polar) {
        const moved = affineApply(polar.A, polar.b, Array.from({ length: n }, (_, j) => a[j] ?? 0));
        for (let j = 0; j < n; j++) x[j] = moved[j];
      } else {
        for (let j = 0; j < n; j++) x[j] = (1 - t) * (a[j] ?? 0) + t * (b[j] ?? 0);
      }
      for (let i = 0; i < 3; i++) {
        let s = shown.b[i];
        const row = shown.A[i];
        for (let j = 0; j < row.length; j++) s += row[j] * x[j];
        out[3 * p + i] = s;
      }
    }
    return out;
  }

  release() {
    this.keys = [];
  }
}

// The GPU morph when the network fits morph.vert's attributes, else the CPU one: {gpu or cpu morph}.
export function makeMorph(gl, shaders, morph, points) {
  return morph.maxWidth <= MAX_WIDTH ? new GPUMorph(gl, shaders, morph, points) : new CPUMorph(morph, points);
}
