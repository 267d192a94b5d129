"""The first things a student types: each answers with what they meant, or with one line that says what to do."""

import math

import numpy as np
import pytest

from affine3d import Affine, MLP, load_scene
from affine3d.errors import AffineError, ModelError, SceneError
from affine3d.nn.train import TrainResult, fit


# ---------------------------------------------------------------------------- F @ x
@pytest.mark.parametrize("make", [lambda F: F @ np.array([1.0, 0, 0]), lambda F: np.array([1.0, 0, 0]) @ F,
                                  lambda F: F @ [1.0, 0, 0], lambda F: [[1.0, 0, 0]] @ F])
def test_matmul_with_points_says_call_F(make):
    """F @ array (or array @ F) is a TypeError whose one line says F(x) applies and F @ G composes."""
    with pytest.raises(TypeError) as info:
        make(Affine.rotation_z(0.3))
    message = str(info.value)
    assert "F(x)" in message and "F @ G" in message and "ufunc" not in message
    assert "\n" not in message


# ---------------------------------------------------------------------------- from_matrix
def test_from_matrix_of_a_3x3_rotation_says_use_Affine_A():
    """A 3x3 rotation (last row not [0, 0, 1]) is A alone: the message says Affine(A)."""
    R = Affine.rotation_x(0.4).A
    with pytest.raises(AffineError) as info:
        Affine.from_matrix(R)
    assert "A alone" in str(info.value) and "Affine(A)" in str(info.value)
    assert "projection" not in str(info.value)


@pytest.mark.parametrize("shape", [(4, 3), (3, 4)])
def test_from_matrix_of_a_non_square_matrix_says_it_is_not_square(shape):
    """4x3 or 3x4 with a wrong last row: the message says the matrix is not square."""
    with pytest.raises(AffineError) as info:
        Affine.from_matrix(np.ones(shape))
    assert f"{shape[0]}x{shape[1]} matrix is not square" in str(info.value)


def test_from_matrix_keeps_the_projection_hint_for_a_projection():
    from affine3d.projection import perspective

    with pytest.raises(AffineError, match="projection"):
        Affine.from_matrix(perspective(1.0, 1.5, 0.1, 10))


def test_from_matrix_of_eye3_is_a_map_of_the_plane_and_dim_refuses_it():
    """np.eye(3) is a homogeneous 2D map (the repr says R^2 -> R^2); with dim=3 it is refused with the Affine(A) hint."""
    F = Affine.from_matrix(np.eye(3))
    assert (F.dim_in, F.dim_out) == (2, 2) and repr(F).splitlines()[0] == "Affine R^2 -> R^2"
    with pytest.raises(AffineError) as info:
        Affine.from_matrix(np.eye(3), dim=3)
    assert "(4, 4)" in str(info.value) and "Affine(A)" in str(info.value)
    G = Affine.rotation_y(0.2) @ Affine.translation([1, 2, 3])
    assert Affine.from_matrix(G.matrix, dim=3) == G


# ---------------------------------------------------------------------------- axis names
@pytest.mark.parametrize("name, index", [("x", 0), ("y", 1), ("z", 2), ("Z", 2)])
def test_rotation_takes_axis_names_as_scene_files_do(name, index):
    """Affine.rotation("z", a) is the rotation about the unit vector e_z (Rodrigues), as scene files' axis = "z"."""
    angle = 0.7
    expected = Affine.rotation(np.eye(3)[index], angle)
    assert Affine.rotation(name, angle).allclose(expected, atol=1e-15, rtol=0)


def test_rotation_with_an_unknown_axis_name_is_one_clear_error():
    with pytest.raises(AffineError, match="axis: expected 'x', 'y', 'z' or a vector"):
        Affine.rotation("w", 1.0)


# ---------------------------------------------------------------------------- equality
def test_equal_maps_are_equal_and_hash_alike():
    """== compares A and b exactly; equal maps hash alike (usable in sets and as dict keys); -0.0 == 0.0."""
    a = math.radians(30)
    assert Affine.rotation_x(a) == Affine.rotation_x(a)
    assert Affine.rotation_x(a) != Affine.rotation_x(a + 1e-12)
    assert Affine.translation([1, 2, 3]) != Affine.translation([1, 2, 3, 0])  # R^3 and R^4: different shapes
    assert len({Affine.rotation_x(a), Affine.rotation_x(a), Affine.identity(3)}) == 2
    zero, minus_zero = Affine(np.eye(2), [0.0, 0.0]), Affine(np.eye(2), [-0.0, 0.0])
    assert zero == minus_zero and hash(zero) == hash(minus_zero)
    assert (Affine.identity(3) == np.eye(4)) is False  # not an Affine: not equal, no elementwise array


def test_allclose_accepts_one_float32_rounding_and_nothing_coarser():
    """A map whose entries went through float32 is allclose; a change of 1e-6 is not."""
    F = Affine.rotation([1, 2, 3], 0.9) @ Affine.translation([10.0, -3.0, 0.25])
    stored = Affine(F.A.astype(np.float32), F.b.astype(np.float32))
    assert F != stored and F.allclose(stored) and stored.allclose(F)
    assert not F.allclose(Affine(F.A + 1e-6, F.b))
    assert not F.allclose(Affine(F.A, F.b * (1 + 1e-6)))


