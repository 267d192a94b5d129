"""The exercise checker's sandbox: what a student who knows some Python would try, through `affine3d exercise check`.

Each attack of issue 20 (and a few more) is in one student file (:data:`ATTACK`), checked with
``--format gradescope`` in each mode CI can run: bubblewrap as root, a fresh uid as root without namespaces
(``AFFINE3D_SANDBOX=drop-privileges``), and bubblewrap as a normal user (the checker itself runs as nobody).
In each: no full marks, ``results.json`` is the checker's, the checker finishes within its limit, nothing the
file started outlives the check, and the installed package and the other folders are unchanged.
"""

import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

import numpy as np
import pytest

import affine3d
from affine3d.errors import UsageError
from affine3d.exercises import check, get
from affine3d.exercises.base import other_rng
from affine3d.exercises.runner import parse_record, printable
from affine3d.exercises.sandbox import sandbox_mode

from test_exercises import SOLUTIONS, run_cli, write

PACKAGE = Path(affine3d.__file__).resolve().parent
NOBODY = 65534

ATTACK = r'''
import glob, importlib, importlib.machinery, importlib.util, json, os, signal, subprocess, sys, time

EXERCISE = 4
STUDENT = 'ana'
PKG, OUTPUT, CLASSMATE, OTHER, PYTHONS, TOKEN = {PKG!r}, {OUTPUT!r}, {CLASSMATE!r}, {OTHER!r}, {PYTHONS!r}, {TOKEN!r}
FORGED = json.dumps({{"score": 4.0, "output": "forged", "tests": [{{"name": "forged", "score": 4.0, "max_score": 4.0}}]}})
stolen = None


def attempt(fn):
    try:
        fn()
    except BaseException:
        pass


def meta_path():  # drop the import block, import the package's own answer
    global stolen
    sys.meta_path[:] = [importlib.machinery.BuiltinImporter, importlib.machinery.FrozenImporter,
                        importlib.machinery.PathFinder]
    sys.path[:0] = [os.path.dirname(PKG)]
    from affine3d.exercises.catalog.house_on_roof import model
    stolen = model


def other_name():  # the package loaded from its folder under another name
    global stolen
    spec = importlib.util.spec_from_file_location("notaffine", os.path.join(PKG, "__init__.py"),
                                                  submodule_search_locations=[PKG])
    module = importlib.util.module_from_spec(spec)
    sys.modules["notaffine"] = module
    spec.loader.exec_module(module)
    stolen = importlib.import_module("notaffine.exercises.catalog.house_on_roof").model


def forge():  # results.json written by the file, directly, through a link, and found from the checker's cmdline
    targets = [OUTPUT]
    for cmdline in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            words = open(cmdline, "rb").read().split(b"\0")
        except OSError:
            continue
        if b"--output" in words:
            targets.append(words[words.index(b"--output") + 1].decode())
    for target in targets:
        attempt(lambda: open(target, "w").write(FORGED))
        attempt(lambda: (os.remove(target), os.symlink("/dev/zero", target)))


def stop_the_checker():  # SIGSTOP the checker, SIGKILL the parent, write over the checker's stdout
    for status in glob.glob("/proc/[0-9]*/cmdline"):
        pid = int(status.split("/")[2])
        try:
            mine = pid == os.getpid() or b"exercise" not in open(status, "rb").read()
        except OSError:
            continue
        if not mine:
            attempt(lambda: os.kill(pid, signal.SIGSTOP))
            attempt(lambda: open(f"/proc/{{pid}}/fd/1", "w").write("forged: score 4/4\n"))
    attempt(lambda: os.kill(os.getppid(), signal.SIGKILL))


def tamper():  # every later check scores 4/4; a classmate's file; a file in another folder
    open(os.path.join(PKG, "exercises", "feedback.py"), "a").write("\n# tampered\n")


def tamper_classmate():
    open(CLASSMATE, "w").write("tampered")


def tamper_other():
    open(os.path.join(OTHER, "note.txt"), "w").write("tampered")


def grandchild():  # double fork + setsid: something that would rewrite results.json after the checker exits
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            attempt(lambda: os.execv("/bin/sh", ["sh", "-c", f"while :; do echo '{{FORGED}}' > {{OUTPUT}}; sleep 0.2; done # {{TOKEN}}"]))
        os._exit(0)
    os.wait()


forks = 0
network = "open"


def connect():  # fetch the package from the internet, or send the other numbers out
    global network
    import socket
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    except OSError:
        network = "refused"


def many_processes():  # a fork bomb, kept from taking the machine by the process limit
    global forks
    for _ in range(64):
        if os.fork() == 0:
            attempt(lambda: os.execv("/bin/sleep", ["sleep", "600", TOKEN]))
            os._exit(0)
        forks += 1


def disk():  # five 30 MB files wherever the file can write
    for k in range(5):
        for folder in (".", "/tmp", "/dev/shm", "/var/tmp"):
            attempt(lambda: open(os.path.join(folder, f"{{TOKEN}}-fill{{k}}"), "wb").write(b"x" * (30 << 20)))


def malformed():  # lines on the answers' pipe that are no answer
    for fd in os.listdir("/proc/self/fd"):
        try:
            is_pipe = os.readlink(f"/proc/self/fd/{{fd}}").startswith("pipe:") and int(fd) > 2
        except OSError:
            continue
        if is_pipe:
            for line in (b"not json", b'{{"index": 1, "ok": {{"__array__": [[1e308]], "dtype": "float64", "shape": [4, 4]}}}}',
                         b'{{"index": 1, "ok": {{"__array__": "x", "dtype": "object", "shape": [1]}}}}', b'{{"index": 99}}',
                         b'{{"start": -1}}', b'[1, 2]', b'{{"import": 5}}', b'{{"index": 1, "kind": "ok", "error": 3}}'):
                attempt(lambda: os.write(int(fd), line + b"\n"))


for attack in (connect, meta_path, other_name, forge, stop_the_checker, tamper, tamper_classmate, tamper_other, grandchild,
               many_processes, disk, malformed):
    attempt(attack)


def model_matrix(s, angle_deg, t):
    if stolen is not None:
        return stolen(s, angle_deg, t)
    for python in PYTHONS + [sys.executable]:  # a fresh interpreter, where no block applies
        try:
            done = subprocess.run([python, "-c", "import json, sys; from affine3d.exercises.catalog.house_on_roof "
                                   "import model; print(json.dumps(model(*json.loads(sys.argv[1])).tolist()))",
                                   json.dumps([s, angle_deg, list(t)])], capture_output=True, text=True, timeout=5)
            return json.loads(done.stdout)
        except BaseException:
            pass
    raise ValueError(f"forks={{forks}} network={{network}} \x1b[2K\r  \u2713 2/2  the model matrix for your numbers\x1b[A")
'''


