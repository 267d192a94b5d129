"""A guided tour, in four computed steps: a neural-network layer and a 3D transform are one affine map.

The command's --help text is DESCRIPTION below (marked for the catalogue, shown in the reader's language).
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np

from ..errors import one_line
from .. import i18n
from ..i18n import N_, _, ngettext, prose_number

HELP = N_("guided tour: an MLP layer and a 3D transform are the same affine map (trains, renders, saves models)")

DESCRIPTION = N_("""A guided tour, in four computed steps: a neural-network layer and a 3D transform are one affine map.

  1. The lecture's 3-input, 3-output layer: the three neuron formulas with their numbers, the same
     as sigma(W x + b), and the same as one homogeneous 4x4 matrix; the three agree.
  2. One Affine object, two jobs: it turns a cube's vertices (graphics) and is a network layer (ML).
  3. A linear 3 -> 3 layer trained on pairs (x, R x + t) learns the rotation R and the translation
     t: the learned 4x4 matrix next to the true one, and the cube rendered with the learned matrix.
  4. A small non-linear network learns to tell three regions of the plane apart (a disc, the ring
     around it, the outside); the same layer sizes trained without sigma collapse to one affine map
     and cannot. A picture of both decision regions; the model saved as .safetensors and .onnx and
     loaded back (and run by onnxruntime when installed) to show the files hold the same function.

Every number printed is computed as the demo runs. --out (default ./affine3d-demo) gets
learned_cube.png, decision_regions.png, rings.safetensors and rings.onnx; files of those names
already there are replaced (the last line lists them), each through a temporary file renamed over
it, and a symbolic link among them is refused before anything runs. --explain adds the
intermediate values: each neuron's products, the floats to_gl() uploads, the training loss, and
one point's forward pass through the classifier.

Examples:
  affine3d mlp-demo
  affine3d mlp-demo --explain --out /tmp/demo
