"""The package's floors: imports point down, no cycles, one place makes GL contexts, one door writes GPU bytes.

Read from the source (``ast``), so a new module is checked the day it is added. The floors, lowest first
(README's "Layout" section and CONTRIBUTING's "The floors" draw the same house; FLOORS below is the table)::

    0 core      affine.py projection.py errors.py pack.py resources.py version.py _fast.py fileio.py
                i18n.py translations.py   (the words in the reader's language; keeping their catalogue)
    1 geometry/ nn/ images.py
    2 gl/ cpu/
    3 render.py
    4 app/ web/ exercises/ pictures.py   the viewer, the browser page, the grader, the slides' pictures: side by side
    5 lab.py notebook.py        your own target, in the viewer or as a GIF; the page's engine as a widget
    6 bench/
    7 commands/
    8 cli.py __main__.py        the `affine3d` command;  __init__.py, the package's facade

A module may import from a lower floor, and from its own part of its floor (geometry from geometry,
gl from gl), never sideways (gl from cpu, web from exercises or app) or up. Within a part, modules must
not import each other in a circle. Every module belongs to a part in FLOORS: a new package or top-level
module gets its line there (the test that every module has a floor says which are missing).
"""

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "affine3d"

CORE = {"affine", "projection", "errors", "pack", "resources", "version", "_fast", "fileio", "i18n", "translations"}
# Each part of the package (a subpackage, a top-level module, or "core") and its floor: a part imports from lower
# floors and from itself only. To fit in a new part, give it a line here (and in CONTRIBUTING's house).
FLOORS = {
    "core": 0,
    "geometry": 1, "nn": 1, "images": 1,
    "gl": 2, "cpu": 2,
    "render": 3,
    "app": 4, "web": 4, "exercises": 4, "pictures": 4,
    "lab": 5, "notebook": 5,
    "bench": 6,
    "commands": 7,
    "cli": 8, "facade": 8,
}
PART_OF_MODULE = {"__main__": "cli"}  # `python -m affine3d` is the command line
# Modules a part may import across its floor, each with its reason (keep this short: it is a list of exceptions).
ACROSS = {
    ("web", "affine3d.app.keys"): "the one keys-and-help table, which imports nothing: the page prints it as F1 does",
}
FLOOR = FLOORS  # the name older tests and notes use
ABOVE_THE_VIEWER = {part for part, floor in FLOORS.items() if floor > FLOORS["app"]}
# Third-party GL and windowing: where each may be imported.
GL_LIBRARIES = {"moderngl": {"gl", "app"} | ABOVE_THE_VIEWER, "pyglet": {"app"} | ABOVE_THE_VIEWER, "glcontext": {"gl"}}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def part_of(module: str) -> str:
    """The floor's part a module belongs to: 'core', 'geometry', 'nn', ..., 'cli', 'facade' (a key of FLOORS,
    or the unknown head of a new module, which test_every_module_has_a_floor then names)."""
    parts = module.split(".")
    if len(parts) == 1:
        return "facade"  # the package itself (affine3d/__init__.py), above everything
    head = parts[1]
    if head in CORE:
        return "core"
    return PART_OF_MODULE.get(head, head)


def imports_of(module: str, source: str | None = None, is_package: bool = False) -> list[tuple[str, int, str]]:
    """``(imported module, line, how)`` for every import in the module, function-level ones too."""
    if source is None:
        path = MODULES[module]
        source, is_package = path.read_text(encoding="utf-8"), path.name == "__init__.py"
    tree = ast.parse(source)
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno, f"import {alias.name}") for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.append((candidate if candidate in MODULES else target, node.lineno, f"from {target} import {alias.name}"))
    return found


def internal_edges() -> dict[str, set[str]]:
    edges = {m: set() for m in MODULES}
    for module in MODULES:
        for target, _, _ in imports_of(module):
            if target in MODULES and target != module:
                edges[module].add(target)
    return edges