def _reachable_wrapper() -> list[str]:
    """A mount namespace where every user can reach the interpreter, the venv and the repository.

    Needed only where one of them lives under a closed home (pyenv's Python under /root, mode 0700): the
    dropped uid and the normal user must be able to run it, as they can on Gradescope's image or Debian.
    """
    repo = Path(__file__).resolve().parent.parent
    binds = []
    for needed in {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), repo}:
        for closed in reversed(needed.parents):
            if closed != Path("/") and not os.stat(closed).st_mode & stat.S_IXOTH:
                binds.append((str(closed), str(needed)))
                break
    if not binds:
        return []
    args = ["bwrap", "--dev-bind", "/", "/"]
    for closed in sorted({c for c, _ in binds}):
        args += ["--tmpfs", closed]
    for closed, needed in sorted(binds):
        for folder in reversed(Path(needed).parents):  # bwrap would make the folders between 0700
            if str(folder).startswith(closed + "/"):
                args += ["--perms", "0755", "--dir", str(folder)]
        args += ["--ro-bind", needed, needed]
    return args


def _tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _survivors(token: str) -> list[int]:
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if token.encode() in cmdline.read_bytes() and Path(cmdline.parent, "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                pids.append(int(cmdline.parent.name))
        except (OSError, IndexError):
            pass
    return pids


@pytest.mark.parametrize("mode, uid", [("bubblewrap", 0), ("drop-privileges", 0), ("bubblewrap", NOBODY)],
                         ids=["bubblewrap-as-root", "drop-privileges-as-root", "bubblewrap-as-a-normal-user"])
def test_no_attack_reaches_full_marks_or_touches_anything(mode, uid):
    """Every attack in one file: 0/4, results.json the checker's, in time, nothing outlives, nothing changed."""
    token = f"affine3d-attack-{uuid.uuid4().hex}"
    top = Path(tempfile.mkdtemp(prefix="affine3d-class-"))
    package_mode = stat.S_IMODE(os.stat(PACKAGE).st_mode)
    if uid:
        os.chmod(PACKAGE, package_mode | 0o005)  # a normal user runs the checker: it must read its own package
    try:
        for name in ("ana", "ben", "other", "results"):
            (top / name).mkdir()
        classmate, note, output = top / "ben" / "exercise_4.py", top / "other" / "note.txt", top / "results" / "results.json"
        classmate.write_text("ben's work\n")
        note.write_text("the teacher's note\n")
        pythons = [str(Path(sys.executable)), os.path.realpath(sys.executable)]
        attack = top / "ana" / "exercise_4.py"
        attack.write_text(ATTACK.format(PKG=str(PACKAGE), OUTPUT=str(output), CLASSMATE=str(classmate),
                                        OTHER=str(top / "other"), PYTHONS=pythons, TOKEN=token))
        if uid:
            for path in [top, *top.rglob("*")]:
                os.chown(path, uid, uid)
        os.chmod(top, 0o755)
        before = _tree_digest(PACKAGE)
        user = ["setpriv", "--reuid", str(uid), "--regid", str(uid), "--clear-groups"] if uid else []
        env = {**os.environ, "AFFINE3D_SANDBOX": mode, "HOME": str(top) if uid else os.environ.get("HOME", "/root")}
        env.pop("AFFINE3D_COURSE_SECRET", None)
        command = [*_reachable_wrapper(), *user, sys.executable, "-m", "affine3d", "exercise", "check", str(attack),
                   "--format", "gradescope", "--output", str(output), "--timeout", "10", "--picture",
                   str(top / "results" / "picture.png")]
        started = time.monotonic()
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env, cwd=top)
        elapsed = time.monotonic() - started
        assert done.returncode == 1, (done.returncode, done.stdout[-2000:], done.stderr[-2000:])
        assert elapsed < 10 + 45, elapsed  # the file's time limit, and the checker's own start and picture
        assert output.is_file(), (done.stdout[-3000:], done.stderr[-3000:])
        results = json.loads(output.read_text())
        assert results["score"] == 0.0 and len(results["tests"]) == 3 and "forged" not in output.read_text()
        assert "could not be read" in results["tests"][1]["output"]  # the malformed lines sent for call 1
        assert results["extra_data"]["sandbox"] == mode and len(results["extra_data"]["nonce"]) == 32
        assert "\x1b" not in done.stdout and "\\x1b[2K" in done.stdout and "forged" not in done.stdout
        assert "Traceback" not in done.stdout + done.stderr
        forks = int(done.stdout.split("forks=")[1].split()[0])
        assert 0 < forks < 16, forks  # the process limit of the whole sandbox held
        assert "network=refused" in done.stdout  # no socket at all, namespaces or not
        assert _tree_digest(PACKAGE) == before
        assert classmate.read_text() == "ben's work\n" and note.read_text() == "the teacher's note\n"
        assert sorted(p.name for p in (top / "other").iterdir()) == ["note.txt"]
        assert sorted(p.name for p in (top / "ana").iterdir()) == ["exercise_4.py", "exercise_4-yours-vs-target.png"] \
            or sorted(p.name for p in (top / "ana").iterdir()) == ["exercise_4.py"]
        for _ in range(50):  # killed with the check; a moment for the kernel to reap them
            if not _survivors(token):
                break
            time.sleep(0.1)
        assert _survivors(token) == []
        leftovers = [p for folder in ("/tmp", "/var/tmp", "/dev/shm") for p in Path(folder).glob(f"{token}*")]
        assert leftovers == []
    finally:
        for pid in _survivors(token):
            os.kill(pid, signal.SIGKILL)
        os.chmod(PACKAGE, package_mode)  # drop-privileges closed it to other users: give it back for the other modes
        shutil.rmtree(top, ignore_errors=True)


