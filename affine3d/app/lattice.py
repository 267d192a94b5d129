"""See the basis move: a ghost lattice (the unit cube's grid) carried by a map, and the images of e1, e2, e3.

The picture every linear-algebra course draws in 2D, in 3D: an affine map ``F(x) = A x + b`` sends the
origin to ``b`` and each basis vector ``e_i`` to ``A e_i + b``, so the three *columns* of ``A`` are
arrows from ``b``, and the unit cube's grid becomes a grid of parallelepipeds spanned by them. Key G
in the viewer shows it for

- the **world map** (world space -> camera space): the lattice drawn in world space, so the
  renderer's own world map carries it, and the arrows from the world's origin to ``e_i``, which land
  at ``A e_i + b`` in camera space: the columns of the 4x4 matrix in the overlay;
- the **current layer** of a network (its affine stage at time t, ``A(t) x + b(t)``; during its
  activation, ``W x + b`` bent by ``(1 - t) z + t σ(z)``), in the network's space (world space).

:func:`lattice_segments` and :func:`basis_arrows` are the maths (numpy, tested); :class:`LatticeDrawer`
draws them with the renderer's line shader (``shaders/lines.vert``) in the window's context.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import pack
from ..i18n import _
from ..affine import Affine
from ..gl.context import make_current
from ..gl.glsl import Uniforms, build_program

__all__ = ["LATTICE_CELLS", "BASIS_COLORS", "lattice_segments", "basis_arrows", "Basis", "basis_for", "LatticeDrawer"]

LATTICE_CELLS = 4
"""Cells along each edge of the unit cube's grid."""

BASIS_COLORS = ((0.95, 0.35, 0.3), (0.35, 0.85, 0.35), (0.4, 0.6, 1.0))
"""The arrows of A e1, A e2, A e3 and the matrix columns they are: red, green, blue."""

LATTICE_COLOR = (0.62, 0.62, 0.68)


def lattice_segments(F=None, cells: int = LATTICE_CELLS, samples: int = 1) -> np.ndarray:
    """The lines of the unit cube's grid ``[0, 1]^3`` (``cells`` per edge), carried by ``F``: segments (M, 2, 3).

    Each grid line is cut into ``samples`` pieces, so a map that bends lines (an activation) bends them
    visibly; for an affine map one piece per line is exact.

    Examples
    --------
    >>> lattice_segments(cells=1).shape                      # a cube's 12 edges
    (12, 2, 3)
    """
    ticks = np.linspace(0.0, 1.0, cells + 1)
    along = np.linspace(0.0, 1.0, samples + 1)
    lines = []
    for axis in range(3):
        others = [a for a in range(3) if a != axis]
        for u in ticks:
            for v in ticks:
                points = np.zeros((samples + 1, 3))
                points[:, axis] = along
                points[:, others[0]], points[:, others[1]] = u, v
                lines.append(np.stack([points[:-1], points[1:]], axis=1))
    segments = np.concatenate(lines)
    if F is None:
        return segments
    moved = np.asarray(F(segments.reshape(-1, 3)), dtype=np.float64)
    return moved.reshape(segments.shape)


@dataclass(frozen=True)
class Basis:
    """What key G shows: a lattice and three arrows, in one space, and what the overlay says about them.

    Attributes
    ----------
    title : str
        E.g. ``"world map: world space -> camera space"`` or ``"layer 2, A(t) at t = 0.40"``.
    A : ndarray, shape (3, 3)
        The linear part whose columns the arrows are.
    b : ndarray, shape (3,)
        Where the origin goes: the arrows' common start.
    tips : ndarray, shape (3, 3)
        Row i: ``A e_i + b``, the image of the basis vector e_i (in the map's target space).
    segments : ndarray, shape (M, 2, 3)
        The lattice's lines, in the space they are drawn in (``drawn_in``).
    drawn_in : str
        ``"world"``: the renderer's world map still applies (world mode draws the unit grid itself and
        the arrows from the world's origin); the layer's lattice is already carried, in world space.
    arrows : ndarray, shape (3, 2, 3)
        The three arrows as drawn (start, tip), in ``drawn_in`` coordinates.
    """

    title: str
    A: np.ndarray
    b: np.ndarray
    tips: np.ndarray
    segments: np.ndarray
    drawn_in: str
    arrows: np.ndarray