def wrong_way(module: str, source: str | None = None) -> list[str]:
    """The imports of ``module`` that point sideways or up, as ``"line N: how (part -> part)"``."""
    mine = part_of(module)
    wrong = []
    for target, line, how in imports_of(module, source):
        if target.split(".")[0] != "affine3d":
            continue
        theirs = part_of(target)
        if mine not in FLOORS or theirs not in FLOORS:
            continue  # a part with no floor yet: test_every_module_has_a_floor fails on it
        allowed = theirs == mine or FLOORS[theirs] < FLOORS[mine] or (mine, target) in ACROSS
        if target == "affine3d" and mine != "facade":
            allowed = False  # the package's facade imports everything: importing it from inside points up
        if not allowed:
            wrong.append(f"line {line}: {how} ({mine} -> {theirs})")
    return wrong


def test_what_crosses_a_floor_imports_nothing_of_ours():
    """Each module in ACROSS (imported sideways by exception) imports no affine3d code itself: a table, no more."""
    for _, module in ACROSS:
        assert [t for t, _, _ in imports_of(module) if t.split(".")[0] == "affine3d"] == [], module


def test_every_module_has_a_floor():
    """Each module belongs to a part listed in FLOORS (a new package or top-level module gets its line there)."""
    missing = sorted({part_of(module) for module in MODULES} - set(FLOORS))
    assert missing == [], f"parts with no floor in tests/test_layout.py's FLOORS: {missing}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module):
    """Each import of affine3d code is from a lower floor or the same part; never sideways or up."""
    assert wrong_way(module) == [], MODULES[module].relative_to(PACKAGE.parent)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_gl_and_windows_only_where_they_belong(module):
    """moderngl only in gl/, app/ and the top; pyglet only in app/ and the top: core, geometry, nn, cpu never."""
    mine = part_of(module)
    for target, line, how in imports_of(module):
        library = target.split(".")[0]
        if library in GL_LIBRARIES:
            assert mine in GL_LIBRARIES[library], f"{MODULES[module].relative_to(PACKAGE.parent)}:{line}: {how} in {mine}"


def test_no_import_cycles():
    """No module reaches itself through the imports of affine3d code (function-level imports included)."""
    edges = internal_edges()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module):
        state[module] = 1
        path.append(module)
        for target in sorted(edges[module]):
            if state.get(target) == 1:
                cycle = path[path.index(target):] + [target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module)


def test_the_checker_sees_a_bad_import():
    """The floor test is not vacuous: sideways, upward and facade imports are caught, downward ones pass."""
    assert wrong_way("affine3d.cpu.fake", "from ..gl.renderer import Renderer\n") == [
        "line 1: from affine3d.gl.renderer import Renderer (cpu -> gl)"]
    assert wrong_way("affine3d.affine", "def f():\n    from .geometry.scene import load_scene\n") == [
        "line 2: from affine3d.geometry.scene import load_scene (core -> geometry)"]
    assert wrong_way("affine3d.nn.fake", "from .. import Affine\n") == ["line 1: from affine3d import Affine (nn -> facade)"]
    assert wrong_way("affine3d.gl.fake", "from ..geometry.shading import AMBIENT\nfrom .. import pack\n") == []


def test_web_and_exercises_stand_side_by_side():
    """web/ and exercises/ import neither each other nor the viewer (app/); bench, commands and lab sit above."""
    assert wrong_way("affine3d.web.fake", "from ..exercises.base import Exercise\n") == [
        "line 1: from affine3d.exercises.base import Exercise (web -> exercises)"]
    assert wrong_way("affine3d.exercises.fake", "from ..web.site import export\n") == [
        "line 1: from affine3d.web.site import export (exercises -> web)"]
    assert wrong_way("affine3d.web.fake", "from ..app.state import ViewerState\n") == [
        "line 1: from affine3d.app.state import ViewerState (web -> app)"]
    assert wrong_way("affine3d.bench.fake", "from ..commands import view\n") == [
        "line 1: from affine3d.commands import view (bench -> commands)"]
    assert wrong_way("affine3d.app.fake", "from ..lab import view\n") == ["line 1: from affine3d.lab import view (app -> lab)"]
    assert wrong_way("affine3d.commands.fake", "from ..bench.core import Table\nfrom ..web import site\n") == []


