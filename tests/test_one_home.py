"""One home per job: each job below is done by one function, and these tests fail when it is written again elsewhere.

Like the byte door's test in ``test_layout.py``, each rule reads the source (so a new module is checked the
day it is added) and comes with a test that its pattern catches the old ways the package used to write.
"""

import ast
import re

from test_layout import MODULES, PACKAGE, imports_of


def code_lines(module):
    """``(number, code)`` for each line of a module, comments cut off and docstrings left out (prose may name a job)."""
    source = MODULES[module].read_text(encoding="utf-8")
    prose = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                prose.update(range(first.lineno, first.end_lineno + 1))
    for number, line in enumerate(source.splitlines(), start=1):
        if number not in prose:
            yield number, line.split("#")[0]


def written_again(pattern, home):
    """``"path:line: code"`` for each line outside the modules in ``home`` where ``pattern`` matches the code."""
    found = []
    for module in sorted(set(MODULES) - set(home)):
        for number, code in code_lines(module):
            if pattern.search(code):
                found.append(f"{MODULES[module].relative_to(PACKAGE.parent)}:{number}: {code.strip()}")
    return found


# -- an exception's text as one line: affine3d.errors.one_line ---------------------------------------------------

FLATTENED = re.compile(r"""["'] ["']\.join\(.{0,60}?\.split\(\)\s*\)""")
# The sandboxed child imports only the standard library and numpy (see its docstring), so it keeps its own.
FLATTENS_ITS_OWN = {"affine3d.errors", "affine3d.exercises._child"}


def test_one_line_messages_have_one_home():
    """Only affine3d.errors.one_line flattens text to one line (and cuts it at one length)."""
    assert written_again(FLATTENED, FLATTENS_ITS_OWN) == []


def test_the_one_line_pattern_catches_the_old_ways():
    """The pattern matches the inline flattenings the package used to write in 21 places."""
    assert FLATTENED.search("""detail = " ".join(str(exc).split())[:120]""")
    assert FLATTENED.search("""f"no OpenGL: {' '.join(str(exc).split())}\"""")
    assert FLATTENED.search("""tail = " ".join((done.stderr or "").split())[-300:]""")
    assert FLATTENED.search("""f"{self.prog}: error: {' '.join(message.split())}\"""")
    assert not FLATTENED.search("""out += ["f " + " ".join(str(i + 1) for i in polygon)]""")
    assert not FLATTENED.search("detail = one_line(exc)")


# -- "is there a display?": affine3d.app.display --------------------------------------------------------------------

ASKS_FOR_A_DISPLAY = re.compile(r"""["'](WAYLAND_)?DISPLAY["']|options\[["']headless["']\]\s*=""")


def test_is_there_a_display_is_asked_in_one_place():
    """Only affine3d.app.display reads DISPLAY / WAYLAND_DISPLAY or switches pyglet to headless windows."""
    assert written_again(ASKS_FOR_A_DISPLAY, {"affine3d.app.display"}) == []


def test_the_display_pattern_catches_the_old_ways():
    """The pattern matches the three ways the package used to ask (view, doctor, bench viewer) and the lab's switch."""
    assert ASKS_FOR_A_DISPLAY.search("""if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):""")
    assert ASKS_FOR_A_DISPLAY.search("""for name in ("DISPLAY", "WAYLAND_DISPLAY"):""")
    assert ASKS_FOR_A_DISPLAY.search("""pyglet.options["headless"] = True""")
    assert not ASKS_FOR_A_DISPLAY.search("""if not pyglet.options["headless"]:""")
    assert not ASKS_FOR_A_DISPLAY.search("reason = no_display_reason()")


# -- mesh and scene files are read and written through affine3d.fileio -----------------------------------------------

OWN_FILE_ACCESS = re.compile(r"\bos\.open\(|\.write_text\(|\.write_bytes\(|\.read_text\(|\.read_bytes\(|(?<![\w.])open\(")


def test_geometry_reads_and_writes_files_only_through_fileio():
    """geometry/ (mesh files, scene files) has no file opener or writer of its own: fileio's budgets and atomic writes."""
    geometry = {module for module in MODULES if module.startswith("affine3d.geometry")}
    assert written_again(OWN_FILE_ACCESS, set(MODULES) - geometry) == []


