// deck.js: the lecture as a deck of live slides (`affine3d lecture`): text beside a live scene of the page's engine.
//
// One WebGL2 canvas for the whole deck (browsers cap a page at ~16 contexts): a slide change swaps the objects
// the one Renderer draws, and the network the one morph engine runs. The engine is the page's, imported through
// its one entry point (engine.js: Renderer and makeMorph from gl.js, Affine, the arcball, Morph and StagePlayer,
// the panels' number formats, parseModel, the framing of projection.js); this file is the deck's interface and glue.
//
// Framing: every slide frames its scene to the canvas it gets, as `affine3d view`'s fit does: the bounding
// sphere of everything the slide will show (every object after its model map; for a network, every stage it
// plays through) is centred and fills FIT_FILL of the canvas's smaller side (projection.js: boundingSphere,
// fitDistance), so no rotation can push a solid out.
//
// The camera never moves: world = translation(0, 0, -d + zoom) @ translation(pan) @ R @ translation(-centre).
// Words: every text is the catalogue's (i18n.js's _(); the slides' texts are slides.js's messages), its
// catalogues inlined in the deck's data. The language: ?lang=pl|en, else the teacher's (`lecture --lang`), else
// the browser's, else Polish, the lecture's own. The URL: #slide=K&rot=w,x,y,z&proj=...&stage=S&t=T&pick=N reproduces a slide.
// Presenter view: the same file with ?presenter=1, kept in step by a BroadcastChannel (and postMessage between
// the two windows when one opened the other).

import {
  Affine, Arcball, DEFAULT_SPIN, Morph, SHADER_NAMES, StagePlayer, Turntable, ZOOM_STEP, boundingSphere,
  fitDistance, fixed, formatMatrix, infoLines, makeMorph, parseModel, readHeader, Renderer, sceneObjects,
  sceneProjection, signedVolume, _, fill, ngettext, addCatalog, useLanguage, chooseLanguage, browserWishes, proseNumber,
  languageCode, parseHash, hashNumbers, viewHashParts, momentHashParts, applyViewHash, applyMomentHash,
} from "./engine.js";
import { LANGUAGES, SLIDES } from "./slides.js";

const PICK_S = 2.5; // seconds between panel examples (the neuron's vertex, the solid whose matrix is shown)
const SCRUB_STEP = 0.05;
const CHANNEL = "affine3d-lecture";
const MIN_TEXT_SCALE = 0.55; // the text column shrinks to this share of its font before the panel wraps or it scrolls
const MIN_PANEL_SCALE = 0.6; // the panel first shrinks on its own to this share of its font
const MAX_PIXELS = 3840 * 2160; // the most pixels the canvas draws (see pixelRatio)

const $ = (id) => document.getElementById(id);

// ------------------------------------------------------------------------------------------------ data
// The deck's data travel inside the HTML file (affine3d/web/lecture.py writes it), so the deck opens from a
// USB stick as file:// with nothing to fetch: shaders, scenes (as the page's JSON), model bytes, figures.
function embeddedData() {
  const element = document.getElementById("deck-data");
  if (!element) throw new Error("deck: no data in this file; write the deck with 'affine3d lecture --export DIR'");
  return JSON.parse(element.textContent);
}

function base64Bytes(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let k = 0; k < binary.length; k++) bytes[k] = binary.charCodeAt(k);
  return bytes;
}

// ------------------------------------------------------------------------------------------------ state
const deck = {
  data: null,
  lang: "pl",
  index: 0,
  gl: null,
  renderer: null,
  shaders: {},
  models: new Map(), // url -> {bytes, network}
  slide: null, // SLIDES[index]
  record: null, // the scene's JSON
  objects: [], // as the renderer has them (world space after a network's warp)
  net: null, // {network, name, morph, gpu, player, objects, offsets, shown, agreement}
  nets: new Map(), // scene key -> its net, built once
  spheres: new Map(), // "scene:stage" -> the bounding sphere the slide is framed to
  held: false, // tests and the handout: draw only when asked (frame()), not at every animation frame
  sphere: { centre: [0, 0, 0], radius: 1 },
  heldAt: 0, // where a held network stood when the slide was framed
  fitAll: true, // the sphere holds every stage of the network (false: the stage a still slide holds)
  controller: null,
  pan: [0, 0],
  zoom: 0,
  ortho: false,
  wireframe: false,
  spinning: false,
  spinRate: DEFAULT_SPIN,
  pick: 0,
  pickClock: 0,
  pickFixed: false,
  size: [1, 1],
  drag: null,
  dirty: true,
  lastTime: null,
  frames: 0,
  fps: 0,
  fpsCount: 0,
  fpsSince: null,
  typed: "",
  messages: [],
  hashTimer: null,
  panelShape: "",
  presenter: null, // the presenter window this deck opened, if any
  heard: false, // a presenter view has said hello: the deck tells it every change
  channel: null,
  started: performance.now(),
  loading: Promise.resolve(),
};

function say(text, { error = false } = {}) {
  deck.messages.push({ text, error });
  const box = $("message");
  if (box) { box.textContent = text; box.className = error ? "error" : ""; }
  if (error) console.error(text);
}

const counter = (index) => fill(_("slide {k} of {n}"), { k: index + 1, n: SLIDES.length });
const bodyOf = (slide) => fill(_(slide.body), slide.math ?? {}); // the formulas go in after the words

// ------------------------------------------------------------------------------------------------ scenes
function model(url) {
  if (!deck.models.has(url)) {
    const bytes = base64Bytes(deck.data.models[url]);
    deck.models.set(url, { bytes, network: parseModel(bytes.buffer, url.split("/").pop()) });
  }
  return deck.models.get(url);
}

