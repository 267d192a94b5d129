"""Output files: nothing a user has is lost. Input files: regular files only, up to a size.

Every writer goes through :func:`affine3d.fileio.atomic_write` (a temporary file in the target's folder,
renamed over it): a killed or failed write leaves the old file or the complete new one; a symbolic link
is never written through; every ``OSError`` is one line naming the path and exit 2. Readers go through
:func:`affine3d.fileio.open_regular`: a FIFO, ``/dev/zero`` or a folder is refused at once.
"""

import errno
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from PIL import Image

from affine3d.cli import main
from affine3d.errors import ModelError, SceneError, UsageError
from affine3d.fileio import (atomic_write, check_new_folder, check_output, make_folder, new_folder, open_regular, read_regular,
                             replaces, write_bytes)
from affine3d.nn import MLP


def run_cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    """The single line of ``err`` (a failure if there are more, or none)."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def leftovers(folder) -> list[str]:
    """Temporary files a writer left behind (hidden ``.NAME.XXXXXXXX.tmp``)."""
    return [p.name for p in folder.iterdir() if p.name.startswith(".") and p.name.endswith(".tmp")]


# ---------------------------------------------------------------------------------------- atomic_write
def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    """An exception inside the block: the target keeps its old bytes, and the temporary file is gone."""
    target = tmp_path / "picture.png"
    target.write_bytes(b"old picture")
    with pytest.raises(RuntimeError):
        with atomic_write(target) as f:
            f.write(b"half of a new pic")
            raise RuntimeError("the encoder died")
    assert target.read_bytes() == b"old picture" and leftovers(tmp_path) == []


def test_a_write_replaces_the_file_whole_keeping_its_mode(tmp_path):
    """Success: the new bytes, the old file's permissions; a new file gets 0o666 minus the umask, as open() gives."""
    target = tmp_path / "m.safetensors"
    target.write_bytes(b"x" * 1000)
    os.chmod(target, 0o640)
    write_bytes(target, b"new")
    assert target.read_bytes() == b"new" and (target.stat().st_mode & 0o777) == 0o640
    fresh = tmp_path / "fresh.bin"
    write_bytes(fresh, b"1")
    umask = os.umask(0)
    os.umask(umask)
    assert (fresh.stat().st_mode & 0o777) == 0o666 & ~umask


