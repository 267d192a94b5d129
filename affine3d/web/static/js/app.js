// app.js: the page's glue: scenes and models in, mouse and keys to the world map, the panels, the URL.
//
// What the desktop viewer does (affine3d/app/state.py, app/window.py), in a browser: the camera never moves;
// the mouse changes the world map (world space -> camera space),
//     world = translation(0, 0, -distance + zoom) @ translation(pan_x, pan_y, 0) @ R,
// and the panel beside the picture prints it with det A and max|A^T A - I|. A scene's network (or a model
// dropped onto the page) plays its forward pass stage by stage, the vertices moved by shaders/morph.vert.
// The URL's hash holds the view (scene, rotation, projection, stage, t): a link reproduces it.
//
// The picture itself (world map, drags, the network's stages, drawing) is the engine's View (view.js), the
// same the notebook widget and the lecture deck use; this file adds what only the page has.
//
// Words: every text is the catalogue's (_() of i18n.js, locale/<lang>.json), in the language of ?lang=, else
// the teacher's (`serve --lang`, `export-web --lang`: the page's <meta name="affine3d-lang">), else the
// browser's; index.html's own texts carry data-i18n and are listed in PAGE_TEXTS for the catalogue.

import {
  Turntable, fixed, formatMatrix, infoLines, pathNotes, ModelError, parseModel, helpText, desktopOnly,
  parseHash, viewHashParts, momentHashParts, applyViewHash, applyMomentHash,
  SHADER_NAMES, DEFAULT_SPIN, View, _, N_, fill, loadLanguage, chooseLanguage, browserWishes, translateElements,
  language, languageCode, proseNumber,
} from "./engine.js";

const SCRUB_STEP = 0.05;

// index.html's texts (data-i18n, data-i18n-title, data-i18n-aria-label): the catalogue finds them here.
export const PAGE_TEXTS = [
  N_("affine3d: 3D graphics and neural networks are the same linear algebra"), N_("scene"), N_("edges"), N_("space"),
  N_("reset view"), N_("or drop a .safetensors file, or a model folder (MLP.save_pretrained), onto the picture"),
  N_("load model…"), N_("save PNG"), N_("F1 or ?"), N_("keys"), N_("the scene; drag to turn the world"),
  N_("drop a .safetensors 3 → … → 3 model to watch it warp the solid"), N_("world: world space → camera space"),
  N_("network"), N_("Left"), N_("◀ stage"), N_("Right"), N_("stage ▶"),
];

const $ = (id) => document.getElementById(id);

// ------------------------------------------------------------------------------------------------ the state
const app = {
  index: null, // scenes/index.json
  records: new Map(), // key -> scene JSON
  shaders: {},
  gl: null,
  view: null, // the engine's View: scene, objects, controller, pan, zoom, ortho, wireframe, shading, path, net
  scene: null, // the scene record shown
  spinning: false,
  spinRate: DEFAULT_SPIN,
  size: [1, 1], // the canvas in CSS pixels (mouse units)
  dirty: true,
  lastTime: null,
  fps: 0,
  fpsCount: 0,
  fpsSince: null,
  frames: 0,
  messages: [],
  loading: Promise.resolve(),
  hashTimer: null,
};

// The View's state under the page's old names: app.net is app.view.net, and so on.
for (const name of ["objects", "controller", "pan", "zoom", "ortho", "wireframe", "shading", "path", "net", "drag"]) {
  Object.defineProperty(app, name, { get: () => app.view[name], set: (value) => { app.view[name] = value; } });
}

function say(text, { error = false } = {}) {
  app.messages.push({ text, error });
  const box = $("message");
  box.textContent = text;
  box.className = error ? "error" : "";
}

// ------------------------------------------------------------------------------------------------ loading
async function fetchText(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
  return response.text();
}

async function fetchJSON(url) {
  return JSON.parse(await fetchText(url));
}

async function sceneRecord(key) {
  if (!app.records.has(key)) {
    const entry = app.index.scenes.find((s) => s.key === key);
    if (!entry) throw new Error(fill(_("scene: unknown scene '{key}'; expected one of: {keys}"), { key, keys: app.index.scenes.map((s) => s.key).join(", ") }));
    app.records.set(key, await fetchJSON(entry.file));
  }
  return app.records.get(key);
}

