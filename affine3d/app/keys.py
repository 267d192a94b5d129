"""The one help table: every key and mouse action of the viewer, and which host has it.

The desktop viewer (``affine3d view``, F1) and the browser page (``affine3d serve``, its "keys" button)
both print their help from :data:`KEYS`: the page receives the table as JSON in ``scenes/index.json``
(:mod:`affine3d.web.site`) and formats it with the same rule (``static/js/keys.js``), so the two never
drift apart. An entry that only one host has says so: the page marks the desktop's keys "(desktop)"
rather than leaving them out, so a caption mentioning L or Backspace is never a mystery there.

Examples
--------
>>> print(help_text("desktop").splitlines()[0])
mouse
>>> "L                  train it live" in help_text("page")
True
"""

from __future__ import annotations

__all__ = ["KEYS", "HOSTS", "help_text", "keys_record"]


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue, as :func:`affine3d.i18n.N_` does: this table imports nothing (the page reads
    it too), so :func:`help_text` is handed the lookup (``affine3d.i18n._``) by whoever shows the help."""
    return message


HOSTS = ("desktop", "page")

# (section, keys, what it does, hosts): hosts a tuple of HOSTS.
BOTH = HOSTS
KEYS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    (N_("mouse"), N_("left-drag"), N_("rotate the world (arcball / turntable)"), BOTH),
    (N_("mouse"), N_("right-drag"), N_("pan (also middle-drag, shift+left-drag)"), BOTH),
    (N_("mouse"), N_("scroll"), N_("move the world toward / away from the camera"), BOTH),
    (N_("mouse"), N_("click a vertex"), N_("follow it through every map (click empty space: off)"), ("desktop",)),
    (N_("mouse"), N_("drop a file"), N_("a .safetensors 3 -> ... -> 3 network warps the scene"), ("page",)),
    (N_("keys"), N_("space"), N_("auto-spin on / off"), BOTH),
    (N_("keys"), "W", N_("wireframe (polygon edges)"), BOTH),
    (N_("keys"), "P", N_("perspective / orthographic"), BOTH),
    (N_("keys"), "R", N_("reset the view (rotation, pan, zoom)"), BOTH),
    (N_("keys"), "T", N_("arcball / turntable"), BOTH),
    (N_("keys"), "F", N_("flat / smooth shading"), BOTH),
    (N_("keys"), "G", N_("lattice and basis arrows: world map, layer, off"), ("desktop",)),
    (N_("keys"), "H", N_("overlay on / off"), ("desktop",)),
    (N_("keys"), "H", N_("panels on / off"), ("page",)),
    (N_("keys"), "N", N_("normals: A n (wrong) / normal matrix"), ("desktop",)),
    (N_("keys"), "S", N_("save a screenshot (PNG)"), BOTH),
    (N_("keys"), "1-9", N_("the n-th scene in scenes/"), BOTH),
    (N_("keys"), "Tab, shift+Tab", N_("next / previous scene"), BOTH),
    (N_("keys"), N_("F1 or ?"), N_("this help"), BOTH),
    (N_("keys"), N_("Esc or Q"), N_("quit"), ("desktop",)),
    (N_("network (--mlp MODEL, or a scene with an mlp key)"), "L", N_("train it live toward the scene's target / pause"), ("desktop",)),
    (N_("network (--mlp MODEL, or a scene with an mlp key)"), "Backspace", N_("start the training again (same seed)"), ("desktop",)),
    (N_("network (--mlp MODEL, or a scene with an mlp key)"), "M", N_("play / pause the forward pass"), BOTH),
    (N_("network (--mlp MODEL, or a scene with an mlp key)"), "Right, Left", N_("next / previous stage (pauses)"), BOTH),
    (N_("network (--mlp MODEL, or a scene with an mlp key)"), N_(". and ,  (] and [)"), N_("scrub forward / back (pauses)"), BOTH),
    (N_("network (--mlp MODEL, or a scene with an mlp key)"), "Home, End", N_("the input / the network's output"), BOTH),
    (N_("network (--mlp MODEL, or a scene with an mlp key)"), "A", N_("path of the affine stages: linear / polar (--path)"), ("page",)),
)
FOOTER = N_("The camera never moves: the mouse changes the world matrix.")
DESKTOP_MARK = N_(" (desktop: affine3d view)")
KEY_COLUMN = 19


def help_text(host: str = "desktop", translate=None) -> str:
    """The help for ``host`` ("desktop" or "page"): sections, then one line per key; the page lists the desktop-only
    keys too (unless the page has the same key), marked "(desktop: affine3d view)", so a key a caption names is always
    explained. ``translate``: the catalogue's lookup (``affine3d.i18n._``, the reader's language; default: English).

    ``static/js/keys.js``'s ``helpText`` formats :func:`keys_record` by the same rule (tests compare them).
    """
    if host not in HOSTS:
        raise ValueError(f"host: expected one of {', '.join(HOSTS)}, got {host!r}")
    translate = translate or (lambda text: text)
    shown = []
    own = {keys for _section, keys, _text, hosts in KEYS if host in hosts}
    for where, keys, text, hosts in KEYS:
        if host not in hosts and (host == "desktop" or keys in own):
            continue
        mark = "" if host in hosts else translate(DESKTOP_MARK)
        shown.append((translate(where), translate(keys), translate(text) + mark))
    column = max(KEY_COLUMN, max(len(keys) for _where, keys, _text in shown) + 1)
    lines, section = [], None
    for where, keys, text in shown:
        if where != section:
            lines.append(where)
            section = where
        lines.append(f"  {keys:<{column}}{text}")
    lines.append(translate(FOOTER))
    return "\n".join(lines)


def keys_record() -> dict:
    """:data:`KEYS` as JSON for the page and the notebook widget: ``{"keys": [[section, keys, text, hosts], ...], "footer"}``."""
    return {"keys": [[where, keys, text, list(hosts)] for where, keys, text, hosts in KEYS], "footer": FOOTER}