def test_the_file_access_pattern_catches_the_old_ways():
    """The pattern matches mesh_files.py's old opener and writer, not fileio's functions."""
    assert OWN_FILE_ACCESS.search("fd = os.open(shown, os.O_RDONLY | getattr(os, 'O_NONBLOCK', 0))")
    assert OWN_FILE_ACCESS.search('Path(os.fspath(path)).write_text(text, encoding="utf-8")')
    assert OWN_FILE_ACCESS.search('with open(path, "rb") as f:')
    assert not OWN_FILE_ACCESS.search('write_bytes(path, text.encode("utf-8"), "mesh file")')
    assert not OWN_FILE_ACCESS.search("with open_regular(path, limit=MAX_MESH_BYTES) as file:")


# -- ReLU over a network's values: affine3d._fast.relu_into ----------------------------------------------------------

OWN_RELU = re.compile(r"np\.maximum\(\s*\w+\s*,\s*(0(\.0)?|\w*zero\w*|\w*ZERO\w*|plan\.zeros)(\[[^\]]*\])?\s*[,)]")


def test_the_networks_relu_is_only_fast_relu_into():
    """nn/ (the layers, the readable loop, the trainer) takes ReLU from _fast.relu_into, numpy's quickest way to it;
    the exercises' own ``np.maximum(z, 0.0)`` is a student's code and stays theirs."""
    network = {module for module in MODULES if module.startswith("affine3d.nn")}
    assert written_again(OWN_RELU, set(MODULES) - network) == []


def test_the_relu_pattern_catches_the_old_ways():
    assert OWN_RELU.search("return np.maximum(z, zero) if out is None else np.maximum(z, zero, out=_out(z, out))")
    assert OWN_RELU.search("a = np.maximum(a, 0)")
    assert OWN_RELU.search("np.maximum(z, _ZEROS['f'], out=z)")
    assert not OWN_RELU.search("return _fast.relu_into(z, _out(z, out))")
    assert not OWN_RELU.search("np.maximum(row_max, z[:, k], out=row_max)")  # softmax's row maximum, not a ReLU


# -- a whole new folder (export-web, lecture --export), built beside and renamed: affine3d.fileio.new_folder ----------

TEMPORARY_FOLDER = re.compile(r"\bmkdtemp\(|\bTemporaryDirectory\([^)]*\bdir=")


def test_a_new_folder_is_built_only_by_fileio_new_folder():
    """Only fileio makes a temporary folder beside the user's to rename into place (scratch folders in the system's
    temporary place, with ``TemporaryDirectory()``, are anyone's; the benchmarks' too)."""
    benchmarks = {module for module in MODULES if module.startswith("affine3d.bench")}
    assert written_again(TEMPORARY_FOLDER, {"affine3d.fileio"} | benchmarks) == []


def test_the_temporary_folder_pattern_catches_the_old_ways():
    """site.py and lecture.py each had their own copy: check, mkdtemp beside, rename."""
    assert TEMPORARY_FOLDER.search('work = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))')
    assert TEMPORARY_FOLDER.search("with tempfile.TemporaryDirectory(dir=folder.parent) as work:")
    assert not TEMPORARY_FOLDER.search("with new_folder(folder) as work:")
    assert not TEMPORARY_FOLDER.search('with tempfile.TemporaryDirectory(prefix="affine3d-web-") as tmp:')


# -- byte sizes for messages: affine3d.errors.byte_size ----------------------------------------------------------------

SIZE_IN_UNITS = re.compile(r"//?\s*\(?(2\s*\*\*\s*(10|20|30|40)|1 << (10|20|30|40)|1024\s*\*\*\s*[1234])\)?[^\n]{0,20}(KiB|MiB|GiB|TiB)")


def test_byte_sizes_are_written_one_way():
    """Only affine3d.errors.byte_size turns a byte count into MiB, GiB, TiB for a message."""
    assert written_again(SIZE_IN_UNITS, {"affine3d.errors"}) == []


def test_the_size_pattern_catches_the_old_ways():
    """The pattern matches the three size formatters the package had (affine.py, nn/files, mesh_files.py)."""
    assert SIZE_IN_UNITS.search('''return f"{n / 2**20:,.1f} MiB" if n < 2**40 else f"{n / 2**40:,.1f} TiB"''')
    assert SIZE_IN_UNITS.search('''return f"{n / 2**30:.2f} GiB" if n >= 2**30 else f"{n / 2**20:.1f} MiB"''')
    assert SIZE_IN_UNITS.search('''f"affine3d reads {CHUNK_BYTES // 2**20} MiB of text at a time"''')
    assert not SIZE_IN_UNITS.search('f"the tensors need {byte_size(total)}"')


# -- a scene's vertices in world space: SceneObject.world_vertices, Scene.world_points ---------------------------------