// The network applied to every object's vertices in world space, as the page's app.js (MorphingScene) does.
// Built once per scene (its keyframes computed on the GPU); a later slide of the same scene starts it again.
function setNetwork(network, name, objects, key) {
  const known = deck.nets.get(key);
  if (known) {
    deck.net = known;
    known.player = new StagePlayer(known.morph.nStages, { playing: false });
    known.shown = null;
    deck.renderer.setObjects(known.objects, { cullBackFaces: false });
    return;
  }
  const points = [], offsets = [0], warped = [];
  for (const obj of objects) {
    const positions = new Float64Array(obj.positions.length);
    for (let v = 0; v < obj.positions.length; v += 3) {
      const p = obj.model.apply([obj.positions[v], obj.positions[v + 1], obj.positions[v + 2]]);
      positions.set(p, v);
      points.push(p);
    }
    const triangles = Uint32Array.from(obj.triangles);
    if (obj.model.determinant < 0) for (let t = 0; t < triangles.length; t += 3) [triangles[t + 1], triangles[t + 2]] = [triangles[t + 2], triangles[t + 1]];
    warped.push({ ...obj, model: Affine.identity(), positions, triangles });
    offsets.push(points.length);
  }
  const morph = new Morph(network, points);
  const gpu = makeMorph(deck.gl, deck.shaders, morph, points); // the GPU's morph (a CPU one past 15 wide)
  deck.net = { network, name, morph, gpu, player: new StagePlayer(morph.nStages, { playing: false }), objects: warped, offsets, points, shown: null, agreement: null };
  deck.nets.set(key, deck.net);
  deck.renderer.setObjects(warped, { cullBackFaces: false });
}

function dropNetwork() {
  deck.net = null; // kept in deck.nets for the next slide of its scene
}

function showNetworkFrame() {
  const net = deck.net;
  const stage = net.morph.stages[net.player.stageIndex], t = net.player.t;
  const key = `${stage.index}:${t}`;
  if (net.shown === key) return;
  const positions = net.gpu.positions(stage, t);
  net.objects.forEach((obj, k) => {
    const part = positions.subarray(3 * net.offsets[k], 3 * net.offsets[k + 1]);
    deck.renderer.setPositions(k, part, obj.color, signedVolume(part, obj.triangles) < 0);
  });
  net.shown = key;
}

// ------------------------------------------------------------------------------------------------ framing
// Everything the slide can show, in world space: the objects after their model maps, or every shape the
// network passes through (each stage at t = 0, 1/4, ..., 1, read back from the GPU); a slide that holds the
// network still frames the shape it holds (and frames them all once the network plays: refit()).
function slidePoints(allStages = true) {
  const out = [];
  if (deck.net && !allStages) {
    const player = deck.net.player;
    out.push(...deck.net.gpu.positions(deck.net.morph.stages[player.stageIndex], player.t));
    deck.net.shown = null;
    return out;
  }
  if (deck.net) {
    for (const stage of deck.net.morph.stages) {
      for (const t of [0, 0.25, 0.5, 0.75, 1]) out.push(...deck.net.gpu.positions(stage, t));
    }
    deck.net.shown = null;
    return out;
  }
  for (const obj of deck.objects) {
    for (let v = 0; v < obj.positions.length; v += 3) out.push(...obj.model.apply([obj.positions[v], obj.positions[v + 1], obj.positions[v + 2]]));
  }
  return out;
}

function aspect() {
  const canvas = $("view");
  return canvas.width / Math.max(canvas.height, 1);
}

function distance() {
  return fitDistance(deck.sphere.radius, deck.record.camera.fov, aspect(), deck.ortho);
}

function depth() {
  return distance() - deck.zoom;
}

function camera() {
  const r = deck.sphere.radius, d = depth();
  return { fov: deck.record.camera.fov, near: Math.max(d - 2 * r, d * 0.02), far: d + 2 * r, distance: distance(), projection: deck.ortho ? "orthographic" : "perspective" };
}

function projection() {
  return sceneProjection(camera(), aspect(), deck.ortho);
}

function rotation() {
  return deck.controller.rotation;
}

function world() {
  const push = Affine.translation([0, 0, -depth()]);
  const shift = Affine.translation([deck.pan[0], deck.pan[1], 0]);
  const centre = Affine.translation(deck.sphere.centre.map((c) => -c));
  return push.matmul(shift).matmul(rotation()).matmul(centre);
}

// ------------------------------------------------------------------------------------------------ slides
function showSlide(index, view = {}) {
  const slide = SLIDES[index];
  const record = deck.data.scenes[slide.scene];
  if (!record) throw new Error(`slide ${index + 1}: scene '${slide.scene}' is not in this deck`);
  dropNetwork();
  deck.index = index;
  deck.slide = slide;
  deck.record = record;
  deck.objects = sceneObjects(record);
  const start = slide.start ?? {};
  deck.spinRate = record.spin || DEFAULT_SPIN;
  deck.spinning = Boolean(start.spin);
  deck.ortho = record.camera.projection === "orthographic";
  deck.wireframe = Boolean(start.wireframe);
  deck.pick = 0;
  deck.pickClock = 0;
  deck.pickFixed = false;
  if (record.mlp) {
    const { network } = model(record.mlp);
    setNetwork(network, record.mlp.split("/").pop(), deck.objects, slide.scene);
    deck.net.player.seek(start.stage ?? 0);
    deck.net.player.playing = Boolean(start.play);
  } else {
    deck.renderer.setObjects(deck.objects, { cullBackFaces: true });
  }
  resetView();
  applyView(view);
  // A slide whose network plays (or a link that moved it) is framed for every stage; one that holds it, for that stage.
  deck.fitAll = !deck.net || Boolean(start.play) || deck.net.player.playing || deck.net.player.position !== (start.stage ?? 0);
  deck.heldAt = deck.net ? deck.net.player.position : 0;
  deck.sphere = sphereOf(`${slide.scene}:${deck.fitAll ? "all" : deck.heldAt}`);
  renderText();
  requestDraw();
  broadcast();
}

// Once a held network plays (M, or a link with play=1), frame every shape it will pass through.
function refit() {
  if (deck.fitAll || !deck.net || (!deck.net.player.playing && deck.net.player.position === deck.heldAt)) return;
  deck.fitAll = true;
  deck.sphere = sphereOf(`${deck.slide.scene}:all`);
}

