"""glsl.py: shader files, the include step, programs, and uniforms the compiler dropped."""

import struct
import warnings

import moderngl
import numpy as np
import pytest

from affine3d import Affine
from affine3d import pack
from affine3d.gl.glsl import (UnusedUniformWarning, Uniforms, build_compute_from_source, build_program, build_program_from_source,
                             expand_includes, load_source, source_names)
from affine3d.gl.context import create_context
from affine3d.resources import shader_dir

SHADERS = ["mesh.vert", "mesh.frag", "lines.vert", "lines.frag"]


@pytest.fixture(scope="module")
def ctx():
    context = create_context()
    yield context
    context.release()


@pytest.mark.parametrize("name", SHADERS)
def test_every_shader_starts_with_version_330_core(name):
    """Line 1 of each renderer shader file is '#version 330 core', before and after the include step."""
    raw = (shader_dir() / name).read_text(encoding="utf-8")
    assert raw.splitlines()[0] == "#version 330 core"
    assert load_source(name).splitlines()[0] == "#version 330 core"


@pytest.mark.parametrize("name", SHADERS)
def test_every_shader_has_a_header_comment_naming_spaces(name):
    """The comment under #version says what comes in and goes out (the style guide's header)."""
    header = "\n".join(line for line in (shader_dir() / name).read_text().splitlines()[1:6] if line.startswith("//"))
    assert header and any(word in header for word in ("space", "RGBA", "colour"))


def test_affine_glsl_is_version_agnostic_functions_only():
    """affine.glsl has no #version and declares no in/out/uniform: a 330 or a 430 shader can include it."""
    lines = [line.split("//")[0].strip() for line in (shader_dir() / "affine.glsl").read_text().splitlines()]
    code = [line for line in lines if line]
    assert not any(line.startswith("#version") for line in code)
    assert not any(line.split()[0] in ("in", "out", "uniform", "layout", "buffer") for line in code)
    assert any(line.startswith("vec4 apply_affine(mat4 M, vec4 p)") for line in code)
    assert any(line.startswith("vec3 apply_normal_matrix(mat3 N, vec3 n)") for line in code)


def test_vertex_shader_multiplies_in_python_order():
    """mesh.vert computes projection * world * model * vec4(in_position, 1.0), as Python's P @ W @ M."""
    assert "gl_Position = projection * world * model * vec4(in_position, 1.0);" in load_source("mesh.vert")


def test_include_is_replaced_with_line_directives():
    """The include line becomes the file's text between '#line 1 1' and a '#line' back to the next line of string 0."""
    source = '#version 330 core\n#include "affine.glsl"\nvoid main() {}\n'
    text = expand_includes(source)
    lines = text.splitlines()
    body = (shader_dir() / "affine.glsl").read_text().splitlines()
    assert lines[0] == "#version 330 core"
    assert lines[1] == "#line 1 1"
    assert lines[2 : 2 + len(body)] == body
    assert lines[2 + len(body)] == "#line 3 0"
    assert source_names(source) == ["<source>", "affine.glsl"]


def test_include_twice_is_included_once(tmp_path):
    """A second include of the same file is dropped (an include guard), so functions are not defined twice."""
    (tmp_path / "a.glsl").write_text("float one() { return 1.0; }\n")
    text = expand_includes('#include "a.glsl"\n#include "a.glsl"\n', tmp_path)
    assert text.count("float one()") == 1


def test_include_cycle_is_an_error(tmp_path):
    """A file that includes itself (through another) raises ValueError naming the chain."""
    (tmp_path / "a.glsl").write_text('#include "b.glsl"\n')
    (tmp_path / "b.glsl").write_text('#include "a.glsl"\n')
    with pytest.raises(ValueError, match="includes itself"):
        expand_includes('#include "a.glsl"\n', tmp_path)


def test_missing_include_names_the_file(tmp_path):
    """An include of a file that does not exist raises FileNotFoundError naming it."""
    with pytest.raises(FileNotFoundError, match="nope.glsl"):
        expand_includes('#include "nope.glsl"\n', tmp_path)


@pytest.mark.parametrize("vert, frag", [("mesh.vert", "mesh.frag"), ("lines.vert", "lines.frag")])
def test_shipped_programs_link_with_their_uniforms(ctx, vert, frag):
    """The renderer's programs compile and keep the uniforms the renderer sets."""
    program = build_program(ctx, vert, frag)
    names = set(program)
    assert {"model", "world", "projection"} <= names
    if vert == "mesh.vert":
        assert {"normal_matrix", "color", "light_dir", "ambient", "in_position", "in_normal"} <= names
    else:
        assert "edge_color" in names
    program.release()


def test_compile_error_names_the_included_file(ctx):
    """A compile error's message lists which GLSL source number is affine.glsl."""
    source = '#version 330 core\n#include "affine.glsl"\nvoid main() { gl_Position = oops; }\n'
    with pytest.raises(moderngl.Error, match="1 = affine.glsl"):
        build_program_from_source(ctx, source, "#version 330 core\nout vec4 c; void main() { c = vec4(1); }\n")