// Show a scene from its own starting view (ViewerState.set_scene); its network, if it has one, starts playing.
async function showScene(key, view = null) {
  const record = await sceneRecord(key);
  const buffer = record.mlp ? await (await fetch(record.mlp)).arrayBuffer() : null;
  dropNetwork();
  app.scene = record;
  app.view.setScene(record);
  app.spinRate = record.spin || DEFAULT_SPIN;
  app.spinning = Boolean(record.spin);
  if (buffer) {
    const name = record.mlp.split("/").pop();
    setNetwork(parseModel(buffer, name), name);
  }
  if (view) applyView(view);
  $("scene-picker").value = key;
  $("caption").textContent = record.description ? _(record.description) : ""; // a shipped scene's: geometry/scene_texts.py
  updateButtons();
  requestDraw();
}

function resetView() {
  app.view.resetView();
}

function toggleShading() {
  const current = app.shading ?? (app.objects.some((obj) => obj.shading === "smooth") ? "smooth" : "flat");
  app.view.setShading(current === "smooth" ? "flat" : "smooth");
  say(app.shading === "smooth" ? _("smooth shading") : _("flat shading"));
}

function togglePath() {
  try {
    app.view.setPath(app.path === "linear" ? "polar" : "linear");
  } catch (exc) {
    app.path = "linear";
    say(exc.message, { error: true });
    return;
  }
  say(app.path === "polar" ? _("path polar: A(t) = R(t) ((1-t) I + t S), a turn times a stretch")
    : _("path linear: A(t) = (1-t) I + t W, a straight line"));
}

// ------------------------------------------------------------------------------------------------ a network
// The network applied to every object's vertices in world space (View.setNetwork, as MorphingScene); the panel shown.
function setNetwork(network, name, { playing = true } = {}) {
  app.view.setNetwork(network, name, { playing }); // throws for a network that is not 3 -> ... -> 3
  $("network").hidden = false;
  updateNetworkPanel();
}

function dropNetwork() {
  app.view.dropNetwork();
  $("network").hidden = true;
}

async function loadModelBytes(buffer, name) {
  try {
    if (!name.toLowerCase().endsWith(".safetensors")) {
      throw new ModelError(fill(_("{name}: the page reads .safetensors models; in Python: {code}"),
        { name, code: `MLP.load("${name}").save("${name.replace(/\.[^.]*$/, "")}.safetensors")` }));
    }
    const network = parseModel(buffer, name);
    setNetwork(network, name);
    say(fill(_("{name}: {sizes} network, {stages} stages ({where}), warping {scene}"),
      { name, sizes: network.sizes.join("-"), stages: app.net.morph.nStages, where: app.net.gpu.where, scene: _(app.scene.name) }));
    requestDraw();
    return true;
  } catch (exc) {
    // The previous network (if any) keeps playing: nothing of it was replaced before the new one was built.
    say(exc.message.startsWith(`${name}: `) ? exc.message : `${name}: ${exc.message}`, { error: true });
    requestDraw();
    return false;
  }
}

// A model folder as MLP.save_pretrained writes it (Hugging Face's layout: config.json, model.safetensors,
// README.md), dropped whole or as its files: the weights file carries affine3d's architecture record too, so
// it is the one the page reads; config.json and the model card are for people and the Hub.
const FOLDER_WEIGHTS = "model.safetensors";

function modelFileOf(files) {
  if (files.length <= 1) return files[0] ?? null;
  return files.find((file) => file.name === FOLDER_WEIGHTS) ?? files.find((file) => file.name.toLowerCase().endsWith(".safetensors")) ?? files[0];
}

async function fileOfFolder(entry) {
  const entries = await new Promise((resolve, reject) => entry.createReader().readEntries(resolve, reject));
  const weights = entries.find((child) => child.isFile && child.name === FOLDER_WEIGHTS);
  if (!weights) return { missing: fill(_("{folder}/: no {weights} in this folder (a model folder holds config.json, {weights} and README.md)"), { folder: entry.name, weights: FOLDER_WEIGHTS }) };
  const file = await new Promise((resolve, reject) => weights.file(resolve, reject));
  return { file, name: `${entry.name}/${FOLDER_WEIGHTS}` };
}