def test_render_killed_mid_save_leaves_the_old_png_whole(tmp_path):
    """`affine3d render -o good.png` killed (SIGKILL) with half the new PNG written: good.png is the old picture.

    The child is the real command; only Pillow's save is slowed down, so that the kill lands mid-write.
    """
    target = tmp_path / "good.png"
    Image.new("RGB", (8, 8), (255, 0, 0)).save(target)
    old = target.read_bytes()
    script = textwrap.dedent("""
        import io, sys, time
        from PIL import Image
        original = Image.Image.save

        def slow_save(self, fp, *args, **kwargs):  # encode, write half, then stall
            buffer = io.BytesIO()
            original(self, buffer, *args, **kwargs)
            data = buffer.getvalue()
            fp.write(data[: len(data) // 2])
            fp.flush()
            print("half", flush=True)
            time.sleep(60)
            fp.write(data[len(data) // 2 :])

        Image.Image.save = slow_save
        from affine3d.cli import main
        sys.exit(main(sys.argv[1:]))
    """)
    child = subprocess.Popen([sys.executable, "-c", script, "render", "--backend", "cpu", "--size", "320x240", "-o",
                              str(target)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "half"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        child.kill()
        child.stdout.close()
    assert target.read_bytes() == old


@pytest.mark.parametrize("delay_s", [0.3, 0.8, 1.5])
def test_render_killed_at_any_moment_leaves_the_old_png_or_the_new_one(tmp_path, delay_s):
    """`affine3d render -o good.png` killed after `delay_s`: good.png is the old picture or a complete new one."""
    target = tmp_path / "good.png"
    Image.new("RGB", (8, 8), (255, 0, 0)).save(target)
    old = target.read_bytes()
    child = subprocess.Popen([sys.executable, "-m", "affine3d", "render", "--backend", "cpu", "--size", "1600x1200",
                              "--wireframe", "-o", str(target)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        child.wait(timeout=delay_s)
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    data = target.read_bytes()
    if data != old:  # then it must be the whole new picture
        with Image.open(target) as image:
            image.load()
            assert image.size == (1600, 1200)


def test_a_symbolic_link_is_refused_and_its_target_untouched(tmp_path):
    """Writing to link.png -> notes.txt: UsageError naming the link; notes.txt and the link stay as they were."""
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes")
    link = tmp_path / "link.png"
    link.symlink_to(notes.name)
    with pytest.raises(UsageError, match="link.png is a symbolic link"):
        with atomic_write(link) as f:
            f.write(b"PNG")
    assert notes.read_text() == "my notes" and link.is_symlink() and leftovers(tmp_path) == []


def test_devices_and_fifos_are_refused_as_targets(tmp_path):
    """A device or a FIFO in the target's place is refused up front (a rename would replace the device node)."""
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    for target, kind in ((os.devnull, "character device"), (fifo, r"pipe \(FIFO\)")):
        with pytest.raises(UsageError, match=kind):
            check_output(target, "--output")
        with pytest.raises(UsageError, match=kind):
            write_bytes(target, b"x")
    assert fifo.exists() and not fifo.is_file()


def test_replace_false_never_replaces(tmp_path):
    """replace=False (the viewer's S key) refuses an existing name, and claims a free one exclusively."""
    taken = tmp_path / "shot.png"
    taken.write_bytes(b"first")
    with pytest.raises(UsageError, match="exists already"):
        write_bytes(taken, b"second", replace=False)
    write_bytes(tmp_path / "free.png", b"new", replace=False)
    assert taken.read_bytes() == b"first" and (tmp_path / "free.png").read_bytes() == b"new"


def test_make_folder_refuses_a_file_in_its_place(tmp_path):
    """--stages -o a file (FileExistsError underneath): one UsageError line naming it."""
    (tmp_path / "afile").write_text("x")
    with pytest.raises(UsageError, match="afile is a file, not a folder"):
        make_folder(tmp_path / "afile", "--output")
    assert make_folder(tmp_path / "a" / "b", "--output").is_dir()


# ---------------------------------------------------------------------------------------- every OSError: one line, exit 2
def test_output_errors_are_one_line_naming_the_path(tmp_path, capsys):
    """Parent is a file, a missing folder, a name too long, a loop of links, --stages onto a file, a device."""
    (tmp_path / "file").write_text("x")
    loop = tmp_path / "loop"
    loop.symlink_to("loop")
    long_name = "x" * 300 + ".png"
    cases = [
        (["render", "-o", tmp_path / "file" / "x.png"], "is a file, not a folder"),
        (["render", "-o", tmp_path / "missing" / "x.png"], "the folder"),
        (["render", "-o", tmp_path / long_name], "the name is too long"),
        (["render", "-o", loop / "x.png"], "too many levels of symbolic links"),
        (["render", "cube-to-sphere", "--stages", "-o", tmp_path / "file"], "file is a file, not a folder"),
        (["bench", "transform", "--json", os.devnull], "character device"),
        (["mlp-demo", "--out", tmp_path / "file"], "file is a file, not a folder"),
        (["mlp-demo", "--out", tmp_path / "file" / "sub"], "is a file, not a folder"),
    ]
    for argv, message in cases:
        code, _, err = run_cli(capsys, *argv, *(["--backend", "cpu", "--size", "16x12"] if argv[0] == "render" else []))
        line = one_line(err)
        assert code == 2 and message in line and "Traceback" not in err, (argv, err)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("code, words", [
    (errno.ENOSPC, "no space left on the device"),
    (errno.EROFS, "the file system is read-only"),
    (errno.EDQUOT, "the disk quota is exceeded"),
    (errno.EIO, "input/output error"),
])
def test_a_failing_disk_is_one_line_and_the_old_file_stays(tmp_path, capsys, monkeypatch, code, words):
    """The disk fails while the PNG is flushed (ENOSPC, EROFS, ...): exit 2, one line with the path, old PNG intact."""
    target = tmp_path / "good.png"
    target.write_bytes(b"the old picture")

    def failing_fsync(fd):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", failing_fsync)
    status, _, err = run_cli(capsys, "render", "--backend", "cpu", "--size", "16x12", "-o", target)
    assert status == 2 and one_line(err) == f"affine3d render: error: --output: cannot write {target}: {words}"
    assert target.read_bytes() == b"the old picture" and leftovers(tmp_path) == []


def test_file_too_large_mid_write_keeps_the_old_file(tmp_path):
    """A real write failure (RLIMIT_FSIZE: EFBIG) in a child: exit 2, one line, the old PNG whole."""
    target = tmp_path / "good.png"
    target.write_bytes(b"old")
    script = textwrap.dedent("""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # then write() fails with EFBIG instead of killing us
        resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))
        from affine3d.cli import main
        sys.exit(main(sys.argv[1:]))
    """)
    result = subprocess.run([sys.executable, "-c", script, "render", "--backend", "cpu", "--size", "400x300", "-o",
                             str(target)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and one_line(result.stderr).endswith("the file would be larger than allowed")
    assert target.read_bytes() == b"old" and leftovers(tmp_path) == []


# ---------------------------------------------------------------------------------------- never through a link
def test_render_never_writes_through_a_link(tmp_path, capsys):
    """`ln -s notes.txt link.png; affine3d render -o link.png`: refused in one line, notes.txt unchanged."""
    notes = tmp_path / "notes.txt"
    notes.write_text("lecture notes")
    (tmp_path / "link.png").symlink_to("notes.txt")
    code, _, err = run_cli(capsys, "render", "--backend", "cpu", "--size", "16x12", "-o", tmp_path / "link.png")
    assert code == 2 and "link.png is a symbolic link" in one_line(err)
    assert notes.read_text() == "lecture notes"


def test_mlp_demo_refuses_a_link_in_its_folder_before_training(tmp_path, capsys):
    """demo/rings.onnx -> ../victim.txt: refused before step 1 runs; victim.txt unchanged."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "rings.onnx").symlink_to("../victim.txt")
    code, out, err = run_cli(capsys, "mlp-demo", "--out", tmp_path / "demo")
    assert code == 2 and "rings.onnx is a symbolic link" in one_line(err) and "Step 1" not in out
    assert victim.read_text() == "precious"


@pytest.mark.parametrize("suffix", [".safetensors", ".npz", ".onnx"])
def test_model_save_never_writes_through_a_link(tmp_path, suffix):
    """MLP.save onto a link: UsageError; the file the link points at keeps its bytes."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = tmp_path / f"m{suffix}"
    link.symlink_to(victim.name)
    with pytest.raises(UsageError, match="symbolic link"):
        MLP.random([3, 3]).save(link)
    assert victim.read_text() == "precious"


def test_view_and_bench_refuse_links_before_any_work(tmp_path, capsys, monkeypatch):
    """view --screenshot and bench --json onto a link: exit 2 at once (no window, no benchmark)."""
    (tmp_path / "x.txt").write_text("keep")
    (tmp_path / "shot.png").symlink_to("x.txt")
    (tmp_path / "r.json").symlink_to("x.txt")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    for argv in (["view", "--screenshot", tmp_path / "shot.png"], ["bench", "transform", "--json", tmp_path / "r.json"]):
        code, out, err = run_cli(capsys, *argv)
        assert code == 2 and "is a symbolic link" in one_line(err) and out == ""
    assert (tmp_path / "x.txt").read_text() == "keep"


# ---------------------------------------------------------------------------------------- one overwrite behaviour: say so
def test_replacing_a_file_is_said(tmp_path, capsys, monkeypatch):
    """render -o twice: the second run says it replaced the file; --stages lists the files it replaced."""
    target = tmp_path / "a.png"
    code, out, _ = run_cli(capsys, "render", "--backend", "cpu", "--size", "16x12", "-o", target)
    assert code == 0 and "replacing the file" not in out
    code, out, _ = run_cli(capsys, "render", "--backend", "cpu", "--size", "16x12", "-o", target)
    assert code == 0 and f"wrote {target}, replacing the file that was there" in out
    folder = tmp_path / "stages"
    argv = ["render", "cube-to-sphere", "--stages", "--frames", "1", "--size", "16x12", "--backend", "cpu", "-o", folder]
    code, out, _ = run_cli(capsys, *argv)
    assert code == 0 and "files that were in" not in out
    code, out, _ = run_cli(capsys, *argv)
    assert code == 0 and "replaced 12 files that were in" in out and "forward-pass.gif" in out


def test_view_fallback_says_it_replaced_the_png(tmp_path, capsys, monkeypatch):
    """Without a display, the fallback PNG replaces ./affine3d-view.png and says so."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    (tmp_path / "affine3d-view.png").write_bytes(b"an old picture")
    code, out, _ = run_cli(capsys, "view", "--size", "64x48", "--samples", "0")
    assert code == 0 and "replacing the file that was there" in out
    with Image.open(tmp_path / "affine3d-view.png") as image:
        assert image.size == (64, 48)


# ---------------------------------------------------------------------------------------- reading: regular files only
def test_open_regular_refuses_what_is_not_a_regular_file(tmp_path):
    """A folder, /dev/zero, a link to /dev/zero, a FIFO (no hang), a file over the limit, a missing file."""
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    zero_link = tmp_path / "zero.toml"
    zero_link.symlink_to("/dev/zero")
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * 101)
    cases = [(tmp_path, "got a directory"), ("/dev/zero", "got a character device"), (zero_link, "got a character device"),
             (fifo, r"got a pipe \(FIFO\)"), (big, "101 bytes, more than the 100"), (tmp_path / "nope", "not found")]
    for path, message in cases:
        with pytest.raises(SceneError, match=message):
            read_regular(path, limit=100, what="scene file", error=SceneError)
    with open_regular(big, limit=None) as f:
        assert f.read() == b"#" * 101
    assert replaces(big) and not replaces(fifo) and not replaces(zero_link)


@pytest.mark.parametrize("suffix, argv", [
    (".toml", ["render", "--backend", "cpu", "PATH", "-o", "x.png"]),
    (".safetensors", ["inspect", "PATH"]),
    (".npz", ["inspect", "PATH"]),
    (".onnx", ["inspect", "PATH"]),
    (".safetensors", ["render", "--backend", "cpu", "--mlp", "PATH", "-o", "x.png"]),
])
def test_fifos_and_dev_zero_are_one_line_not_a_hang(tmp_path, suffix, argv):
    """A scene or model path that is a FIFO, or a link to /dev/zero: one line saying which, exit 2, at once."""
    for kind, make in (("pipe (FIFO)", os.mkfifo), ("character device", lambda p: os.symlink("/dev/zero", p))):
        path = tmp_path / (kind.split()[0] + suffix)
        make(path)
        args = [str(path) if a == "PATH" else a for a in argv]
        result = subprocess.run([sys.executable, "-m", "affine3d", *args], cwd=tmp_path, capture_output=True, text=True,
                                timeout=60)
        line = one_line(result.stderr)
        assert result.returncode == 2 and f"expected a regular file, got a {kind}" in line, result.stderr


def test_a_missing_model_file_is_a_model_error(tmp_path):
    """MLP.load of a path that is not there: ModelError naming the file (one line from the command)."""
    with pytest.raises(ModelError, match="absent.onnx: model file not found"):
        MLP.load(tmp_path / "absent.onnx")
    with pytest.raises(ModelError, match="got a directory"):
        (tmp_path / "dir.safetensors").mkdir()
        MLP.load(tmp_path / "dir.safetensors")


def test_nothing_written_is_half_a_model(tmp_path, monkeypatch):
    """A save that fails half-way (the encoder raises) leaves the previous model loadable."""
    path = tmp_path / "m.npz"
    first = MLP.random([3, 4, 3], seed=1)
    first.save(path)
    def half_then_full(f, **arrays):
        f.write(b"PK\x03\x04 half an archive")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "savez", half_then_full)
    with pytest.raises(UsageError, match="no space left"):
        MLP.random([3, 4, 3], seed=2).save(path)
    assert MLP.load(path).allclose(first, atol=1e-6)


# -- a whole new folder: fileio.new_folder ---------------------------------------------------------------------------
def test_new_folder_appears_whole_readable_and_leaves_no_temporary(tmp_path):
    """Absent or empty: the block's files appear at once under the name, mode 0755, nothing else left beside it."""
    (tmp_path / "empty").mkdir()
    for name in ("fresh", "empty", "made/parents/too"):
        with new_folder(tmp_path / name) as work:
            assert work.parent == (tmp_path / name).parent and not (tmp_path / name).exists() or name == "empty"
            (work / "index.html").write_text("<p>hi</p>")
        assert [p.name for p in (tmp_path / name).iterdir()] == ["index.html"]
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o755
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "fresh", "made"]


def test_new_folder_that_fails_leaves_the_place_as_it_was(tmp_path):
    (tmp_path / "empty").mkdir()
    for name in ("fresh", "empty"):
        with pytest.raises(RuntimeError):
            with new_folder(tmp_path / name) as work:
                (work / "half.html").write_text("<p>")
                raise RuntimeError("killed half-way")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"] and not any((tmp_path / "empty").iterdir())


def test_new_folder_refuses_what_it_would_overwrite_in_one_line(tmp_path):
    """A folder with anything in it, a file, a link (even to an empty folder): refused before the block runs; a file
    where a parent should be: named."""
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "mine.txt").write_text("keep")
    (tmp_path / "file").write_text("keep")
    (tmp_path / "empty").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "empty")
    cases = {"full": "expected a new or empty folder", "file": "expected a new or empty folder",
             "link": "symbolic link", "file/site": "is a file, not a folder"}
    for name, words in cases.items():
        ran = []
        with pytest.raises(UsageError) as caught:
            with new_folder(tmp_path / name, "--export"):
                ran.append(True)
        message = str(caught.value)
        assert words in message and "\n" not in message and not ran, (name, message)
        assert str(tmp_path / name.split("/")[0]) in message
    with pytest.raises(UsageError, match="expected a new or empty folder"):
        check_new_folder(tmp_path / "full")
    assert check_new_folder(tmp_path / "empty") == tmp_path / "empty"
    assert (tmp_path / "full" / "mine.txt").read_text() == "keep" and (tmp_path / "file").read_text() == "keep"


def test_export_under_a_file_is_one_line_exit_2(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("keep")
    for argv in (["export-web", str(tmp_path / "notes.txt" / "site")],
                 ["lecture", "--export", str(tmp_path / "notes.txt" / "deck")]):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "notes.txt is a file, not a folder" in err and "Traceback" not in err
    assert (tmp_path / "notes.txt").read_text() == "keep"
