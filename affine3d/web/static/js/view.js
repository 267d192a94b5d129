// view.js: the engine's host-independent viewer: one canvas, one scene record, optionally a network.
//
// What every host needs and nothing more (the page's app.js adds panels, keys, the URL; the notebook widget
// adds traits; the lecture deck adds slides): scene JSON in (site.scene_record), model bytes in
// (.safetensors, checked by parseModel), a world map out. The world map follows the desktop viewer
// (app/state.py): world = translation(0, 0, -distance + zoom) @ translation(pan_x, pan_y, 0) @ R, R from
// the arcball (or turntable); a drag, a right-drag (pan) and the wheel change it exactly as ViewerState does.
//
//   const view = new View(canvas, { shaders });       // shaders: {"mesh.vert": text, ...} (site's shaders/)
//   view.setScene(record);                           // the page's scene JSON
//   view.setModel(bytes, "net.safetensors");         // throws ModelError; the previous network stays
//   view.bindPointer(() => host.worldChanged(view.world().matrix));
//   view.draw();

import { Affine } from "./affine.js";
import { Arcball, Turntable } from "./arcball.js";
import { keepInside, originRadius, sceneProjection } from "./projection.js";
import { Morph, StagePlayer } from "./morph.js";
import { parseModel } from "./safetensors.js";
import { Renderer, makeMorph, signedVolume } from "./gl.js";
import { _ } from "./i18n.js";

export const DEFAULT_SPIN = 0.5; // radians per second when a scene sets none (state.py's DEFAULT_SPIN)
export const ZOOM_STEP = 0.9;
export const MORPH_SHADERS = ["morph-1.vert", "morph-2.vert", "morph-3.vert", "morph-4.vert"];
export const SHADER_NAMES = ["mesh.vert", "mesh.frag", "lines.vert", "lines.frag", ...MORPH_SHADERS];

// A scene record's objects as the renderer takes them (positions float64, smooth normals when sent).
export function sceneObjects(record) {
  return record.objects.map((obj) => ({
    name: obj.name,
    model: Affine.fromMatrix(obj.model),
    color: obj.color,
    wireframe: obj.wireframe,
    edgeColor: obj.edge_color,
    shading: obj.shading ?? "flat",
    positions: Float64Array.from(obj.vertices),
    triangles: Uint32Array.from(obj.triangles),
    edges: Uint32Array.from(obj.edges),
    normals: obj.normals ? Float64Array.from(obj.normals) : null,
    groups: obj.groups ? Uint32Array.from(obj.groups) : null,
    nGroups: obj.groups ? Math.max(0, ...obj.groups) + 1 : 0,
  }));
}

export class View {
  // keepInside: frame the scene inside any canvas (the page); without it, the scene's own projection exactly, as
  // `affine3d render` draws it (the notebook widget, compared with Python's pictures).
  constructor(canvas, { shaders, gl = null, keepInside = false } = {}) {
    this.canvas = canvas;
    this.gl = gl ?? canvas.getContext("webgl2", { antialias: true, alpha: false, preserveDrawingBuffer: true });
    if (!this.gl) throw new Error(_("this needs WebGL2, which this browser does not offer (try a current Firefox, Chrome or Safari)"));
    this.shaders = shaders;
    this.renderer = new Renderer(this.gl, shaders);
    this.scene = null;
    this.objects = [];
    this.controller = null;
    this.pan = [0, 0];
    this.zoom = 0;
    this.ortho = false;
    this.wireframe = false;
    this.shading = null; // null: each object's own; "flat" or "smooth" for all (key F)
    this.path = "linear";
    this.net = null;
    this.drag = null;
    this.fixedWorld = null; // a world set as a whole (View.setWorld) that the decomposition cannot hold
    this.keepInside = keepInside;
    this.reach = null; // frameRadius()'s answer, kept until the scene or the network changes
    this.size = [canvas.clientWidth || canvas.width, canvas.clientHeight || canvas.height];
  }

  // ------------------------------------------------------------------ scene and network
  setScene(record) {
    this.dropNetwork();
    this.scene = record;
    this.objects = sceneObjects(record);
    this.reach = null;
    this.ortho = record.camera.projection === "orthographic";
    this.resetView();
    this.upload();
  }

  upload() {
    const objects = this.net ? this.net.objects : this.objects;
    const shaded = objects.map((obj) => ({ ...obj, shading: this.shading ?? obj.shading }));
    this.renderer.setObjects(shaded, { cullBackFaces: !this.net }); // a solid turned inside out must still show
    if (this.net) this.net.shown = null;
  }

  setShading(shading) {
    this.shading = shading;
    this.upload();
  }

  resetView() {
    const rotation = Affine.fromRows(this.scene.world_rotation);
    if (this.controller) this.controller.reset(rotation);
    else this.controller = new Arcball(this.size, rotation);
    this.pan = [0, 0];
    this.zoom = 0;
    this.drag = null;
  }