async function loadModelFile(found) {
  if (!found) return false;
  if (found.missing) {
    say(found.missing, { error: true });
    requestDraw();
    return false;
  }
  const file = found.file ?? found;
  return loadModelBytes(await file.arrayBuffer(), found.name ?? file.name);
}

// ------------------------------------------------------------------------------------------------ the world map
function rotation() {
  return app.view.rotation;
}

function world() {
  return app.view.world();
}

function projection() {
  return app.view.projection();
}

function toggleController() {
  say(controllerName(app.view.toggleController()));
}

// ------------------------------------------------------------------------------------------------ drawing
function resize() {
  const area = $("stage-area"), canvas = $("view");
  const width = Math.max(1, Math.floor(area.clientWidth)), height = Math.max(1, Math.floor(area.clientHeight));
  const ratio = window.devicePixelRatio || 1;
  app.view.resize(width, height, ratio);
  app.size = [width, height];
  for (const panel of document.querySelectorAll("#panels pre")) delete panel.dataset.fitted;
  requestDraw();
}

function drawFrame() {
  app.view.draw();
  app.frames += 1;
}

function requestDraw() {
  app.dirty = true;
}

function tick(now) {
  const dt = app.lastTime === null ? 0 : Math.min((now - app.lastTime) / 1000, 0.1);
  app.lastTime = now;
  if (app.scene) {
    if (app.spinning && dt > 0) { app.controller.spin(app.spinRate * dt); app.dirty = true; }
    if (app.net && app.net.player.playing && dt > 0) { app.net.player.update(dt); app.dirty = true; }
    if (app.dirty) {
      app.dirty = false;
      try {
        drawFrame();
        countFrame(now / 1000);
        updatePanels();
        scheduleHash();
      } catch (exc) {
        say(exc.message, { error: true });
        console.error(exc);
      }
    } else {
      app.fpsSince = null;
    }
  }
  requestAnimationFrame(tick);
}

function countFrame(now) {
  if (app.fpsSince === null) { app.fpsSince = now; app.fpsCount = 0; return; }
  app.fpsCount += 1;
  const elapsed = now - app.fpsSince;
  if (elapsed >= 0.5) { app.fps = app.fpsCount / elapsed; app.fpsSince = now; app.fpsCount = 0; }
}

// ------------------------------------------------------------------------------------------------ panels
function worldLines() {
  const w = world();
  const camera = app.view.camera(); // the field of view the picture has (widened where the canvas is narrow)
  const index = app.index.scenes.findIndex((s) => s.key === app.scene.key);
  const triangles = app.objects.reduce((n, obj) => n + obj.triangles.length / 3, 0);
  const control = controllerName();
  const rows = [
    ["det A", fixed(w.determinant, 6)],
    ["max|AᵀA-I|", w.orthonormalityError().toExponential(1).replace(/e([+-])(\d)$/, "e$10$2")],
    [_("projection"), app.ortho ? _("orthographic") : fill(_("perspective, fov {fov} deg"), { fov: ((camera.fov * 180) / Math.PI).toFixed(1) })],
    [_("control"), app.spinning ? fill(_("{control}, spinning"), { control }) : control],
    [_("triangles"), proseNumber(triangles)],
    ["fps", app.fps ? app.fps.toFixed(1) : _("(measuring)")],
    [_("scene"), `${_(app.scene.name)}${index >= 0 ? ` (${index + 1}/${app.index.scenes.length})` : ""}`],
  ];
  return [...formatMatrix(w.matrix), ...rows.map(([name, value]) => `${name.padEnd(Math.max(12, name.length + 1))}${value}`)];
}

