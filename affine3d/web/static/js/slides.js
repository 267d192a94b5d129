// slides.js: the lecture, slide by slide.
//
// Each slide: a scene of the page's engine (a shipped scene, by its key), how it starts (spin, the network's
// stage, wireframe), which live panel stands under the text, and the texts: title, body (HTML; formulas in
// MathML, which browsers typeset themselves: nothing is fetched) and the lecturer's notes (the presenter view).
// The texts are the catalogue's messages (N_, written in English; the lecture's Polish is in
// affine3d/locale/pl/LC_MESSAGES/affine3d.po, as every other word of affine3d): deck.js looks them up with _()
// and fills a body's {math1}, {math2}... with its formulas (math), which are never translated.
// The order and the words follow the lecture (docs: the team's LECTURE.md; README "The lecture").

import { N_ } from "./i18n.js";

const M = (body) => `<math display="block">${body}</math>`; // a displayed formula
const m = (body) => `<math>${body}</math>`; // one inside a sentence
const sub = (base, index) => `<msub><mi>${base}</mi><mn>${index}</mn></msub>`;
const sigma = "<mi>σ</mi>";

// y_i = σ(w_i1 x1 + w_i2 x2 + w_i3 x3 + b_i)
function neuronRow(i) {
  const terms = [1, 2, 3].map((j) => `<msub><mi>w</mi><mn>${i}${j}</mn></msub><mo>·</mo>${sub("x", j)}`).join("<mo>+</mo>");
  return `<mrow>${sub("y", i)}<mo>=</mo>${sigma}<mo>(</mo>${terms}<mo>+</mo>${sub("b", i)}<mo>)</mo></mrow>`;
}

// A matrix: an mtable whose brackets are drawn by CSS (.matrix in lecture.css), so they span its rows in any
// font (stretchy MathML brackets need a font with a MATH table, which a lecture hall's machine may not have).
const bracketed = (rows) => `<mtable class="matrix">${rows.map((row) => `<mtr>${row.map((cell) => `<mtd>${cell}</mtd>`).join("")}</mtr>`).join("")}</mtable>`;

const HOMOGENEOUS = `<mrow>${bracketed([["<mi>A</mi>", "<mi>b</mi>"], ["<mn>0</mn>", "<mn>1</mn>"]])}<mspace width="0.2em"/>
${bracketed([["<mi>x</mi>"], ["<mn>1</mn>"]])}<mo>=</mo>${bracketed([["<mi>A</mi><mi>x</mi><mo>+</mo><mi>b</mi>"], ["<mn>1</mn>"]])}</mrow>`;

const COMPOSITION = `<mrow><mi>F</mi><mo>=</mo><msub><mi>σ</mi><mi>k</mi></msub><mo>∘</mo><msub><mi>F</mi><mi>k</mi></msub>
<mo>∘</mo><mo>…</mo><mo>∘</mo>${sub("σ", 2)}<mo>∘</mo>${sub("F", 2)}<mo>∘</mo>${sub("σ", 1)}<mo>∘</mo>${sub("F", 1)}</mrow>`;

const AFFINE = `<mrow><mi>F</mi><mo>(</mo><mi>X</mi><mo>)</mo><mo>=</mo><mi>A</mi><mo>·</mo><mi>X</mi><mo>+</mo><mi>B</mi></mrow>`;

const LAYER = `<mrow><msup><mi>Y</mi><mo>′</mo></msup><mo>=</mo><mi>W</mi><mo>·</mo><mi>X</mi><mo>+</mo><mi>B</mi><mo>,</mo>
<mspace width="1em"/><mi>Y</mi><mo>=</mo>${sigma}<mo>(</mo><msup><mi>Y</mi><mo>′</mo></msup><mo>)</mo></mrow>`;

const SUM = `<mrow><msubsup><mi>y</mi><mi>i</mi><mo>′</mo></msubsup><mo>=</mo><munder><mo>∑</mo><mi>j</mi></munder>
<msub><mi>w</mi><mrow><mi>i</mi><mi>j</mi></mrow></msub><mo>·</mo><msub><mi>x</mi><mi>j</mi></msub><mo>+</mo><msub><mi>b</mi><mi>i</mi></msub><mo>,</mo>
<mspace width="1em"/><msub><mi>y</mi><mi>i</mi></msub><mo>=</mo>${sigma}<mo>(</mo><msubsup><mi>y</mi><mi>i</mi><mo>′</mo></msubsup><mo>)</mo></mrow>`;