// The bounding sphere of what a slide shows, kept per scene and stage (the same on every screen).
function sphereOf(key) {
  if (!deck.spheres.has(key)) deck.spheres.set(key, boundingSphere(slidePoints(deck.fitAll)));
  return deck.spheres.get(key);
}

function resetView() {
  const R = Affine.fromRows(deck.record.world_rotation);
  deck.controller = new Arcball(deck.size, R);
  deck.pan = [0, 0];
  deck.zoom = 0;
  deck.drag = null;
}

export function go(k) {
  const index = Math.min(Math.max(Math.round(k), 0), SLIDES.length - 1);
  showSlide(index);
  scheduleHash();
  return deck.index;
}

// ------------------------------------------------------------------------------------------------ text
function renderText() {
  const slide = deck.slide;
  document.documentElement.lang = deck.lang;
  document.title = `${deck.index + 1}. ${_(slide.title)} (affine3d)`;
  $("counter").textContent = counter(deck.index);
  $("title").textContent = _(slide.title);
  $("body").innerHTML = bodyOf(slide);
  $("keys").textContent = _("→ next · ← back · a number + Enter · Shift+P: presenter view");
  $("view").setAttribute("aria-label", _("the slide's scene; drag to turn the world"));
  $("panel").hidden = slide.panel === "none";
  deck.panelShape = "";
  updatePanel();
  fitText();
}

// Fit the text column to its room: first the panel's font shrinks until its longest line fits the column's
// width (down to MIN_PANEL_SCALE), then the whole column's font until nothing overflows it, neither a clipped
// number nor a hidden line (down to MIN_TEXT_SCALE); past both, the panel wraps its lines and the column scrolls.
function fitText() {
  const column = $("text"), panel = $("panel");
  column.style.fontSize = "";
  panel.style.fontSize = "";
  panel.classList.remove("wrap");
  const wide = (el) => el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0;
  const panelBase = parseFloat(getComputedStyle(panel).fontSize);
  let panelScale = 1;
  while (!panel.hidden && wide(panel) && panelScale > MIN_PANEL_SCALE) {
    panelScale *= 0.93;
    panel.style.fontSize = `${panelBase * panelScale}px`;
  }
  const base = parseFloat(getComputedStyle(column).fontSize);
  const overflows = () => column.scrollHeight > column.clientHeight + 1 || [...column.querySelectorAll("pre, math, h1, p, li")].some(wide);
  let scale = 1;
  while (overflows() && scale > MIN_TEXT_SCALE) {
    scale *= 0.93;
    column.style.fontSize = `${base * scale}px`;
    if (panelScale < 1) panel.style.fontSize = `${panelBase * panelScale * scale}px`;
  }
  if (wide(panel)) panel.classList.add("wrap");
}

// ------------------------------------------------------------------------------------------------ panels
const f3 = (v) => fixed(v, 3).padStart(7);
const signed = (v) => (fixed(v, 2).startsWith("-") ? `(${fixed(v, 2)})` : fixed(v, 2)); // 0.42·(-0.58)
const vec = (v) => `(${v.map((x) => fixed(x, 3)).join(", ")})`;

function corners() {
  const pts = deck.net.points;
  const max = Math.max(...pts.map((p) => Math.max(...p.map(Math.abs))));
  const out = pts.filter((p) => p.every((x) => Math.abs(Math.abs(x) - max) < 1e-9));
  return out.length ? out : pts.slice(0, 8);
}

function neuronLines() {
  const layer = deck.net.network.layers[0];
  const xs = corners(), x = xs[deck.pick % xs.length];
  const w = layer.W[0], b = layer.b[0];
  const z = w.reduce((s, wj, j) => s + wj * x[j], b);
  const a = deck.net.network.trace(x)[2][0];
  const name = layer.activation.name;
  return [
    `x   = ${vec(x)}   ${_("vertex")} ${(deck.pick % xs.length) + 1}/${xs.length}`,
    `w₁  = ${vec(w)}   (W1, ${_("row")} 1)`,
    `b₁  = ${fixed(b, 3)}`,
    `w₁·x + b₁ = ${w.map((wj, j) => `${signed(wj)}·${signed(x[j])}`).join(" + ")} + ${signed(b)}`,
    `          = ${fixed(z, 4)}`,
    `y₁  = ${name}(${fixed(z, 4)}) = ${fixed(a, 4)}`,
  ];
}

function layerLines() {
  const layer = deck.net.network.layers[0];
  const xs = corners(), x = xs[deck.pick % xs.length];
  const trace = deck.net.network.trace(x);
  const z = trace[1], y = trace[2];
  const rows = formatMatrix(layer.W.map((row, i) => [...row, layer.b[i]]), 2);
  const head = `W1 | b1${" ".repeat(Math.max(1, rows[0].length - 5))}x       y′ = W1 x + b1   y = ${layer.activation.name}(y′)`;
  return [head, ...rows.map((row, i) => `${row}  [${f3(x[i])} ]   [${f3(z[i])} ]    [${f3(y[i])} ]`),
    `${_("vertex")} ${(deck.pick % xs.length) + 1}/${xs.length}`];
}

function homogeneousLines() {
  const obj = deck.objects[deck.pick % deck.objects.length];
  const M = obj.model.matrix;
  const p = [obj.positions[0], obj.positions[1], obj.positions[2]];
  const q = obj.model.apply(p);
  const rows = formatMatrix(M, 3);
  const det = obj.model.determinant;
  const note = det < 0 ? `  < 0: ${_("a mirror")}` : "";
  return [`model: ${_(obj.name)}  (${(deck.pick % deck.objects.length) + 1}/${deck.objects.length})`,
    ...rows.map((row, i) => `${row}  [${f3([...p, 1][i])} ]   [${f3([...q, 1][i])} ]`),
    `det A = ${fixed(det, 3)}${note}`];
}

function networkLines() {
  const net = deck.net, player = net.player;
  const head = [`${net.name} ${net.network.sizes.join("-")}`,
    fill(player.playing ? _("stage {k}/{n}, playing") : _("stage {k}/{n}, paused"), { k: player.stageIndex + 1, n: player.nStages })];
  if (player.atInput) return [...head, _("input: the scene before layer 1")];
  const stage = net.morph.stages[player.stageIndex];
  return [...head, ...infoLines(net.morph.infos[stage.index], player.t)];
}

