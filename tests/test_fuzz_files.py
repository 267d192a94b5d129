"""Fuzzed scene files and model headers: the command exits 0, or prints one line and exits 2, under a memory cap.

Hypothesis mutates the shipped scenes (a value made huge, tiny, infinite, of the wrong type, a path out of the
folder, a key removed or unknown, text truncated or nested thousands deep) and a valid model file's headers
(the safetensors JSON, the architecture string every format carries, an .npy member's header). Each example
runs through the real command line in a child process whose address space is capped (``RLIMIT_AS``), so a
missing budget shows up as a failure, not as a slow machine. The example counts are fixed and the runs
derandomized: CI replays the same inputs every time, in about ten seconds.

Run directly (``python tests/test_fuzz_files.py scenes|models FOLDER N``) it is the child.
"""

import os
import resource
import subprocess
import sys

FUZZ_CAP = 2 << 30  # 2 GiB of address space: above what any accepted input may take, far below a missing budget
SCENE_EXAMPLES = 150
MODEL_EXAMPLES = 200


def _run_child(kind: str, folder, examples: int):
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (FUZZ_CAP, FUZZ_CAP))

    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    return subprocess.run([sys.executable, __file__, kind, str(folder), str(examples)], capture_output=True, text=True,
                          timeout=600, env=env, preexec_fn=limit)


def test_fuzzed_scene_files_exit_0_or_one_line(tmp_path):
    """150 mutated scene files through `affine3d render`: exit 0 with nothing on stderr, or one line and exit 2."""
    result = _run_child("scenes", tmp_path, SCENE_EXAMPLES)
    assert result.returncode == 0 and f"ok {SCENE_EXAMPLES}" in result.stdout, result.stderr[-4000:]


def test_fuzzed_model_headers_exit_0_or_one_line(tmp_path):
    """200 mutated model headers through `affine3d inspect` and MLP.load: exit 0, or one line and exit 2 / ModelError."""
    result = _run_child("models", tmp_path, MODEL_EXAMPLES)
    assert result.returncode == 0 and f"ok {MODEL_EXAMPLES}" in result.stdout, result.stderr[-4000:]


# ==================================================================================== the child
def _toml_key(key: str) -> str:
    import json
    import re

    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _toml(value) -> str:
    """One TOML value on one line (inline tables and arrays), as tomllib reads it back."""
    import json
    import math

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # TOML's basic strings take JSON's escapes
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return "{ " + ", ".join(f"{_toml_key(k)} = {_toml(v)}" for k, v in value.items()) + " }"


def _document_text(document: dict) -> str:
    return "\n".join(f"{_toml_key(k)} = {_toml(v)}" for k, v in document.items()) + "\n"


def _leaves(value, path=()):
    """Every (path, value) inside a parsed TOML document, containers included."""
    yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, path + (k,))
    elif isinstance(value, list):
        for k, v in enumerate(value):
            yield from _leaves(v, path + (k,))


def _like(old):
    """A hostile value, usually of the old value's own kind (so that most examples get past the type checks)."""
    from hypothesis import strategies as st

    if isinstance(old, (int, float)) and not isinstance(old, bool):
        kind = _numbers()
    elif isinstance(old, str):
        kind = _texts()
    elif isinstance(old, list) and old and all(isinstance(v, (int, float)) for v in old):
        kind = st.lists(_numbers(), min_size=len(old), max_size=len(old))
    else:
        kind = _hostile_values()
    return st.one_of(kind, kind, kind, kind, _hostile_values(), st.just(_DELETE))


def _replaced(document, path, new):
    import copy

    document = copy.deepcopy(document)
    target = document
    for key in path[:-1]:
        target = target[key]
    if new is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = new
    return document


_DELETE = object()


def _numbers():
    from hypothesis import strategies as st

    return st.one_of(
        st.integers(-3, 6),
        st.sampled_from([0, -1, 4096, 2**31, 2**63, -(2**63), 10**30, 10**400, -(10**400)]),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from([0.0, -0.0, 1e-300, 1e300, 1e308, 5e-324, 1e-12, 1e12, 1e13, 179.999, 180.0]),
    )


