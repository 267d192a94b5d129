"""Exercise 16, reference solution: config.json read with json, the card's YAML block line by line."""

import json
from pathlib import Path

EXERCISE = 16


def sizes(folder):
    return json.loads((Path(folder) / "config.json").read_text(encoding="utf-8"))["sizes"]


def parameters(folder):
    widths = sizes(folder)
    return sum(n_out * n_in + n_out for n_in, n_out in zip(widths[:-1], widths[1:]))


def tags(folder):
    lines = (Path(folder) / "README.md").read_text(encoding="utf-8").splitlines()
    block = lines[1:lines.index("---", 1)]  # between the first two lines of ---
    for line in block:
        if line.startswith("tags:"):
            return json.loads(line[len("tags:"):])
    return []