// The GPU's values at every stage boundary against the same forward pass in float64 on the CPU (affine.js).
function agreement() {
  const net = deck.net;
  if (!net.agreement) {
    const cpu = net.morph.keyframes(net.points);
    let worst = 0;
    for (let s = 0; s <= net.morph.nStages; s++) {
      const gpu = net.gpu.keyframe(s);
      gpu.forEach((row, n) => row.forEach((v, k) => { worst = Math.max(worst, Math.abs(v - cpu[s][n][k])); }));
    }
    net.agreement = worst;
  }
  return net.agreement;
}

// "24 punkty", "1 538 punktów": the count with its word in the reader's plural form.
const points = (n) => fill(ngettext("{count} point", "{count} points", n), { count: n });

function batchLines() {
  const net = deck.net, N = net.points.length;
  const shapes = net.network.layers.map((l, i) => `W${i + 1} ${l.W.length}×${l.W[0].length}`).join(", ");
  const boundaries = net.morph.nStages + 1;
  return [`X: ${points(N)} × 3  (${N}×3)`, shapes,
    fill(ngettext("stage {k}/{n}: {count} vertex at once (morph.vert)", "stage {k}/{n}: {count} vertices at once (morph.vert)", N),
      { k: net.player.stageIndex + 1, n: net.player.nStages, count: N }),
    `max |GPU − CPU| = ${agreement().toExponential(1)}  (float32 vs float64, ${fill(ngettext("{count} stage boundary", "{count} stage boundaries", boundaries), { count: boundaries })})`];
}

function polyhedraLines() {
  const lines = ["               V    E    T   V − 3T/2 + T"];
  for (const obj of deck.objects) {
    const V = obj.positions.length / 3, E = obj.edges.length / 2, T = obj.triangles.length / 3;
    lines.push(`${_(obj.name).padEnd(16).slice(0, 16)}${String(V).padStart(3)}  ${String(E).padStart(3)}  ${String(T).padStart(3)}   ${V - (3 * T) / 2 + T}`);
  }
  lines.push(_("V vertices, E edges, T triangles (Euler: 2)"));
  return lines;
}

function worldLines() {
  const w = world();
  const control = _(deck.controller.name === "arcball" ? "arcball" : "turntable");
  return [_("world: world space → camera space"), ...formatMatrix(w.matrix), `det A       ${fixed(w.determinant, 6)}`,
    `max|AᵀA−I|  ${w.orthonormalityError().toExponential(1)}`,
    `${_("control")}${" ".repeat(Math.max(1, 12 - _("control").length))}${deck.spinning ? fill(_("{control}, spinning"), { control }) : control}`];
}

function projectionLines() {
  const cam = camera();
  const P = projection();
  return [deck.ortho ? _("P: camera space → clip space (orthographic)") : _("P: camera space → clip space (perspective)"), ...formatMatrix(P, 3),
    fill(_("fov {fov}°, aspect {aspect}, near {near}, far {far}"), { fov: ((cam.fov * 180) / Math.PI).toFixed(1), aspect: aspect().toFixed(3), near: fixed(cam.near, 2), far: fixed(cam.far, 2) }),
    deck.ortho ? _("w = 1: no division") : _("w = −z (camera): x/w, y/w shrink with distance")];
}

function facesLines() {
  const lines = [];
  let total = 0;
  for (const obj of deck.objects) {
    const T = obj.triangles.length / 3;
    total += T;
    lines.push(`${_(obj.name).padEnd(24)} V ${String(obj.positions.length / 3).padStart(6)}  T ${String(T).padStart(6)}`);
  }
  lines.push(fill(_("triangles in all: {count}"), { count: proseNumber(total) }), `fps ${deck.fps ? deck.fps.toFixed(1) : "…"}`);
  return lines;
}

function benchLines() {
  const bench = deck.data.bench;
  if (!bench) return [_("No figures of this machine in the deck. To add them:"), "  affine3d bench gpu --json bench.json", "  affine3d lecture --bench bench.json"];
  const lines = [`${_("This machine's figures (affine3d bench)")}:`, `  ${bench.machine}`];
  for (const table of bench.tables) {
    lines.push(`  ${table.title}`);
    const widths = table.columns.map((c, k) => Math.max(c.length, ...table.rows.map((r) => String(r[k] ?? "-").length)));
    lines.push("  " + table.columns.map((c, k) => c.padEnd(widths[k])).join("  "));
    for (const row of table.rows) lines.push("  " + row.map((v, k) => String(v ?? "-").padEnd(widths[k])).join("  "));
  }
  return lines;
}

function gpuLines() {
  const gl = deck.gl;
  return [`${_("Live in this browser")}:`, `  WebGL: ${gl.getParameter(gl.VERSION)}`, `  ${_("renderer")}: ${gl.getParameter(gl.RENDERER)}`,
    `  CPU: ${navigator.hardwareConcurrency ? fill(ngettext("{count} thread", "{count} threads", navigator.hardwareConcurrency), { count: navigator.hardwareConcurrency }) : "?"}`,
    `  max |GPU − CPU| = ${agreement().toExponential(1)} (${points(deck.net.points.length)})`, ...benchLines()];
}

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

