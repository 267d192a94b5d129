// widget.js: the engine as a notebook widget (affine3d.notebook, on anywidget): render({model, el}).
//
// anywidget loads one ES module from a blob URL, where "./engine.js" cannot resolve: affine3d/notebook.py
// joins the engine's files and this one into a single module (their imports dropped), so the widget runs the
// page's own code. What Python sends, as traits: _scene (site.scene_record's JSON), _shaders (the page's
// shaders/ texts), _keys (the one help table), _network (a network's .safetensors bytes, or empty), _network_name.
// Synced both ways: world (4x4 rows: a drag writes it, Python's value redraws), stage and t, projection,
// wireframe, shading, path, playing. Drawing is on demand: only after a change, or while the network plays.
// Words: _catalogs (the page's locale/<lang>.json, by language) and lang ("pl", "en", or "": the browser's).

import { View, helpText, fixed, _, fill, addCatalog, useLanguage, chooseLanguage, browserWishes } from "./engine.js";

function bytesOf(value) { // a Bytes trait arrives as a DataView (or ArrayBuffer / typed array in other hosts)
  if (!value) return null;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return Uint8Array.from(value);
}

function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "affine3d-widget";
  root.style.cssText = "display:inline-flex;flex-direction:column;gap:4px;font:12px/1.35 ui-monospace,monospace;color:#ccc;background:#0e0f12;padding:4px;border-radius:4px";
  const canvas = document.createElement("canvas");
  canvas.tabIndex = 0;
  canvas.style.cssText = "display:block;outline:none;touch-action:none";
  const status = document.createElement("div"); // the world matrix (and the stage), as the page's panel
  status.style.whiteSpace = "pre";
  const message = document.createElement("div"); // the last thing said: a network loaded, a file refused
  message.style.whiteSpace = "pre-wrap";
  root.append(canvas, status, message);
  el.appendChild(root);

  const view = new View(canvas, { shaders: model.get("_shaders") });
  for (const [lang, catalog] of Object.entries(model.get("_catalogs") || {})) addCatalog(lang, catalog);
  const speak = () => { // the language: the lang trait, else the browser's
    const lang = useLanguage(chooseLanguage({ forced: model.get("lang") || null, preferred: browserWishes().preferred }));
    root.lang = lang;
    canvas.title = helpText(model.get("_keys"), "page");
    canvas.setAttribute("aria-label", _("the scene; drag to turn the world"));
  };
  speak();
  const [width, height] = [model.get("width"), model.get("height")];
  view.resize(width, height, window.devicePixelRatio || 1);
  view.setScene(model.get("_scene"));

  let dirty = true, writing = false, frame = null, last = null;
  const say = (text) => { message.textContent = text; };

  const write = (changes) => { // our own changes to Python, without echoing them back into the view
    writing = true;
    try {
      for (const [name, value] of Object.entries(changes)) model.set(name, value);
      model.save_changes();
    } finally {
      writing = false;
    }
  };
  const writePlayer = () => {
    if (!view.net) return;
    const p = view.net.player;
    write({ stage: p.stageIndex, t: p.t, playing: p.playing });
  };

  function applyOptions() {
    view.ortho = model.get("projection") === "orthographic";
    view.wireframe = Boolean(model.get("wireframe"));
    const shading = model.get("shading");
    view.setShading(shading === "flat" || shading === "smooth" ? shading : null);
    dirty = true;
  }

  function applyModel() {
    const bytes = bytesOf(model.get("_network"));
    if (!bytes || bytes.byteLength === 0) { view.dropNetwork(); view.upload(); dirty = true; return; }
    try {
      view.path = model.get("path") || "linear";
      const network = view.setModel(bytes, model.get("_network_name") || "model.safetensors", { playing: Boolean(model.get("playing")) });
      applyPlayer();
      say(fill(_("{name}: {sizes} network, {stages} stages ({where}), path {path}"),
        { name: network.name, sizes: network.sizes.join("-"), stages: view.net.morph.nStages, where: view.net.gpu.where, path: view.path }));
    } catch (exc) {
      say(exc.message); // the previous network (if any) keeps playing
      model.send({ event: "error", message: exc.message });
    }
    dirty = true;
  }

  function applyPlayer() {
    if (!view.net) return;
    const p = view.net.player;
    const stage = Math.max(0, Math.min(model.get("stage") | 0, p.nStages - 1)), t = Math.min(Math.max(Number(model.get("t")) || 0, 0), 1);
    const playing = Boolean(model.get("playing"));
    p.seek(stage + t);
    p.playing = playing;
    dirty = true;
  }

  function applyWorld() {
    const world = model.get("world");
    if (Array.isArray(world) && world.length === 4) view.setWorld(world);
    dirty = true;
  }

  function panel() {
    const w = view.world();
    const rows = w.matrix.map((row) => `[ ${row.slice(0, 3).map((v) => fixed(v).padStart(7)).join(" ")} | ${fixed(row[3]).padStart(7)} ]`);
    const net = view.net ? `   ${fill(_("stage {k}/{n}"), { k: view.net.player.stageIndex + 1, n: view.net.player.nStages })}  t = ${view.net.player.t.toFixed(2)}` : "";
    return `${_("world")}  det A = ${fixed(w.determinant, 4)}${net}\n${rows.join("\n")}`;
  }

  function tick(now) {
    frame = requestAnimationFrame(tick);
    const dt = last === null ? 0 : Math.min((now - last) / 1000, 0.1);
    last = now;
    if (view.net && view.net.player.playing && dt > 0) { view.net.player.update(dt); dirty = true; }
    if (!dirty) return;
    dirty = false;
    try {
      view.draw();
      status.textContent = panel();
    } catch (exc) {
      say(exc.message);
    }
  }

  applyOptions();
  applyModel();
  if (Array.isArray(model.get("world")) && model.get("world").length === 4) applyWorld();
  else write({ world: view.world().matrix });

  view.bindPointer((what) => {
    dirty = true;
    write({ world: view.world().matrix });
  });
  canvas.addEventListener("keydown", (event) => {
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    const p = view.net?.player;
    const actions = {
      w: () => write({ wireframe: !model.get("wireframe") }),
      p: () => write({ projection: view.ortho ? "perspective" : "orthographic" }),
      f: () => write({ shading: (view.shading ?? "flat") === "smooth" ? "flat" : "smooth" }),
      a: () => {
        const path = view.path === "polar" ? "linear" : "polar";
        try { view.setPath(path); write({ path }); say(fill(_("path {path}"), { path })); } catch (exc) { say(exc.message); }
      },
      r: () => { view.resetView(); write({ world: view.world().matrix }); },
      t: () => say(_(view.toggleController())), // "arcball" / "turntable": app.js's messages
      m: () => { p?.toggle(); writePlayer(); },
      ArrowRight: () => { p?.next(); writePlayer(); },
      ArrowLeft: () => { p?.previous(); writePlayer(); },
      Home: () => { p?.seek(0); writePlayer(); },
      End: () => { p?.seek(p.nStages); writePlayer(); },
    };
    if (!actions[key]) return;
    event.preventDefault();
    actions[key]();
    applyOptions();
  });

  const on = (name, fn) => model.on(`change:${name}`, () => { if (!writing) fn(); else dirty = true; });
  on("world", applyWorld);
  for (const name of ["projection", "wireframe", "shading"]) on(name, applyOptions);
  on("_network", applyModel);
  model.on("change:lang", () => { speak(); dirty = true; });
  on("_scene", () => { view.setScene(model.get("_scene")); applyOptions(); applyModel(); write({ world: view.world().matrix }); });
  on("path", () => {
    try { view.setPath(model.get("path")); applyPlayer(); } catch (exc) { say(exc.message); }
  });
  for (const name of ["stage", "t", "playing"]) on(name, applyPlayer);
  model.on("msg:custom", (msg) => { if (msg?.event === "png") model.send({ event: "png", data: canvas.toDataURL("image/png") }); });

  frame = requestAnimationFrame(tick);
  return () => { // anywidget calls this when the view is removed
    cancelAnimationFrame(frame);
    view.dropNetwork();
    view.renderer.release();
  };
}

export default { render };