MODEL_OF_VERTICES = re.compile(r"\.model\([^()]*\.vertices\)")
REWOUND_BY_HAND = re.compile(r"\[0, 2, 1\] if .*determinant < 0")


def test_world_space_vertices_have_one_home():
    """Only geometry/scene.py applies an object's model map to its vertices; only Mesh.transformed rewinds a mirror."""
    assert written_again(MODEL_OF_VERTICES, {"affine3d.geometry.scene"}) == []
    assert written_again(REWOUND_BY_HAND, {"affine3d.geometry.mesh"}) == []


def test_the_world_space_patterns_catch_the_old_ways():
    """The patterns match the five places that wrote obj.model(obj.mesh.vertices) and render.py's own rewinding."""
    assert MODEL_OF_VERTICES.search("np.vstack([obj.model(obj.mesh.vertices) for obj in scene.objects])")
    assert MODEL_OF_VERTICES.search("camera = world(obj.model(obj.mesh.vertices))")
    assert REWOUND_BY_HAND.search("order = [0, 2, 1] if obj.model.determinant < 0 else [0, 1, 2]")
    assert not MODEL_OF_VERTICES.search("points = scene.world_points()")


# -- clip space -> window pixels: affine3d.projection.clip_to_window (and viewport, the same map as a matrix) ----------

VIEWPORT_BY_HAND = re.compile(r"\+ 1\)\s*/\s*2\s*\*\s*(width|height|W|H)\b|\(1 - [\w.\[\], ]+\)\s*/\s*2\s*\*\s*(height|H)\b"
                              r"|\[0\.0, -height / 2")


def test_clip_to_window_has_one_home():
    """Only affine3d/projection.py maps NDC to window pixels (one depth convention: [0, 1], top-left origin)."""
    # The perspective-divide exercise writes the map (and its wrong variants, the named mistakes) by hand on
    # purpose: the student does what projection.py does.
    exercise = {"affine3d.exercises.catalog.perspective_divide"}
    assert written_again(VIEWPORT_BY_HAND, {"affine3d.projection"} | exercise) == []


def test_the_viewport_pattern_catches_the_old_ways():
    """The pattern matches the viewport maps projection.py, cpu/raster.py and cpu/trace.py each wrote."""
    assert VIEWPORT_BY_HAND.search("x_px = (ndc[:, 0] + 1) / 2 * width")
    assert VIEWPORT_BY_HAND.search("y_px = (1 - p_ndc[..., 1]) / 2 * height  # NDC y points up")
    assert VIEWPORT_BY_HAND.search("[0.0, -height / 2, 0.0, height / 2],")
    assert not VIEWPORT_BY_HAND.search("p_window = clip_to_window(p_clip, size)")


# -- a backend is picked once; its context chosen in one place: render.pick_backend, render.drawing_context -----------

REPICKED_CONTEXT = re.compile(r"ctx or default_context\(\)")


def test_the_drawing_context_is_chosen_in_one_place():
    """'ctx or default_context()' is written once, in render.drawing_context; render_auto does not pick a decided backend again."""
    # gl/renderer.render sits a floor below render.py and defaults to the shared context itself: that one stays.
    assert written_again(REPICKED_CONTEXT, {"affine3d.render", "affine3d.gl.renderer"}) == []
    assert len([code for _, code in code_lines("affine3d.render") if REPICKED_CONTEXT.search(code)]) == 1


def test_render_auto_takes_a_decided_backend_as_it_is(monkeypatch):
    """render_auto(backend="cpu"/"gpu") calls no pick_backend: the command line picked already (one pick a command)."""
    import affine3d.render as render
    from affine3d.geometry.scene import load_scene

    def picked_again(backend="auto"):
        raise AssertionError("pick_backend called again")

    monkeypatch.setattr(render, "pick_backend", picked_again)
    image, used = render.render_auto(load_scene("platonic"), (40, 30), backend="cpu")
    assert used == "cpu" and image.shape == (30, 40, 4)


# -- the renderers' look: affine3d.geometry.shading (the scene reader only reads) ---------------------------------------

LOOK_NAMES = ("AMBIENT", "EDGE_SHADE", "INSIDE_COLOR", "INSIDE_SHADE", "INSIDE_LEGEND", "DEFAULT_LIGHT", "SHADINGS",
              "hatch_period", "shading_of", "singular_model_error")
# A name defined from the home's own (notebook.py: SHADINGS = ("scene", *shading.SHADINGS)) is no second home.
LOOK_DEFINED = re.compile(r"^\s*(" + "|".join(LOOK_NAMES[:7]) + r")\s*(:[^=]*)?=(?!=)(?!.*\bshading\.)"
                          r"|\bdef (" + "|".join(LOOK_NAMES[7:]) + r")\(")