function fileLines() {
  const { bytes } = model(deck.record.mlp);
  const name = deck.record.mlp.split("/").pop();
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const { tensors } = readHeader(bytes.buffer, name);
  const lines = [`${name}: ${fill(ngettext("{count} byte", "{count} bytes", bytes.length), { count: proseNumber(bytes.length) })}`,
    `0–7      ${hex(bytes.subarray(0, 8))}  = ${n} (u64 LE): ${_("the header's length")}`,
    `8–${8 + n - 1}    ${new TextDecoder().decode(bytes.subarray(8, 8 + Math.min(n, 28)))}…  JSON`];
  const first = Object.values(tensors).reduce((lo, info) => Math.min(lo, info.begin), bytes.length);
  lines.push(`${first}–${bytes.length - 1}`.padEnd(9) + ` ${fill(ngettext("{count} tensor, numbers", "{count} tensors, numbers", Object.keys(tensors).length), { count: Object.keys(tensors).length })}: ${hex(bytes.subarray(first, first + 8))} …`);
  // inspect's report (in the reader's language) up to its metadata (the architecture and every tensor's byte
  // range; the metadata is long): as many lines as the English report has before its "metadata:".
  const reports = typeof deck.data.inspect === "string" ? { en: deck.data.inspect } : deck.data.inspect;
  const report = (reports[deck.lang] ?? reports.en ?? "").split("\n");
  const end = (reports.en ?? "").split("\n").findIndex((line) => line.startsWith("metadata:"));
  lines.push("", `$ affine3d inspect ${name}`, ...(end < 0 ? report : report.slice(0, end)));
  return lines;
}

function engineLines() {
  const net = deck.net, gl = deck.gl;
  const lineCount = (name) => deck.shaders[name].split("\n").length, layers = net.network.layers.length, stages = net.morph.nStages;
  const shader = (name) => `${name} (${fill(ngettext("{count} line", "{count} lines", lineCount(name)), { count: lineCount(name) })})`;
  return [`1. parseModel  safetensors.js → ${net.network.sizes.join("-")}, ${fill(ngettext("{count} layer", "{count} layers", layers), { count: layers })}`,
    `2. Morph       affine.js      → ${fill(ngettext("{count} stage", "{count} stages", stages), { count: stages })}`,
    net.gpu.nBlocks ? `3. GPUMorph    gl.js + ${shader(`morph-${net.gpu.nBlocks}.vert`)}` : `3. CPUMorph    gl.js (${_("wider than the shader takes")})`,
    `               → ${points(net.points.length)}, transform feedback`,
    `4. Renderer    gl.js + ${shader("mesh.vert")}, mesh.frag`,
    `${fill(_("now: stage {k}/{n}"), { k: net.player.stageIndex + 1, n: net.player.nStages })}, t = ${net.player.t.toFixed(2)}`,
    `${gl.getParameter(gl.VERSION)}`];
}

function applicationLines() {
  const lines = [];
  for (const part of deck.data.parts) {
    lines.push(`${typeof part.name === "string" ? _(part.name) : part.name[deck.lang] ?? part.name.en}:`);
    for (const [file, size] of part.files) lines.push(`  ${file.padEnd(24)} ${size.toLocaleString("en-US").padStart(9)} B`);
  }
  lines.push(`${_("frames drawn")}: ${deck.frames}, fps ${deck.fps ? deck.fps.toFixed(1) : "…"}`);
  return lines;
}

function huggingFaceLines() {
  const url = deck.data.scenes["cube-to-sphere"]?.mlp;
  const column = (text) => text + " ".repeat(Math.max(1, 24 - text.length));
  return [`${column("Hugging Face")}${_("this deck")}`,
    `${column("Hub: model.safetensors")}${url ?? "-"} (${url ? proseNumber(model(url).bytes.length) : 0} B)`,
    `${column(_("model card"))}__metadata__ ${_("in the header")}`,
    `${column(`transformers, ${_("providers")}`)}gl.js + morph.vert (WebGL2)`,
    "Space (Gradio)          lecture.html + deck.js"];
}

function commandLines() {
  return ["affine3d view                 # " + _("the solids, the world matrix"),
    "affine3d view cube-to-sphere  # " + _("the network, stage by stage"),
    "affine3d mlp-demo             # " + _("a network step by step"),
    `affine3d inspect ${_("FILE").padEnd(13)}# ` + _("a model file's bytes"),
    "affine3d bench gpu            # CPU : GPU",
    "affine3d serve                # " + _("the same in a browser"),
    "affine3d exercise list        # " + _("exercises")];
}

const PANELS = {
  none: () => [], neuron: neuronLines, layer: layerLines, homogeneous: homogeneousLines, network: networkLines,
  batch: batchLines, polyhedra: polyhedraLines, world: worldLines, projection: projectionLines, faces: facesLines,
  gpu: gpuLines, file: fileLines, engine: engineLines, application: applicationLines, huggingface: huggingFaceLines,
  commands: commandLines,
};

function updatePanel() {
  const lines = PANELS[deck.slide.panel]();
  const panel = $("panel");
  const content = lines.join("\n");
  if (panel.textContent !== content) panel.textContent = content;
  // A panel whose longest line or line count grew is fitted again (its font may have to shrink).
  const shape = `${lines.length}:${Math.max(0, ...lines.map((l) => l.length))}`;
  if (shape !== deck.panelShape) {
    const grew = deck.panelShape !== "";
    deck.panelShape = shape;
    if (grew) fitText();
  }
}

// ------------------------------------------------------------------------------------------------ drawing
// The device's pixel ratio, lowered where the canvas would pass MAX_PIXELS (a 4K projector at scale 2 draws
// at 4K, not at 8K: the picture is as sharp as the eye at the back of the hall needs, and stays fluid).
export function pixelRatio(width, height, devicePixelRatio = 1, maxPixels = MAX_PIXELS) {
  return Math.min(devicePixelRatio, Math.sqrt(maxPixels / Math.max(width * height, 1)));
}

function resize() {
  const stage = $("stage"), canvas = $("view");
  const width = Math.max(1, Math.floor(stage.clientWidth)), height = Math.max(1, Math.floor(stage.clientHeight));
  const ratio = pixelRatio(width, height, window.devicePixelRatio || 1);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  deck.size = [width, height];
  if (deck.controller) deck.controller.resize(deck.size);
  if (deck.slide) fitText();
  requestDraw();
}

function drawFrame() {
  if (deck.net) showNetworkFrame();
  const r = deck.record;
  deck.renderer.draw({
    world: world(), projection: projection(), wireframe: deck.wireframe, background: r.background,
    light: r.light_direction, ambient: r.ambient, edgeShade: r.edge_shade, insideColor: r.inside_color, insideShade: r.inside_shade,
  });
  deck.frames += 1;
  deck.dirty = false;
}

