"""`affine3d mlp-demo`: run through the CLI; numbers checked against independent references."""

import math
import re

import numpy as np
import onnxruntime as ort
import pytest
from PIL import Image
from pytransform3d.rotations import matrix_from_axis_angle

from affine3d.cli import main
from affine3d.commands import mlp_demo
from affine3d.errors import GLUnavailableError
from affine3d.nn.mlp import MLP

NUMBER = r"-?\d+\.\d+"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One run of the whole demo with --explain (the slow part, shared by the tests below)."""
    import contextlib
    import io

    out = tmp_path_factory.mktemp("demo")
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["mlp-demo", "--explain", "--out", str(out)])
    return code, buffer.getvalue(), out


def _true_matrix():
    axis = np.array(mlp_demo.TRUE_AXIS) / np.linalg.norm(mlp_demo.TRUE_AXIS)
    M = np.eye(4)
    M[:3, :3] = matrix_from_axis_angle(np.r_[axis, math.radians(mlp_demo.TRUE_ANGLE_DEG)])  # pytransform3d
    M[:3, 3] = mlp_demo.TRUE_T
    return M


def test_demo_runs_and_writes_its_files(demo):
    """Exit code 0; the two pictures and both model files exist and are what they claim to be."""
    code, text, out = demo
    assert code == 0
    for name in ("learned_cube.png", "decision_regions.png", "rings.safetensors", "rings.onnx"):
        assert (out / name).is_file(), name
    with Image.open(out / "learned_cube.png") as image:
        assert image.size == (1600, 1000)
    with Image.open(out / "decision_regions.png") as image:
        assert image.format == "PNG" and image.size[0] >= 1600 and image.size[0] > image.size[1]
    assert all(f"Step {k}/4" in text for k in (1, 2, 3, 4))


def text_rows(band: np.ndarray) -> int:
    """How many pixel rows of ``band`` (RGB) hold light text on the dark background."""
    return int(np.any(band.min(axis=2) > 200, axis=1).sum())


def test_pictures_are_slide_ready(demo):
    """Both pictures are at least 1600 px wide with a title in large type above the picture and a legend under it:
    the title's light rows are at least 28 px tall (readable from the back of a room), the legend shows every
    class colour (decision regions) or both cubes' colours (learned cube) in swatches beside its words."""
    _, _, out = demo
    regions = np.asarray(Image.open(out / "decision_regions.png").convert("RGB"))
    assert regions.shape[1] >= 1600
    top, panel_top = regions[:60], 120
    assert text_rows(top) >= 28  # the title's capitals and descenders
    legend = regions[panel_top + mlp_demo.REGIONS_PANEL :]
    for color in mlp_demo.CLASS_COLORS:  # a swatch of each class colour, 36 px square
        assert (np.abs(legend.astype(int) - color).max(axis=2) <= 2).sum() >= 30 * 30, color
    assert text_rows(legend) >= 40
    cube = np.asarray(Image.open(out / "learned_cube.png").convert("RGB"))
    assert text_rows(cube[:70]) >= 28
    legend = cube[-120:]
    for color in ((0.6, 0.6, 0.65), (0.95, 0.55, 0.2)):
        swatch = np.round(np.array(color) * 255)
        assert (np.abs(legend.astype(int) - swatch).max(axis=2) <= 2).sum() >= 30 * 30, color
    assert text_rows(legend) >= 20


def test_step1_numbers_are_the_lecture_formula(demo):
    """The printed y1, y2, y3 equal sigmoid(sum_j w_ij x_j + b_i) computed here from the demo's W, b, x."""
    _, text, _ = demo
    W, b, x = mlp_demo.LAYER_W, mlp_demo.LAYER_B, mlp_demo.LAYER_X
    for i in range(3):
        z = sum(W[i, j] * x[j] for j in range(3)) + b[i]
        printed = re.search(rf"y{i + 1} = sigma\(.*\) = sigma\(({NUMBER}|-?\d+)\) = ({NUMBER})", text)
        assert printed, f"y{i + 1} line missing"
        assert float(printed.group(1)) == pytest.approx(z, abs=1e-4)
        assert float(printed.group(2)) == pytest.approx(1 / (1 + math.exp(-z)), abs=1e-6)
    assert "the three agree" in text


def test_step3_learned_matrix_matches_the_truth(demo):
    """The printed learned 4x4 matrix equals [[R, t], [0, 1]] built with pytransform3d, to 1e-4."""
    _, text, _ = demo
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("learned 4x4 matrix"))
    learned, true = [], []
    for line in lines[start + 1 : start + 5]:
        numbers = [float(v) for v in re.findall(NUMBER, line)]
        assert len(numbers) == 8, line
        learned.append(numbers[:4])
        true.append(numbers[4:])
    expected = _true_matrix()
    np.testing.assert_allclose(learned, expected, atol=1e-4)
    np.testing.assert_allclose(true, expected, atol=1e-6)


def test_step4_accuracy_and_files_agree_with_onnxruntime(demo):
    """The MLP beats the linear collapse; the saved .safetensors network and onnxruntime on the .onnx agree."""
    _, text, out = demo
    acc = float(re.search(r"accuracy on 3000 new points (\d+\.\d)%", text).group(1))
    linear = float(re.search(r"without sigma: accuracy (\d+\.\d)%", text).group(1))
    assert acc > 95.0 and linear < 70.0
    net = MLP.load(out / "rings.safetensors")
    assert net.sizes == [2, 16, 16, 3]
    X = np.random.default_rng(0).uniform(-1.5, 1.5, (500, 2)).astype(np.float32)
    session = ort.InferenceSession(str(out / "rings.onnx"), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(None, {"input": X})[0], net(X), atol=1e-5)
    # the network really learned the rings: check against the geometric truth on fresh points
    r = np.hypot(X[:, 0], X[:, 1])
    truth = np.where(r < mlp_demo.R_INNER, 0, np.where(r < mlp_demo.R_OUTER, 1, 2))
    assert np.mean(np.argmax(net(X), axis=1) == truth) > 0.93


def test_explain_shows_the_trace(demo):
    """--explain prints the forward pass of one point, named step by step."""
    _, text, _ = demo
    for name in ("z1 = W1 x + b1", "a1 = tanh(z1)", "z3 = W3 a2 + b3", "y = softmax(z3)"):
        assert name in text
    # the output row is a probability vector: every entry printed positive (softmax is never 0), sum 1
    row = re.search(r"y = softmax\(z3\)\s+\[([^\]]*)\]", text).group(1)
    probabilities = [float(v) for v in row.split(",")]
    assert len(probabilities) == 3 and min(probabilities) > 0
    assert abs(sum(probabilities) - 1) < 0.01


def test_without_opengl_the_picture_is_a_one_line_note(tmp_path, monkeypatch):
    """If no OpenGL context can be made, step 3 says so in one line instead of failing."""
    import affine3d.gl.renderer as renderer

    def no_gl(*args, **kwargs):
        raise GLUnavailableError("no OpenGL 3.3 context could be made (EGL: test)")

    monkeypatch.setattr(renderer, "render", no_gl)
    note = mlp_demo._render_cube(mlp_demo.true_map(), tmp_path / "cube.png")
    assert note.startswith("(no picture:") and "\n" not in note
    assert not (tmp_path / "cube.png").exists()


def test_out_that_is_a_file_is_one_line_and_exit_2(tmp_path, capsys):
    """--out naming an existing file: exit code 2 and one line on stderr, nothing computed."""
    target = tmp_path / "taken"
    target.write_text("x")
    assert main(["mlp-demo", "--out", str(target)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.strip().splitlines()) == 1 and "not a folder" in captured.err