""")

# Step 3's ground truth: the map the linear layer has to discover from examples.
TRUE_AXIS = (1.0, 2.0, 2.0)
TRUE_ANGLE_DEG = 50.0
TRUE_T = (0.5, -0.25, 1.0)

# Step 4's task: class 0 inside radius R_INNER, class 1 in the ring up to R_OUTER, class 2 outside.
R_INNER, R_OUTER = 0.5, 1.0
EXTENT = 1.5  # points are drawn from the square [-EXTENT, EXTENT]^2
CLASS_NAMES = ("disc", "ring", "outside")  # as the model file's metadata names them (English, as every key)
SHOWN_CLASS_NAMES = (N_("disc"), N_("ring"), N_("outside"))  # as the narration and the picture name them
CLASS_COLORS = ((230, 85, 60), (70, 150, 220), (245, 200, 70))


def add_arguments(parser) -> None:
    parser.add_argument("--explain", action="store_true", help=_("also print the intermediate values"))
    parser.add_argument("--out", metavar="DIR", default="affine3d-demo",
                        help=_("where pictures and model files go (default: ./affine3d-demo)"))
    parser.add_argument("--seed", type=int, default=0, help=_("seed for data and initial weights, >= 0 (default 0)"))


OUTPUT_FILES = ("learned_cube.png", "decision_regions.png", "rings.safetensors", "rings.onnx")
"""What --out gets, in the order the steps write them."""


def run(args) -> int:
    from ..errors import UsageError
    from ..fileio import check_output, make_folder

    if args.seed < 0:
        raise UsageError(_("--seed: expected a whole number >= 0, got {seed}").format(seed=args.seed))
    out = make_folder(args.out, "--out")
    # Before minutes of training: every file must be writable, and none a link out of the folder.
    replaced = [name for name in OUTPUT_FILES if check_output(out / name, "--out")]
    start = time.perf_counter()
    print(_("affine3d mlp-demo: a neural-network layer and a 3D transform are the same affine map F(x) = A x + b"))
    step1(args.explain)
    step2(args.explain)
    step3(args.explain, out, args.seed)
    step4(args.explain, out, args.seed)
    print()
    print(_("done in {seconds} s; files in {folder}/").format(seconds=prose_number(time.perf_counter() - start, 1), folder=out))
    if replaced:
        print(ngettext("replaced {count} file that was in {folder}/: {names}",
                       "replaced {count} files that were in {folder}/: {names}", len(replaced)).format(
            count=len(replaced), folder=out, names=", ".join(replaced)))
    return 0


# ====================================================================== printing helpers
def _heading(number: int, title: str) -> None:
    line = _("Step {number}/4  {title}").format(number=number, title=title)
    print(f"\n{line}\n{'-' * len(line)}")


def _n(value: float, digits: int = 4) -> str:
    """A number as on a blackboard: 2, -0.75, 0.0323."""
    value = float(value)
    if value == int(value) and abs(value) < 1e6:
        return str(int(value))
    return f"{value:.{digits}f}".rstrip("0").rstrip(".")


def _factor(value: float) -> str:
    text = _n(value)
    return f"({text})" if value < 0 else text


def _vector(v, digits: int = 4) -> str:
    return "[" + ", ".join(_n(x, digits) for x in v) + "]"


def _matrix_rows(M, digits: int = 6) -> list[str]:
    cells = [[f"{x:.{digits}f}" for x in row] for row in np.asarray(M)]
    width = max(len(c) for row in cells for c in row)
    return ["[ " + "  ".join(c.rjust(width) for c in row) + " ]" for row in cells]


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# ====================================================================== step 1
LAYER_W = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75], [-1.0, 1.0, 0.5]])
LAYER_B = np.array([0.1, -0.2, 0.3])
LAYER_X = np.array([1.0, 2.0, -1.0])


def step1(explain: bool) -> None:
    from ..affine import Affine
    from ..nn.mlp import MLP

    _heading(1, _("one layer of the lecture: three inputs, three outputs, sigma = sigmoid"))
    W, b, x = LAYER_W, LAYER_B, LAYER_X
    print("  " + _("inputs x = {x}").format(x=_vector(x)))
    print("  " + _("weights W (row i: the weights of neuron i)   biases b"))
    for i in range(3):
        print(f"    [{', '.join(_n(w).rjust(5) for w in W[i])} ]   b{i + 1} = {_n(b[i])}")

    print("\n  " + _("a) neuron by neuron:  y_i = sigma(w_i1 x1 + w_i2 x2 + w_i3 x3 + b_i)"))
    by_neuron = []
    for i in range(3):
        terms = [W[i, j] * x[j] for j in range(3)]
        z = sum(terms) + b[i]          # plain Python sums: nothing vectorised here
        y = 1.0 / (1.0 + math.exp(-z))
        by_neuron.append(y)
        written = " + ".join(f"{_factor(W[i, j])}*{_factor(x[j])}" for j in range(3))
        print(f"    y{i + 1} = sigma({written} + {_factor(b[i])}) = sigma({_n(z)}) = {_n(y, 6)}")
        if explain:
            print("         " + _("products {products}; sum with bias {z}; sigma(z) = 1 / (1 + e^-z) = 1 / (1 + {e})").format(
                products=", ".join(_n(t) for t in terms), z=_n(z), e=_n(math.exp(-z), 6)))

    print("\n  " + _("b) as matrices:  y = sigma(W x + b), sigma applied to each entry"))
    layer = MLP.from_arrays([W], [b], "sigmoid")
    z = W @ x + b
    by_matrix = layer(x)
    print(f"    W x = {_vector(W @ x)},  W x + b = {_vector(z)},  sigma(W x + b) = {_vector(by_matrix, 6)}")

    print("\n  " + _("c) as one homogeneous 4x4 matrix M = [[W, b], [0 0 0 1]] acting on (x, 1):"))
    M = Affine(W, b).matrix
    hx = np.append(x, 1.0)
    Mx = M @ hx
    for k, row in enumerate(_matrix_rows(M, 2)):
        print(f"    {row}  [{_n(hx[k]).rjust(2)} ]   =  [{_n(Mx[k]).rjust(6)} ]")
    by_homogeneous = _sigmoid(Mx[:3])
    print("    " + _("sigma of the first three entries = {values}  (the last entry stays 1: a point stays a point)").format(
        values=_vector(by_homogeneous, 6)))

    diff = max(np.max(np.abs(np.array(by_neuron) - by_matrix)), np.max(np.abs(by_homogeneous - by_matrix)))
    print("\n  " + _("the three agree: largest difference {difference:.1e}").format(difference=diff))


# ====================================================================== step 2
def step2(explain: bool) -> None:
    from ..affine import Affine
    from ..nn.mlp import MLP
    from ..geometry.solids import cube

    _heading(2, _("one Affine object, two jobs: it moves a cube (graphics) and is a layer (ML)"))
    F = Affine.translation([0.0, 0.5, 0.0]) @ Affine.rotation_y(math.radians(30))
    net = MLP([(F, "identity")])
    vertices = cube().vertices
    print("  F = translation([0, 0.5, 0]) @ rotation_y(30 deg):")
    for row in repr(F).splitlines()[1:]:
        print(f"    {row}")
    graphics = F(vertices)               # what the renderer does to a mesh (model: object -> world)
    ml = net(vertices)                   # what a network layer does to a batch of inputs
    print("\n  " + _("the network's layer is that very object: {code} -> {answer}").format(
        code="`net.layers[0].affine is F`", answer=net.layers[0].affine is F))
    print("  " + _("the cube's {count} vertices (object space) -> F(v) as graphics, and as the layer's output").format(
        count=len(vertices)))
    print("  " + _("(the cube fits in the unit sphere: its corners are (+-1, +-1, +-1) / sqrt(3), so +-{half}):").format(
        half=prose_number(1 / math.sqrt(3), 3)))
    heads = (_("vertex v"), _("graphics: F(v)"), _("ML: layer(v) = W v + b"))
    print(f"    {heads[0]:<26}  {heads[1]:<26}  {heads[2]}")
    for v, g, m in zip(vertices, graphics, ml):
        print(f"    {_vector(v, 3):<26}  {_vector(g, 3):<26}  {_vector(m, 3)}")
    print("  " + _("largest difference between the two columns: {difference:.1e}").format(
        difference=np.max(np.abs(graphics - ml))))
    if explain:
        gl = np.frombuffer(F.to_gl(), dtype=np.float32)
        print("  " + _("the renderer uploads F.to_gl() as the 'model' uniform: 16 float32, column-major:"))
        print(f"    {_vector(gl, 3)}")
        print("  " + _("and the layer computes the batch as rows: F(V) = V @ A.T + b (V of shape (8, 3))"))


# ====================================================================== step 3
def true_map():
    """Step 3's target ``x -> R x + t`` (rotation about TRUE_AXIS by TRUE_ANGLE_DEG, then TRUE_T)."""
    from ..affine import Affine

    return Affine.translation(TRUE_T) @ Affine.rotation(TRUE_AXIS, math.radians(TRUE_ANGLE_DEG))