@pytest.mark.parametrize("suffix", [".safetensors", ".npz", ".onnx"])
def test_a_saved_network_is_allclose_to_the_one_in_memory(tmp_path, suffix):
    """net.allclose(MLP.load(saved)) is True for every format (float32 files), and == stays exact."""
    net = MLP.random([3, 16, 16, 2], activation="tanh", seed=3)
    path = tmp_path / f"net{suffix}"
    net.save(path)
    loaded = MLP.load(path)
    assert net.allclose(loaded) and loaded.allclose(net)
    assert net != loaded and net == MLP.random([3, 16, 16, 2], activation="tanh", seed=3)
    assert not net.allclose(MLP.random([3, 16, 16, 2], activation="tanh", seed=4))


# ---------------------------------------------------------------------------- messages
def test_singular_inverse_message_has_its_space():
    with pytest.raises(AffineError) as info:
        Affine(np.zeros((3, 3))).inverse()
    assert ") and has no inverse" in str(info.value)


def test_fit_with_a_label_out_of_range_names_the_label_and_the_classes():
    """Label 5 for a 2-class network: the message names 5, its row and the classes 0 .. 1, not the dtype."""
    X = np.zeros((4, 2))
    with pytest.raises(ModelError) as info:
        fit(MLP.random([2, 2], output="softmax"), X, np.array([0, 1, 5, 1]), loss="cross_entropy", epochs=1, quiet=True)
    message = str(info.value)
    assert "0 .. 1" in message and "got 5 at row 2" in message and "dtype" not in message


@pytest.mark.parametrize("kind", ["model", "mesh"])
def test_a_directory_given_as_a_model_or_mesh_says_directory(tmp_path, kind):
    """A folder named like a model or a mesh file: the message says it is a directory, not 'not found'."""
    from affine3d.geometry.mesh_files import load_mesh

    folder = tmp_path / ("net.safetensors" if kind == "model" else "house.obj")
    folder.mkdir()
    loader, error = (MLP.load, ModelError) if kind == "model" else (load_mesh, SceneError)
    with pytest.raises(error) as info:
        loader(folder)
    assert "directory" in str(info.value) and "not found" not in str(info.value)
    scene = tmp_path / "s.toml"
    key = 'mlp = "net.safetensors"\n[[object]]\nshape = "cube"\n' if kind == "model" else \
        '[[object]]\nmesh = "house.obj"\n'
    scene.write_text(key)
    with pytest.raises(SceneError) as info:
        load_scene(scene)
    assert "got a directory" in str(info.value)


# ---------------------------------------------------------------------------- short reprs
def test_train_result_prints_in_one_line():
    """print(result) is one short line with the sizes, the epochs and the first and last loss, not 300 losses."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 2))
    result = fit(MLP.random([2, 4, 1], seed=0), X, X[:, :1] - X[:, 1:], epochs=300, quiet=True)
    text = repr(result)
    assert "\n" not in text and len(text) < 120
    assert "2 -> 4 -> 1" in text and "300 epochs" in text and f"{result.losses[-1]:.4g}" in text


@pytest.mark.parametrize("name", ["platonic", "cube-to-sphere", "shear"])
def test_a_scene_prints_in_one_line(name):
    """A Scene's repr is one line naming the scene, its objects and camera (not every vertex)."""
    scene = load_scene(name)
    text = repr(scene)
    assert "\n" not in text and len(text) < 300
    assert scene.name in text and scene.objects[0].name in text and f"{scene.n_triangles:,} triangles" in text
    assert "\n" not in repr(scene.objects[0]) and len(repr(scene.objects[0])) < 120


def test_a_directory_without_a_model_suffix_is_named_a_directory(tmp_path):
    """`--mlp some_folder` says the path is a directory, not that its type is unknown."""
    from affine3d import MLP, ModelError

    with pytest.raises(ModelError, match="expected a model file .*got a directory"):
        MLP.load(tmp_path)


# ---------------------------------------------------------------------------- F * x, F + G
@pytest.mark.parametrize("expression, hint", [
    (lambda F: F * np.array([1.0, 0, 0]), "call F(x)"), (lambda F: np.array([1.0, 0, 0]) * F, "call F(x)"),
    (lambda F: F * 2, "F.matrix"), (lambda F: 2 * F, "F.matrix"), (lambda F: F * F, "F @ G"),
    (lambda F: F + F, "F.matrix + G.matrix"), (lambda F: F - np.ones(3), "call F(x)")])
def test_star_and_plus_with_a_map_say_use_at_or_call(expression, hint):
    """F * x, x * F, F * G, F + G: one affine3d line pointing to F(x) or @, never numpy's 'does not support ufuncs'."""
    with pytest.raises(TypeError) as info:
        expression(Affine.rotation_z(0.3))
    message = str(info.value)
    assert hint in message and "Affine maps have no" in message
    assert "ufunc" not in message and "\n" not in message