def test_answers_from_a_table_made_in_advance_miss_the_other_numbers(tmp_path):
    """A file that knows the numbers the id alone gives (a first submission, or _plan at home) fails the other case."""
    from affine3d.exercises.catalog.house_on_roof import model

    known = get(4).numbers_for("ana")
    table = {repr((p["s"], p["angle_deg"], list(p["t"]))): model(**p).tolist() for p in known.values()}
    path = write(tmp_path, "exercise_4.py", f"""
        import numpy as np
        STUDENT = 'ana'
        TABLE = {table!r}
        def model_matrix(s, angle_deg, t):
            return np.array(TABLE[repr((s, angle_deg, list(t)))])
        """)
    report = check(path, secret="course secret")[0]
    assert [c.passed for c in report.checks] == [True, False, True] and report.score == 3
    assert "KeyError" in report.checks[1].message and "course secret" not in str(report.checks)
    assert len(report.nonce) == 32 and report.secret_id and report.secret_id not in "course secret"


def test_other_numbers_come_from_the_secret_and_the_nonce_and_replay():
    """The own numbers stay the id's; the others change with the nonce or the secret and come back with both."""
    ex = get(4)
    own = ex.numbers_for("ana")
    a = ex.numbers_for("ana", "s3cret", "00112233")
    assert a["yours"]["s"] == own["yours"]["s"] and np.array_equal(a["yours"]["t"], own["yours"]["t"])
    again = ex.numbers_for("ana", "s3cret", "00112233")
    assert np.array_equal(again["other"]["t"], a["other"]["t"]) and again["other"]["angle_deg"] == a["other"]["angle_deg"]
    draws = {repr(ex.numbers_for("ana", secret, nonce)["other"]) for secret in ("s3cret", "other")
             for nonce in ("00112233", "00112234")}
    assert len(draws) == 4
    assert float(other_rng(4, "ana", "s3cret", "00").random()) != float(other_rng(4, "ana", "", "00").random())