CONTEXT_MAKERS = re.compile(r"create_standalone_context|moderngl\.create_context|init_context\(|get_context\(")


@pytest.mark.parametrize("module", sorted(MODULES))
def test_contexts_are_made_in_one_place(module):
    """Only gl/context.py calls moderngl's context makers; everything else asks it."""
    if module == "affine3d.gl.context":
        return
    for number, line in enumerate(MODULES[module].read_text(encoding="utf-8").splitlines(), start=1):
        code = line.split("#")[0]
        assert not CONTEXT_MAKERS.search(code), f"{MODULES[module].relative_to(PACKAGE.parent)}:{number}: {line.strip()}"


COLUMN_MAJOR = re.compile(r"""order\s*=\s*["']F["']""")
TRANSPOSED_BYTES = re.compile(r"(\.T\b|transpose\().*\.tobytes\(")


@pytest.mark.parametrize("module", sorted(MODULES))
def test_gpu_bytes_have_one_door(module):
    """Outside affine3d/pack.py no code writes column-major bytes or transposes before .tobytes: one door."""
    if module == "affine3d.pack":
        return
    for number, line in enumerate(MODULES[module].read_text(encoding="utf-8").splitlines(), start=1):
        code = line.split("#")[0]
        where = f"{MODULES[module].relative_to(PACKAGE.parent)}:{number}: {line.strip()}"
        assert not COLUMN_MAJOR.search(code), where
        assert not TRANSPOSED_BYTES.search(code), where


def test_the_door_patterns_catch_the_old_ways():
    """The byte-door patterns match what the package used to write in seven places."""
    assert COLUMN_MAJOR.search('normal_matrix.astype("f4").tobytes(order="F")')
    assert COLUMN_MAJOR.search("np.ravel(block, order='F')")
    assert TRANSPOSED_BYTES.search("np.asarray(M.T, np.float32).tobytes()")
    assert TRANSPOSED_BYTES.search("P.reshape(OB, 4, IB, 4).transpose(0, 2, 3, 1).tobytes()")
    assert not TRANSPOSED_BYTES.search("pack.matrix(normal_matrix)")


MODEL_LOADING = re.compile(r"MLP\.load\(|MLP\.from_pretrained\(|check_model\(|\.sizes\[0\]\s*!=\s*3")


@pytest.mark.parametrize("module", sorted(MODULES))
def test_models_are_loaded_and_checked_in_one_place(module):
    """Outside affine3d/nn no code loads a model or checks its widths itself: affine3d.nn.model.load_model does both.

    (An MLP already in memory is checked with affine3d.nn.model.check_dims, the same home.)
    """
    if part_of(module) == "nn":
        return
    for number, line in enumerate(MODULES[module].read_text(encoding="utf-8").splitlines(), start=1):
        code = line.split("#")[0]
        assert not MODEL_LOADING.search(code), f"{MODULES[module].relative_to(PACKAGE.parent)}:{number}: {line.strip()}"


def test_the_model_loading_pattern_catches_the_old_ways():
    """The pattern matches the six ways commands, the viewer and the page used to load and check a network."""
    assert MODEL_LOADING.search("mlp = MLP.load(model_path)")
    assert MODEL_LOADING.search("    check_model(MLP.load(source))")
    assert MODEL_LOADING.search("if mlp.sizes[0] != 3:")
    assert not MODEL_LOADING.search("network = load_model(args.mlp, activations=activations)")