def step3(explain: bool, out: Path, seed: int) -> None:
    from ..nn.mlp import MLP
    from ..nn.train import fit

    _heading(3, _("a linear 3 -> 3 layer learns a rotation and a translation from examples"))
    truth = true_map()
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (256, 3))
    Y = truth(X)
    print("  " + _("256 pairs (x, R x + t), x random in [-1, 1]^3: R turns {angle} deg about {axis}, t = {t}").format(
        angle=_n(TRUE_ANGLE_DEG), axis=_vector(TRUE_AXIS), t=_vector(TRUE_T)))
    print("  " + _("the layer starts random and is trained by gradient descent with momentum on the squared error;"))
    print("  " + _("one epoch = one step, with the gradient over all 256 pairs"))

    def report(epoch, mlp, loss):
        if explain and epoch in (1, 10, 30, 100, 200, 400):
            print("    " + _("epoch {epoch:4d}: mean squared error {loss:.3e}").format(epoch=epoch, loss=loss))

    result = fit(MLP.random([3, 3], output="identity", seed=seed), X, Y, loss="mse", optimizer="sgd",
                 lr=0.5, momentum=0.9, epochs=400, quiet=True, label=_("step 3"), callback=report)
    learned = result.mlp.collapse()
    print("  " + _("after {epochs} epochs ({seconds} s): mean squared error {loss:.2e}").format(
        epochs=len(result.losses), seconds=prose_number(result.seconds, 2), loss=result.losses[-1]))
    heads = (_("learned 4x4 matrix [[W, b], [0, 1]]"), _("true 4x4 matrix [[R, t], [0, 1]]"))
    print(f"\n  {heads[0]:<46}  {heads[1]}")
    for left, right in zip(_matrix_rows(learned.matrix), _matrix_rows(truth.matrix)):
        print(f"  {left:<46}  {right}")
    error = np.max(np.abs(learned.matrix - truth.matrix))
    print("  " + _("largest difference {difference:.1e}; det W = {det:.6f}; max|W^T W - I| = {error:.1e} "
                   "(a rotation: det 1, W^T W = I)").format(difference=error, det=learned.determinant,
                                                            error=learned.orthonormality_error()))

    path = out / "learned_cube.png"
    note = _render_cube(learned, path)
    print(f"  {note}")