def test_helpers_compute_what_affine_computes(ctx):
    """apply_affine on points (w = 1) and directions (w = 0), and apply_normal_matrix, on the GPU match F(x), A v and (A^-1)^T n."""
    vertex = """#version 330 core
#include "affine.glsl"
uniform mat4 M;
uniform mat3 N;
in vec3 in_p;
out vec3 out_point;
out vec3 out_vector;
out vec3 out_normal;
void main() {
    out_point = apply_affine(M, vec4(in_p, 1.0)).xyz;
    out_vector = apply_affine(M, vec4(in_p, 0.0)).xyz;
    out_normal = apply_normal_matrix(N, in_p);
}
"""
    program = build_program_from_source(ctx, vertex, varyings=("out_point", "out_vector", "out_normal"))
    F = Affine.translation([1, -2, 3]) @ Affine.shear(xy=0.7) @ Affine.scaling([2, 0.5, 1.5]) @ Affine.rotation([1, 2, 3], 0.4)
    uniforms = Uniforms(program, ["M", "N"])
    uniforms.write("M", F.to_gl())
    uniforms.write("N", pack.matrix(F.normal_matrix()))
    points = np.random.default_rng(1).standard_normal((50, 3)).astype("f4")
    vbo = ctx.buffer(points.tobytes())
    out = ctx.buffer(reserve=points.nbytes * 3)
    vao = ctx.vertex_array(program, [(vbo, "3f", "in_p")])
    # A draw call, even one that only feeds back, needs a complete framebuffer bound (a surfaceless
    # EGL context has none: GL_INVALID_FRAMEBUFFER_OPERATION and zeros otherwise).
    fbo = ctx.simple_framebuffer((1, 1))
    fbo.use()
    vao.transform(out, vertices=len(points))
    got = np.frombuffer(out.read(), "f4").reshape(-1, 3, 3)
    expected_normals = points.astype(np.float64) @ F.normal_matrix().T
    expected_normals /= np.linalg.norm(expected_normals, axis=1, keepdims=True)
    np.testing.assert_allclose(got[:, 0], F(points.astype(np.float64)), atol=2e-5)
    np.testing.assert_allclose(got[:, 1], points.astype(np.float64) @ F.A.T, atol=2e-5)
    np.testing.assert_allclose(got[:, 2], expected_normals, atol=2e-5)
    for obj in (vao, out, vbo, program, fbo):
        obj.release()


def test_compute_shader_can_include_affine_glsl(ctx):
    """A #version 430 compute shader includes the same affine.glsl and computes M p like numpy."""
    shader = build_compute_from_source(ctx, """#version 430
#include "affine.glsl"
layout(local_size_x = 1) in;
layout(std430, binding = 0) buffer Points { vec4 points[]; };
uniform mat4 M;
void main() {
    uint i = gl_GlobalInvocationID.x;
    points[i] = apply_affine(M, points[i]);
}
""", name="apply.comp")
    F = Affine.rotation([0, 1, 1], 1.1) @ Affine.translation([0.5, 0, -1])
    shader["M"].write(F.to_gl())
    points = np.hstack([np.random.default_rng(2).standard_normal((8, 3)), np.ones((8, 1))]).astype("f4")
    buffer = ctx.buffer(points.tobytes())
    buffer.bind_to_storage_buffer(0)
    shader.run(group_x=len(points))
    got = np.frombuffer(buffer.read(), "f4").reshape(-1, 4)
    np.testing.assert_allclose(got[:, :3], F(points[:, :3].astype(np.float64)), atol=2e-5)
    buffer.release()
    shader.release()


def test_unused_uniform_warns_naming_it_not_keyerror(ctx):
    """Setting a uniform the compiler optimised away warns with its name and returns False."""
    vertex = """#version 330 core
uniform mat4 model;
uniform mat4 unused_scale;   // declared, never read: the linker drops it
in vec3 in_position;
void main() { gl_Position = model * vec4(in_position, 1.0); }
"""
    fragment = "#version 330 core\nout vec4 frag_color;\nvoid main() { frag_color = vec4(1.0); }\n"
    program = build_program_from_source(ctx, vertex, fragment)
    assert "unused_scale" not in program  # the premise: the compiler really dropped it
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        uniforms = Uniforms(program, ["model", "unused_scale"])
    uniforms.write("model", Affine.identity(3).to_gl())
    uniforms.write("unused_scale", Affine.scaling(2).to_gl())  # skipped, no KeyError
    assert "model" in uniforms and "unused_scale" not in uniforms
    assert len(caught) == 1
    assert issubclass(caught[0].category, UnusedUniformWarning)
    assert "'unused_scale'" in str(caught[0].message)
    program.release()


def test_uniform_writes_column_major(ctx):
    """A mat4 set from an Affine reads back as F.matrix (column-major bytes, no transpose)."""
    vertex = "#version 330 core\nuniform mat4 M;\nin vec3 p;\nvoid main() { gl_Position = M * vec4(p, 1.0); }\n"
    program = build_program_from_source(ctx, vertex)
    F = Affine.translation([1, 2, 3]) @ Affine.rotation_z(0.3)
    Uniforms(program, ["M"]).write("M", F.to_gl())
    values = np.array(struct.unpack("16f", program["M"].read())).reshape(4, 4, order="F")
    np.testing.assert_allclose(values, F.matrix, atol=1e-6)
    program.release()


def test_packed_bytes_of_numbers_and_affine():
    """pack: an Affine's matrix -> exactly to_gl(), vectors -> float32 in order, matrices column-major."""
    F = Affine.rotation_x(0.2)
    assert pack.matrix(F.matrix) == F.to_gl()
    assert np.frombuffer(pack.floats([1, 2, 3]), "f4").tolist() == [1.0, 2.0, 3.0]
    assert np.frombuffer(pack.matrix([[1, 2], [3, 4]]), "f4").tolist() == [1.0, 3.0, 2.0, 4.0]