def test_the_renderers_look_has_one_home():
    """Only affine3d/geometry/shading.py defines the look (ambient, edge shade, the stripes, the light, shadings)."""
    assert written_again(LOOK_DEFINED, {"affine3d.geometry.shading"}) == []


def test_the_look_is_imported_from_its_home():
    """No module takes the look from the scene reader (geometry/scene.py imports what a file may name, and reads)."""
    found = []
    for module in sorted(MODULES):
        for target, line, how in imports_of(module):
            if target == "affine3d.geometry.scene" and how.rpartition(" import ")[2] in LOOK_NAMES:
                found.append(f"{MODULES[module].relative_to(PACKAGE.parent)}:{line}: {how}")
    assert found == []


def test_the_look_pattern_catches_the_old_ways():
    """The pattern matches the constants and helpers scene.py used to define, not their uses."""
    assert LOOK_DEFINED.search("AMBIENT = 0.3")
    assert LOOK_DEFINED.search("INSIDE_COLOR: tuple[float, float, float] = (0.902, 0.624, 0.0)")
    assert LOOK_DEFINED.search("def hatch_period(height: int) -> int:")
    assert not LOOK_DEFINED.search('        "ambient": AMBIENT,')
    assert not LOOK_DEFINED.search("    if shading == AMBIENT:")
    assert not LOOK_DEFINED.search("shade = hatch_period(height)")
    assert not LOOK_DEFINED.search('SHADINGS = ("scene", *shading.SHADINGS)')


# -- a network's stages: the maths in nn/morph.py, the paths from I to W in nn/paths.py, the clock and the text with the viewer

MATRIX_PATHS = re.compile(r"\bdef (polar_decomposition|rotation_log|rotation_power|_skew_exp|straight_path_flattens)\("
                          r"|\bclass PolarPath\b")
PLAYBACK_CLOCK = re.compile(r"\bclass \w*Player\b|\bdef _hold_here\(|\bself\.seconds_per_stage\b")
STAGE_TEXT = re.compile(r"x -> A\(t\) x \+ b\(t\)|x -> \(1-t\) x \+ t |det A\(t\) = |swap two neurons|\bdef path_notes\(")


def test_the_matrix_paths_have_one_home():
    """Only affine3d/nn/paths.py defines the paths from I to W (polar decomposition, rotation log and power)."""
    assert written_again(MATRIX_PATHS, {"affine3d.nn.paths"}) == []


def test_the_playback_clock_lives_with_the_viewer():
    """Only affine3d/app/player.py keeps a stage animation's clock; nn/morph.py has the stages' maths only."""
    assert written_again(PLAYBACK_CLOCK, {"affine3d.app.player"}) == []


def test_the_stage_text_lives_with_the_viewer():
    """Only affine3d/app/stage_text.py writes a stage's HUD lines (its formulas, det A(t), the path's notes)."""
    assert written_again(STAGE_TEXT, {"affine3d.app.stage_text"}) == []


def test_the_stage_patterns_catch_the_old_ways():
    """The patterns match what nn/morph.py used to hold besides the stages: the paths, StagePlayer, StageInfo.lines."""
    assert MATRIX_PATHS.search("def rotation_log(R) -> np.ndarray:")
    assert MATRIX_PATHS.search("class PolarPath:")
    assert PLAYBACK_CLOCK.search("class StagePlayer:")
    assert PLAYBACK_CLOCK.search("            step = remaining / self.seconds_per_stage")
    assert STAGE_TEXT.search('    def path_notes(self) -> list[str]:')
    assert STAGE_TEXT.search('            lines.append(f"det A(t) = {small(self.determinant_at(t))}")')
    assert STAGE_TEXT.search('lines.append(f"x -> (1-t) x + t {stage.activation}(x)   (element-wise, after W{i} x + b{i})")')
    assert not MATRIX_PATHS.search("polar = PolarPath(W)")
    assert not PLAYBACK_CLOCK.search("self.player = StagePlayer(morph.n_stages, playing=playing)")
    assert not STAGE_TEXT.search("return [*head, *stage_lines(info, t), *notes, *legend]")


# -- render.py picks a backend and draws: training in nn/ (and the viewer's thread), slides in affine3d/pictures.py -----

TRAINING_LOOP = re.compile(r"\.run_epoch\(|\.training\(")
TRAINS_HERE = {module for module in MODULES if module.startswith("affine3d.nn.")} | {"affine3d.app.training"}
SLIDE_FILES = re.compile(r"\bGifWriter\(|\bContactSheet\(")


