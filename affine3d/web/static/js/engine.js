// engine.js: the whole engine, one import for a host (the page's app.js, the notebook widget, the lecture deck).
//
// The modules mirror the Python package, name for name:
//   pack.js        the one door to the GPU (pack.py): matrix(), mat4Blocks(), floats()
//   affine.js      Affine (affine.py)             projection.js  perspective, orthographic, sceneProjection
//   arcball.js     Arcball, Turntable (app/arcball.py)
//   linalg.js      det, symmetric eigen, SVD      network.js     Network, activations (nn/mlp.py)
//   morph.js       Morph, PolarPath, StagePlayer, infoLines, pathNotes (nn/morph.py, nn/paths.py, app/player.py, app/stage_text.py)
//   safetensors.js parseModel: model bytes -> Network, MLP.load's checks first
//   gl.js          Renderer, GPUMorph / CPUMorph (gl/renderer.py, gl/morph.py)
//   format.js      fixed, formatMatrix (app/state.py)   keys.js  helpText (app/keys.py)
//   view.js        View: a canvas + a scene record (+ model bytes) -> a drawn, draggable picture
//   i18n.js        _(), ngettext(), fill: the words in the reader's language (affine3d/i18n.py's catalogue)
//   hash.js        parseHash, viewHashParts, applyViewHash: a view in the URL's hash (the page and the deck)
// affine3d/notebook.py joins these files into one module for anywidget (no relative imports there).

export * from "./i18n.js";
export * from "./pack.js";
export * from "./affine.js";
export * from "./projection.js";
export * from "./arcball.js";
export * from "./linalg.js";
export * from "./network.js";
export * from "./morph.js";
export * from "./safetensors.js";
export * from "./gl.js";
export * from "./format.js";
export * from "./keys.js";
export * from "./view.js";
export * from "./hash.js";