const BATCH = `<mrow><mi>F</mi><mo>(</mo><mi>X</mi><mo>)</mo><mo>=</mo><mi>X</mi><msup><mi>A</mi><mi>T</mi></msup><mo>+</mo><mi>b</mi><mo>,</mo>
<mspace width="1em"/><mi>X</mi><mo>∈</mo><msup><mi>ℝ</mi><mrow><mi>N</mi><mo>×</mo><mn>3</mn></mrow></msup></mrow>`;

const CLIP = `<mrow><msub><mi>p</mi><mtext>clip</mtext></msub><mo>=</mo><mi>P</mi><mo>·</mo><mtext>world</mtext><mo>·</mo><mtext>model</mtext><mo>·</mo>
${bracketed([["<mi>x</mi>"], ["<mn>1</mn>"]])}</mrow>`;

const WORLD = `<mrow><mtext>world</mtext><mo>=</mo><mi>T</mi><mo>(</mo><mn>0</mn><mo>,</mo><mn>0</mn><mo>,</mo><mo>−</mo><mi>d</mi><mo>)</mo><mo>·</mo><mi>R</mi></mrow>`;

const ONE = `<mrow><mi>F</mi><mo>(</mo><mi>x</mi><mo>)</mo><mo>=</mo><mi>A</mi><mi>x</mi><mo>+</mo><mi>b</mi></mrow>`;