def _texts():
    from hypothesis import strategies as st

    return st.one_of(
        st.text(st.characters(blacklist_categories=("Cs",)), max_size=20),
        st.sampled_from(["cube", "icosphere", "house.obj", "../house.obj", "/dev/zero", "/proc/self/environ", "x" * 5000,
                         "nope.obj", "m.safetensors", "", "#zzzzzz", "#ffffff", "orthographic", "x", "y", "z"]),
    )


def _hostile_values():
    from hypothesis import strategies as st

    scalars = st.one_of(_numbers(), _texts(), st.booleans())
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(_texts(), inner, max_size=3)),
                        max_leaves=12)


def _scene_case(text: str, folder):
    """Write ``text`` as a scene and render it: (exit code, stdout, stderr)."""
    import contextlib
    import io

    from affine3d.cli import main

    path = folder / "fuzz.toml"
    path.write_bytes(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["render", "--backend", "cpu", "--size", "16x12", str(path), "-o", str(folder / "out.png")])
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def _check(code, err, label):
    lines = err.strip().splitlines()
    if code == 0:
        assert err == "", f"{label}: exit 0 but stderr: {err[:500]}"
    else:
        assert code == 2 and len(lines) == 1, f"{label}: exit {code}, stderr: {err[-2000:]}"
        assert "not enough memory" not in lines[0], f"{label}: a budget is missing: {lines[0]}"
        assert len(lines[0]) < 1000, f"{label}: a line of {len(lines[0])} characters"