CUBE_SIZE = (1600, 1000)
"""learned_cube.png, in pixels: wide enough for a slide (the scene, a title above it, a legend below)."""


def _render_cube(learned, path: Path) -> str:
    """The cube moved by the learned matrix (orange) and where it started (grey), edges drawn, with a title and
    a legend, for a slide; a one-line note."""
    from ..affine import Affine
    from ..errors import GLUnavailableError

    try:
        from ..geometry.solids import cube
        from ..gl.renderer import render
        from ..images import save_png
        from ..geometry.scene import Camera, Scene, SceneObject
    except ImportError as exc:
        return _("(no picture: the renderer is not available here: {error})").format(error=exc)
    grey, orange = (0.6, 0.6, 0.65), (0.95, 0.55, 0.2)
    scene = Scene(
        name="learned cube",
        path=None,
        objects=[
            SceneObject("original cube", cube(), Affine.identity(3), grey, wireframe=True),
            SceneObject("cube moved by the learned matrix", cube(), learned, orange, wireframe=True),
        ],
        camera=Camera(distance=5.8),  # the two cubes fill most of the picture
        world_rotation=Affine.rotation_x(math.radians(20)) @ Affine.rotation_y(math.radians(-30)),
    )
    width, height = CUBE_SIZE
    title_band, legend_band = 110, 120
    try:
        image = render(scene, (width, height - title_band - legend_band))
    except GLUnavailableError as exc:
        return _("(no picture: {error})").format(error=one_line(exc))
    save_png(_framed(image, scene.background,
                     _("A linear layer learned a rotation and a translation"),
                     _("the cube moved by the learned 4x4 matrix [[W, b], [0, 1]], trained on 256 pairs (x, R x + t)"),
                     [(grey, _("the cube as it starts (the identity)")),
                      (orange, _("the same cube moved by the learned W x + b"))],
                     title_band, legend_band), path, "--out")
    return _("rendered the cube moved by the learned matrix (orange; grey: where it started) -> {path}").format(path=path)