// scene: a shipped scene's key; start: {spin, wireframe, ortho, stage (the network's position, 0 = input), play};
// panel: which live panel deck.js fills (see PANELS there).
export const SLIDES = [
  {
    id: "title", scene: "platonic", start: { spin: true }, panel: "none",
    title: N_("Neural networks and 3D graphics: the same linear algebra"),
    body: N_("<p class=\"lead\">Linear algebra, first year. One affine map drives both the picture and the network:</p>{math1}\n" +
      "<p>Everything on these slides is computed live in this browser: drag to turn the solids, the wheel moves them closer.</p>"),
    math: { math1: M(ONE) },
    notes: N_("Plan: a neural network, a little linear algebra, a digression on 3D graphics and GPUs, the ML ecosystem. Keys: → next, ← back, a number + Enter jumps."),
  },
  {
    id: "neuron", scene: "cube-to-sphere", start: { stage: 0, play: false, spin: true }, panel: "neuron",
    title: N_("A typical neural network"),
    body: N_("<p>An activation function {math1} (sigmoid, ReLU, tanh). A layer with three inputs and three outputs:</p>\n" +
      "{math2}{math3}{math4}\n" +
      "<p>Below: the first neuron of this network's first layer, computed for a vertex of the cube.</p>"),
    math: { math1: m(`${sigma}<mo>:</mo><mi>ℝ</mi><mo>→</mo><mi>ℝ</mi>`), math2: M(neuronRow(1)), math3: M(neuronRow(2)), math4: M(neuronRow(3)) },
    notes: N_("The input x is a vertex of the cube (it changes every 2 s). The numbers are the weights of a real trained network, cube-to-sphere."),
  },
  {
    id: "layer", scene: "cube-to-sphere", start: { stage: 0, play: false, spin: true }, panel: "layer",
    title: N_("A little linear algebra"),
    body: N_("<p>The sums before {math1} are one matrix-vector product:</p>{math2}{math3}\n" +
      "<p>{math1} acts element-wise. A whole layer is {math4}, then {math1}.</p>"),
    math: { math1: m(sigma), math2: M(SUM), math3: M(LAYER), math4: m("<mi>W</mi><mi>x</mi><mo>+</mo><mi>b</mi>") },
    notes: N_("The same three neurons as on the last slide, now as the matrix W (3×3) and the vector b."),
  },
  {
    id: "affine", scene: "shear", start: { spin: false }, panel: "homogeneous",
    title: N_("An affine map: W x + b as one 4×4 matrix"),
    body: N_("<p>An affine map is a linear map followed by a translation (a shift):</p>{math1}\n" +
      "<p>{math2}, {math3} a real m×n matrix, {math4}. Append a 1 to the vector and it is one matrix:</p>{math5}\n" +
      "<p>Every solid in the picture has its own \"model\" matrix: a shear, a squash, a mirror.</p>"),
    math: { math1: M(AFFINE), math2: m("<mi>X</mi><mo>∈</mo><msup><mi>ℝ</mi><mi>n</mi></msup>"), math3: m("<mi>A</mi>"), math4: m("<mi>B</mi><mo>∈</mo><msup><mi>ℝ</mi><mi>m</mi></msup>"), math5: M(HOMOGENEOUS) },
    notes: N_("The panel shows each solid's 4×4 matrix in turn; det < 0 is a mirror (the mirrored house)."),
  },
  {
    id: "network", scene: "cube-to-sphere", start: { stage: 0, play: true, spin: false }, panel: "network",
    title: N_("A neural network is a composition of affine maps"),
    body: N_("<p>A neural network (properly: a multilayer perceptron) is a composition of affine maps \"interleaved\" with activation functions:</p>{math1}\n" +
      "<p>{math2}: vectorised activations, {math3}: affine maps of compatible sizes. In the picture a 3-3-3-3-3-3 tanh network turns the cube into a sphere, stage by stage.</p>"),
    math: { math1: M(COMPOSITION), math2: m(`<msub><mi>σ</mi><mi>i</mi></msub>`), math3: m(`<msub><mi>F</mi><mi>i</mi></msub>`) },
    notes: N_("Scene keys: M pause, . and , scrub the stage, W edges. The panel: W | b, det W, singular values."),
  },
  {
    id: "parallel", scene: "cube-to-sphere", start: { stage: 0, play: true, spin: true }, panel: "batch",
    title: N_("\"Pure\" linear algebra: it parallelises easily"),
    body: N_("<p>For a given input X, computing F(X) is mostly \"pure\" linear algebra. All points at once, as the rows of a matrix:</p>{math1}\n" +
      "<p>Every vertex is computed the same way, independently of the others: here the graphics card's vertex shader does it (<code>morph.vert</code>), and the CPU checks the result.</p>"),
    math: { math1: M(BATCH) },
    notes: N_("The panel: how many points, the matrices' shapes, and the largest GPU − CPU difference (float32), measured now in this browser."),
  },
  {
    id: "graphics", scene: "platonic", start: { spin: true, wireframe: true }, panel: "polyhedra",
    title: N_("A digression within the digression: 3D graphics"),
    body: N_("<p>3D graphics is to a large extent linear algebra.</p><ul><li>The elements of a 3D scene are polyhedra.</li>\n" +
      "<li>The main problem: draw many polyhedra, taking perspective and the camera's motion into account.</li>\n" +
      "<li>These transformations of the polyhedra are affine maps.</li></ul>"),
    math: {  },
    notes: N_("The panel counts each solid's vertices, edges and faces (triangles) from the mesh the card draws."),
  },
  {
    id: "camera", scene: "platonic", start: { spin: true }, panel: "world",
    title: N_("The camera stays, the world turns"),
    body: N_("<p>The usual solution: the camera stays in place and the rest of the world is transformed (the world turns around the camera instead of the camera turning in the world):</p>{math1}\n" +
      "<p>Drag with the mouse: only the \"world\" matrix changes. Its part A is a rotation: det A = 1, AᵀA = I.</p>"),
    math: { math1: M(WORLD) },
    notes: N_("Space moves on, so drag to stop the spin; R resets the view, T: turntable."),
  },
  {
    id: "perspective", scene: "obj-model", start: { spin: false }, panel: "projection",
    title: N_("Perspective: one more 4×4 matrix"),
    body: N_("<p>From camera coordinates to the screen: the projection matrix P, then a division by w.</p>{math1}\n" +
      "<p>P toggles perspective and orthographic. Only the division by w is not affine.</p>"),
    math: { math1: M(CLIP) },
    notes: N_("Key P: watch P's last row change (0 0 −1 0 in perspective)."),
  },
  {
    id: "faces", scene: "1980-vs-2015", start: { spin: true }, panel: "faces",
    title: N_("Then and now: 1980 few faces, 2015 many"),
    body: N_("<p>The same sphere twice: 80 triangles and 20,480 triangles. The maths per vertex is the same, the same world matrix; only the number of vertices grew.</p>"),
    math: {  },
    notes: N_("To measure it: affine3d bench render (icosphere levels 0 to 8)."),
  },
  {
    id: "gpu", scene: "cube-to-sphere", start: { stage: 0, play: true, spin: true }, panel: "gpu",
    title: N_("CPU and GPU"),
    body: N_("<ul><li>CPU: few general-purpose cores (about a dozen).</li>\n" +
      "<li>GPU: thousands of cores, specialised, each weak, exploiting the parallelism of matrix computations.</li>\n" +
      "<li>Raw computing power, GPU : CPU of a similar class: about 10 : 1.</li></ul>\n" +
      "<p>The GPU is optimised for \"the same\" computations as 3D graphics, hence GPUs in machine learning (and, from the late 2010s, TPUs).</p>"),
    math: {  },
    notes: N_("This machine's figures: affine3d bench gpu --json bench.json, then affine3d lecture --bench bench.json. On llvmpipe/SwiftShader the \"GPU\" is the same CPU cores."),
  },
  {
    id: "model", scene: "cube-to-sphere", start: { stage: 0, play: true, spin: true }, panel: "file",
    title: N_("The ML ecosystem: a trained model is just a function"),
    body: N_("<p>The \"raw\" data that describe a trained model:</p><ul><li>a description of the architecture (matrix sizes, activation functions);</li>\n" +
      "<li>the actual values of the matrix coefficients and biases (the parameters);</li><li>for language models: token embeddings;</li><li>other metadata.</li></ul>\n" +
      "<p>Kept in standard formats, as binary blobs. Below: this network's file, byte by byte, as <code>affine3d inspect</code> shows it.</p>"),
    math: {  },
    notes: N_("The first 8 bytes are the JSON header's length (little-endian); then the header, then the float32 tensors at the offsets it gives."),
  },
  {
    id: "engine", scene: "cube-to-sphere", start: { stage: 0, play: true, spin: false, wireframe: true }, panel: "engine",
    title: N_("An inference engine"),
    body: N_("<p>An inference engine (in the ML sense) is software that executes a trained model: it loads the model (possibly in many formats) and efficiently computes its output for given inputs. For example Torch, TensorFlow, ONNX runtimes, llama.cpp.</p>\n" +
      "<p>Here the engine is this browser's WebGL2: the same shader as in the desktop program.</p>"),
    math: {  },
    notes: N_("The panel: what this page's engine is made of and what it just computed (stage, points, the WebGL renderer)."),
  },
  {
    id: "application", scene: "platonic", start: { spin: true }, panel: "application",
    title: N_("An ML application = engine + interface + glue"),
    body: N_("<p>A typical ML application (and not only ML): an inference engine with a loaded model, an interface (for example a web page), and \"glue\" code joining the two.</p>\n" +
      "<p>This deck is such an application itself: its three parts below, counted now.</p>"),
    math: {  },
    notes: N_("Engine: gl.js + shaders; interface: lecture.html + deck.js; glue: the scene data (JSON) and the model file, loaded by deck.js."),
  },
  {
    id: "huggingface", scene: "shapes", start: { spin: true }, panel: "huggingface",
    title: N_("The running example: Hugging Face"),
    body: N_("<p>Today there are many providers of inference (hosting engines and models) and of interfaces. Hugging Face has all three parts:</p>\n" +
      "<ul><li>the Hub: model files (the <code>.safetensors</code> format, the same as here) with a model card (metadata);</li>\n" +
      "<li>engines: libraries (transformers, diffusers) and inference providers;</li>\n" +
      "<li>interface and glue: Spaces (for example a Gradio page).</li></ul>"),
    math: {  },
    notes: N_("Nothing here connects to the internet: the slide only names the parts. Any .safetensors file from the Hub can be looked into: affine3d inspect file.safetensors."),
  },
  {
    id: "summary", scene: "platonic", start: { spin: true }, panel: "commands",
    title: N_("One idea"),
    body: N_("{math1}<p>A solid on the screen and a layer of a network are the same affine map. Every slide is a command you can run yourself:</p>"),
    math: { math1: M(ONE) },
    notes: N_("Exercises for the students: affine3d exercise list."),
  },
];

export const LANGUAGES = ["pl", "en"]; // the deck's languages, the lecture's own first
