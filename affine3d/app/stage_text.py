"""What the viewer's HUD says about a network's stage: the layer's matrix, its det and singular values, the path.

The facts are computed by :func:`affine3d.nn.morph.stage_info` (numpy); this module only writes them as text.
The page's panel (``web/static/js/morph.js``: ``infoLines``, ``pathNotes``) writes the same lines.
"""

from __future__ import annotations

from ..i18n import _, ngettext
from ..nn.paths import straight_path_flattens

__all__ = ["stage_lines", "path_notes"]


def stage_lines(info, t: float | None = None, digits: int = 2) -> list[str]:
    """Text lines for a HUD: the stage, ``W`` next to ``b``, det, singular values, what they mean.

    ``info`` is a stage's :class:`~affine3d.nn.morph.StageInfo` (``Morph.info(stage)``); ``t`` the time within
    the stage (None: no time, no det A(t)); ``digits`` after the decimal point.
    """
    stage = info.stage
    i = stage.layer
    title = stage.title
    head = title if t is None else f"{title}   t = {t:.2f}"
    lines = [head]
    if stage.kind == "affine" and stage.path == "polar":
        lines.append(f"x -> A(t) x + b(t),  A(t) = R(t) ((1-t) I + t S),  W{i} = R S,  b(t) = t b{i}")
    elif stage.kind == "affine":
        lines.append(f"x -> A(t) x + b(t),  A(t) = (1-t) I + t W{i},  b(t) = t b{i}")
    else:
        lines.append(_("x -> (1-t) x + t {sigma}(x)   (element-wise, after W{i} x + b{i})").format(
            sigma=stage.activation, i=i))
    out, n_in = info.W.shape
    lines.append(f"W{i} ({out}x{n_in}) | b{i}")
    width = digits + 4

    def number(v: float) -> str:  # no "-0.00"
        return f"{round(float(v), digits) + 0.0:{width}.{digits}f}"

    for row, bias in zip(info.W[:8], info.b[:8]):
        cells = " ".join(number(v) for v in row[:8])
        more = " ..." if n_in > 8 else ""
        lines.append(f"[{cells}{more} ] [{number(bias)}]")
    if out > 8:
        lines.append(ngettext("... ({count} more row)", "... ({count} more rows)", out - 8).format(count=out - 8))
    def small(v: float) -> str:  # fixed point, or powers of ten for what would print as 0.00
        v = float(v)
        return f"{v:.1e}" if v != 0 and abs(v) < 0.5 * 10.0**-digits else f"{round(v, digits) + 0.0:.{digits}f}"

    sv = ", ".join(small(s) for s in info.singular_values[:8])
    if info.determinant is None:
        lines.append(_("det: none ({rows}x{columns} is not square); singular values {values}").format(
            rows=out, columns=n_in, values=sv))
    else:
        det = info.determinant
        note = ""
        if info.rank < len(info.W):
            note = _("  singular: flattens the solid")
        elif det < 0:
            note = _("  < 0: turns the solid inside out")
        lines.append(f"det W{i} = {small(det)}{note}")
        lines.append(_("singular values {values}").format(values=sv))
        if stage.kind == "affine" and t is not None:
            lines.append(f"det A(t) = {small(info.determinant_at(t))}")
    if out < n_in:
        lines.append(_("{inputs} -> {outputs}: the layer drops to {outputs} dimensions").format(inputs=n_in, outputs=out))
    return lines


def path_notes(info) -> list[str]:
    """What the path from ``I`` to ``W`` must do: a mirror needs det A(t) = 0; a straight path may flatten needlessly.

    ``info`` is a stage's :class:`~affine3d.nn.morph.StageInfo`.

    Lines for a HUD, below :func:`stage_lines` (the viewer shows them during an affine stage); empty when
    there is nothing to say (det W > 0 on the polar path, or no negative eigenvalue).
    """
    i, det = info.stage.layer, info.determinant
    if det is None or info.rank < len(info.W):
        return []
    if det < 0:
        return [_("det W < 0: every path from I (det 1) to W passes det 0;"),
                _("swap two neurons (two rows of W{i}) and det W{i} > 0").format(i=i)]
    if info.stage.path == "linear" and straight_path_flattens(info.W):
        return [_("W has a negative eigenvalue: this straight path passes det 0;"),
                _("--path polar turns instead (det A(t) > 0 all the way)")]
    return []