def fuzz_scenes(folder, examples: int) -> None:
    import shutil
    import tomllib
    import warnings
    from pathlib import Path

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from affine3d.resources import scene_dir

    folder = Path(folder)
    shutil.copy(scene_dir() / "house.obj", folder / "house.obj")
    bases = [tomllib.loads((scene_dir() / f"{name}.toml").read_text()) for name in ("platonic", "shear", "obj-model", "shapes")]
    for base in bases:
        base.pop("mlp", None)

    raw_edits = st.one_of(
        st.just(lambda t: t[: len(t) // 2]),
        st.just(lambda t: "x = " + "[" * 3000 + "]" * 3000 + "\n" + t),
        st.just(lambda t: "x = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n" + t),
        st.just(lambda t: t.replace("40", "1" + "0" * 5000, 1)),
        st.just(lambda t: t + "\n[[object]]\nshape = \"cube\"\n" * 3),
        st.just(lambda t: "\x00\udcff" + t),  # not UTF-8 once written (surrogatepass)
    )

    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(bases), st.data())
    def one_scene(base, data):
        document = base
        for _ in range(data.draw(st.integers(1, 3))):
            paths = [p for p, _ in _leaves(document) if p]
            if not paths:
                break
            path = data.draw(st.sampled_from(paths))
            old = dict(_leaves(document))[path]
            document = _replaced(document, path, data.draw(_like(old)))
            if data.draw(st.integers(0, 7)) == 0:  # a section of the wrong kind, or a key that does not exist
                document = {**document, data.draw(st.sampled_from(["camera", "world", "light", "bogus"])): data.draw(_hostile_values())}
        text = _document_text(document)
        if data.draw(st.integers(0, 7)) == 0:
            text = data.draw(raw_edits)(text)
        with warnings.catch_warnings():
            warnings.simplefilter("default")  # a numpy warning must reach stderr here, and fail the example
            code, _, err = _scene_case(text, folder)
        _check(code, err, f"scene {text[:300]!r}")

    one_scene()
    print(f"ok {examples} scene files")


def fuzz_models(folder, examples: int) -> None:
    import contextlib
    import copy
    import io
    import json
    import struct
    import warnings
    from pathlib import Path

    import numpy as np
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from affine3d.cli import main
    from affine3d.errors import ModelError
    from affine3d.nn import MLP

    folder = Path(folder)
    net = MLP.random([3, 4, 3], activation="leaky_relu", seed=1)
    net.save(folder / "valid.safetensors")
    data = (folder / "valid.safetensors").read_bytes()
    (length,) = struct.unpack("<Q", data[:8])
    header, payload = json.loads(data[8:8 + length]), data[8 + length:]
    record = json.loads(header["__metadata__"]["affine3d"])

    def deep(depth):
        return "[" * depth + "]" * depth

    def run(path, label):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["inspect", str(path)])
        _check(code, err.getvalue(), label)
        try:
            MLP.load(path)
        except ModelError as exc:
            assert "\n" not in str(exc), f"{label}: a ModelError of several lines"

    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def one_model(draw):
        kind = draw.draw(st.sampled_from(["header", "architecture", "npy", "bytes"]))
        if kind in ("header", "architecture"):
            h, r = copy.deepcopy(header), copy.deepcopy(record)
            target = h if kind == "header" else r
            for _ in range(draw.draw(st.integers(1, 3))):
                paths = [p for p, _ in _leaves(target) if p and p[0] != "__metadata__"]
                if not paths:
                    break
                path = draw.draw(st.sampled_from(paths))
                value = draw.draw(st.one_of(_hostile_values(), st.just(_DELETE),
                                            st.sampled_from([deep(50), deep(5000), "F64", "BF16", [2**63, 3], [-1]])))
                target = _replaced(target, path, value)
            if kind == "header":
                h = target
            else:
                r = target
            text = json.dumps(r) if draw.draw(st.integers(0, 5)) else deep(draw.draw(st.sampled_from([70, 3000, 10000])))
            h.setdefault("__metadata__", {})
            if isinstance(h["__metadata__"], dict):
                h["__metadata__"]["affine3d"] = text
            blob = json.dumps(h).encode()
            if draw.draw(st.integers(0, 6)) == 0:
                blob = deep(draw.draw(st.sampled_from([100, 10000]))).encode()
            prefix = struct.pack("<Q", len(blob))
            if draw.draw(st.integers(0, 8)) == 0:
                prefix = struct.pack("<Q", draw.draw(st.sampled_from([0, 7, 2**40, 2**64 - 1, len(blob) + 100])))
            path = folder / "m.safetensors"
            path.write_bytes(prefix + blob + payload)
        elif kind == "npy":
            buffer = io.BytesIO()
            shape = draw.draw(st.lists(st.sampled_from([0, 1, 3, 4, 2**31, 2**40, 10**18]), max_size=3))
            descr = draw.draw(st.sampled_from(["<f4", "<f8", "|O", "<U1000000000", "<c16", "|V8"]))
            np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": False, "shape": tuple(shape)})
            buffer.write(bytes(draw.draw(st.integers(0, 64))))
            path = folder / "m.npz"
            net.save(path)
            import zipfile

            with zipfile.ZipFile(path) as z:
                members = {n: z.read(n) for n in z.namelist()}
            members[draw.draw(st.sampled_from(sorted(members)))] = buffer.getvalue()
            with zipfile.ZipFile(path, "w") as z:
                for n, b in members.items():
                    z.writestr(n, b)
        else:
            raw = bytearray(data)
            for _ in range(draw.draw(st.integers(1, 4))):
                at = draw.draw(st.integers(0, len(raw) - 1))
                raw[at] = draw.draw(st.integers(0, 255))
            path = folder / draw.draw(st.sampled_from(["m.safetensors", "m.npz", "m.onnx"]))
            path.write_bytes(bytes(raw[: draw.draw(st.integers(0, len(raw)))]))
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            run(path, f"{kind} example")

    one_model()
    print(f"ok {examples} model files")


if __name__ == "__main__":
    sys.setrecursionlimit(1000)
    kind, folder, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    (fuzz_scenes if kind == "scenes" else fuzz_models)(folder, count)