function requestDraw() {
  deck.dirty = true;
}

function tick(now) {
  const dt = deck.lastTime === null ? 0 : Math.min((now - deck.lastTime) / 1000, 0.1);
  deck.lastTime = now;
  if (deck.slide) {
    if (deck.spinning && dt > 0) { deck.controller.spin(deck.spinRate * dt); deck.dirty = true; }
    if (deck.net && deck.net.player.playing && dt > 0) { deck.net.player.update(dt); deck.dirty = true; }
    if (!deck.pickFixed && dt > 0) {
      deck.pickClock += dt;
      if (deck.pickClock >= PICK_S) { deck.pickClock = 0; deck.pick += 1; deck.dirty = true; }
    }
    if (deck.dirty && !deck.held) {
      deck.dirty = false;
      try {
        drawFrame();
        countFrame(now / 1000);
        updatePanel();
        scheduleHash();
      } catch (exc) {
        say(exc.message, { error: true });
      }
    } else {
      deck.fpsSince = null;
    }
  }
  requestAnimationFrame(tick);
}

function countFrame(now) {
  if (deck.fpsSince === null) { deck.fpsSince = now; deck.fpsCount = 0; return; }
  deck.fpsCount += 1;
  const elapsed = now - deck.fpsSince;
  if (elapsed >= 0.5) { deck.fps = deck.fpsCount / elapsed; deck.fpsSince = now; deck.fpsCount = 0; }
}

// ------------------------------------------------------------------------------------------------ the URL
function viewToHash() {
  const parts = [`slide=${deck.index + 1}`, ...viewHashParts(deck, rotation())];
  if (deck.pick) parts.push(`pick=${deck.pick}`);
  return [...parts, ...momentHashParts(deck.net)].join("&");
}

// A view from the URL's hash (hash.js); pick fixes the example the panel shows.
function applyView(view) {
  applyViewHash(deck, view);
  if (view.pick !== undefined) { deck.pick = hashNumbers(view.pick, 1, "pick")[0]; deck.pickFixed = true; }
  applyMomentHash(deck.net, view);
  requestDraw();
}

function scheduleHash() {
  if (deck.hashTimer !== null) return;
  deck.hashTimer = setTimeout(() => {
    deck.hashTimer = null;
    history.replaceState(null, "", `${location.pathname}${location.search}#${viewToHash()}`);
  }, 200);
}

function slideFromHash(view) {
  const k = view.slide === undefined ? 1 : Number(view.slide);
  if (!Number.isInteger(k) || k < 1 || k > SLIDES.length) {
    say(`URL: slide: expected 1..${SLIDES.length}, got '${view.slide}'; showing slide 1`, { error: true });
    return 0;
  }
  return k - 1;
}

function onHashChange() {
  const view = parseHash(location.hash);
  try {
    const k = slideFromHash(view);
    if (k !== deck.index) showSlide(k, view);
    else { applyView(view); refit(); }
  } catch (exc) {
    say(exc.message, { error: true });
  }
}

// ------------------------------------------------------------------------------------------------ presenter view
// Messages: {type: "state", index, thumb} from the deck; {type: "go", index} and {type: "hello"} from the presenter.
function post(message) {
  try { deck.channel?.postMessage(message); } catch { /* a closed channel: the other window is gone */ }
  const other = deck.presenter && !deck.presenter.closed ? deck.presenter : window.opener;
  try { other?.postMessage({ [CHANNEL]: message }, "*"); } catch { /* the other window is gone */ }
}

function thumbnail() {
  const canvas = $("view");
  const small = document.createElement("canvas");
  small.width = 480;
  small.height = Math.max(1, Math.round((480 * canvas.height) / Math.max(canvas.width, 1)));
  small.getContext("2d").drawImage(canvas, 0, 0, small.width, small.height);
  return small.toDataURL("image/jpeg", 0.8);
}

function broadcast() {
  if (!deck.gl || !deck.heard) return; // no presenter view has said hello: nobody to tell
  requestAnimationFrame(() => {
    let thumb = null;
    try { drawFrame(); thumb = thumbnail(); } catch { /* a picture is a courtesy; the index is what matters */ }
    post({ type: "state", index: deck.index, lang: deck.lang, thumb });
  });
}

function onMessage(message) {
  if (!message || typeof message !== "object") return;
  if (deck.gl) { // the deck
    if (message.type === "go" && Number.isInteger(message.index) && message.index !== deck.index) go(message.index);
    else if (message.type === "hello") { deck.heard = true; broadcast(); }
  } else if (message.type === "state") presenterShow(message);
  else if (message.type === "ready") post({ type: "hello" }); // a deck (re)loaded after this presenter view opened
}

function openChannel() {
  if ("BroadcastChannel" in window) {
    deck.channel = new BroadcastChannel(CHANNEL);
    deck.channel.onmessage = (event) => onMessage(event.data);
  }
  window.addEventListener("message", (event) => onMessage(event.data?.[CHANNEL]));
}

function openPresenter() {
  const url = new URL(location.href);
  url.searchParams.set("presenter", "1");
  url.searchParams.set("lang", deck.lang);
  url.hash = "";
  deck.presenter = window.open(url.href, "affine3d-presenter", "width=1100,height=700");
  if (!deck.presenter) say(_("the browser blocked the new window: open this address with ?presenter=1"), { error: true });
}

function presenterLabels() {
  $("p-now-label").textContent = _("now");
  $("p-next-label").textContent = _("next");
  $("p-notes-label").textContent = _("notes");
}

function presenterShow(state) {
  deck.index = state.index;
  if (state.lang && state.lang !== deck.lang && LANGUAGES.includes(state.lang)) { // the deck switched (L)
    deck.lang = useLanguage(state.lang);
    document.documentElement.lang = deck.lang;
    presenterLabels();
  }
  const slide = SLIDES[state.index], next = SLIDES[state.index + 1];
  $("p-counter").textContent = counter(state.index);
  $("p-now-title").textContent = _(slide.title);
  $("p-thumb").hidden = !state.thumb;
  if (state.thumb) $("p-thumb").src = state.thumb;
  $("p-next-title").textContent = next ? _(next.title) : `(${_("end")})`;
  $("p-next-body").innerHTML = next ? bodyOf(next) : "";
  $("p-notes").textContent = _(slide.notes);
}

