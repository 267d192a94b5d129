"""Each benchmark table stands on its own: no pointer to files outside the repository, ratios above a goal explained,
a suite that cannot run says why in one line."""

import numpy as np

from affine3d.bench import mlp, render, viewer
from affine3d.bench.core import Table


def test_viewer_without_a_display_is_one_line_saying_why_and_what_to_run(monkeypatch):
    """bench viewer with no DISPLAY/WAYLAND_DISPLAY: a single line (no empty table) naming the reason and xvfb-run."""
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    tables = viewer.run(quick=True)
    text = "\n".join(t.format() for t in tables)
    assert len(text.splitlines()) == 1
    assert "no display" in text and "xvfb-run -a affine3d bench viewer" in text


def test_a_table_with_rows_still_prints_its_header_and_notes():
    table = Table("t", ["a", "b"], [[1, 2]], ["a note"])
    assert table.format().splitlines() == ["t", "=", "a  b", "-  -", "1  2", "  a note"]


def test_mlp_notes_do_not_send_the_reader_to_a_file_outside_the_repository():
    """The notes explain the pause between libraries themselves (no "see NOTES.md")."""
    notes = mlp._notes(None, None, {})
    assert not any("NOTES" in note for note in notes)
    assert any("paused" in note and "threads" in note for note in notes)


def test_render_explains_every_ratio_above_its_goal():
    """A ratio above 1.10 gets a note naming the level and what the renderer's extra CPU accounts for; none: says so."""
    ms, us = 1e-3, 1e-6
    notes = render._above_goal([(0, 1.21, 4 * ms, 440 * us), (1, 1.02, 0.4 * ms, 280 * us), (2, 1.3, 0.5 * ms, 400 * us),
                                (3, 1.15, -0.2 * ms, 300 * us)])
    assert len(notes) == 3 and not any("Level 1 " in n for n in notes)
    level0, level2, level3 = notes
    assert level0.startswith("Level 0 is above the goal (1.21 > 1.10)") and "not the renderer's" in level0
    assert level2.startswith("Level 2 is above the goal (1.3 > 1.10)") and "most of that" in level2
    assert level3.startswith("Level 3 is above the goal (1.15 > 1.10)") and "median" in level3
    assert render._above_goal([(0, 1.05, 0.1 * ms, 90 * us)]) == ["Every ratio is within the goal (< 1.10)."]


def test_mlp_products_alone_are_the_layers_products_without_bias_or_activation():
    """The 'products alone' column times X W1.T W2.T W3.T (numpy's BLAS, nothing else), for one row and for many."""
    net = mlp.MLP.random([5, 7, 6, 2], activation="relu", output="identity", seed=3)
    products = mlp._products_alone(net)
    for rows in (1, 9, 1):  # kept arrays per batch size, reused
        X = np.random.default_rng(rows).standard_normal((rows, 5)).astype(np.float32)
        expected = X.astype(np.float64) @ net.layers[0].W.T @ net.layers[1].W.T @ net.layers[2].W.T
        got = products(X)
        assert got.dtype == np.float32 and np.allclose(got.reshape(rows, 2), expected, rtol=1e-5, atol=1e-5)
        assert not np.allclose(got.reshape(rows, 2), net(X), atol=1e-3)  # not the network: no bias, no ReLU


def test_mlp_floor_note_names_the_rows_where_numpys_products_alone_reach_onnxruntime():
    rows = [["3-64-64-3", 64, *[None] * 7, 0.62], ["784-256-256-10", 64, *[None] * 7, 1.1],
            ["784-256-256-10", 1, *[None] * 7, 1.0], ["x", 2, *[None] * 8]]
    (note,) = mlp._floor_note(rows)
    assert "(784-256-256-10 x 64, 784-256-256-10 x 1)" in note and "3-64-64-3" not in note
    assert mlp._floor_note(rows[:1] + rows[3:]) == []