  // A .safetensors file's bytes: checked and parsed (ModelError), then played; the previous network stays on failure.
  setModel(bytes, name, options = {}) {
    const buffer = bytes instanceof ArrayBuffer ? bytes : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const network = parseModel(buffer, name);
    this.setNetwork(network, name, options);
    return network;
  }

  // The network applied to every object's vertices in world space (after its model map), as MorphingScene.
  setNetwork(network, name, { playing = true, path = this.path } = {}) {
    const points = [], offsets = [0], warped = [];
    for (const obj of this.objects) {
      const flip = obj.model.determinant < 0; // a mirror reversed the winding: put it back, as MorphingScene does
      const positions = new Float64Array(obj.positions.length);
      for (let v = 0; v < obj.positions.length; v += 3) {
        const p = obj.model.apply([obj.positions[v], obj.positions[v + 1], obj.positions[v + 2]]);
        positions.set(p, v);
        points.push(p);
      }
      const triangles = Uint32Array.from(obj.triangles);
      if (flip) for (let t = 0; t < triangles.length; t += 3) [triangles[t + 1], triangles[t + 2]] = [triangles[t + 2], triangles[t + 1]];
      warped.push({ ...obj, model: Affine.identity(), positions, triangles });
      offsets.push(points.length);
    }
    const morph = new Morph(network, points, path); // throws for a network that is not 3 -> ... -> 3
    const engine = makeMorph(this.gl, this.shaders, morph, points);
    const previous = this.net;
    this.path = path;
    this.net = { network, name, morph, gpu: engine, player: new StagePlayer(morph.nStages, { playing }), objects: warped, offsets, shown: null };
    this.reach = null;
    if (previous) previous.gpu.release();
    this.upload();
    return this.net;
  }

  setPath(path) {
    if (!this.net) { this.path = path; return; }
    const { network, name, player } = this.net;
    const position = player.position, playing = player.playing;
    this.setNetwork(network, name, { playing, path });
    this.net.player.position = position;
  }

  dropNetwork() {
    if (this.net) this.net.gpu.release();
    this.net = null;
    this.reach = null;
  }

  // Move the meshes to the player's stage and t (MorphingScene.show).
  showNetworkFrame() {
    const net = this.net;
    const stage = net.morph.stages[net.player.stageIndex], t = net.player.t;
    const key = `${stage.index}:${t}`;
    if (net.shown === key) return;
    const positions = net.gpu.positions(stage, t);
    if (!positions.every(Number.isFinite)) throw new Error(`stage '${stage.name}' at t = ${t}: the network produced non-finite positions`);
    net.objects.forEach((obj, k) => {
      const part = positions.subarray(3 * net.offsets[k], 3 * net.offsets[k + 1]);
      const flipped = signedVolume(part, obj.triangles) < 0; // turned inside out: its inside faces the camera, hatched
      this.renderer.setPositions(k, part, obj.color, flipped);
    });
    net.shown = key;
  }

  // ------------------------------------------------------------------ the world map
  get rotation() {
    return this.controller.rotation;
  }

  depth() {
    return this.scene.camera.distance - this.zoom;
  }

  world() {
    if (this.fixedWorld) return this.fixedWorld;
    const push = Affine.translation([0, 0, -this.scene.camera.distance + this.zoom]);
    return push.matmul(Affine.translation([this.pan[0], this.pan[1], 0])).matmul(this.rotation);
  }

  // Set the world map itself (4x4 rows, as a notebook sets it from Python): drawn exactly; a later drag turns
  // its rotation part (b gives pan and zoom back, as the decomposition above).
  setWorld(rows) {
    const world = Affine.fromMatrix(rows);
    const b = world.b;
    this.pan = [b[0], b[1]];
    this.zoom = b[2] + this.scene.camera.distance;
    this.controller.reset(Affine.fromRows(world.A));
    const rebuilt = this.world();
    this.fixedWorld = null;
    const same = rebuilt.matrix.every((row, r) => row.every((v, c) => Math.abs(v - world.matrix[r][c]) <= 1e-12));
    if (!same) this.fixedWorld = world; // not a rotation (a shear, a mirror): drawn as given until the next drag
  }

  aspect() {
    return this.canvas.width / Math.max(this.canvas.height, 1);
  }

  // The scene's camera (Scene.camera); with keepInside, its field of view changed just enough that the sphere about
  // the world's origin holding every object (and every shape its network passes through) stays inside 98% of the
  // canvas's smaller side however the world turns (widened where the canvas is too small for the scene) and fills at
  // least 80% of it (narrowed where the scene would be small: as large as the canvas allows, as the desktop frames
  // it), centred. Measured at the scene's own camera distance, so the wheel's zoom still zooms in from there; in
  // between, the camera is the scene's own and the picture is `affine3d render`'s.
  camera() {
    const camera = this.scene.camera;
    if (!this.keepInside) return camera;
    const P = sceneProjection(camera, this.aspect(), this.ortho);
    const k = keepInside(P, this.frameRadius(), camera.distance, this.aspect(), this.ortho);
    return k !== 1 ? { ...camera, fov: 2 * Math.atan(Math.tan(camera.fov / 2) / k) } : camera;
  }