def _framed(image, background, title: str, subtitle: str, legend, title_band: int, legend_band: int):
    """A rendered (H, W, 4) image with a title band above and a legend band below (colour swatch, words), as uint8 RGB."""
    from PIL import Image, ImageDraw

    from ..images import font

    height, width = image.shape[:2]
    back = tuple(round(255 * c) for c in background[:3])
    sheet = Image.new("RGB", (width, height + title_band + legend_band), back)
    sheet.paste(Image.fromarray(image[..., :3]), (0, title_band))
    draw = ImageDraw.Draw(sheet)
    draw.text((40, 18), title, fill=(245, 245, 245), font=font(44, bold=True))
    draw.text((40, 72), subtitle, fill=(200, 200, 205), font=font(26))
    x, y = 40, height + title_band + (legend_band - 40) // 2
    for color, words in legend:
        rgb = tuple(round(255 * c) for c in color) if isinstance(color[0], float) else tuple(color)
        draw.rectangle([x, y, x + 40, y + 40], fill=rgb, outline=(240, 240, 240), width=2)
        label_font = font(30)
        draw.text((x + 56, y + 2), words, fill=(235, 235, 235), font=label_font)
        x += 56 + round(label_font.getlength(words)) + 70
    return np.asarray(sheet)


# ====================================================================== step 4
def ring_data(n: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points in the square, labelled 0 (disc r < R_INNER), 1 (ring up to R_OUTER), 2 (outside)."""
    X = rng.uniform(-EXTENT, EXTENT, (n, 2))
    r = np.hypot(X[:, 0], X[:, 1])
    labels = np.where(r < R_INNER, 0, np.where(r < R_OUTER, 1, 2))
    return X, labels


def step4(explain: bool, out: Path, seed: int) -> None:
    from ..nn.mlp import MLP
    from ..nn.train import accuracy, fit

    _heading(4, _("a non-linear network: disc, ring or outside?"))
    rng = np.random.default_rng(seed + 1)
    X, labels = ring_data(3000, rng)
    X_test, labels_test = ring_data(3000, rng)
    counts = np.bincount(labels, minlength=3)
    print("  " + _("3000 training points in the square [-{extent}, {extent}]^2: {counts}").format(
        extent=EXTENT, counts=", ".join(f"{c} {i18n._(name)}" for c, name in zip(counts, SHOWN_CLASS_NAMES))))
    print("  " + _("classes: 0 disc (r < {inner}), 1 ring ({inner} <= r < {outer}), 2 outside; softmax + cross-entropy, "
                   "Adam").format(inner=prose_number(R_INNER, 1), outer=prose_number(R_OUTER, 1)))

    sizes = [2, 16, 16, 3]
    start = MLP.random(sizes, activation="tanh", output="softmax", seed=seed,
                       metadata={"task": "disc / ring / outside in the plane", "classes": list(CLASS_NAMES),
                                 "inner_radius": R_INNER, "outer_radius": R_OUTER})
    result = fit(start, X, labels, loss="cross_entropy", optimizer="adam", lr=0.02, epochs=60, batch_size=64,
                 seed=seed, label=_("step 4: 2-16-16-3 tanh"))
    net = result.mlp
    acc = accuracy(net, X_test, labels_test)
    print("  " + _("MLP {sizes} (tanh, softmax): trained in {seconds} s, cross-entropy {loss}, accuracy on 3000 new "
                   "points {accuracy}").format(sizes=" -> ".join(map(str, sizes)), seconds=prose_number(result.seconds, 1),
                                               loss=prose_number(result.losses[-1], 3), accuracy=_percent(acc)))

    linear_start = MLP.random(sizes, activation="identity", output="softmax", seed=seed)
    linear = fit(linear_start, X, labels, loss="cross_entropy", optimizer="adam", lr=0.02, epochs=20, batch_size=64,
                 seed=seed, label=_("step 4: same layers, no sigma")).mlp
    linear_acc = accuracy(linear, X_test, labels_test)
    logits = MLP([l.affine for l in linear.layers]).collapse()
    majority = np.bincount(labels_test, minlength=3).max() / len(labels_test)
    print("  " + _("the same layer sizes, trained without sigma: accuracy {accuracy} (always answering 'outside' scores "
                   "{majority});").format(accuracy=_percent(linear_acc), majority=_percent(majority)))
    print("  " + _("its three affine layers compose to one affine map R^2 -> R^3, [W | b] below, before the softmax;"))
    print("  " + _("so the borders between its classes are straight lines, and none can cut a disc or a ring out of the "
                   "plane:"))
    for row in repr(logits).splitlines()[1:]:
        print(f"    {row}")

    if explain:
        point = np.array([0.7, 0.2])
        print("\n  " + _("the forward pass of one point, {point} (r = {r}: the ring), step by step:").format(
            point=_vector(point), r=prose_number(float(np.hypot(*point)), 3)))
        for step in net.trace(point):  # 3 significant digits: a probability of 0.0002 must not print as 0
            print(f"    {step.name:<18} [{', '.join(f'{v:.3g}' for v in step.value)}]")
        probabilities = step.value
        winner = int(np.argmax(probabilities))
        print("    " + _("the answer: the largest probability, {p}, is class {k}, '{name}'").format(
            p=prose_number(float(probabilities[winner]), 6), k=winner, name=i18n._(SHOWN_CLASS_NAMES[winner])))

    picture = out / "decision_regions.png"
    _save_regions(net, linear, X_test[:600], labels_test[:600], picture, acc, linear_acc)
    print("  " + _("decision regions (left: the MLP; right: without sigma) -> {path}").format(path=picture))
    print("    " + _("background: the class each network picks (red disc, blue ring, yellow outside; greyer: less sure);"))
    print("    " + _("white circles: the true borders r = {inner} and r = {outer}; dots: 600 test points, in their true "
                     "class's colour").format(inner=prose_number(R_INNER), outer=prose_number(R_OUTER)))

    _files(net, X_test, out)


def _files(net, X_test: np.ndarray, out: Path) -> None:
    from ..errors import ModelError
    from ..nn.model import load_model

    print("\n  " + _("the trained model as files an inference engine loads (architecture + weights + metadata):"))
    X32 = X_test.astype(np.float32)
    reference = net(X32)
    heads = (_("net(X) in memory, 3000 test points"), _("the reference each file below is compared with"))
    print(f"    {heads[0]:<40} {heads[1]}")
    rows = []
    paths = {}
    for suffix in (".safetensors", ".onnx"):
        path = out / f"rings{suffix}"
        try:
            net.save(path)
        except ModelError as exc:  # only .onnx, when the optional onnx package is missing
            rows.append((_("{suffix} file").format(suffix=suffix), None, str(exc)))
            continue
        paths[suffix] = path
        rows.append((_("{name}, loaded back").format(name=path.name), load_model(path, dims=(2, 3))(X32),
                     _("{size} bytes").format(size=prose_number(path.stat().st_size))))
    if ".onnx" in paths:
        try:
            import onnxruntime as ort

            session = ort.InferenceSession(str(paths[".onnx"]), providers=["CPUExecutionProvider"])
            rows.append((_("{name} in onnxruntime {version}").format(name=paths[".onnx"].name, version=ort.__version__),
                         session.run(None, {"input": X32})[0], None))
        except ImportError:
            rows.append(("onnxruntime", None, _("not installed (pip install 'affine3d[onnx]')")))
    for label, probabilities, note in rows:
        if probabilities is None:
            print(f"    {label:<40} {note}")
            continue
        diff = np.max(np.abs(probabilities - reference))
        agree = np.mean(np.argmax(probabilities, axis=1) == np.argmax(reference, axis=1))
        extra = f"  ({note})" if note else ""
        print(f"    {label:<40} " + _("probabilities differ by at most {difference:.1e}, same class for {share} of them").format(
            difference=diff, share=_percent(agree, 0)) + extra)
    if ".safetensors" in paths:
        print("  " + _("look inside: {command}").format(command=f"affine3d inspect {paths['.safetensors']}"))


def _percent(share: float, digits: int = 1) -> str:
    """``0.98`` -> ``98.0%`` (``98,0%`` in Polish): a share, for a sentence."""
    return prose_number(100 * float(share), digits) + "%"


REGIONS_PANEL = 780
"""decision_regions.png: each of the two maps is this many pixels square (the sheet is 1620 wide)."""


def _save_regions(net, linear, points, labels, path: Path, acc: float, linear_acc: float,
                  size: int = REGIONS_PANEL) -> None:
    """Two panels, for a slide: the class each network picks over the square, shaded by its confidence; the true
    circles; test points. A title over each, a legend under both."""
    from PIL import Image, ImageDraw

    from ..images import font

    coords = (np.arange(size) + 0.5) / size * 2 * EXTENT - EXTENT
    gx, gy = np.meshgrid(coords, -coords)  # image rows go down, y goes up
    grid = np.column_stack([gx.ravel(), gy.ravel()]).astype(np.float32)
    colors = np.array(CLASS_COLORS, dtype=np.float32)
    margin, gap, head, foot = 20, 20, 120, 150
    sheet = Image.new("RGB", (2 * size + gap + 2 * margin, head + size + foot), (25, 26, 31))
    draw = ImageDraw.Draw(sheet)
    draw.text((margin, 14), _("Disc, ring or outside: which class each network picks"), fill=(245, 245, 245),
              font=font(40, bold=True))
    panels = ((net, _("MLP 2-16-16-3 with tanh: {accuracy} right").format(accuracy=_percent(acc))),
              (linear, _("the same layers without σ: {accuracy} right").format(accuracy=_percent(linear_acc))))
    dot = max(3, size // 110)
    for k, (model, title) in enumerate(panels):
        p = model(grid)
        cls = np.argmax(p, axis=1)
        confidence = p[np.arange(len(p)), cls][:, None]
        rgb = colors[cls] * (0.35 + 0.65 * confidence) + 255 * 0.65 * (1 - confidence) * 0.5
        image = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8).reshape(size, size, 3), "RGB")
        panel = ImageDraw.Draw(image)
        to_px = lambda v: (v + EXTENT) / (2 * EXTENT) * size  # noqa: E731
        for radius in (R_INNER, R_OUTER):
            lo, hi = to_px(-radius), to_px(radius)
            panel.ellipse([lo, lo, hi, hi], outline=(255, 255, 255), width=3)
        for (x, y), label in zip(points, labels):
            px, py = to_px(x), to_px(-y)
            panel.ellipse([px - dot, py - dot, px + dot, py + dot], fill=CLASS_COLORS[label], outline=(30, 30, 30))
        left = margin + k * (size + gap)
        sheet.paste(image, (left, head))
        draw.text((left, head - 46), title, fill=(235, 235, 235), font=font(32))
    # The legend: what the colours, the shading, the circles and the dots mean.
    label_font = font(28)
    x, y = margin, head + size + 24
    for color, name in zip(CLASS_COLORS, (_("class 0: disc"), _("class 1: ring"), _("class 2: outside"))):
        draw.rectangle([x, y, x + 36, y + 36], fill=color, outline=(240, 240, 240), width=2)
        draw.text((x + 48, y + 2), name, fill=(235, 235, 235), font=label_font)
        x += 48 + round(label_font.getlength(name)) + 50
    paler = _("paler: less sure")
    draw.rectangle([x, y, x + 36, y + 36], fill=tuple(round(0.35 * c + 0.65 * 127.5 + 0.35 * 0) for c in CLASS_COLORS[1]),
                   outline=(240, 240, 240), width=2)
    draw.text((x + 48, y + 2), paler, fill=(235, 235, 235), font=label_font)
    y += 56
    x = margin
    draw.ellipse([x, y + 4, x + 36, y + 40], outline=(255, 255, 255), width=3)
    circles = _("white circles: the true borders r = {inner} and r = {outer}").format(
        inner=prose_number(R_INNER), outer=prose_number(R_OUTER))
    draw.text((x + 48, y + 6), circles, fill=(235, 235, 235), font=label_font)
    x += 48 + round(label_font.getlength(circles)) + 50
    draw.ellipse([x + 10, y + 14, x + 26, y + 30], fill=CLASS_COLORS[0], outline=(30, 30, 30))
    draw.text((x + 48, y + 6), _("dots: {count} test points, in their true class's colour").format(count=len(points)),
              fill=(235, 235, 235),
              font=label_font)
    from ..images import save_image

    save_image(sheet, path, "--out")
