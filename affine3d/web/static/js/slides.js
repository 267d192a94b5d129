// slides.js: the lecture, slide by slide (the lecture's language, Polish, first; then English).
//
// Each slide: a scene of the page's engine (a shipped scene, by its key), how it starts (spin, the network's
// stage, wireframe), which live panel stands under the text, and the texts: title, body (HTML; formulas in
// MathML, which browsers typeset themselves: nothing is fetched) and the lecturer's notes (the presenter view).
// The order and the words follow the lecture (docs: the team's LECTURE.md; README "The lecture").

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
    title: { pl: "Sieci neuronowe i grafika 3D: ta sama algebra liniowa", en: "Neural networks and 3D graphics: the same linear algebra" },
    body: {
      pl: `<p class="lead">Algebra liniowa, I rok. Jedno przekształcenie afiniczne napędza obraz i sieć:</p>${M(ONE)}
<p>Wszystko, co widać na slajdach, liczy się na żywo w tej przeglądarce: obróć bryłę myszką, kółko przybliża.</p>`,
      en: `<p class="lead">Linear algebra, first year. One affine map drives both the picture and the network:</p>${M(ONE)}
<p>Everything on these slides is computed live in this browser: drag to turn the solids, the wheel moves them closer.</p>`,
    },
    notes: {
      pl: "Plan: sieć neuronowa, trochę algebry liniowej, dygresja o grafice 3D i GPU, ekosystem ML. Klawisze: → następny, ← poprzedni, numer + Enter skok.",
      en: "Plan: a neural network, a little linear algebra, a digression on 3D graphics and GPUs, the ML ecosystem. Keys: → next, ← back, a number + Enter jumps.",
    },
  },
  {
    id: "neuron", scene: "cube-to-sphere", start: { stage: 0, play: false, spin: true }, panel: "neuron",
    title: { pl: "Typowa reprezentacja sieci neuronowej", en: "A typical neural network" },
    body: {
      pl: `<p>Funkcja aktywacji ${m(`${sigma}<mo>:</mo><mi>ℝ</mi><mo>→</mo><mi>ℝ</mi>`)} (np. sigmoid, ReLU, tgh). Warstwa o trzech wejściach i trzech wyjściach:</p>
${M(neuronRow(1))}${M(neuronRow(2))}${M(neuronRow(3))}
<p>Pod spodem: pierwszy neuron pierwszej warstwy tej sieci, liczony dla wierzchołka sześcianu.</p>`,
      en: `<p>An activation function ${m(`${sigma}<mo>:</mo><mi>ℝ</mi><mo>→</mo><mi>ℝ</mi>`)} (sigmoid, ReLU, tanh). A layer with three inputs and three outputs:</p>
${M(neuronRow(1))}${M(neuronRow(2))}${M(neuronRow(3))}
<p>Below: the first neuron of this network's first layer, computed for a vertex of the cube.</p>`,
    },
    notes: {
      pl: "Wejście x to wierzchołek sześcianu (zmienia się co 2 s). Liczby są wagami prawdziwej, wytrenowanej sieci cube-to-sphere.",
      en: "The input x is a vertex of the cube (it changes every 2 s). The numbers are the weights of a real trained network, cube-to-sphere.",
    },
  },
  {
    id: "layer", scene: "cube-to-sphere", start: { stage: 0, play: false, spin: true }, panel: "layer",
    title: { pl: "Trochę algebry liniowej", en: "A little linear algebra" },
    body: {
      pl: `<p>Sumy przed ${m(sigma)} to jedno mnożenie macierzy przez wektor:</p>${M(SUM)}${M(LAYER)}
<p>${m(sigma)} działa po współrzędnych. Cała warstwa to ${m("<mi>W</mi><mi>x</mi><mo>+</mo><mi>b</mi>")}, a potem ${m(sigma)}.</p>`,
      en: `<p>The sums before ${m(sigma)} are one matrix-vector product:</p>${M(SUM)}${M(LAYER)}
<p>${m(sigma)} acts element-wise. A whole layer is ${m("<mi>W</mi><mi>x</mi><mo>+</mo><mi>b</mi>")}, then ${m(sigma)}.</p>`,
    },
    notes: {
      pl: "Te same trzy neurony co na poprzednim slajdzie, teraz jako macierz W (3×3) i wektor b.",
      en: "The same three neurons as on the last slide, now as the matrix W (3×3) and the vector b.",
    },
  },
  {
    id: "affine", scene: "shear", start: { spin: false }, panel: "homogeneous",
    title: { pl: "Przekształcenie afiniczne: W x + b jako jedna macierz 4×4", en: "An affine map: W x + b as one 4×4 matrix" },
    body: {
      pl: `<p>Przekształcenie afiniczne to złożenie przekształcenia liniowego z translacją (przesunięciem):</p>${M(AFFINE)}
<p>${m("<mi>X</mi><mo>∈</mo><msup><mi>ℝ</mi><mi>n</mi></msup>")}, ${m("<mi>A</mi>")} rzeczywista macierz m×n, ${m("<mi>B</mi><mo>∈</mo><msup><mi>ℝ</mi><mi>m</mi></msup>")}. Dopisując 1 do wektora, mamy jedną macierz:</p>${M(HOMOGENEOUS)}
<p>Każda bryła na obrazku ma swoją macierz „model”: ścinanie, ściśnięcie, lustro.</p>`,
      en: `<p>An affine map is a linear map followed by a translation (a shift):</p>${M(AFFINE)}
<p>${m("<mi>X</mi><mo>∈</mo><msup><mi>ℝ</mi><mi>n</mi></msup>")}, ${m("<mi>A</mi>")} a real m×n matrix, ${m("<mi>B</mi><mo>∈</mo><msup><mi>ℝ</mi><mi>m</mi></msup>")}. Append a 1 to the vector and it is one matrix:</p>${M(HOMOGENEOUS)}
<p>Every solid in the picture has its own "model" matrix: a shear, a squash, a mirror.</p>`,
    },
    notes: {
      pl: "Panel pokazuje po kolei macierz 4×4 każdej bryły; det < 0 to lustro (dom odbity).",
      en: "The panel shows each solid's 4×4 matrix in turn; det < 0 is a mirror (the mirrored house).",
    },
  },
  {
    id: "network", scene: "cube-to-sphere", start: { stage: 0, play: true, spin: false }, panel: "network",
    title: { pl: "Sieć neuronowa to złożenie przekształceń afinicznych", en: "A neural network is a composition of affine maps" },
    body: {
      pl: `<p>Sieć neuronowa (właściwie: wielowarstwowy perceptron) to złożenie przekształceń afinicznych „przeplatanych” z funkcjami aktywacji:</p>${M(COMPOSITION)}
<p>${m(`<msub><mi>σ</mi><mi>i</mi></msub>`)}: zwektoryzowane funkcje aktywacji, ${m(`<msub><mi>F</mi><mi>i</mi></msub>`)}: kompatybilne przekształcenia afiniczne. Na obrazku sieć 3-3-3-3-3-3 (tgh) zamienia sześcian w sferę, etap po etapie.</p>`,
      en: `<p>A neural network (properly: a multilayer perceptron) is a composition of affine maps "interleaved" with activation functions:</p>${M(COMPOSITION)}
<p>${m(`<msub><mi>σ</mi><mi>i</mi></msub>`)}: vectorised activations, ${m(`<msub><mi>F</mi><mi>i</mi></msub>`)}: affine maps of compatible sizes. In the picture a 3-3-3-3-3-3 tanh network turns the cube into a sphere, stage by stage.</p>`,
    },
    notes: {
      pl: "Klawisze sceny: M pauza, . i , przewijają etap, W krawędzie. Panel: W | b, det W, wartości szczególne.",
      en: "Scene keys: M pause, . and , scrub the stage, W edges. The panel: W | b, det W, singular values.",
    },
  },
  {
    id: "parallel", scene: "cube-to-sphere", start: { stage: 0, play: true, spin: true }, panel: "batch",
    title: { pl: "„Czysta” algebra liniowa: łatwo się paralelizuje", en: "\"Pure\" linear algebra: it parallelises easily" },
    body: {
      pl: `<p>Dla danego wejścia X obliczenie F(X) to głównie „czysta” algebra liniowa. Wszystkie punkty naraz, jako wiersze macierzy:</p>${M(BATCH)}
<p>Każdy wierzchołek liczy się tak samo i niezależnie od innych: tu robi to shader wierzchołków karty graficznej (<code>morph.vert</code>), a wynik sprawdzamy na CPU.</p>`,
      en: `<p>For a given input X, computing F(X) is mostly "pure" linear algebra. All points at once, as the rows of a matrix:</p>${M(BATCH)}
<p>Every vertex is computed the same way, independently of the others: here the graphics card's vertex shader does it (<code>morph.vert</code>), and the CPU checks the result.</p>`,
    },
    notes: {
      pl: "Panel: ile punktów, kształty macierzy, i największa różnica GPU − CPU (float32) zmierzona teraz w tej przeglądarce.",
      en: "The panel: how many points, the matrices' shapes, and the largest GPU − CPU difference (float32), measured now in this browser.",
    },
  },
  {
    id: "graphics", scene: "platonic", start: { spin: true, wireframe: true }, panel: "polyhedra",
    title: { pl: "Dygresja w dygresji: grafika 3D", en: "A digression within the digression: 3D graphics" },
    body: {
      pl: `<p>Grafika 3D to w dużej mierze algebra liniowa.</p><ul><li>Elementy sceny 3D to wielościany.</li>
<li>Główny problem: narysować wiele wielościanów, uwzględniając perspektywę i ruch kamery.</li>
<li>Przekształcenia wielościanów to przekształcenia afiniczne.</li></ul>`,
      en: `<p>3D graphics is to a large extent linear algebra.</p><ul><li>The elements of a 3D scene are polyhedra.</li>
<li>The main problem: draw many polyhedra, taking perspective and the camera's motion into account.</li>
<li>These transformations of the polyhedra are affine maps.</li></ul>`,
    },
    notes: {
      pl: "Panel liczy dla każdej bryły wierzchołki, krawędzie i ściany (trójkąty) z siatki, którą rysuje karta.",
      en: "The panel counts each solid's vertices, edges and faces (triangles) from the mesh the card draws.",
    },
  },
  {
    id: "camera", scene: "platonic", start: { spin: true }, panel: "world",
    title: { pl: "Kamera stoi w miejscu, obraca się świat", en: "The camera stays, the world turns" },
    body: {
      pl: `<p>Zwykłe rozwiązanie: kamera stoi w miejscu, przekształcamy resztę świata (obrót świata wokół kamery zamiast obrotu kamery w świecie):</p>${M(WORLD)}
<p>Przeciągnij myszką: zmienia się tylko macierz „world”. Jej część A jest obrotem: det A = 1, AᵀA = I.</p>`,
      en: `<p>The usual solution: the camera stays in place and the rest of the world is transformed (the world turns around the camera instead of the camera turning in the world):</p>${M(WORLD)}
<p>Drag with the mouse: only the "world" matrix changes. Its part A is a rotation: det A = 1, AᵀA = I.</p>`,
    },
    notes: {
      pl: "Spacja przechodzi dalej, więc obrót zatrzymuje się przeciągnięciem; R przywraca widok, T: obrotnica.",
      en: "Space moves on, so drag to stop the spin; R resets the view, T: turntable.",
    },
  },
  {
    id: "perspective", scene: "obj-model", start: { spin: false }, panel: "projection",
    title: { pl: "Perspektywa: jeszcze jedna macierz 4×4", en: "Perspective: one more 4×4 matrix" },
    body: {
      pl: `<p>Ze współrzędnych kamery na ekran: macierz rzutowania P, potem dzielenie przez w.</p>${M(CLIP)}
<p>P przełącza rzut perspektywiczny i prostokątny. Tylko dzielenie przez w nie jest afiniczne.</p>`,
      en: `<p>From camera coordinates to the screen: the projection matrix P, then a division by w.</p>${M(CLIP)}
<p>P toggles perspective and orthographic. Only the division by w is not affine.</p>`,
    },
    notes: {
      pl: "Klawisz P: widać, jak zmienia się ostatni wiersz macierzy P (0 0 −1 0 w perspektywie).",
      en: "Key P: watch P's last row change (0 0 −1 0 in perspective).",
    },
  },
  {
    id: "faces", scene: "1980-vs-2015", start: { spin: true }, panel: "faces",
    title: { pl: "Kiedyś i dziś: 1980 mało ścian, 2015 dużo", en: "Then and now: 1980 few faces, 2015 many" },
    body: {
      pl: `<p>Ta sama sfera dwa razy: 80 trójkątów i 20 480 trójkątów. Rachunek na wierzchołek jest ten sam, ta sama macierz świata; urosła tylko liczba wierzchołków.</p>`,
      en: `<p>The same sphere twice: 80 triangles and 20,480 triangles. The maths per vertex is the same, the same world matrix; only the number of vertices grew.</p>`,
    },
    notes: {
      pl: "Pomiar: affine3d bench render (poziomy 0–8 ikosfery).",
      en: "To measure it: affine3d bench render (icosphere levels 0 to 8).",
    },
  },
  {
    id: "gpu", scene: "cube-to-sphere", start: { stage: 0, play: true, spin: true }, panel: "gpu",
    title: { pl: "CPU i GPU", en: "CPU and GPU" },
    body: {
      pl: `<ul><li>CPU: kilka–kilkanaście rdzeni ogólnego przeznaczenia.</li>
<li>GPU: tysiące rdzeni, wyspecjalizowanych, pojedynczo słabych, wykorzystujących równoległość rachunku macierzowego.</li>
<li>Surowa moc obliczeniowa GPU i CPU (z podobnej „półki”): ~10 : 1.</li></ul>
<p>GPU jest zoptymalizowane pod „te same” obliczenia co grafika 3D, stąd GPU w uczeniu maszynowym (a od drugiej połowy lat 2010. TPU).</p>`,
      en: `<ul><li>CPU: few general-purpose cores (about a dozen).</li>
<li>GPU: thousands of cores, specialised, each weak, exploiting the parallelism of matrix computations.</li>
<li>Raw computing power, GPU : CPU of a similar class: about 10 : 1.</li></ul>
<p>The GPU is optimised for "the same" computations as 3D graphics, hence GPUs in machine learning (and, from the late 2010s, TPUs).</p>`,
    },
    notes: {
      pl: "Liczby tej maszyny: affine3d bench gpu --json bench.json, potem affine3d lecture --bench bench.json. Na llvmpipe/SwiftShader „GPU” to te same rdzenie CPU.",
      en: "This machine's figures: affine3d bench gpu --json bench.json, then affine3d lecture --bench bench.json. On llvmpipe/SwiftShader the \"GPU\" is the same CPU cores.",
    },
  },
  {
    id: "model", scene: "cube-to-sphere", start: { stage: 0, play: true, spin: true }, panel: "file",
    title: { pl: "Ekosystem ML: wytrenowany model to po prostu funkcja", en: "The ML ecosystem: a trained model is just a function" },
    body: {
      pl: `<p>„Surowe” dane opisujące wytrenowany model:</p><ul><li>opis architektury (rozmiary macierzy, definicje funkcji przejścia);</li>
<li>faktyczne wartości współczynników macierzy i biasów (parametry);</li><li>dla modeli językowych: zanurzenia tokenów;</li><li>inne metadane.</li></ul>
<p>Trzymane w standardowych formatach, jako binarne bloby. Pod spodem bajty pliku tej sieci, jak je pokazuje <code>affine3d inspect</code>.</p>`,
      en: `<p>The "raw" data that describe a trained model:</p><ul><li>a description of the architecture (matrix sizes, activation functions);</li>
<li>the actual values of the matrix coefficients and biases (the parameters);</li><li>for language models: token embeddings;</li><li>other metadata.</li></ul>
<p>Kept in standard formats, as binary blobs. Below: this network's file, byte by byte, as <code>affine3d inspect</code> shows it.</p>`,
    },
    notes: {
      pl: "Pierwsze 8 bajtów to długość nagłówka JSON (little-endian); potem nagłówek, potem tensory float32 pod podanymi przesunięciami.",
      en: "The first 8 bytes are the JSON header's length (little-endian); then the header, then the float32 tensors at the offsets it gives.",
    },
  },
  {
    id: "engine", scene: "cube-to-sphere", start: { stage: 0, play: true, spin: false, wireframe: true }, panel: "engine",
    title: { pl: "Silnik inferencyjny", en: "An inference engine" },
    body: {
      pl: `<p>Silnik inferencyjny (w sensie ML) to oprogramowanie, które wykonuje wytrenowany model: ładuje model (być może w wielu formatach) i wydajnie wylicza jego wynik dla danych wejść. Np. Torch, TensorFlow, ONNX Runtime, llama.cpp.</p>
<p>Tutaj silnikiem jest WebGL2 tej przeglądarki: ten sam shader co w programie na komputerze.</p>`,
      en: `<p>An inference engine (in the ML sense) is software that executes a trained model: it loads the model (possibly in many formats) and efficiently computes its output for given inputs. For example Torch, TensorFlow, ONNX runtimes, llama.cpp.</p>
<p>Here the engine is this browser's WebGL2: the same shader as in the desktop program.</p>`,
    },
    notes: {
      pl: "Panel: z czego zbudowano silnik tej strony i co właśnie policzył (etap, liczba punktów, renderer WebGL).",
      en: "The panel: what this page's engine is made of and what it just computed (stage, points, the WebGL renderer).",
    },
  },
  {
    id: "application", scene: "platonic", start: { spin: true }, panel: "application",
    title: { pl: "Aplikacja ML = silnik + interfejs + klej", en: "An ML application = engine + interface + glue" },
    body: {
      pl: `<p>Typowa aplikacja ML (i nie tylko): silnik inferencyjny z załadowanym modelem, interfejs (np. webowy) i kod „sklejający” jedno z drugim.</p>
<p>Ta prezentacja sama jest taką aplikacją: pod spodem jej trzy części, policzone teraz.</p>`,
      en: `<p>A typical ML application (and not only ML): an inference engine with a loaded model, an interface (for example a web page), and "glue" code joining the two.</p>
<p>This deck is such an application itself: its three parts below, counted now.</p>`,
    },
    notes: {
      pl: "Silnik: gl.js + shadery; interfejs: lecture.html + deck.js; klej: dane scen (JSON) i plik modelu, wczytane przez deck.js.",
      en: "Engine: gl.js + shaders; interface: lecture.html + deck.js; glue: the scene data (JSON) and the model file, loaded by deck.js.",
    },
  },
  {
    id: "huggingface", scene: "shapes", start: { spin: true }, panel: "huggingface",
    title: { pl: "Przykład: Hugging Face", en: "The running example: Hugging Face" },
    body: {
      pl: `<p>Dziś jest wielu dostawców inferencji (hostujących silniki i modele) i interfejsów. Hugging Face ma wszystkie trzy części:</p>
<ul><li>Hub: pliki modeli (format <code>.safetensors</code>, ten sam co tutaj) z kartą modelu (metadane);</li>
<li>silniki: biblioteki (transformers, diffusers) i dostawcy inferencji;</li>
<li>interfejs i klej: Spaces (np. strona w Gradio).</li></ul>`,
      en: `<p>Today there are many providers of inference (hosting engines and models) and of interfaces. Hugging Face has all three parts:</p>
<ul><li>the Hub: model files (the <code>.safetensors</code> format, the same as here) with a model card (metadata);</li>
<li>engines: libraries (transformers, diffusers) and inference providers;</li>
<li>interface and glue: Spaces (for example a Gradio page).</li></ul>`,
    },
    notes: {
      pl: "Nic tu nie łączy się z internetem: slajd tylko nazywa części. Dowolny plik .safetensors z Hubu da się obejrzeć: affine3d inspect plik.safetensors.",
      en: "Nothing here connects to the internet: the slide only names the parts. Any .safetensors file from the Hub can be looked into: affine3d inspect file.safetensors.",
    },
  },
  {
    id: "summary", scene: "platonic", start: { spin: true }, panel: "commands",
    title: { pl: "Jedna idea", en: "One idea" },
    body: {
      pl: `${M(ONE)}<p>Bryła na ekranie i warstwa sieci to to samo przekształcenie afiniczne. Każdy slajd to polecenie, które można uruchomić samemu:</p>`,
      en: `${M(ONE)}<p>A solid on the screen and a layer of a network are the same affine map. Every slide is a command you can run yourself:</p>`,
    },
    notes: {
      pl: "Zadania dla studentów: affine3d exercise list.",
      en: "Exercises for the students: affine3d exercise list.",
    },
  },
];

// The words of the deck's own interface.
export const UI = {
  pl: {
    slide: "slajd", of: "z", next: "następny", now: "teraz", notes: "notatki", elapsed: "upłynęło",
    presenter: "widok prowadzącego", end: "koniec", keys: "→ dalej · ← wstecz · numer + Enter · Shift+P: widok prowadzącego",
    vertex: "wierzchołek", points: "punktów", noBench: "Brak pomiarów tej maszyny w prezentacji. Aby je dodać:",
    bench: "Pomiary tej maszyny (affine3d bench)", live: "Na żywo w tej przeglądarce",
  },
  en: {
    slide: "slide", of: "of", next: "next", now: "now", notes: "notes", elapsed: "elapsed",
    presenter: "presenter view", end: "end", keys: "→ next · ← back · a number + Enter · Shift+P: presenter view",
    vertex: "vertex", points: "points", noBench: "No figures of this machine in the deck. To add them:",
    bench: "This machine's figures (affine3d bench)", live: "Live in this browser",
  },
};

export const LANGUAGES = ["pl", "en"];
