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

HOSTS = ("desktop", "page")

# (section, keys, what it does, hosts): hosts a tuple of HOSTS.
BOTH = HOSTS
KEYS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("mouse", "left-drag", "rotate the world (arcball / turntable)", BOTH),
    ("mouse", "right-drag", "pan (also middle-drag, shift+left-drag)", BOTH),
    ("mouse", "scroll", "move the world toward / away from the camera", BOTH),
    ("mouse", "click a vertex", "follow it through every map (click empty space: off)", ("desktop",)),
    ("mouse", "drop a file", "a .safetensors 3 -> ... -> 3 network warps the scene", ("page",)),
    ("keys", "space", "auto-spin on / off", BOTH),
    ("keys", "W", "wireframe (polygon edges)", BOTH),
    ("keys", "P", "perspective / orthographic", BOTH),
    ("keys", "R", "reset the view (rotation, pan, zoom)", BOTH),
    ("keys", "T", "arcball / turntable", BOTH),
    ("keys", "F", "flat / smooth shading", BOTH),
    ("keys", "G", "lattice and basis arrows: world map, layer, off", ("desktop",)),
    ("keys", "H", "overlay on / off", ("desktop",)),
    ("keys", "H", "panels on / off", ("page",)),
    ("keys", "N", "normals: A n (wrong) / normal matrix", ("desktop",)),
    ("keys", "S", "save a screenshot (PNG)", BOTH),
    ("keys", "1-9", "the n-th scene in scenes/", BOTH),
    ("keys", "Tab, shift+Tab", "next / previous scene", BOTH),
    ("keys", "F1 or ?", "this help", BOTH),
    ("keys", "Esc or Q", "quit", ("desktop",)),
    ("network (--mlp MODEL, or a scene with an mlp key)", "L", "train it live toward the scene's target / pause", ("desktop",)),
    ("network (--mlp MODEL, or a scene with an mlp key)", "Backspace", "start the training again (same seed)", ("desktop",)),
    ("network (--mlp MODEL, or a scene with an mlp key)", "M", "play / pause the forward pass", BOTH),
    ("network (--mlp MODEL, or a scene with an mlp key)", "Right, Left", "next / previous stage (pauses)", BOTH),
    ("network (--mlp MODEL, or a scene with an mlp key)", ". and ,  (] and [)", "scrub forward / back (pauses)", BOTH),
    ("network (--mlp MODEL, or a scene with an mlp key)", "Home, End", "the input / the network's output", BOTH),
    ("network (--mlp MODEL, or a scene with an mlp key)", "A", "path of the affine stages: linear / polar (--path)", ("page",)),
)
FOOTER = "The camera never moves: the mouse changes the world matrix."
KEY_COLUMN = 19


def help_text(host: str = "desktop") -> str:
    """The help for ``host`` ("desktop" or "page"): sections, then one line per key; the page lists the
    desktop-only keys too (unless the page has the same key), marked "(desktop: affine3d view)", so a key a caption names is always explained.

    ``static/js/keys.js``'s ``helpText`` formats :func:`keys_record` by the same rule (tests compare them).
    """
    if host not in HOSTS:
        raise ValueError(f"host: expected one of {', '.join(HOSTS)}, got {host!r}")
    lines, section = [], None
    own = {keys for _, keys, _, hosts in KEYS if host in hosts}
    for where, keys, text, hosts in KEYS:
        if host not in hosts and (host == "desktop" or keys in own):
            continue
        if where != section:
            lines.append(where)
            section = where
        mark = "" if host in hosts else " (desktop: affine3d view)"
        lines.append(f"  {keys:<{KEY_COLUMN}}{text}{mark}")
    lines.append(FOOTER)
    return "\n".join(lines)


def keys_record() -> dict:
    """:data:`KEYS` as JSON for the page and the notebook widget: ``{"keys": [[section, keys, text, hosts], ...], "footer"}``."""
    return {"keys": [[where, keys, text, list(hosts)] for where, keys, text, hosts in KEYS], "footer": FOOTER}