function presenterClock() {
  const seconds = Math.floor((performance.now() - deck.started) / 1000);
  const hms = (s) => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  $("p-clock").textContent = new Date().toLocaleTimeString(deck.lang === "pl" ? "pl-PL" : "en-GB", { hour: "2-digit", minute: "2-digit" });
  $("p-elapsed").textContent = fill(_("elapsed {time}"), { time: hms(seconds) });
}

function startPresenter() {
  document.body.classList.add("presenter");
  $("slide").hidden = true;
  $("presenter").hidden = false;
  document.documentElement.lang = deck.lang;
  presenterLabels();
  openChannel();
  presenterShow({ index: 0, thumb: null });
  presenterClock();
  setInterval(presenterClock, 1000);
  window.addEventListener("keydown", (event) => {
    const step = deckStep(event.key);
    if (step === null) return;
    event.preventDefault();
    const index = Math.min(Math.max(step(deck.index), 0), SLIDES.length - 1);
    post({ type: "go", index });
  });
  post({ type: "hello" });
}

// ------------------------------------------------------------------------------------------------ input
// The deck's own keys: a function from the current index to the next one, or null for a key it leaves alone.
function deckStep(key) {
  if (key === "ArrowRight" || key === "PageDown" || key === " ") return (k) => k + 1;
  if (key === "ArrowLeft" || key === "PageUp") return (k) => k - 1;
  if (key === "Home") return () => 0;
  if (key === "End") return () => SLIDES.length - 1;
  return null;
}

function showTyped() {
  const box = $("jump");
  box.hidden = deck.typed === "";
  box.textContent = `→ ${deck.typed}`;
}

function onKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const key = event.key;
  let handled = true;
  const step = deckStep(key);
  if (/^[0-9]$/.test(key)) { deck.typed = (deck.typed + key).slice(-3); showTyped(); }
  else if (key === "Enter" && deck.typed) { const k = Number(deck.typed) - 1; deck.typed = ""; showTyped(); go(k); }
  else if (key === "Escape") { deck.typed = ""; showTyped(); }
  else if (step) { deck.typed = ""; showTyped(); go(step(deck.index)); }
  else if (key === "P" && event.shiftKey) openPresenter();
  else if (key === "w" || key === "W") deck.wireframe = !deck.wireframe;
  else if (key === "p") deck.ortho = !deck.ortho;
  else if (key === "r" || key === "R") resetView();
  else if (key === "s" || key === "S") deck.spinning = !deck.spinning;
  else if (key === "t" || key === "T") {
    const current = rotation();
    deck.controller = deck.controller instanceof Turntable ? new Arcball(deck.size, current) : new Turntable(deck.size, current);
  } else if (key === "f" || key === "F") {
    if (document.fullscreenElement) document.exitFullscreen(); else document.documentElement.requestFullscreen?.().catch(() => {});
  } else if (deck.net && (key === "m" || key === "M")) { deck.net.player.toggle(); refit(); }
  else if (deck.net && (key === "." || key === "]")) { deck.net.player.scrub(SCRUB_STEP); refit(); }
  else if (deck.net && (key === "," || key === "[")) { deck.net.player.scrub(-SCRUB_STEP); refit(); }
  else if (key === "l" || key === "L") setLanguage(deck.lang === "pl" ? "en" : "pl");
  else handled = false;
  if (handled) {
    event.preventDefault();
    requestDraw();
  }
}

function windowPoint(event) {
  const rect = $("view").getBoundingClientRect();
  return [event.clientX - rect.left, deck.size[1] - (event.clientY - rect.top)];
}

function unitsPerPoint() {
  const P = projection();
  const w = P[3][2] * -depth() + P[3][3];
  return [(2 * w) / (P[0][0] * deck.size[0]), (2 * w) / (P[1][1] * deck.size[1])];
}

function bindInput() {
  const canvas = $("view");
  canvas.addEventListener("pointerdown", (event) => {
    canvas.focus();
    canvas.setPointerCapture(event.pointerId);
    const [x, y] = windowPoint(event);
    if (event.button === 0 && !event.shiftKey) {
      deck.drag = { mode: "rotate", last: [x, y] };
      deck.spinning = false;
      deck.controller.press(x, y);
    } else if (event.button <= 2) deck.drag = { mode: "pan", last: [x, y] };
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!deck.drag) return;
    const [x, y] = windowPoint(event);
    const [dx, dy] = [x - deck.drag.last[0], y - deck.drag.last[1]];
    deck.drag.last = [x, y];
    if (deck.drag.mode === "rotate") deck.controller.drag(x, y);
    else {
      const units = unitsPerPoint();
      deck.pan = [deck.pan[0] + dx * units[0], deck.pan[1] + dy * units[1]];
    }
    requestDraw();
  });
  const up = () => { if (deck.drag?.mode === "rotate") deck.controller.release(); deck.drag = null; };
  canvas.addEventListener("pointerup", up);
  canvas.addEventListener("pointercancel", up);
  canvas.addEventListener("contextmenu", (event) => event.preventDefault());
  canvas.addEventListener("wheel", (event) => {
    event.preventDefault();
    const d = distance(), r = deck.sphere.radius;
    const next = Math.min(Math.max(depth() * ZOOM_STEP ** (-event.deltaY / 100), 1.05 * r), 20 * d);
    deck.zoom = d - next;
    requestDraw();
  }, { passive: false });
  window.addEventListener("keydown", onKey);
  new ResizeObserver(resize).observe($("stage"));
  window.addEventListener("hashchange", onHashChange);
}

function setLanguage(lang) {
  if (!LANGUAGES.includes(lang)) throw new Error(`lang: expected one of ${LANGUAGES.join(", ")}, got '${lang}'`);
  deck.lang = useLanguage(lang);
  const url = new URL(location.href);
  url.searchParams.set("lang", lang);
  history.replaceState(null, "", url.href);
  if (deck.slide) renderText();
  broadcast();
}

