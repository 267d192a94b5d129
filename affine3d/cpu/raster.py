"""A CPU rasterizer in numpy: the GPU's pipeline, one stage per function, on the same ``Affine`` maps.

Before the 1990s every 3D picture was computed like this, by the CPU. Here the stages are the ones
an OpenGL driver runs, written out so that one triangle can be followed from object space to a pixel::

    p_model  --model-->  p_world  --world-->  p_camera  --projection-->  p_clip        (vertex_stage)
    p_clip   --cut at the near plane, so that w > 0-->  p_clip                         (clip_near)
    p_clip   --divide by w-->  p_ndc  --viewport-->  p_window = (x_px, y_px, depth)    (window_coordinates)
    p_window --edge functions: is the pixel centre inside? how deep?-->  depth test     (rasterize)
    nearest triangle at each pixel --Lambert: normal through the inverse transpose-->  colour   (shade)

The matrices are the GPU renderer's (``model``, ``world``, ``projection`` from the scene), so the two
pictures can be compared pixel by pixel: that comparison (``tests/test_raster.py``) checks the
shaders against an independent implementation of the same maths.

Conventions, the same as OpenGL's:

- window coordinates count pixels from the **top-left** corner of the image (``y_px`` grows
  downwards, like image rows; OpenGL's window origin is bottom-left, so its rows come out flipped);
- pixel ``(i, j)`` (column ``i``, row ``j``) covers ``[i, i+1) x [j, j+1)``; it is inside a
  triangle when its centre ``(i + 0.5, j + 0.5)`` is; a centre exactly on an edge shared by two
  triangles belongs to exactly one of them (the *top-left rule*);
- corners are snapped to 1/256 of a pixel, as GPUs do (8 sub-pixel bits): edge functions are then
  exact, and the top-left rule is decided without rounding error;
- depth is NDC ``z`` mapped from ``[-1, 1]`` to ``[0, 1]`` (``glDepthRange(0, 1)``), the buffer
  starts at 1 and a fragment passes when it is strictly nearer (``GL_LESS``), so of two equally deep
  triangles the one drawn first stays;
- triangles whose corners run counter-clockwise on the screen face the camera (``GL_CCW``); a model
  with a negative determinant (a mirror) turns every triangle over, and is drawn with the rule
  reversed, like the GPU renderer does.

Memory stays bounded whatever the mesh size: triangles go through in chunks, and each chunk is
rasterized in batches of triangles with bounding boxes of similar size, a fixed number of pixel
samples per batch. Nothing of size triangles x pixels is ever allocated.

Examples
--------
One triangle, from object space to pixels of a 12 x 12 image:

>>> from affine3d.projection import perspective
>>> p_model = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0.0]])   # counter-clockwise seen from +z
>>> model = Affine.translation([-0.4, -0.4, 0])                # object space -> world space
>>> world = Affine.translation([0, 0, -2])                     # world space -> camera space: 2 in front
>>> projection = perspective(np.radians(60), 1.0, 0.5, 10.0)   # camera space -> clip space
>>> p_clip = vertex_stage(p_model, model, world, projection)
>>> p_clip[:, 3]                                               # w = -z_camera = 2: the divide shrinks by 2
array([2., 2., 2.])
>>> p_window = window_coordinates(p_clip, (12, 12))           # columns, rows from the top, depth
>>> p_window.round(2)
array([[3.92, 8.08, 0.79],
       [9.12, 8.08, 0.79],
       [3.92, 2.88, 0.79]])
>>> buffer = DepthBuffer((12, 12))
>>> rasterize(buffer, p_window[None], np.array([0]))          # triangle id 0
>>> for row in buffer.triangle_ids()[2:9]:                    # rows 2..8: the pixels whose centres it covers
...     print("".join("#" if t == 0 else "-" for t in row))
------------
----#-------
----##------
----###-----
----####----
----#####---
------------
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..affine import Affine
from ..errors import AffineError, SceneError, UsageError
from ..i18n import _
from ..geometry.normals import smooth_layout
from ..geometry.shading import (AMBIENT, EDGE_SHADE, INSIDE_COLOR, INSIDE_SHADE, SHADINGS,  # the GPU renderer's too
                                hatch_period, shading_of, singular_model_error)
from ..images import check_size
from ..projection import clip_to_window

__all__ = [
    "DepthBuffer",
    "vertex_stage",
    "clip_near",
    "window_coordinates",
    "rasterize",
    "draw_triangles",
    "signed_area2",
    "draw_lines",
    "lambert",
    "hatch_stripes",
    "render_cpu",
]

SUBPIXEL = 256  # corners snap to 1/SUBPIXEL of a pixel (8 sub-pixel bits, like llvmpipe)
CHUNK_TRIANGLES = 1 << 16  # triangles taken through the pipeline at a time
BATCH_SAMPLES = 1 << 18  # pixel samples tested at once (a few MB per temporary array)
_EMPTY = np.iinfo(np.int64).max  # the key of a pixel no triangle has reached: depth 1, the far plane


class DepthBuffer:
    """Per pixel: the depth of the nearest triangle so far, and which triangle it is.

    Both live in one int64 ``key`` per pixel, ``depth_bits << 32 | id``, with the depth as
    the bits of a float32 in ``[0, 1)`` (non-negative float32 numbers sort like their bit
    patterns). The depth test of many fragments at once is then one ``np.minimum.at``: the nearest
    fragment wins, and of two equally deep ones the smaller id, the one drawn first, as with
    ``GL_LESS``. Colours are computed afterwards, only for the triangles that won a pixel.

    Parameters
    ----------
    size : (width, height)
        In pixels.
    """

    def __init__(self, size: tuple[int, int]):
        width, height = check_size(size)  # the GPU renderer's rule: 1 .. 16384 pixels a side
        self.width, self.height = width, height
        self.key = np.full(height * width, _EMPTY, dtype=np.int64)  # row-major, top row first

    def triangle_ids(self) -> np.ndarray:
        """(H, W) int64: the id recorded at each pixel (the triangle seen there), -1 where none is."""
        ids = (self.key & 0xFFFFFFFF).astype(np.int64)
        ids[self.key == _EMPTY] = -1
        return ids.reshape(self.height, self.width)

    def depth(self) -> np.ndarray:
        """(H, W) float32: the window depth in ``[0, 1]`` at each pixel, 1 (the far plane) where empty."""
        bits = (self.key >> 32).astype(np.int32)
        depth = bits.view(np.float32).copy()
        depth[self.key == _EMPTY] = 1.0
        return depth.reshape(self.height, self.width)


# ---------------------------------------------------------------------------------------------- vertices
def vertex_stage(p_model: np.ndarray, model: Affine, world: Affine, projection: np.ndarray) -> np.ndarray:
    """What ``mesh.vert`` computes: ``p_clip = projection @ world @ model @ [p_model, 1]``.

    Parameters
    ----------
    p_model : ndarray, shape (V, 3)
        Vertices in object (model) space.
    model : Affine
        Model space -> world space (the object's place in the scene).
    world : Affine
        world space -> camera space (the world turned and pushed in front of the fixed camera).
    projection : ndarray, shape (4, 4)
        Camera space -> clip space (:mod:`affine3d.projection`).

    Returns
    -------
    ndarray, shape (V, 4), float64
        Homogeneous clip coordinates ``(x, y, z, w)``; not yet divided by ``w``.

    Examples
    --------
    >>> from affine3d.projection import perspective
    >>> P = perspective(np.pi / 2, 1.0, 1.0, 10.0)
    >>> world = Affine.translation([0, 0, -2])          # push the point 2 units in front of the camera
    >>> p_clip = vertex_stage(np.array([[1.0, 0, 0]]), Affine.identity(), world, P)
    >>> w = p_clip[0, 3]; x_ndc = p_clip[0, 0] / w   # at distance 2 a 90-degree view is 4 units wide
    >>> [float(w), float(x_ndc)]
    [2.0, 0.5]
    """
    p_model = np.asarray(p_model, dtype=np.float64)
    p_world = model(p_model)
    p_camera = world(p_world)
    p_clip = p_camera @ projection[:, :3].T + projection[:, 3]  # projection @ [x, y, z, 1]
    return p_clip


def clip_near(corners: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cut triangles at the near plane, as the GPU's clipper does, so no corner has ``w <= 0``.

    The near plane in clip space is ``z = -w`` (after the divide: depth -1); the visible side is
    ``d = z + w >= 0``. For a perspective projection ``d >= 0`` means the point is at least ``near``
    in front of the camera, so ``w >= near > 0`` and the divide is safe. A triangle with all three
    corners on the visible side stays as it is; one with none is dropped; otherwise the part on the
    visible side is a triangle (one corner inside) or a quadrilateral (two inside), cut into two
    triangles. The new corners lie on the plane, at ``a + t (b - a)`` with ``t = d_a / (d_a - d_b)``.
    The winding is kept, and each piece keeps its triangle's id. A second cut at ``w >= 1e-12``
    protects the divide from a projection matrix other than ours.

    Parameters
    ----------
    corners : ndarray, shape (T, 3, 4)
        Each triangle's corners in clip space.
    ids : ndarray, shape (T,), int64
        Each triangle's id.

    Returns
    -------
    corners, ids : ndarray, shape (T', 3, 4), and ndarray, shape (T',)
        The visible pieces: ``T' <= 2 T`` for the projections of :mod:`affine3d.projection`.

    Examples
    --------
    A triangle with one corner behind the camera (``w = -1``) becomes a quadrilateral: two triangles.

    >>> tri = np.array([[[0, 0, 0, 1], [1, 0, 0, 1], [0, 1, -3, -1]]], dtype=float)
    >>> pieces, piece_ids = clip_near(tri, np.array([7]))
    >>> pieces.shape, piece_ids.tolist(), bool((pieces[..., 3] > 0).all())
    ((2, 3, 4), [7, 7], True)
    """
    corners, ids = _clip_plane(corners, ids, corners[..., 2] + corners[..., 3])
    if len(corners) and corners[..., 3].min() < 1e-12:
        corners, ids = _clip_plane(corners, ids, corners[..., 3] - 1e-12)
    return corners, ids


def _clip_plane(corners: np.ndarray, ids: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pieces of each triangle where ``d >= 0`` (``d``: shape (T, 3), linear in clip space)."""
    inside = d >= 0
    n_inside = inside.sum(axis=1)
    pieces = [corners[n_inside == 3]]
    piece_ids = [ids[n_inside == 3]]
    for n_in in (1, 2):
        sel = n_inside == n_in
        if not sel.any():
            continue
        # Turn each triangle's corners (a cyclic shift keeps the winding) so that corner a is the odd
        # one out: the only corner inside (n_in = 1), or the only one outside (n_in = 2).
        odd = inside[sel] if n_in == 1 else ~inside[sel]
        order = (np.argmax(odd, axis=1)[:, None] + np.arange(3)) % 3
        c = np.take_along_axis(corners[sel], order[:, :, None], axis=1)
        dd = np.take_along_axis(d[sel], order, axis=1)
        a, b, cc = c[:, 0], c[:, 1], c[:, 2]
        da, db, dc = dd[:, :1], dd[:, 1:2], dd[:, 2:]
        ab = a + da / (da - db) * (b - a)  # on the plane, between a and b (da and db have opposite signs)
        ca = cc + dc / (dc - da) * (a - cc)  # on the plane, between c and a
        if n_in == 1:  # a inside: the triangle (a, ab, ca)
            pieces.append(np.stack([a, ab, ca], axis=1))
            piece_ids.append(ids[sel])
        else:  # a outside: the quadrilateral (ab, b, c, ca) = (ab, b, c) + (ab, c, ca)
            pieces += [np.stack([ab, b, cc], axis=1), np.stack([ab, cc, ca], axis=1)]
            piece_ids += [ids[sel], ids[sel]]
    return np.concatenate(pieces), np.concatenate(piece_ids)


def window_coordinates(p_clip: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Clip space -> NDC (divide by ``w``) -> window: :func:`affine3d.projection.clip_to_window`, snapped to 1/256 pixel.

    Parameters
    ----------
    p_clip : ndarray, shape (..., 4)
        Clip coordinates with ``w > 0`` (clip first: :func:`clip_near`).
    size : (width, height)
        The viewport, in pixels.

    Returns
    -------
    ndarray, shape (..., 3), float64
        ``x_px`` from the left edge and ``y_px`` from the top edge, in pixels, snapped to 1/256 of a
        pixel; ``depth`` in ``[0, 1]`` for points between the near and the far plane.

    Examples
    --------
    The centre of NDC is the centre of the image; NDC ``(-1, +1)`` is its top-left corner:

    >>> window_coordinates(np.array([[0, 0, 0, 1.0], [-2, 2, -2, 2.0]]), (800, 600))
    array([[400. , 300. ,   0.5],
           [  0. ,   0. ,   0. ]])
    """
    p_window = clip_to_window(p_clip, size)  # the one map from clip space to pixels (affine3d.projection)
    p_window[..., :2] = np.round(p_window[..., :2] * SUBPIXEL) / SUBPIXEL  # the rasterizer's grid
    return p_window


def signed_area2(p_window: np.ndarray) -> np.ndarray:
    """Twice the signed area of triangles ``(T, 3, >=2)`` in window coordinates, shape (T,).

    Positive when the corners run clockwise on the screen (``y_px`` points down), that is negative
    for the counter-clockwise triangles OpenGL calls front-facing.
    """
    x, y = p_window[..., 0], p_window[..., 1]
    return (x[:, 1] - x[:, 0]) * (y[:, 2] - y[:, 0]) - (x[:, 2] - x[:, 0]) * (y[:, 1] - y[:, 0])


# ---------------------------------------------------------------------------------------------- pixels
def rasterize(buffer: DepthBuffer, p_window: np.ndarray, ids: np.ndarray, *, depth_offset: tuple[float, float] = (0.0, 0.0)) -> None:
    """Cover pixels with triangles and keep, per pixel, the nearest one (the depth test).

    A pixel centre ``p`` is inside triangle ``(v0, v1, v2)`` when it is on the inner side of all three
    edges. The *edge function* of the edge ``a -> b``,

        E(p) = (b.x - a.x) (p.y - a.y) - (b.y - a.y) (p.x - a.x),

    is twice the signed area of the triangle ``(a, b, p)``: zero on the edge's line, positive on one
    side. With ``w0 = E_{v1 v2}(p)``, ``w1 = E_{v2 v0}(p)``, ``w2 = E_{v0 v1}(p)`` and
    ``area2 = w0 + w1 + w2 > 0``, the numbers ``w_k / area2`` are ``p``'s barycentric coordinates:
    all >= 0 inside, and the depth at ``p`` is ``sum_k w_k / area2 * depth_k``. Depth is linear in
    window coordinates (that is why the GPU maps ``z / w`` and not ``z`` to the depth buffer), so it
    is also a plane ``depth(p) = depth_0 + dz_dx (p.x - x_0) + dz_dy (p.y - y_0)``, which is cheaper.

    On an edge (``w_k = 0``) the top-left rule decides: the pixel is in if the edge is a *top* edge
    (horizontal, the triangle below it) or a *left* edge (the triangle to its right), so a centre on
    the edge shared by two triangles is drawn once, not twice or never.

    Parameters
    ----------
    buffer : DepthBuffer
        Updated in place.
    p_window : ndarray, shape (T, 3, 3)
        Triangles in window coordinates (:func:`window_coordinates`), any winding: cull before this.
        Zero-area triangles cover nothing.
    ids : ndarray, shape (T,), int64
        What the buffer records for each triangle, ``0 <= id < 2^32``; the smaller id wins a tie in depth.
    depth_offset : (factor, units)
        ``glPolygonOffset``: each triangle's depth grows by ``factor * max(|dz_dx|, |dz_dy|) + units * 2^-24``,
        pushing faces a hair back so that their edges, drawn later, win the depth test.
    """
    # The pixel columns i whose centres i + 0.5 lie in the triangle's x-range, and likewise the rows.
    x, y = p_window[..., 0], p_window[..., 1]  # (T, 3) each
    lo = np.stack([np.minimum(np.minimum(x[:, 0], x[:, 1]), x[:, 2]), np.minimum(np.minimum(y[:, 0], y[:, 1]), y[:, 2])], axis=1)
    hi = np.stack([np.maximum(np.maximum(x[:, 0], x[:, 1]), x[:, 2]), np.maximum(np.maximum(y[:, 0], y[:, 1]), y[:, 2])], axis=1)
    lo = np.maximum(np.ceil(lo - 0.5), 0).astype(np.int64)  # (T, 2): first column, first row
    hi = np.minimum(np.floor(hi - 0.5), [buffer.width - 1, buffer.height - 1]).astype(np.int64)  # last ones
    extent = hi - lo + 1  # (T, 2): the bounding box's width and height, in pixels
    area2 = signed_area2(p_window)
    # Most sub-pixel triangles of a fine mesh have no pixel centre in their box and stop here; so
    # does a degenerate triangle (a segment or a point: zero area), which covers no pixel centre.
    keep = np.flatnonzero((extent[:, 0] > 0) & (extent[:, 1] > 0) & (area2 != 0))
    if len(keep) == 0:
        return
    p_window, ids, area2 = np.take(p_window, keep, axis=0), ids[keep], area2[keep]
    lo, extent = np.take(lo, keep, axis=0), np.take(extent, keep, axis=0)
    flip = area2 < 0  # order the corners so that area2 > 0: then the inside is where all w_k >= 0
    p_window[flip, 1], p_window[flip, 2] = p_window[flip, 2], p_window[flip, 1].copy()
    area2 = np.abs(area2)

    # The depth plane and its slopes, per triangle (the barycentric weights' x and y derivatives).
    x, y, z = p_window[..., 0], p_window[..., 1], p_window[..., 2]
    dz_dx = ((y[:, 1] - y[:, 2]) * z[:, 0] + (y[:, 2] - y[:, 0]) * z[:, 1] + (y[:, 0] - y[:, 1]) * z[:, 2]) / area2
    dz_dy = ((x[:, 2] - x[:, 1]) * z[:, 0] + (x[:, 0] - x[:, 2]) * z[:, 1] + (x[:, 1] - x[:, 0]) * z[:, 2]) / area2
    factor, units = depth_offset
    offset = factor * np.maximum(np.abs(dz_dx), np.abs(dz_dy)) + units * 2.0**-24

    # Batch triangles whose boxes round up to the same power-of-two width and height, so that one
    # array of shape (n, box_h, box_w) tests n triangles at once, n * box_h * box_w <= BATCH_SAMPLES.
    box_log = np.ceil(np.log2(extent)).astype(np.int64)  # (T, 2)
    bucket = box_log[:, 0] * 64 + box_log[:, 1]
    order = np.argsort(bucket, kind="stable")
    bucket_sorted = bucket[order]
    starts = np.flatnonzero(np.r_[True, bucket_sorted[1:] != bucket_sorted[:-1]])
    ends = np.r_[starts[1:], len(order)]
    for start, end in zip(starts, ends):
        box_w, box_h = 1 << int(box_log[order[start], 0]), 1 << int(box_log[order[start], 1])
        per_batch = max(1, BATCH_SAMPLES // (box_w * box_h))
        for s in range(start, end, per_batch):
            sel = order[s : min(end, s + per_batch)]
            plane = (z[sel, 0] + offset[sel], dz_dx[sel], dz_dy[sel])
            # The batch's own largest box, no larger: a big triangle alone in its batch wastes nothing.
            batch_w, batch_h = int(extent[sel, 0].max()), int(extent[sel, 1].max())
            _rasterize_batch(buffer, p_window[sel], ids[sel], plane, lo[sel], batch_w, batch_h)


def _rasterize_batch(buffer, p_window, ids, plane, lo, box_w, box_h) -> None:
    """Test ``box_h x box_w`` pixel centres from each triangle's corner ``lo``; depth-test the covered ones."""
    px = (lo[:, 0, None] + np.arange(box_w) + 0.5)[:, None, :]  # (n, 1, box_w): pixel centres' x
    py = (lo[:, 1, None] + np.arange(box_h) + 0.5)[:, :, None]  # (n, box_h, 1): pixel centres' y
    inside = (px < buffer.width) & (py < buffer.height)  # the rounded-up box may reach past the image
    for k in range(3):
        a, b = p_window[:, (k + 1) % 3], p_window[:, (k + 2) % 3]  # edge k is opposite corner k
        dx, dy = (b[:, 0] - a[:, 0])[:, None, None], (b[:, 1] - a[:, 1])[:, None, None]
        # Top-left rule (y down, corners clockwise on screen): a top edge runs right (dy = 0, dx > 0),
        # a left edge runs up (dy < 0); a centre on one of these is in, on any other edge out. The
        # snapped corners make w_k an exact multiple of 2^-16, so "w_k >= 0" is "w_k > -2^-17".
        top_left = ((dy == 0) & (dx > 0)) | (dy < 0)
        w_x = top_left * 2.0**-17 - dy * (px - a[:, 0, None, None])  # (n, 1, box_w)
        w_y = dx * (py - a[:, 1, None, None])  # (n, box_h, 1)
        inside &= w_x + w_y > 0  # E(p) = dx (p.y - a.y) - dy (p.x - a.x), on the inner side (or a top-left edge)
    depth_0, dz_dx, dz_dy = (v[:, None, None] for v in plane)
    x_0, y_0 = p_window[:, 0, 0, None, None], p_window[:, 0, 1, None, None]
    depth = (depth_0 + dz_dx * (px - x_0)) + dz_dy * (py - y_0)  # (n, box_h, box_w)
    inside &= depth < 1.0  # beyond the far plane (clipped), or no nearer than the cleared buffer (GL_LESS)
    t, row, col = np.nonzero(inside)
    if len(t) == 0:
        return
    pixel = (lo[t, 1] + row) * buffer.width + (lo[t, 0] + col)
    depth32 = np.maximum(depth[t, row, col], 0.0).astype(np.float32)  # >= 0 up to rounding after clipping
    key = (depth32.view(np.int32).astype(np.int64) << 32) | ids[t]
    np.minimum.at(buffer.key, pixel, key)


# ---------------------------------------------------------------------------------------------- a mesh
def draw_triangles(buffer: DepthBuffer, p_clip: np.ndarray, triangles: np.ndarray, *, first_id: int = 0,
                   cull_back_faces: bool = True, mirrored: bool = False,
                   depth_offset: tuple[float, float] = (0.0, 0.0)) -> None:
    """One mesh's triangles through clipping, the divide, culling and :func:`rasterize`, in chunks.

    Parameters
    ----------
    buffer : DepthBuffer
        Updated in place.
    p_clip : ndarray, shape (V, 4)
        The mesh's vertices in clip space (:func:`vertex_stage`).
    triangles : ndarray, shape (T, 3), int
        Vertex indices, counter-clockwise seen from outside.
    first_id : int
        Triangle ``t`` is recorded as fragment id ``2 (first_id + t) + back``, where ``back`` is 1 when
        its back faces the camera: the shading step reads both from the buffer.
    cull_back_faces : bool
        Skip the triangles that face away from the camera (``GL_CULL_FACE``).
    mirrored : bool
        The model's map (``world @ model``) has a negative determinant: clockwise is the front.
    depth_offset : (factor, units)
        ``glPolygonOffset`` for these faces (see :func:`rasterize`).
    """
    triangles = np.asarray(triangles, dtype=np.int64)
    size = (buffer.width, buffer.height)
    # Vertices in front of the near plane are divided once, like the GPU runs its vertex shader once
    # per vertex; only the triangles with a corner behind the plane go through clip_near.
    in_front = (p_clip[:, 2] + p_clip[:, 3] >= 0) & (p_clip[:, 3] >= 1e-12)
    p_window_vertices = np.zeros((len(p_clip), 3))
    p_window_vertices[in_front] = window_coordinates(p_clip[in_front], size)
    for start in range(0, len(triangles), CHUNK_TRIANGLES):
        chunk = triangles[start : start + CHUNK_TRIANGLES]
        ids = first_id + start + np.arange(len(chunk), dtype=np.int64)
        corner_in_front = np.take(in_front, chunk)  # (n, 3)
        whole = corner_in_front[:, 0] & corner_in_front[:, 1] & corner_in_front[:, 2]
        # (n, 3, 3): corners in window space (np.take: a faster p_window_vertices[chunk[whole]])
        p_window, ids_whole = np.take(p_window_vertices, chunk[whole], axis=0), ids[whole]
        if not whole.all():  # cut the others at the near plane, in clip space, then divide the pieces
            pieces, piece_ids = clip_near(np.take(p_clip, chunk[~whole], axis=0), ids[~whole])
            p_window = np.concatenate([p_window, window_coordinates(pieces, size)])
            ids_whole = np.concatenate([ids_whole, piece_ids])
        ids = ids_whole
        # Counter-clockwise on screen (GL's front) is a negative area2 here, since y_px points down.
        back = (signed_area2(p_window) > 0) != mirrored
        if cull_back_faces:
            p_window, ids, back = p_window[~back], ids[~back], back[~back]
        rasterize(buffer, p_window, 2 * ids + back, depth_offset=depth_offset)


def clip_segments_near(ends: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cut line segments ``(N, 2, 4)`` (clip space) at the near plane ``z + w >= 0``, like :func:`clip_near`."""
    d = ends[..., 2] + ends[..., 3]  # (N, 2)
    keep = (d >= 0).any(axis=1)
    ends, ids, d = ends[keep].copy(), ids[keep], d[keep]
    for k in (0, 1):  # move an end that is behind the plane onto it, along the segment
        out = d[:, k] < 0
        a, b = ends[out, 1 - k], ends[out, k]
        da, db = d[out, 1 - k, None], d[out, k, None]
        ends[out, k] = a + da / (da - db) * (b - a)
    return ends, ids


def draw_lines(buffer: DepthBuffer, p_clip: np.ndarray, edges: np.ndarray, *, first_id: int = 0) -> None:
    """A mesh's edges ``(E, 2)`` as one-pixel lines, depth-tested, recorded as ids ``2 (first_id + e)``.

    A line is drawn like a GPU draws ``GL_LINES`` one pixel wide: step along its longer axis (x for
    a line flatter than 45 degrees), one pixel per column whose centre lies between the ends, in the
    row the line passes through at that centre; depth is interpolated linearly in window space.
    """
    edges = np.asarray(edges, dtype=np.int64)
    for start in range(0, len(edges), CHUNK_TRIANGLES):
        chunk = edges[start : start + CHUNK_TRIANGLES]
        ids = first_id + start + np.arange(len(chunk), dtype=np.int64)
        ends, ids = clip_segments_near(np.take(p_clip, chunk, axis=0), ids)
        _rasterize_lines(buffer, window_coordinates(ends, (buffer.width, buffer.height)), 2 * ids)


def _rasterize_lines(buffer: DepthBuffer, p_window: np.ndarray, ids: np.ndarray) -> None:
    """Lines ``(N, 2, 3)`` (start, end) in window coordinates into the depth buffer (see :func:`draw_lines`).

    OpenGL's *diamond-exit* rule, for a line along its major axis ``u`` (x for a line flatter than
    45 degrees, else y) with ``v`` the other axis: one pixel per pixel centre ``u = i + 0.5`` passed
    from the start (included) to the end (excluded), in the row (or column) the line crosses there.
    At the ends, the pixel holding the start is drawn and the one holding the end is not when the
    point lies in the pixel's *diamond* ``|du| + |dv| < 1/2``: chained lines share no pixel.
    A line exactly on a pixel border goes to the lower pixel in GL's y-up window (left, or below).
    """
    n = len(ids)
    rows = np.arange(n)
    start, end = p_window[:, 0], p_window[:, 1]
    major = (np.abs(end[:, 1] - start[:, 1]) > np.abs(end[:, 0] - start[:, 0])).astype(np.int64)  # 0: x, 1: y
    s_u, e_u, s_v, e_v = start[rows, major], end[rows, major], start[rows, 1 - major], end[rows, 1 - major]

    def minor_index(v):  # the pixel index along v; on a border, the lower pixel in GL's y-up window
        return np.where(major == 0, np.floor(v), np.ceil(v) - 1) if np.ndim(v) == 1 else None

    forward = e_u >= s_u
    # Pixels whose centres lie from the start (included) to the end (excluded): indices lo .. hi.
    lo = np.where(forward, np.ceil(s_u - 0.5), np.floor(e_u - 0.5) + 1)
    hi = np.where(forward, np.ceil(e_u - 0.5) - 1, np.floor(s_u - 0.5))
    # The diamond-exit rule at the two ends.
    i_s, i_e = np.floor(s_u), np.floor(e_u)
    start_in = np.abs(s_u - i_s - 0.5) + np.abs(s_v - minor_index(s_v) - 0.5) < 0.5
    end_in = np.abs(e_u - i_e - 0.5) + np.abs(e_v - minor_index(e_v) - 0.5) < 0.5
    lo = np.where(start_in & forward, np.minimum(lo, i_s), lo)
    hi = np.where(start_in & ~forward, np.maximum(hi, i_s), hi)
    hi = np.where(end_in & forward, np.minimum(hi, i_e - 1), hi)
    lo = np.where(end_in & ~forward, np.maximum(lo, i_e + 1), lo)
    limit = np.where(major == 0, buffer.width, buffer.height)
    lo = np.maximum(lo, 0).astype(np.int64)
    hi = np.minimum(hi, limit - 1).astype(np.int64)
    steps = hi - lo + 1
    sel = np.flatnonzero((steps > 0) & (e_u != s_u))  # a line shorter than a pixel may draw nothing
    if len(sel) == 0:
        return
    length = np.ceil(np.log2(steps[sel])).astype(np.int64)
    for log in np.unique(length):
        group = sel[length == log]
        box = 1 << int(log)
        per_batch = max(1, BATCH_SAMPLES // box)
        for b in range(0, len(group), per_batch):
            g = group[b : b + per_batch]
            u = lo[g, None] + np.arange(box)  # (m, box): pixel indices along the major axis
            t = (u + 0.5 - s_u[g, None]) / (e_u - s_u)[g, None]  # where each centre is along the line, 0..1
            v = s_v[g, None] + t * (e_v - s_v)[g, None]
            v = np.where(major[g, None] == 0, np.floor(v), np.ceil(v) - 1).astype(np.int64)
            depth = start[g, 2, None] + t * (end[g, 2] - start[g, 2])[:, None]  # linear in window space
            other_limit = np.where(major[g] == 0, buffer.height, buffer.width)[:, None]
            ok = (u <= hi[g, None]) & (v >= 0) & (v < other_limit) & (depth < 1.0)
            line, k = np.nonzero(ok)
            x_major = major[g][line] == 0
            x = np.where(x_major, u[line, k], v[line, k])
            y = np.where(x_major, v[line, k], u[line, k])
            depth32 = np.maximum(depth[line, k], 0.0).astype(np.float32)
            key = (depth32.view(np.int32).astype(np.int64) << 32) | ids[g][line]
            np.minimum.at(buffer.key, y * buffer.width + x, key)


# ---------------------------------------------------------------------------------------------- colour
def lambert(normals_camera: np.ndarray, color, light_dir, ambient: float) -> np.ndarray:
    """What ``mesh.frag`` computes: ``color * (ambient + (1 - ambient) * max(n . light_dir, 0))``.

    Parameters
    ----------
    normals_camera : ndarray, shape (N, 3)
        Unit normals in camera space, turned toward the viewer's side of the face.
    color : array-like, shape (3,)
        The object's colour, linear 0..1.
    light_dir : array-like, shape (3,)
        Unit, camera space, from the surface toward the light (the light moves with the camera).
    ambient : float
        The share of light every face gets.

    Returns
    -------
    ndarray, shape (N, 3), float64, in 0..1

    Examples
    --------
    >>> lambert(np.array([[0, 0, 1.0], [0, 0, -1.0]]), [1, 0.5, 0], [0, 0, 1], 0.2)
    array([[1. , 0.5, 0. ],
           [0.2, 0.1, 0. ]])
    """
    diffuse = np.maximum(normals_camera @ np.asarray(light_dir, dtype=np.float64), 0.0)
    return np.asarray(color, dtype=np.float64) * (ambient + (1 - ambient) * diffuse)[:, None]


def _normalize(v: np.ndarray) -> np.ndarray:
    length = np.linalg.norm(v, axis=-1, keepdims=True)
    return np.divide(v, length, out=np.zeros_like(v), where=length > 0)


def to_unorm8(rgb: np.ndarray) -> np.ndarray:
    """Colours 0..1 -> uint8 as GL stores them in an RGBA8 buffer: clamp, times 255, round to nearest."""
    return np.rint(np.clip(rgb, 0.0, 1.0) * 255).astype(np.uint8)


# ---------------------------------------------------------------------------------------------- a scene
@dataclass
class _Part:
    """What a range of fragment ids stands for: one object's faces, or its edges."""

    obj: object
    kind: str  # "faces" or "edges"
    first: int  # the first id; the part has ids first .. first + count - 1
    count: int
    p_clip: np.ndarray  # (V, 4): the object's vertices in clip space
    normal_matrix: np.ndarray  # (3, 3): object normals -> camera normals
    shading: str = "flat"


def hatch_stripes(pixels: np.ndarray, size: tuple[int, int], period: int) -> np.ndarray:
    """Which stripe each pixel is in (0 or 1): what ``mesh.frag`` computes from ``gl_FragCoord``.

    ``pixels`` are flat indices into a ``size = (width, height)`` image, top row first. GL counts rows
    from the bottom, so pixel ``(i, j)`` (column, row from the top) has ``gl_FragCoord = (i + 0.5,
    height - j - 0.5)``, and its stripe is ``((i + height - 1 - j) // period) % 2``: diagonal bands
    ``period`` pixels wide along ``x + y``, in integers on both sides.

    Examples
    --------
    >>> hatch_stripes(np.arange(8), (8, 1), 2)        # one row: pairs of pixels alternate
    array([0, 0, 1, 1, 0, 0, 1, 1])
    """
    width, height = size
    i, j = pixels % width, pixels // width
    return ((i + height - 1 - j) // int(period)) % 2


def render_cpu(scene, size=(800, 600), world: Affine | None = None, *, ortho: bool | None = None,
               wireframe: bool = False, shading: str | None = None, ambient: float | None = None,
               cull_back_faces: bool = True, projection: np.ndarray | None = None,
               naive_normals: bool = False) -> np.ndarray:
    """Render ``scene`` on the CPU: an image of shape (height, width, 4), uint8 RGBA, top row first.

    The same arguments, the same picture as :func:`affine3d.gl.renderer.render` (without antialiasing),
    computed by numpy: no OpenGL is needed.

    Parameters
    ----------
    scene : Scene
        Objects (mesh, model, colour), camera, light and background (:mod:`affine3d.geometry.scene`).
    size : (width, height)
        In pixels.
    world : Affine, optional
        world space -> camera space; default ``scene.world()``.
    ortho : bool, optional
        Orthographic (True) or perspective (False) projection; None: the scene's camera decides.
    wireframe : bool
        Every object's polygon edges over its faces (objects whose ``wireframe`` is set get them anyway).
    shading : {None, "flat", "smooth"}
        One normal per triangle, or a normal per corner (:func:`affine3d.geometry.normals.smooth_layout`,
        the GPU's very numbers) interpolated across each triangle; None: each object's own.
    ambient : float, optional
        Default: the GPU renderer's ``AMBIENT``.
    cull_back_faces : bool
        Skip triangles facing away from the camera; with False, a back face is lit from the side seen.
    projection : ndarray, shape (4, 4), optional
        camera space -> clip space in place of the scene camera's (``ortho`` is then ignored), as
        :meth:`Renderer.draw` takes it (:func:`affine3d.projection.into_box`).
    naive_normals : bool
        Light with ``A n`` instead of the normal matrix ``(A^-1)^T n`` (the mistake the viewer's N key shows).

    Examples
    --------
    >>> from affine3d.geometry.scene import load_scene
    >>> render_cpu(load_scene("platonic"), size=(80, 60)).shape
    (60, 80, 4)
    """
    if shading is not None and shading not in SHADINGS:
        raise UsageError(_("shading: expected 'flat', 'smooth' or None, got {shading}").format(
            shading=repr(shading)))
    width, height = check_size(size)
    ambient = AMBIENT if ambient is None else float(ambient)
    world = scene.world() if world is None else world
    if projection is None:
        projection = scene.projection(width / height, ortho)
    projection = np.asarray(projection, dtype=np.float64)
    buffer = DepthBuffer((width, height))

    # Fill pass, in the GPU's order: faces pushed a hair back (glPolygonOffset(1, 1)) so that edges
    # drawn on them later win the depth test.
    parts, next_id = [], 0
    for obj in scene.objects:
        camera_from_object = world @ obj.model
        try:
            normal_matrix = camera_from_object.normal_matrix()
        except AffineError:  # the GPU renderer's message, word for word
            raise singular_model_error(obj) from None
        if naive_normals:
            normal_matrix = camera_from_object.A  # the mistake on purpose: normals through A, like positions
        p_clip = vertex_stage(obj.mesh.vertices, obj.model, world, projection)
        part = _Part(obj, "faces", next_id, obj.mesh.n_triangles, p_clip, normal_matrix, shading or shading_of(obj))
        draw_triangles(buffer, p_clip, obj.mesh.triangles, first_id=part.first, cull_back_faces=cull_back_faces,
                       mirrored=camera_from_object.determinant < 0, depth_offset=(1.0, 1.0))
        parts.append(part)
        next_id += part.count
    # Edge pass: the polygon edges of the objects that show them, over the faces.
    for face_part in list(parts):
        obj = face_part.obj
        if len(obj.mesh.edges) and (wireframe or getattr(obj, "wireframe", False)):
            part = _Part(obj, "edges", next_id, len(obj.mesh.edges), face_part.p_clip, face_part.normal_matrix)
            draw_lines(buffer, part.p_clip, obj.mesh.edges, first_id=part.first)
            parts.append(part)
            next_id += part.count
    if next_id >= 1 << 31:
        raise SceneError(_("scene: expected fewer than 2^31 triangles and edges, got {next_id}").format(
            next_id=next_id))
    return shade(buffer, parts, scene, ambient=ambient, hatch=hatch_period(height))


def shade(buffer: DepthBuffer, parts: list[_Part], scene, *, ambient: float, hatch: int = 0) -> np.ndarray:
    """Colour each pixel from the fragment that won it: what ``mesh.frag`` and ``lines.frag`` compute.

    Flat shading gives a whole triangle one colour, so when every object is flat each visible
    triangle is shaded once and its colour copied to its pixels; smooth shading interpolates
    normals, so it is computed per pixel. The pixels of an object drawn hatched
    (``SceneObject.hatched``: a solid turned inside out) take the stripes' colours instead
    (:func:`hatch_stripes`, ``hatch`` pixels wide), lit as their face is.
    """
    image = np.empty((buffer.height * buffer.width, 4), dtype=np.uint8)
    image[:, :3] = to_unorm8(np.asarray(scene.background, dtype=np.float64)[:3])
    image[:, 3] = 255
    covered = np.flatnonzero(buffer.key != _EMPTY)  # the pixels some triangle or edge reached
    fragment = buffer.key[covered] & 0xFFFFFFFF  # 2 id + back
    shading = "flat" if all(part.shading == "flat" for part in parts if part.kind == "faces") else "smooth"
    if shading == "flat":
        fragment, pixel_fragment = np.unique(fragment, return_inverse=True)  # sorted: grouped by part
    else:
        order = np.argsort(fragment, kind="stable")  # group the pixels by part
        fragment, covered = fragment[order], covered[order]
    index, back = fragment >> 1, (fragment & 1).astype(bool)
    rgb = np.empty((len(fragment), 3))
    light = np.ones(len(fragment))  # each face fragment's ambient + diffuse factor (the stripes need it)
    hatched = np.zeros(len(fragment), dtype=bool)
    bounds = np.searchsorted(index, [p.first for p in parts] + [1 << 62])
    light_dir = np.asarray(scene.light_direction, dtype=np.float64)
    for part, lo, hi in zip(parts, bounds[:-1], bounds[1:]):
        if lo == hi:
            continue
        local = index[lo:hi] - part.first  # the triangle's (or edge's) index in its mesh
        if part.kind == "edges":
            edge_color = getattr(part.obj, "edge_color", None)
            rgb[lo:hi] = EDGE_SHADE * np.asarray(part.obj.color, dtype=np.float64) if edge_color is None else edge_color
            continue
        mesh = part.obj.mesh
        if part.shading == "flat":  # per triangle (or, beside a smooth object, per pixel of it)
            a, b, c = (np.take(mesh.vertices, mesh.triangles[local, k], axis=0) for k in range(3))
            normal = _normalize(np.cross(b - a, c - a) @ part.normal_matrix.T)  # object -> camera space
        else:
            normal = _smooth_normals(part, mesh, local, covered[lo:hi], buffer)
        normal[back[lo:hi]] *= -1  # a back face (culling off) is lit from the side that is seen
        rgb[lo:hi] = lambert(normal, part.obj.color, light_dir, ambient)
        light[lo:hi] = lambert(normal, [1.0], light_dir, ambient)[:, 0]
        hatched[lo:hi] = bool(getattr(part.obj, "hatched", False))
    colors = to_unorm8(rgb)
    if shading == "flat":
        colors, light, hatched = colors[pixel_fragment], light[pixel_fragment], hatched[pixel_fragment]
    if hatched.any():
        pixels = covered[hatched]
        stripe = hatch_stripes(pixels, (buffer.width, buffer.height), hatch)
        base = np.where(stripe[:, None] == 0, np.asarray(INSIDE_COLOR), INSIDE_SHADE * np.asarray(INSIDE_COLOR))
        colors = colors.copy()
        colors[hatched] = to_unorm8(base * light[hatched, None])
    image[covered, :3] = colors
    return image.reshape(buffer.height, buffer.width, 4)


def _smooth_normals(part: _Part, mesh, local: np.ndarray, pixel: np.ndarray, buffer: DepthBuffer) -> np.ndarray:
    """Corner normals interpolated at pixel centres, perspective-correct, as GLSL ``in`` variables are.

    The corner normals are the GPU's: :func:`affine3d.geometry.normals.smooth_layout` (the file's, or
    angle-weighted with creases kept), through the normal matrix and normalised per corner as
    ``mesh.vert`` does, then interpolated and normalised again as ``mesh.frag`` does.

    The point of the triangle seen at NDC ``(x, y)`` has clip-space barycentrics ``b`` with
    ``sum_k b_k (x_k - x w_k) = 0`` and ``sum_k b_k (y_k - y w_k) = 0``: ``b`` is perpendicular to two
    known vectors, so it is their cross product, scaled to ``sum_k b_k = 1``. This holds for the
    whole triangle, even when a corner is behind the camera and only a clipped piece was drawn.
    """
    corners = part.p_clip[mesh.triangles[local]]  # (n, 3, 4)
    x_ndc = (pixel % buffer.width + 0.5) / buffer.width * 2 - 1
    y_ndc = 1 - (pixel // buffer.width + 0.5) / buffer.height * 2
    r_x = corners[..., 0] - x_ndc[:, None] * corners[..., 3]
    r_y = corners[..., 1] - y_ndc[:, None] * corners[..., 3]
    b = np.cross(r_x, r_y)
    b /= b.sum(axis=1, keepdims=True)
    layout = smooth_layout(mesh)
    corner_normals = _normalize(layout.normals[layout.triangles[local]] @ part.normal_matrix.T)  # as mesh.vert
    return _normalize(np.einsum("nk,nki->ni", b, corner_normals))
