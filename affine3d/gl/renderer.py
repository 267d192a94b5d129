"""Offscreen OpenGL rendering with moderngl: the world turns in front of a fixed camera.

The lecture's picture, as code. Every vertex ``p`` of every object goes through three maps, all
computed by :class:`~affine3d.affine.Affine` (or :mod:`~affine3d.projection`) on the CPU and applied
on the GPU by ``shaders/mesh.vert``::

    clip = projection @ world @ model @ [p, 1]

- ``model``: object space -> world space (where the object stands in the scene);
- ``world``: world space -> camera space (the world's rotation, then pushed ``distance`` away
  along -z; the camera never moves);
- ``projection``: camera space -> clip space (perspective or orthographic); the GPU divides by
  ``w`` and maps to pixels.

Surface normals go through the *normal matrix* ``(A^-1)^T`` of ``world @ model``'s linear part,
also computed on the CPU (:meth:`Affine.normal_matrix`), so a stretched or sheared solid is still
lit correctly. Flat shading gives every triangle its own normal; smooth shading gives every corner
one (the mesh file's, or angle-weighted with creases kept sharp: :mod:`affine3d.geometry.normals`) and
the GPU interpolates them, so a smooth mesh is drawn from a vertex layout of its own: a vertex on a
crease becomes one copy per side. A map with a negative determinant (a mirror) reverses the order in which a triangle's
corners appear on screen; the renderer then tells GL that clockwise triangles face forward, so the
outside of a mirrored solid still shows.

Meshes are uploaded once, when a :class:`Renderer` is made; a frame only writes a few uniforms per
object and issues one draw call per object, so its CPU cost does not grow with the number of
triangles (``affine3d bench render`` measures it).

Typical use::

    from affine3d.geometry import load_scene
    from affine3d.gl import render
    from affine3d.images import save_png

    image = render(load_scene("platonic"), size=(800, 600))   # (600, 800, 4) uint8, top row first
    save_png(image, "platonic.png")
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import pack
from ..affine import Affine
from ..errors import AffineError, SceneError, UsageError, one_line
from ..i18n import _
from ..geometry.normals import smooth_layout
from ..geometry.shading import (AMBIENT, EDGE_SHADE, INSIDE_COLOR, INSIDE_SHADE, SHADINGS, hatch_period, shading_of,
                                singular_model_error)
from ..images import check_size
from .context import default_context, make_current
from .glsl import UnusedUniformWarning, Uniforms, build_program

__all__ = ["Renderer", "render", "check_samples", "sample_counts"]

NO_HATCH = pack.ints(0)

# ---------------------------------------------------------------------------- the renderer
@dataclass
class _Drawable:
    """One scene object on the GPU: its buffers (uploaded once) and the object it draws.

    The model-only terms of a frame (``model.to_gl()``, ``model.normal_matrix()``, ``det``) are kept
    here and recomputed only when ``obj.model`` is replaced by another map (Affine maps are immutable).
    """

    obj: object
    buffers: list  # the GPU buffers this object made (empty when it shares another object's mesh)
    fill: object | None  # VertexArray of triangles, or None for an empty mesh
    edges: object | None  # VertexArray of line segments (Mesh.edges), or None
    shading: str = "flat"  # how its triangles are drawn: "flat" or "smooth"
    layout: object = None  # the SmoothLayout its smooth vertex buffer was built from
    model: object = None  # the Affine the cached terms below belong to
    model_gl: bytes = b""
    model_normal: np.ndarray | None = None  # (3, 3) float64: (A_model^-1)^T
    model_det: float = 1.0
    color: object = None  # the colour value color_gl belongs to
    color_gl: bytes = b""

    def model_terms(self) -> tuple[bytes, np.ndarray, float]:
        model = self.obj.model
        if model is not self.model:
            try:
                normal = model.normal_matrix()
            except AffineError:
                raise singular_model_error(self.obj) from None
            self.model, self.model_gl, self.model_normal, self.model_det = model, model.to_gl(), normal, model.determinant
        return self.model_gl, self.model_normal, self.model_det

    def color_bytes(self) -> bytes:
        color = self.obj.color
        if color is not self.color:
            self.color, self.color_gl = color, pack.floats(color)
        return self.color_gl


class Renderer:
    """Draws one scene into an offscreen framebuffer (or a window's); meshes are uploaded once.

    Parameters
    ----------
    ctx : moderngl.Context
        From :func:`create_context`.
    scene : Scene
        Objects (mesh, model, colour), camera, light and background (:mod:`affine3d.geometry.scene`).
    size : (width, height)
        Pixels of the offscreen image.
    samples : int
        Multisample antialiasing: samples per pixel (clamped to what the context allows; 0 or 1: off).
    shading : {None, "flat", "smooth"}
        "flat": one normal per triangle (``Mesh.flat()``: the facets show, as on 1980s hardware);
        "smooth": a normal per corner, interpolated across each triangle (the mesh file's normals, or
        angle-weighted ones with creases kept sharp; vertices split where normals differ, an index
        buffer); None (the default): what each object says (``SceneObject.shading``).
    ambient : float
        Light every face gets; the rest, ``1 - ambient``, follows Lambert's cosine law.
    cull_back_faces : bool
        Skip triangles that face away from the camera (the inside of a closed solid); turn off for
        open meshes, whose back faces are then lit from the side you see.
    shader_directory : Path, optional
        Load ``mesh.vert`` & co. from here instead of ``shaders/`` (to experiment with the GLSL).

    Attributes
    ----------
    size : (width, height)
        Of the offscreen image.
    fbo : moderngl.Framebuffer
        The single-sampled offscreen image (colour + depth) that :meth:`read` reads.
    msaa_fbo : moderngl.Framebuffer or None
        The multisampled framebuffer :meth:`draw` draws into when ``samples > 1``; :meth:`read`
        resolves it into ``fbo`` (``ctx.copy_framebuffer(fbo, msaa_fbo)``).
    samples : int
        Samples per pixel actually used (0: no MSAA).

    Notes
    -----
    Per frame, :meth:`draw` writes ``world`` and ``projection`` once and ``model``,
    ``normal_matrix`` and ``color`` per object, then issues one draw call per object: nothing in a
    frame loops over vertices on the CPU. The normal matrix of ``world @ model`` is the product of
    the two maps' :meth:`Affine.normal_matrix` (``(A_w A_m)^-T = A_w^-T A_m^-T``): the model's is
    computed once per model, the world's once per frame.
    """

    def __init__(self, ctx, scene, size=(800, 600), samples: int = 4, *, shading: str | None = None,
                 ambient: float = AMBIENT, cull_back_faces: bool = True, shader_directory: Path | None = None):
        if shading is not None and shading not in SHADINGS:
            raise UsageError(_("shading: expected 'flat', 'smooth' or None, got {shading}").format(
                shading=repr(shading)))
        self.ctx = ctx
        self.scene = scene
        self.shading = shading
        self.ambient = float(ambient)
        self.cull_back_faces = bool(cull_back_faces)
        self.samples = check_samples(ctx, samples)
        self._framebuffers: list = []
        self._drawables: list[_Drawable] = []
        make_current(ctx)
        self._uploaded: dict[tuple, tuple] = {}  # (id(mesh), shading) -> (mesh, fill array, edge array, layout)
        self.mesh_program = self.line_program = None
        self._world, self._world_terms = None, None
        self._projection_key, self._projection_gl = None, b""
        self.size = (0, 0)
        try:
            self.mesh_program = build_program(ctx, "mesh.vert", "mesh.frag", directory=shader_directory)
            self.line_program = build_program(ctx, "lines.vert", "lines.frag", directory=shader_directory)
            # Uniform handles, looked up once; a missing one warns here (naming it) and is skipped per frame.
            self._mesh = Uniforms(self.mesh_program, ["model", "world", "projection", "normal_matrix", "color", "light_dir",
                                                      "ambient", "hatch_period", "inside_color", "inside_shade"])
            self._line = Uniforms(self.line_program, ["model", "world", "projection", "edge_color"])
            # Vertex layouts: interleaved float32 position (and normal); an attribute the compiler dropped is skipped.
            self._mesh_layout = _layout(self.mesh_program, ["in_position", "in_normal"])
            self._line_layout = _layout(self.line_program, ["in_position"])
            self._upload_all(scene.objects)
            self.resize(size)
        except BaseException:
            self.release()  # what was made so far; the GPU memory of a big mesh is worth giving back
            raise

    # -- construction
    def _upload_all(self, objects) -> None:
        for obj in objects:
            self._drawables.append(self._upload(obj))
            self._drawables[-1].model_terms()  # a singular model fails here, not in the middle of a frame

    def _upload(self, obj) -> _Drawable:
        """Buffers and vertex arrays for ``obj.mesh``; objects that share one Mesh (and shading) share them too."""
        ctx, mesh = self.ctx, obj.mesh
        shading = self.shading or shading_of(obj)
        shared = self._uploaded.get((id(mesh), shading))
        if shared is not None and shared[0] is mesh:
            return _Drawable(obj, [], shared[1], shared[2], shading, shared[3])
        buffers, fill, edges, layout = [], None, None, None
        if mesh.n_triangles:
            if shading == "flat":
                positions, normals = mesh.flat()  # (3T, 3) float32 each: three unshared corners per triangle
                vbo = ctx.buffer(pack.vertices(positions, normals))
                buffers.append(vbo)
                fill = ctx.vertex_array(self.mesh_program, [(vbo, *self._mesh_layout)])
            else:
                layout = smooth_layout(mesh)  # one vertex per (position, normal): split along creases
                vbo = ctx.buffer(pack.vertices(layout.positions(mesh.vertices), layout.normals))
                ibo = ctx.buffer(pack.indices(layout.triangles))
                buffers += [vbo, ibo]
                fill = ctx.vertex_array(self.mesh_program, [(vbo, *self._mesh_layout)], index_buffer=ibo, index_element_size=4)
        if len(mesh.edges):
            vbo = ctx.buffer(pack.vertices(mesh.vertices))
            ibo = ctx.buffer(pack.indices(mesh.edges))
            buffers += [vbo, ibo]
            edges = ctx.vertex_array(self.line_program, [(vbo, *self._line_layout)], index_buffer=ibo, index_element_size=4)
        self._uploaded[(id(mesh), shading)] = (mesh, fill, edges, layout)
        return _Drawable(obj, buffers, fill, edges, shading, layout)

    def set_shading(self, shading: str | None) -> None:
        """Draw with other shading from the next frame on: "flat", "smooth", or None (each object's own).

        The objects' fill buffers are built again (the smooth layout of a mesh is computed once and
        kept, so switching back and forth is quick); what :meth:`set_object` put in place stays.
        """
        if shading is not None and shading not in SHADINGS:
            raise UsageError(_("shading: expected 'flat', 'smooth' or None, got {shading}").format(
                shading=repr(shading)))
        if shading == self.shading:
            return
        make_current(self.ctx)
        objects = [item.obj for item in self._drawables]
        self._release_meshes()
        self.shading = shading
        self._upload_all(objects)

    def set_object(self, index: int, obj) -> None:
        """Draw ``obj`` (a :class:`~affine3d.geometry.SceneObject`) in place of object ``index``.

        Its mesh must have the old one's triangles and edges; its vertices, colour and model may
        differ. The vertex buffers are rewritten in place (same sizes, no new GPU objects) when the
        mesh changed, so animating vertices (a network warping a solid, see :class:`affine3d.render.MorphingScene`)
        costs one upload a frame. Only the shapes are checked, not every index: that would cost as
        much as the upload.
        """
        item = self._drawables[index]
        old, mesh = item.obj.mesh, obj.mesh
        if mesh is not old:
            if mesh.vertices.shape != old.vertices.shape or mesh.triangles.shape != old.triangles.shape \
                    or mesh.edges.shape != old.edges.shape:
                raise SceneError(
                    _("mesh: expected object {index}'s topology ({n_vertices} vertices, {n_triangles} triangles, {n_edges} "
                       "edges), got {n_vertices2}, {n_triangles2}, {n_edges2}").format(
                        index=index, n_vertices=old.n_vertices, n_triangles=old.n_triangles, n_edges=old.n_edges, n_vertices2=mesh.n_vertices, n_triangles2=mesh.n_triangles, n_edges2=mesh.n_edges)
                )
            if not item.buffers:
                raise SceneError(_("object {index} shares its mesh's buffers with another object; give it a Mesh of its own").format(
                    index=index))
            make_current(self.ctx)
            buffers = iter(item.buffers)
            if mesh.n_triangles:
                if item.shading == "flat":
                    next(buffers).write(pack.vertices(*mesh.flat()))
                else:  # the same layout (creases stay where they were), normals of the moved triangles
                    layout = item.layout
                    next(buffers).write(pack.vertices(layout.positions(mesh.vertices), layout.normals_for(mesh.vertices)))
                    next(buffers)  # the triangle indices do not change
            if len(mesh.edges):
                next(buffers).write(pack.vertices(mesh.vertices))
        item.obj = obj

    def resize(self, size) -> None:
        """Make the offscreen framebuffers ``size = (width, height)`` pixels (a no-op if unchanged)."""
        size = check_size(size)
        if size == self.size:
            return
        make_current(self.ctx)
        for fb in self._framebuffers:
            fb.release()
        self._framebuffers = []
        self.fbo = self.msaa_fbo = None
        self.size = (0, 0)
        ctx = self.ctx
        limit = int(ctx.info.get("GL_MAX_RENDERBUFFER_SIZE", 0) or 0)
        if limit and max(size) > limit:
            raise UsageError(_("size: {size}x{size2} is larger than this OpenGL driver's framebuffers ({limit} pixels a side); use "
                                "a smaller size, or the CPU backend").format(
                size=size[0], size2=size[1], limit=limit))
        try:
            # The image that read() returns: single-sampled colour + depth.
            color = ctx.renderbuffer(size, 4)
            depth = ctx.depth_renderbuffer(size)
            self._framebuffers = [color, depth]
            self.fbo = ctx.framebuffer([color], depth)
            self._framebuffers.append(self.fbo)
            if self.samples:
                # Draw into a multisampled framebuffer; read() resolves it into self.fbo (averaging the samples).
                color_ms = ctx.renderbuffer(size, 4, samples=self.samples)
                depth_ms = ctx.depth_renderbuffer(size, samples=self.samples)
                self._framebuffers += [color_ms, depth_ms]
                self.msaa_fbo = ctx.framebuffer([color_ms], depth_ms)
                self._framebuffers.append(self.msaa_fbo)
        except Exception as exc:  # moderngl.Error: the driver ran out of room for a framebuffer this big
            for fb in self._framebuffers:
                fb.release()
            self._framebuffers, self.fbo, self.msaa_fbo = [], None, None
            detail = one_line(exc)
            if self.samples:
                message = _("size: the OpenGL driver cannot make a {width}x{height} framebuffer with {samples} samples a "
                            "pixel ({detail}); use a smaller size, fewer samples (0: off), or the CPU backend")
            else:
                message = _("size: the OpenGL driver cannot make a {width}x{height} framebuffer ({detail}); use a smaller "
                            "size, fewer samples (0: off), or the CPU backend")
            raise UsageError(message.format(width=size[0], height=size[1], samples=self.samples, detail=detail)) from None
        self.size = size

    # -- per frame
    def draw(self, world: Affine | None = None, *, ortho: bool | None = None, wireframe: bool = False,
             framebuffer=None, projection: np.ndarray | None = None, naive_normals: bool = False) -> None:
        """Draw one frame: clear to the background, then every object (and its edges, if asked).

        Parameters
        ----------
        world : Affine, optional
            world space -> camera space; default ``scene.world()`` (the scene's own rotation, pushed
            ``camera.distance`` away from the camera).
        ortho : bool, optional
            True: orthographic projection; False: perspective; None: what the scene's camera says.
        wireframe : bool
            Draw every object's polygon edges over its faces (objects whose ``wireframe`` is set get
            them anyway).
        framebuffer : moderngl.Framebuffer, optional
            Draw there instead (``ctx.screen`` in a window); :meth:`read` still reads the offscreen image.
        projection : ndarray, shape (4, 4), optional
            camera space -> clip space, in place of the scene camera's (``ortho`` is then ignored): an
            off-centre one from :func:`affine3d.projection.into_box`, for instance.
        naive_normals : bool
            Light with ``A n`` (the linear part of ``world @ model`` applied to the normals) instead of
            the normal matrix ``(A^-1)^T n``: the classic mistake, wrong under a shear or a non-uniform
            scale (the viewer's N key shows it).
        """
        ctx = make_current(self.ctx)
        target = framebuffer or self.msaa_fbo or self.fbo
        target.use()
        width, height = target.viewport[2], target.viewport[3]
        scene = self.scene
        world = scene.world() if world is None else world
        world_gl, projection_gl, world_normal, world_det = self._frame_terms(world, width / height, ortho, projection)
        if naive_normals:
            world_normal = world.A  # the mistake on purpose: normals through A, like positions
        background = scene.background
        target.clear(background[0], background[1], background[2], 1.0, depth=1.0)

        ctx.enable(ctx.DEPTH_TEST)
        ctx.depth_func = "<"
        if self.cull_back_faces:
            ctx.enable(ctx.CULL_FACE)
            ctx.cull_face = "back"
        else:
            ctx.disable(ctx.CULL_FACE)
        mesh = self._mesh
        mesh.write("world", world_gl)
        mesh.write("projection", projection_gl)
        mesh.write("light_dir", pack.floats(scene.light_direction))
        mesh.write("ambient", pack.floats(self.ambient))
        hatch = pack.ints(hatch_period(height))  # for objects drawn hatched (SceneObject.hatched: inside out)
        mesh.write("inside_color", pack.floats(INSIDE_COLOR))
        mesh.write("inside_shade", pack.floats(INSIDE_SHADE))

        edged = []
        front_face = "ccw"
        # Fill pass: faces pushed a hair away from the camera so edges drawn on them win the depth test.
        ctx.polygon_offset = (1.0, 1.0)
        for item in self._drawables:
            model_gl, model_normal, model_det = item.model_terms()
            if item.fill is not None:
                # normal_matrix of camera_from_object = world @ model: (A_w A_m)^-T = A_w^-T A_m^-T,
                # both factors from Affine.normal_matrix(); det multiplies the same way.
                normal_matrix = world_normal @ (item.obj.model.A if naive_normals else model_normal)
                mesh.write("model", model_gl)
                mesh.write("normal_matrix", pack.matrix(normal_matrix))
                mesh.write("color", item.color_bytes())
                mesh.write("hatch_period", hatch if getattr(item.obj, "hatched", False) else NO_HATCH)
                # A mirror (det < 0) turns counter-clockwise triangles clockwise on screen: the
                # outside of the solid now winds clockwise, so that is the front.
                wanted = "cw" if world_det * model_det < 0 else "ccw"
                if wanted != front_face:
                    ctx.front_face = front_face = wanted
                item.fill.render(ctx.TRIANGLES)
            if item.edges is not None and (wireframe or getattr(item.obj, "wireframe", False)):
                edged.append(item)
        ctx.front_face = "ccw"
        ctx.polygon_offset = (0.0, 0.0)

        if edged:
            line = self._line
            line.write("world", world_gl)
            line.write("projection", projection_gl)
            for item in edged:
                obj = item.obj
                edge_color = getattr(obj, "edge_color", None)
                if edge_color is None:
                    edge_color = [EDGE_SHADE * c for c in obj.color]
                line.write("model", item.model_gl)
                line.write("edge_color", pack.floats(edge_color))
                item.edges.render(ctx.LINES)

    def _frame_terms(self, world: Affine, aspect: float, ortho: bool | None,
                     projection: np.ndarray | None = None) -> tuple[bytes, bytes, np.ndarray, float]:
        """What one frame shares across objects: world and projection bytes, world's normal matrix, sign of det.

        The last world map and projection are remembered, so drawing the same view again (or a
        window redrawing) costs nothing here.
        """
        camera = self.scene.camera
        if projection is not None:
            projection = np.asarray(projection, dtype=np.float64)
            projection_key = ("given", projection.tobytes())
        else:
            projection_key = (aspect, ortho, camera.fov, camera.near, camera.far, camera.distance, camera.projection)
        if projection_key != self._projection_key:
            if projection is None:
                projection = np.asarray(self.scene.projection(aspect, ortho), dtype=np.float64)
            self._projection_key, self._projection_gl = projection_key, pack.matrix(projection)
        if world is not self._world:
            self._world = world
            normal = world.normal_matrix()
            # sign(det A) = sign(det N), N = (A^-1)^T: the triple product of N's rows, in plain floats
            (a, b, c), (d, e, f), (g, h, i) = normal.tolist()
            det_sign = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
            self._world_terms = (world.to_gl(), normal, det_sign)
        world_gl, world_normal, world_det = self._world_terms
        return world_gl, self._projection_gl, world_normal, world_det

    def read(self) -> np.ndarray:
        """The last offscreen frame as an image: shape (height, width, 4), uint8 RGBA, top row first."""
        make_current(self.ctx)
        if self.msaa_fbo is not None:
            self.ctx.copy_framebuffer(self.fbo, self.msaa_fbo)  # resolve: average the samples of each pixel
        width, height = self.size
        data = self.fbo.read(components=4, alignment=1)
        # GL's rows start at the bottom of the picture; images (numpy, PNG) start at the top.
        return np.frombuffer(data, dtype=np.uint8).reshape(height, width, 4)[::-1].copy()

    def _release_meshes(self) -> None:
        for _unused, fill, edges, _unused2 in self._uploaded.values():  # each vertex array once, however many objects share it
            for va in (fill, edges):
                if va is not None:
                    va.release()
        self._uploaded = {}
        for item in self._drawables:
            for buffer in item.buffers:  # only the object that made a mesh's buffers holds them
                buffer.release()
        self._drawables = []

    def release(self) -> None:
        """Free the GPU objects (buffers, vertex arrays, framebuffers, programs)."""
        make_current(self.ctx)
        self._release_meshes()
        for fb in self._framebuffers:
            fb.release()
        self._framebuffers = []
        for program in (self.mesh_program, self.line_program):
            if program is not None:
                program.release()
        self.mesh_program = self.line_program = None

    def __enter__(self) -> "Renderer":
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    @property
    def n_triangles(self) -> int:
        """Triangles drawn per frame."""
        return sum(item.obj.mesh.n_triangles for item in self._drawables)


def _layout(program, names: list[str]) -> tuple:
    """moderngl's buffer format for interleaved vec3 attributes, e.g. ``("3f 3f", "in_position", "in_normal")``.

    An attribute the program does not use (a student's shader ignores normals) becomes 12 skipped
    bytes, with a warning naming it, instead of moderngl's ``KeyError``.
    """
    formats, kept = [], []
    for name in names:
        if name in program:
            formats.append("3f")
            kept.append(name)
        else:
            formats.append("12x")
            warnings.warn(_("vertex attribute {name} is not in the linked program (unused, so the GLSL compiler removed "
                            "it); its data is skipped").format(name=repr(name)), UnusedUniformWarning, stacklevel=3)
    return (" ".join(formats), *kept)


# ---------------------------------------------------------------------------- one-shot helpers
def sample_counts(ctx) -> list[int]:
    """The multisample counts this context's driver offers: 0 (off) and the powers of two up to its maximum."""
    counts, n = [0], 2
    while n <= ctx.max_samples:
        counts.append(n)
        n *= 2
    return counts


def check_samples(ctx, samples, what: str = "samples") -> int:
    """``samples`` as the count to ask the driver for: 0 (off), or a power of two it offers.

    0 and 1 both mean off. A power of two above the driver's maximum is lowered to that maximum
    (a 4-sample driver draws ``samples=8`` with 4); any other number (3, -1) is a UsageError that
    lists the counts the driver has.
    """
    offered = sample_counts(ctx)
    listed = ", ".join(str(n) for n in offered)
    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)):
        raise UsageError(_("{what}: expected a whole number of samples a pixel ({listed}), got {samples}").format(
            what=what, listed=listed, samples=repr(samples)))
    samples = int(samples)
    if samples in (0, 1):
        return 0
    if samples < 0 or samples & (samples - 1):
        raise UsageError(_("{what}: expected 0 (off) or a power of two this OpenGL driver offers ({listed}), got {samples}").format(
            what=what, listed=listed, samples=samples))
    return min(samples, offered[-1])


def render(scene, size=(800, 600), world: Affine | None = None, *, ortho: bool | None = None,
           wireframe: bool = False, samples: int = 4, shading: str | None = None, ctx=None) -> np.ndarray:
    """Render ``scene`` headless: an image of shape (height, width, 4), uint8 RGBA, top row first.

    Parameters
    ----------
    scene : Scene
    size : (width, height)
        In pixels.
    world : Affine, optional
        world space -> camera space; default ``scene.world()``.
    ortho : bool, optional
        Orthographic (True) or perspective (False) projection; None: the scene's camera decides.
    wireframe : bool
        Polygon edges over the faces.
    samples : int
        Multisample antialiasing (0: off).
    shading : {None, "flat", "smooth"}
        None: each object's own (``SceneObject.shading``); otherwise all objects so.
    ctx : moderngl.Context, optional
        Default: the process's shared headless context (:func:`affine3d.gl.context.default_context`).
    """
    ctx = ctx or default_context()
    with Renderer(ctx, scene, size, samples=samples, shading=shading) as renderer:
        renderer.draw(world, ortho=ortho, wireframe=wireframe)
        return renderer.read()
