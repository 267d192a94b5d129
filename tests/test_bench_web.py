"""``affine3d bench web``: the page's frame time and the desktop renderer's, for the same scenes at the same size."""

import json

from affine3d.cli import main


def test_bench_web_times_both_scenes_on_both_renderers(capsys):
    """--quick --json -: one table, a row per scene (1980-vs-2015 drawn, cube-to-sphere warped), both times positive."""
    assert main(["bench", "web", "--quick", "--json", "-"]) == 0
    (table,) = json.loads(capsys.readouterr().out)["tables"]
    assert table["columns"][:6] == ["scene", "frame", "triangles", "size", "page (Chromium)", "desktop (moderngl)"]
    rows = {row[0]: row for row in table["rows"]}
    assert set(rows) == {"1980-vs-2015", "cube-to-sphere"}
    assert rows["1980-vs-2015"][2] == 20560 and rows["cube-to-sphere"][1] == "warp + draw"
    for row in rows.values():
        page_ms, desktop_ms = (float(cell.split()[0]) for cell in row[4:6])
        assert page_ms > 0 and desktop_ms > 0
        assert abs(row[6] - page_ms / desktop_ms) < 0.01 * row[6] + 0.01
    assert "SwiftShader" in table["notes"][0] or "WebGL2 on" in table["notes"][0]