def basis_arrows(A, b) -> np.ndarray:
    """The three arrows from ``b`` to ``A e_i + b``: shape (3, 2, 3), arrow i = (start b, tip A e_i + b).

    Examples
    --------
    >>> basis_arrows(2 * np.eye(3), [1.0, 0, 0])[0]          # e1 -> (2, 0, 0) + (1, 0, 0)
    array([[1., 0., 0.],
           [3., 0., 0.]])
    """
    A, b = np.asarray(A, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.stack([np.stack([b, b + A[:, i]]) for i in range(3)])


def basis_for(world: Affine, stage=None, t: float = 1.0, mode: str = "world", samples: int = 12) -> Basis | str:
    """The lattice and arrows for key G's ``mode`` (``"world"`` or ``"layer"``), or a message why there are none.

    ``stage`` and ``t``: the network's stage on screen (:class:`affine3d.nn.morph.Stage`) for the layer mode.
    """
    if mode == "world":
        A, b = world.A, world.b
        arrows = basis_arrows(np.eye(3), np.zeros(3))  # in world space; the world map carries them to A e_i + b
        return Basis(_("world map: world space -> camera space"), A, b, basis_arrows(A, b)[:, 1], lattice_segments(),
                     "world", arrows)
    if stage is None:
        return "G: no network here, so no layer to show (the world map's lattice only)"
    if stage.width != 3:
        return _("G: layer {number} works in R^{width}; the lattice is drawn for layers 3 wide").format(
            number=stage.layer, width=stage.width)
    t = float(t)
    layer = stage.affine
    if stage.kind == "affine":
        F = stage.map_at(t)
        title = _("layer {number}: A(t) x + b(t) at t = {t} ({path} path)").format(number=stage.layer, t=f"{t:.2f}",
                                                                                    path=stage.path)
        segments = lattice_segments(F)
        A, b = F.A, F.b
    else:
        sigma = stage.activation

        def bend(p):
            z = layer(p)
            return (1.0 - t) * z + t * sigma(z)

        title = _("layer {number}: W x + b, then (1-t) z + t {sigma}(z) at t = {t}").format(number=stage.layer,
                                                                                             sigma=sigma, t=f"{t:.2f}")
        segments = lattice_segments(bend, samples=samples)
        A, b = layer.A, layer.b
    arrows = basis_arrows(A, b)
    return Basis(title, A, b, arrows[:, 1], segments, "world", arrows)


def _ndc_shift(dx: float, dy: float, size) -> np.ndarray:
    """clip space -> clip space, shape (4, 4): after the divide by w the picture moves ``dx``, ``dy`` pixels (y up).

    ``x_clip += (2 dx / width) w`` becomes ``x_ndc += 2 dx / width`` after the divide.

    Examples
    --------
    >>> clip = _ndc_shift(1, 0, (200, 100)) @ [0.5, 0.0, 0.0, 2.0]
    >>> float(clip[0] / clip[3]) - 0.25                      # one pixel of 200 is 0.01 in NDC
    0.01
    """
    shift = np.eye(4)
    shift[0, 3], shift[1, 3] = 2 * dx / size[0], 2 * dy / size[1]
    return shift


def _arrow_heads(arrows: np.ndarray) -> np.ndarray:
    """Four short segments at each arrow's tip (a wire cone), so its direction shows: (3, 4, 2, 3)."""
    heads = []
    for start, tip in arrows:
        d = tip - start
        length = np.linalg.norm(d)
        if length < 1e-12:
            heads.append(np.repeat(np.stack([tip, tip])[None], 4, axis=0))
            continue
        unit = d / length
        helper = np.eye(3)[np.argmin(np.abs(unit))]
        u = np.cross(unit, helper)
        u /= np.linalg.norm(u)
        v = np.cross(unit, u)
        back = tip - 0.15 * length * unit
        size = 0.06 * length
        heads.append(np.stack([np.stack([tip, back + s * size * w]) for w in (u, v) for s in (1, -1)]))
    return np.stack(heads)


class LatticeDrawer:
    """Draws a :class:`Basis` with the renderer's line shader into the framebuffer the renderer left bound.

    One dynamic vertex buffer holds the lattice and the arrows; each frame writes it again (a few
    thousand floats) and draws the lattice dim, then each arrow in its column's colour, over the scene.
    """

    MAX_SEGMENTS = 8192

    def __init__(self, ctx):
        make_current(ctx)
        self.ctx = ctx
        self.program = build_program(ctx, "lines.vert", "lines.frag")
        self.uniforms = Uniforms(self.program, ["model", "world", "projection", "edge_color"])
        self.buffer = ctx.buffer(reserve=self.MAX_SEGMENTS * 2 * 12, dynamic=True)
        self.vao = ctx.vertex_array(self.program, [(self.buffer, "3f", "in_position")])

    # Arrows are drawn five times, shifted by a pixel left, right, up and down: three pixels thick on
    # every driver (a forward-compatible OpenGL context refuses glLineWidth above 1).
    THICK = ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1))

    def draw(self, basis: Basis, world: Affine, projection: np.ndarray, size) -> None:
        """The lattice, then the arrows (and their heads), on top of the scene (no depth test: a ghost).

        ``size``: the framebuffer's (width, height) in pixels, for the arrows' thickness.
        """
        ctx = make_current(self.ctx)
        heads = _arrow_heads(basis.arrows)
        lattice = basis.segments[: self.MAX_SEGMENTS - 15]
        parts = [lattice] + [np.concatenate([basis.arrows[i][None], heads[i]]) for i in range(3)]
        data = np.concatenate([p.reshape(-1, 3) for p in parts])
        self.buffer.write(pack.vertices(data))
        u = self.uniforms
        u.write("model", Affine.identity(3).to_gl())
        u.write("world", world.to_gl())
        ctx.disable(ctx.DEPTH_TEST)
        first = 0
        for k, part in enumerate(parts):
            count = 2 * len(part)
            u.write("edge_color", pack.floats(LATTICE_COLOR if k == 0 else BASIS_COLORS[k - 1]))
            for dx, dy in self.THICK[: 1 if k == 0 else None]:
                u.write("projection", pack.matrix(_ndc_shift(dx, dy, size) @ projection))
                self.vao.render(ctx.LINES, vertices=count, first=first)
            first += count
        ctx.enable(ctx.DEPTH_TEST)

    def release(self) -> None:
        make_current(self.ctx)
        self.vao.release()
        self.buffer.release()
        self.program.release()