function networkLines() {
  const net = app.net;
  const player = net.player;
  const head = [fill(_("network {name} {sizes}, path {path}, on the {where}"), { name: net.name, sizes: net.network.sizes.join("-"), path: net.morph.path, where: net.gpu.where }),
    fill(player.playing ? _("stage {k}/{n}, playing") : _("stage {k}/{n}, paused"), { k: player.stageIndex + 1, n: player.nStages })];
  if (player.atInput) return [...head, _("input: the scene before layer 1")];
  const stage = net.morph.stages[player.stageIndex], info = net.morph.infos[stage.index];
  return [...head, ...infoLines(info, player.t), ...(stage.kind === "affine" ? pathNotes(info) : [])];
}

function updatePanels() {
  showLines($("world-panel"), worldLines());
  if (app.net) updateNetworkPanel();
}

// A panel's lines, never clipped: a line longer than the panel is wide shrinks the panel's font (down to
// MIN_PANEL_SCALE of it), and past that the lines wrap. Measured again only when the longest line or the
// panel's width changes (the fps figure changes every frame, the lines' lengths seldom). With `wrapFirst` the
// first line (a network's name and sizes, as long as its file name) takes no part in the font's size: it wraps
// at the panel's edge, and the matrix lines below keep the largest font they fit at.
const MIN_PANEL_SCALE = 0.75;

function showLines(panel, lines, { wrapFirst = false } = {}) {
  const measured = wrapFirst ? lines.slice(1) : lines;
  const longest = Math.max(0, ...measured.map((line) => line.length));
  const shape = `${longest}:${panel.clientWidth}`;
  if (panel.dataset.fitted !== shape && panel.offsetParent !== null) {
    panel.textContent = measured.join("\n");
    fitPanel(panel, shape);
  }
  panel.textContent = lines.join("\n");
  if (wrapFirst) panel.classList.add("wrap"); // the other lines fit as they are: only a longer first line wraps
}

function fitPanel(panel, shape) {
  panel.dataset.fitted = shape;
  panel.style.fontSize = "";
  panel.classList.remove("wrap");
  // Wider than the room, to the fraction of a pixel: a line that overhangs by less than one still wraps under pre-wrap.
  const style = getComputedStyle(panel);
  const room = panel.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const range = document.createRange();
  const wide = () => {
    range.selectNodeContents(panel);
    return panel.scrollWidth > panel.clientWidth + 1 || range.getBoundingClientRect().width > room - 0.5;
  };
  const base = parseFloat(getComputedStyle(panel).fontSize);
  let scale = 1;
  while (wide() && scale > MIN_PANEL_SCALE) {
    scale = Math.max(scale * 0.93, MIN_PANEL_SCALE);
    panel.style.fontSize = `${base * scale}px`;
  }
  if (wide()) panel.classList.add("wrap");
}

function updateNetworkPanel() {
  const net = app.net;
  showLines($("network-panel"), networkLines(), { wrapFirst: true });
  $("play").textContent = net.player.playing ? _("pause") : _("play");
  if (document.activeElement !== $("t-slider")) $("t-slider").value = String(net.player.t);
  $("t-value").textContent = net.player.t.toFixed(2);
}

// The controller's name in the reader's language (the engine's names, "arcball" and "turntable", are its ids).
function controllerName(name = app.controller.name) {
  return name === "turntable" ? _("turntable") : name === "arcball" ? _("arcball") : name;
}

function updateButtons() {
  $("projection").textContent = app.ortho ? _("orthographic") : _("perspective");
  $("wireframe").classList.toggle("on", app.wireframe);
  $("spin").textContent = app.spinning ? _("stop spin") : _("spin");
  $("controller").textContent = controllerName();
}

// ------------------------------------------------------------------------------------------------ the URL's hash
// scene=KEY&rot=w,x,y,z (R as a unit quaternion)&proj=perspective|orthographic&stage=K&t=T, plus zoom, pan,
// edges and turntable when they differ from the start. A link with rot stops the spin; one with stage/t pauses.
function viewToHash() {
  const parts = [`scene=${encodeURIComponent(app.scene.key)}`, ...viewHashParts(app, rotation())];
  if (app.controller instanceof Turntable) parts.push("control=turntable");
  if (app.path !== "linear") parts.push(`path=${app.path}`);
  return [...parts, ...momentHashParts(app.net)].join("&");
}