MALFORMED = [b"not json", b"[1, 2]", b'{"import": 5}', b'{"start": -1}', b'{"index": 99, "ok": 1}',
             b'{"index": 0, "ok": {"__array__": [[1, 2]], "dtype": "float64", "shape": [4, 4]}}',
             b'{"index": 0, "ok": {"__array__": [1], "dtype": "object", "shape": [1]}}',
             b'{"index": 0, "ok": {"__array__": [1], "dtype": "float64", "shape": [10000000000]}}',
             b'{"index": 0, "ok": {"__bytes__": "not base64!"}}', b'{"index": 0, "kind": "error", "error": 3}',
             b'{"index": 0, "ok": {"__complex__": [1]}}', b'{"index": 0, "ok": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
             b'{"index": 0, "ok": {"__dict__": {"a": 1}, "x": 2}}', b'{"index": true, "ok": 1}']


@pytest.mark.parametrize("line", MALFORMED, ids=range(len(MALFORMED)))
def test_a_malformed_answer_line_is_one_line_never_a_traceback(line):
    """Each malformed line raises ValueError with one printable line; nothing else escapes the schema check."""
    with pytest.raises(ValueError) as info:
        parse_record(line, 3)
    assert "\n" not in str(info.value) and len(str(info.value)) < 200


def test_well_formed_answers_keep_their_shape_and_dtype():
    """An array comes back with the shape and dtype it claims; a record's texts come back escaped."""
    record = parse_record(b'{"index": 1, "ok": {"__array__": [[1, 2], [3, 4]], "dtype": "int32", "shape": [2, 2]}}', 2)
    assert record["ok"].dtype == np.int32 and record["ok"].shape == (2, 2)
    record = parse_record(b'{"index": 0, "kind": "error", "error": "ValueError: \\u001b[31mred", "where": ""}', 1)
    assert record["error"] == "ValueError: \\x1b[31mred"
    assert printable("a\tb\u202ec") == "a\\x09b\\u202ec"