def test_training_loops_live_where_training_lives():
    """Only nn/ (Training, Experiment.snapshots) and the viewer's training thread run epochs; render.py never does."""
    assert written_again(TRAINING_LOOP, TRAINS_HERE) == []


def test_slides_are_made_apart_from_the_backend_facade():
    """Only affine3d/pictures.py (and images.py, which defines them) makes GIFs and contact sheets: render.py draws."""
    assert written_again(SLIDE_FILES, {"affine3d.pictures", "affine3d.images"}) == []


def test_the_render_patterns_catch_the_old_ways():
    """The patterns match render.py's old training loop and its GIF and sheet, not a call to the new homes."""
    assert TRAINING_LOOP.search("    training = experiment.training(points)")
    assert TRAINING_LOOP.search("            training.run_epoch()")
    assert SLIDE_FILES.search("        sheet = ContactSheet(len(names), size, columns)")
    assert SLIDE_FILES.search("        with GifWriter(gif_path, what=what) as gif:")
    assert not TRAINING_LOOP.search("networks, losses = experiment.snapshots(scene.world_points(), shown_epochs)")
    assert not SLIDE_FILES.search("result = render_stages(scene, mlp, folder, size)")


# -- today's homes: a stage's title (nn/morph.py's Stage.name and Stage.title), the shipped scenes' words, the view in the URL's hash --

STAGE_TITLE = re.compile(r"""layer \{[^}]*\} of \{""")
SHIPPED_SCENE_WORD = re.compile(r"""N_\(\s*["'](Cube to sphere|Platonic solids|Linked rings, 3 wide)["']""")
JS_DIR = PACKAGE / "web" / "static" / "js"
HASH_JOB = re.compile(r"\bfunction (parseHash|viewToHash|applyView)\b[^\n]*\n(?:(?!\nfunction)[\s\S])*?fromQuaternion|"
                      r"""split\(["']&["']\)""")


def test_a_stages_title_has_one_home():
    """'layer 2 of 5: affine' is written by nn/morph.py's Stage only (name in code, title in the reader's language):
    the HUD, the pictures, their captions and file names read it."""
    assert written_again(STAGE_TITLE, {"affine3d.nn.morph"}) == []


def test_the_shipped_scenes_words_have_one_home():
    """The shipped scenes' names are marked for the catalogue in geometry/scene_texts.py only (viewer and page share it)."""
    assert written_again(SHIPPED_SCENE_WORD, {"affine3d.geometry.scene_texts"}) == []


def test_the_url_hash_has_one_home_in_the_browser():
    """Only web/static/js/hash.js splits a hash into its parts and turns rot=... back into a rotation."""
    found = [path.name for path in sorted(JS_DIR.glob("*.js")) if path.name != "hash.js"
             and HASH_JOB.search(path.read_text(encoding="utf-8"))]
    assert found == []


ANGLE_CHECK = re.compile(r"expected a finite number of degrees")


def test_yaw_and_pitch_are_checked_in_one_place():
    """--yaw/--pitch are checked by commands/render.check_angles only (render and view share it)."""
    assert written_again(ANGLE_CHECK, {"affine3d.commands.render"}) == []
    assert len([code for _, code in code_lines("affine3d.commands.render") if ANGLE_CHECK.search(code)]) == 1


def test_todays_patterns_catch_the_old_ways():
    """The patterns match the copies these homes replaced: app/stage_text's title, app/scene_text's list, deck.js's hash."""
    assert STAGE_TITLE.search('    return _("layer {number} of {count}: {what}").format(number=stage.layer)')
    assert STAGE_TITLE.search('        return f"layer {self.layer} of {self.n_layers}: {what}"')
    assert SHIPPED_SCENE_WORD.search('    N_("Cube to sphere"),')
    assert ANGLE_CHECK.search('raise UsageError(_("--{name}: expected a finite number of degrees, got {value}").format(')
    assert HASH_JOB.search('  for (const part of hash.replace(/^#/, "").split("&")) {')
    assert HASH_JOB.search('function applyView(view) {\n  if (view.rot !== undefined) {\n'
                           '    deck.controller.reset(Affine.fromQuaternion(numbers(view.rot, 4, "rot"), "wxyz"));')
    assert not STAGE_TITLE.search("    title = stage.name")
    assert not HASH_JOB.search("function applyView(view) {\n  applyViewHash(deck, view);\n}\n\nfunction scheduleHash() {")