function applyView(view) {
  if (view.control === "turntable" && !(app.controller instanceof Turntable)) app.controller = new Turntable(app.size, rotation());
  applyViewHash(app, view);
  if (view.path !== undefined && view.path !== app.path) {
    if (view.path !== "linear" && view.path !== "polar") throw new Error(fill(_("URL: path: expected linear or polar, got '{path}'"), { path: view.path }));
    togglePath();
  }
  applyMomentHash(app.net, view);
  updateButtons();
  requestDraw();
}

function scheduleHash() {
  if (app.hashTimer !== null) return;
  app.hashTimer = setTimeout(() => {
    app.hashTimer = null;
    history.replaceState(null, "", `#${viewToHash()}`);
  }, 200);
}

// The hash the event brought (event.newURL): the page's own replaceState may have written over location.hash since.
async function onHashChange(event) {
  const view = parseHash(new URL(event.newURL).hash);
  try {
    if (view.scene && view.scene !== app.scene.key) await showScene(view.scene, view);
    else applyView(view);
  } catch (exc) {
    say(exc.message, { error: true });
  }
}

// ------------------------------------------------------------------------------------------------ input
function chooseScene(index) {
  const scenes = app.index.scenes;
  if (index < 0 || index >= scenes.length) {
    say(fill(_("no scene {k}: there are {n}"), { k: index + 1, n: scenes.length }));
    return;
  }
  app.loading = showScene(scenes[index].key).then(() => say(fill(_("scene {k}/{n}: {name}"), { k: index + 1, n: scenes.length, name: _(app.scene.name) })))
    .catch((exc) => say(exc.message, { error: true }));
}

function networkKey(key) {
  const player = app.net?.player;
  const actions = {
    m: () => player.toggle(), ArrowRight: () => player.next(), ArrowLeft: () => player.previous(),
    ".": () => player.scrub(SCRUB_STEP), "]": () => player.scrub(SCRUB_STEP),
    ",": () => player.scrub(-SCRUB_STEP), "[": () => player.scrub(-SCRUB_STEP),
    Home: () => player.seek(0), End: () => player.seek(player.nStages),
  };
  const action = actions[key.length === 1 ? key.toLowerCase() : key];
  if (!action) return false;
  if (!player) {
    if (key.toLowerCase() === "m") say(_("no network: open a scene with one (cube-to-sphere), or drop a .safetensors model onto the picture"));
    return key.toLowerCase() === "m";
  }
  action();
  return true;
}