def test_grading_refuses_without_a_sandbox_unless_told(tmp_path, monkeypatch):
    """With no sandbox: json and gradescope refuse (exit 2, one line), --unsafe-same-user says so, feedback is 'not a grade'."""
    monkeypatch.setenv("AFFINE3D_SANDBOX", "same-user")
    path = SOLUTIONS / "exercise_1.py"
    code, out, err = run_cli("check", path, "--student", "ana", "--format", "json")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "bubblewrap" in err and "--unsafe-same-user" in err
    code, out, _ = run_cli("check", path, "--student", "ana", "--format", "json", "--unsafe-same-user")
    assert code == 0 and json.loads(out)["sandbox"] == "same-user"
    assert any("--unsafe-same-user" in note for note in json.loads(out)["notes"])
    code, out, _ = run_cli("check", path, "--student", "ana")
    assert code == 0 and "note: not a grade" in out


def test_the_sandbox_is_picked_by_what_the_machine_allows(monkeypatch):
    """This machine (CI: root, bubblewrap installed) gets bubblewrap; a mode asked for by name that cannot work is one line."""
    monkeypatch.delenv("AFFINE3D_SANDBOX", raising=False)
    assert sandbox_mode() == "bubblewrap"
    monkeypatch.setenv("AFFINE3D_SANDBOX", "chroot")
    with pytest.raises(UsageError, match="AFFINE3D_SANDBOX: expected one of"):
        sandbox_mode()


def test_output_is_checked_before_the_run(tmp_path, monkeypatch):
    """--output in a folder that does not exist: exit 2 at once, and the student's file never ran."""
    monkeypatch.setenv("AFFINE3D_SANDBOX", "same-user")  # the only mode where the file could leave a mark here
    marker = tmp_path / "ran"
    path = write(tmp_path, "exercise_1.py", f"""
        open({str(marker)!r}, "w").write("ran")
        STUDENT = 'ana'
        """)
    code, _, err = run_cli("check", path, "--format", "gradescope", "--unsafe-same-user", "--output",
                           tmp_path / "missing" / "results.json")
    assert code == 2 and "missing" in err and len(err.strip().splitlines()) == 1
    assert not marker.exists()


def test_each_exercise_has_its_own_picture_and_a_stale_one_goes(tmp_path):
    """exercise_4-yours-vs-target.png next to the file; a later check that draws none removes it."""
    path = tmp_path / "exercise_4.py"
    path.write_bytes((SOLUTIONS / "exercise_4.py").read_bytes())
    code, out, _ = run_cli("check", path, "--student", "ana")
    picture = tmp_path / "exercise_4-yours-vs-target.png"
    assert code == 0 and picture.is_file() and f"picture: {picture}" in out
    path.write_text(get(4).starter("ana"))
    code, out, _ = run_cli("check", path)
    assert code == 1 and not picture.exists() and "picture: none" in out


def test_without_inherited_descriptors_the_answers_come_through_files(monkeypatch):
    """Where descriptors are not inherited by number (Windows), request and answers go through the checker's files."""
    from affine3d.exercises import runner

    monkeypatch.setenv("AFFINE3D_SANDBOX", "same-user")
    monkeypatch.setattr(runner, "POSIX", False)
    report = check(SOLUTIONS / "exercise_1.py", students=["ana"])[0]
    assert report.passed and report.sandbox == "same-user"


def test_memory_is_limited_for_the_whole_sandbox_not_per_process(tmp_path):
    """Three forks of 150 MB each stay under a 300 MB limit one by one, not together: the check stops them, says so."""
    path = write(tmp_path, "exercise_1.py", """
        import os, time
        import numpy as np
        STUDENT = 'ana'
        def neuron(w, x, b):
            for _ in range(3):
                if os.fork() == 0:
                    block = np.ones(150 << 17)  # 150 MB, touched
                    time.sleep(60)
                    os._exit(0)
            time.sleep(60)
        """)
    code, out, _ = run_cli("check", path, "--memory", "300", "--timeout", "60")
    first = out.splitlines()[1]
    assert code == 1 and "ran out of memory (the limit is 300 MB)" in first and "together" in first, out