  projection() {
    return sceneProjection(this.camera(), this.aspect(), this.ortho);
  }

  // The farthest any point the scene can show lies from the world's origin (ViewerState.frame_radius): the objects
  // after their model maps, or with a network every stage at t = 0, 1/4, ..., 1 (read back from the GPU).
  frameRadius() {
    if (this.reach !== null) return this.reach;
    let r = 0;
    if (this.net) {
      for (const stage of this.net.morph.stages) {
        for (const t of [0, 0.25, 0.5, 0.75, 1]) r = Math.max(r, originRadius(this.net.gpu.positions(stage, t)));
      }
      this.net.shown = null; // the meshes still hold the frame they showed
    } else {
      for (const obj of this.objects) {
        const p = obj.positions, world = new Float64Array(p.length);
        for (let v = 0; v < p.length; v += 3) world.set(obj.model.apply([p[v], p[v + 1], p[v + 2]]), v);
        r = Math.max(r, originRadius(world));
      }
    }
    this.reach = r;
    return r;
  }

  unitsPerPoint() {
    const P = this.projection();
    const w = P[3][2] * -this.depth() + P[3][3];
    return [(2 * w) / (P[0][0] * this.size[0]), (2 * w) / (P[1][1] * this.size[1])];
  }

  scroll(clicks) {
    const camera = this.scene.camera;
    const d = Math.min(Math.max(this.depth() * ZOOM_STEP ** clicks, 2 * camera.near), camera.far / 2);
    this.zoom = camera.distance - d;
  }

  toggleController() {
    const current = this.rotation;
    this.controller = this.controller instanceof Turntable ? new Arcball(this.size, current) : new Turntable(this.size, current);
    return this.controller.name;
  }

  // CSS pixels (mouse units) and device pixels of the canvas.
  resize(width, height, ratio = 1) {
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    this.size = [width, height];
    if (this.controller) this.controller.resize(this.size);
  }

  // ------------------------------------------------------------------ drawing
  draw() {
    if (this.net) this.showNetworkFrame();
    const s = this.scene;
    this.renderer.draw({
      world: this.world(), projection: this.projection(), wireframe: this.wireframe, background: s.background,
      light: s.light_direction, ambient: s.ambient, edgeShade: s.edge_shade, insideColor: s.inside_color, insideShade: s.inside_shade,
    });
  }

  // ------------------------------------------------------------------ the mouse (window units: origin bottom-left, y up)
  windowPoint(event) {
    const rect = this.canvas.getBoundingClientRect();
    return [event.clientX - rect.left, this.size[1] - (event.clientY - rect.top)];
  }

  pointerDown(event) {
    const [x, y] = this.windowPoint(event);
    this.fixedWorld = null; // a drag starts from the decomposed world (pan, zoom, rotation)
    if (event.button === 0 && !event.shiftKey) {
      this.drag = { mode: "rotate", last: [x, y] };
      this.controller.press(x, y);
    } else if (event.button <= 2) {
      this.drag = { mode: "pan", last: [x, y] };
    }
  }

  pointerMove(event) {
    if (!this.drag) return false;
    const [x, y] = this.windowPoint(event);
    const [dx, dy] = [x - this.drag.last[0], y - this.drag.last[1]];
    this.drag.last = [x, y];
    if (this.drag.mode === "rotate") this.controller.drag(x, y);
    else {
      const units = this.unitsPerPoint();
      this.pan = [this.pan[0] + dx * units[0], this.pan[1] + dy * units[1]];
    }
    return true;
  }

  pointerUp() {
    if (this.drag?.mode === "rotate") this.controller.release();
    const was = this.drag !== null;
    this.drag = null;
    return was;
  }

  // Mouse and wheel on the canvas; changed() after every move of the world (a host redraws, writes it back).
  bindPointer(changed) {
    const canvas = this.canvas;
    canvas.addEventListener("pointerdown", (event) => { canvas.setPointerCapture?.(event.pointerId); this.pointerDown(event); });
    canvas.addEventListener("pointermove", (event) => { if (this.pointerMove(event)) changed("drag"); });
    canvas.addEventListener("pointerup", () => { if (this.pointerUp()) changed("release"); });
    canvas.addEventListener("pointercancel", () => this.pointerUp());
    canvas.addEventListener("contextmenu", (event) => event.preventDefault());
    canvas.addEventListener("wheel", (event) => {
      event.preventDefault();
      this.fixedWorld = null;
      this.scroll(-event.deltaY / 100); // one notch: 100 pixels of deltaY, one click
      changed("wheel");
    }, { passive: false });
  }
}