function onKey(event) {
  if (event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement) {
    if (event.key !== "Tab" && event.key !== "Escape") return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const key = event.key;
  let handled = true;
  if (networkKey(key)) {
    // done
  } else if (key === " ") app.spinning = !app.spinning;
  else if (key === "w" || key === "W") app.wireframe = !app.wireframe;
  else if (key === "p" || key === "P") app.ortho = !app.ortho;
  else if (key === "r" || key === "R") resetView();
  else if (key === "h" || key === "H") $("panels").classList.toggle("hidden");
  else if (key === "t" || key === "T") toggleController();
  else if (key === "f" || key === "F") toggleShading();
  else if (key === "a" || key === "A") togglePath();
  else if (desktopOnly(app.keys, key.length === 1 ? key.toUpperCase() : key)) {
    say(fill(_("{key} is a key of the desktop viewer (affine3d view {scene}); the page plays the network as it is"),
      { key: key.length === 1 ? key.toUpperCase() : key, scene: app.scene.key }));
  }
  else if (key === "s" || key === "S") savePNG();
  else if (key === "F1" || key === "?") $("help").hidden = !$("help").hidden;
  else if (key === "Escape") $("help").hidden = true;
  else if (/^[1-9]$/.test(key)) chooseScene(Number(key) - 1);
  else if (key === "Tab") {
    const index = app.index.scenes.findIndex((s) => s.key === app.scene.key);
    const n = app.index.scenes.length;
    chooseScene(index < 0 ? 0 : (index + (event.shiftKey ? -1 : 1) + n) % n);
  } else handled = false;
  if (handled) {
    event.preventDefault();
    if (key === "h" || key === "H") resize();
    updateButtons();
    requestDraw();
  }
}

function onPointerDown(event) {
  const canvas = $("view");
  canvas.focus();
  canvas.setPointerCapture(event.pointerId);
  app.view.pointerDown(event);
}

function onPointerMove(event) {
  if (app.view.pointerMove(event)) requestDraw();
}

function onPointerUp() {
  app.view.pointerUp();
}

function savePNG() {
  drawFrame(); // the picture as it is now, even between animation frames
  const link = document.createElement("a");
  link.download = `affine3d-${app.scene.key}.png`;
  link.href = $("view").toDataURL("image/png");
  link.click();
  say(fill(_("saved {file}"), { file: link.download }));
}

function bindInput() {
  const canvas = $("view"), area = $("stage-area");
  canvas.addEventListener("pointerdown", onPointerDown);
  canvas.addEventListener("pointermove", onPointerMove);
  canvas.addEventListener("pointerup", onPointerUp);
  canvas.addEventListener("pointercancel", onPointerUp);
  canvas.addEventListener("contextmenu", (event) => event.preventDefault());
  canvas.addEventListener("wheel", (event) => {
    event.preventDefault();
    app.view.scroll(-event.deltaY / 100); // one notch: 100 pixels of deltaY, one click
    requestDraw();
  }, { passive: false });
  window.addEventListener("keydown", onKey);
  window.addEventListener("resize", resize);
  window.addEventListener("hashchange", onHashChange);
  for (const type of ["dragenter", "dragover"]) {
    area.addEventListener(type, (event) => { event.preventDefault(); area.classList.add("dragging"); });
  }
  area.addEventListener("dragleave", () => area.classList.remove("dragging"));
  area.addEventListener("drop", (event) => {
    event.preventDefault();
    area.classList.remove("dragging");
    // The entry must be asked for while the event is being handled: the browser empties the transfer after it.
    const items = [...(event.dataTransfer?.items ?? [])];
    const entry = items.length === 1 ? items[0].webkitGetAsEntry?.() : null;
    const files = [...(event.dataTransfer?.files ?? [])];
    app.loading = (entry?.isDirectory ? fileOfFolder(entry) : Promise.resolve(modelFileOf(files))).then(loadModelFile);
  });
  $("model-file").addEventListener("change", async (event) => {
    app.loading = loadModelFile(modelFileOf([...event.target.files]));
    event.target.value = "";
  });
  $("scene-picker").addEventListener("change", (event) => chooseScene(app.index.scenes.findIndex((s) => s.key === event.target.value)));
  const click = (id, fn) => $(id).addEventListener("click", () => { fn(); updateButtons(); requestDraw(); $("view").focus(); });
  click("projection", () => { app.ortho = !app.ortho; });
  click("wireframe", () => { app.wireframe = !app.wireframe; });
  click("spin", () => { app.spinning = !app.spinning; });
  click("controller", toggleController);
  click("reset", resetView);
  click("save-png", savePNG);
  click("help-button", () => { $("help").hidden = !$("help").hidden; });
  click("play", () => app.net?.player.toggle());
  click("stage-next", () => app.net?.player.next());
  click("stage-previous", () => app.net?.player.previous());
  $("t-slider").addEventListener("input", (event) => {
    const player = app.net?.player;
    if (!player) return;
    player.seek(Math.min(player.stageIndex, player.nStages - 1) + Number(event.target.value));
    requestDraw();
  });
}

// ------------------------------------------------------------------------------------------------ for tests and benchmarks
// window.affine3d: what tests/test_web.py and `affine3d bench web` read; the page itself does not need it.
function testingHooks() {
  return {
    ready: null,
    get messages() { return app.messages.slice(); },
    state: () => ({
      scene: app.scene.key, size: app.size.slice(), pixels: [$("view").width, $("view").height],
      ortho: app.ortho, wireframe: app.wireframe, spinning: app.spinning, controller: app.controller.name,
      frames: app.frames, shading: app.shading, path: app.path, fov: app.view.camera().fov,
      network: app.net && { name: app.net.name, sizes: app.net.network.sizes, stages: app.net.morph.nStages,
        stage: app.net.player.stageIndex, t: app.net.player.t, playing: app.net.player.playing },
    }),
    world: () => world().matrix,
    hash: () => viewToHash(),
    panel: () => $("world-panel").textContent,
    networkPanel: () => $("network-panel").textContent,
    // The values at every stage boundary, read back from the GPU (transform feedback).
    keyframes: () => app.net.morph.stages.map((_, s) => app.net.gpu.keyframe(s)).concat([app.net.gpu.keyframe(app.net.morph.nStages)]),
    positions: (stage, t) => Array.from(app.net.gpu.positions(app.net.morph.stages[stage], t)),
    loadModel: (bytes, name) => loadModelBytes(Uint8Array.from(bytes).buffer, name),
    loadModelBuffer: (buffer, name) => loadModelBytes(buffer, name), // bytes made in the page (a 60 MB header)
    helpText: () => $("help").textContent,
    language: () => language(),
    seek: (stage, t) => { app.net.player.seek(stage + t); drawFrame(); updatePanels(); },
    // Two animation frames first: a resize or hash change the test just made has been handled, then the picture and
    // the panels are brought up to date at once (the panels are otherwise refitted on the next tick).
    settle: async () => {
      await app.loading;
      await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
      drawFrame();
      updatePanels();
      return app.frames;
    },
    // Milliseconds per frame over n frames, each waited for (a 1-pixel read-back ends it): draw, or warp + draw.
    benchFrames: (n, warp = false) => {
      const gl = app.gl, pixel = new Uint8Array(4);
      const step = () => {
        if (warp && app.net) { app.net.shown = null; app.net.player.seek((app.net.player.position + 0.37) % app.net.player.nStages); }
        drawFrame();
        gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixel);
      };
      step();
      const start = performance.now();
      for (let k = 0; k < n; k++) step();
      return (performance.now() - start) / n;
    },
  };
}