// ------------------------------------------------------------------------------------------------ for tests and the handout
// window.affine3d.deck: what tests/test_lecture.py and `affine3d lecture --png/--pdf` read.
function frameReport(draw = true) {
  if (!draw) return { ...silhouetteBox(), border: null };
  drawFrame();
  return { ...silhouetteBox(), border: borderPixels() };
}

// How many pixels of the canvas's outermost rows and columns are not the background (read back from the GPU).
function borderPixels() {
  const gl = deck.gl, W = gl.drawingBufferWidth, H = gl.drawingBufferHeight;
  const bg = deck.record.background.map((c) => Math.round(c * 255));
  const strip = (x, y, w, h) => {
    const data = new Uint8Array(4 * w * h);
    gl.readPixels(x, y, w, h, gl.RGBA, gl.UNSIGNED_BYTE, data);
    let n = 0;
    for (let k = 0; k < data.length; k += 4) if (Math.abs(data[k] - bg[0]) + Math.abs(data[k + 1] - bg[1]) + Math.abs(data[k + 2] - bg[2]) > 24) n += 1;
    return n;
  };
  return strip(0, 0, W, 1) + strip(0, H - 1, W, 1) + strip(0, 0, 1, H) + strip(W - 1, 0, 1, H);
}

// Where every vertex lands on the canvas (the CPU's projection of what the GPU draws): the silhouette's box.
function silhouetteBox() {
  const gl = deck.gl, W = gl.drawingBufferWidth, H = gl.drawingBufferHeight;
  const points = deck.net ? deck.net.gpu.positions(deck.net.morph.stages[deck.net.player.stageIndex], deck.net.player.t) : slidePoints();
  if (deck.net) deck.net.shown = null;
  const M = projection(), w = world();
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let v = 0; v < points.length; v += 3) {
    const c = w.apply([points[v], points[v + 1], points[v + 2]]);
    const clip = M.map((row) => row[0] * c[0] + row[1] * c[1] + row[2] * c[2] + row[3]);
    const x = ((clip[0] / clip[3] + 1) / 2) * W, y = ((1 - clip[1] / clip[3]) / 2) * H;
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  return { pixels: [W, H], css: deck.size.slice(), box: [x0, y0, x1, y1] };
}

function clippedText() {
  const out = [];
  for (const el of $("text").querySelectorAll("pre, math, h1, p, li, #counter")) {
    if (el.hidden || el.clientWidth === 0) continue;
    if (el.scrollWidth > el.clientWidth + 1) out.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}: scrollWidth ${el.scrollWidth} > clientWidth ${el.clientWidth}: ${el.textContent.slice(0, 60)}`);
  }
  const column = $("text");
  if (column.scrollHeight > column.clientHeight + 1 && getComputedStyle(column).overflowY !== "auto") out.push("the text column overflows and cannot scroll");
  return out;
}

function testingHooks() {
  return {
    ready: null,
    get messages() { return deck.messages.slice(); },
    deck: {
      get count() { return SLIDES.length; },
      get index() { return deck.index; },
      get lang() { return deck.lang; },
      go: (k) => go(k),
      slides: () => SLIDES.map((s) => ({ id: s.id, scene: s.scene, panel: s.panel, title: _(s.title) })),
      setLanguage: (lang) => setLanguage(lang),
      hash: () => viewToHash(),
      world: () => world().matrix,
      panel: () => $("panel").textContent,
      frame: (draw = true) => frameReport(draw),
      // Draw only when frame() asks (true), or at every animation frame again (false).
      hold: (on) => { deck.held = Boolean(on); return deck.held; },
      pixelRatio: (width, height, ratio) => pixelRatio(width, height, ratio),
      clipped: () => clippedText(),
      fitText: () => { fitText(); return clippedText(); },
      // A still picture: no spin, no playing, no cycling; the network at its stage's end (or its input).
      still: () => {
        deck.spinning = false;
        deck.pickFixed = true;
        if (deck.net) deck.net.player.playing = false;
        updatePanel();
        requestDraw();
        return deck.frames;
      },
      settle: () => { drawFrame(); updatePanel(); return deck.frames; },
    },
  };
}

// ------------------------------------------------------------------------------------------------ start
// ?lang= first, then the teacher's (`lecture --lang`, in the data), then the browser's languages, else Polish.
function deckLanguage() {
  const { asked, preferred } = browserWishes();
  const lang = chooseLanguage({ asked, forced: deck.data.lang, preferred, fallback: LANGUAGES[0], known: LANGUAGES });
  if (asked && languageCode(asked) !== lang) say(fill(_("?lang={asked}: expected one of {choices}; showing {lang}"), { asked, choices: LANGUAGES.join(", "), lang }), { error: true });
  return lang;
}

async function start() {
  deck.data = embeddedData();
  for (const [lang, catalog] of Object.entries(deck.data.catalogs ?? {})) addCatalog(lang, catalog);
  deck.lang = useLanguage(deckLanguage());
  $("boot").hidden = true;
  if (new URLSearchParams(location.search).get("presenter") === "1") {
    startPresenter();
    return;
  }
  const canvas = $("view");
  const gl = canvas.getContext("webgl2", { antialias: true, alpha: false, preserveDrawingBuffer: true });
  if (!gl) throw new Error(_("this deck needs WebGL2, which this browser does not offer (try a current Firefox, Chrome or Safari)"));
  deck.gl = gl;
  for (const name of SHADER_NAMES) deck.shaders[name] = deck.data.shaders[name];
  deck.renderer = new Renderer(gl, deck.shaders);
  openChannel();
  bindInput();
  resize();
  const view = parseHash(location.hash);
  showSlide(slideFromHash(view), view);
  post({ type: "ready" });
  requestAnimationFrame(tick);
}

window.affine3d = testingHooks();
window.affine3d.ready = start().catch((exc) => {
  $("boot").hidden = true;
  say(exc.message, { error: true });
  throw exc;
});