// ------------------------------------------------------------------------------------------------ start
// ?lang= first, then the teacher's (<meta name="affine3d-lang">, written by serve/export-web --lang), then the
// browser's languages, else English; index.html's texts are translated before anything else is shown.
async function startLanguage() {
  const { asked, preferred } = browserWishes();
  const forced = document.querySelector('meta[name="affine3d-lang"]')?.content || null;
  const lang = chooseLanguage({ asked, forced, preferred });
  try {
    await loadLanguage(lang, "locale/");
  } catch (exc) {
    say(exc.message, { error: true }); // the page stays English
  }
  document.documentElement.lang = language();
  translateElements(document);
  if (asked && languageCode(asked) !== lang) say(fill(_("?lang={asked}: expected one of {choices}; showing {lang}"), { asked, choices: "en, pl", lang }), { error: true });
}

async function start() {
  await startLanguage();
  const canvas = $("view");
  const gl = canvas.getContext("webgl2", { antialias: true, alpha: false, preserveDrawingBuffer: true });
  if (!gl) throw new Error(_("this page needs WebGL2, which this browser does not offer (try a current Firefox, Chrome or Safari)"));
  app.gl = gl;
  const texts = await Promise.all(SHADER_NAMES.map((name) => fetchText(`shaders/${name}`)));
  SHADER_NAMES.forEach((name, k) => { app.shaders[name] = texts[k]; });
  app.view = new View(canvas, { shaders: app.shaders, gl, keepInside: true });
  app.index = await fetchJSON("scenes/index.json");
  app.keys = app.index.keys;
  $("help").textContent = helpText(app.keys, "page");
  const picker = $("scene-picker");
  app.index.scenes.forEach((s, k) => picker.add(new Option(`${k + 1}  ${_(s.name)}`, s.key)));
  bindInput();
  resize();
  const view = parseHash(location.hash);
  const key = app.index.scenes.some((s) => s.key === view.scene) ? view.scene : app.index.default;
  if (view.scene && key !== view.scene) say(fill(_("scene: unknown scene '{asked}'; showing {key}"), { asked: view.scene, key }), { error: true });
  await showScene(key, view);
  requestAnimationFrame(tick);
}

window.affine3d = testingHooks();
window.affine3d.ready = start().catch((exc) => {
  say(exc.message, { error: true });
  throw exc;
});
