"""Where a student's file runs: which isolation this machine allows, and the pieces each one needs.

Three modes, best first (:func:`sandbox_mode` picks one; ``AFFINE3D_SANDBOX`` forces one):

``bubblewrap``
    Linux with user namespaces and ``bwrap`` (Debian/Ubuntu package ``bubblewrap``). The file runs as
    uid 65534 (nobody; as root, mapped to a fresh unused uid outside where every user can reach Python,
    :func:`can_drop`) in fresh pid, ipc, uts, network (none) and mount namespaces whose file system is
    only the Python interpreter's standard library, numpy (mounted read-only at ``/sandbox/site``), a
    copy of the file and its data in a size-limited tmpfs ``/work``, and a small private ``/tmp``. The
    checker, the package, the output, the secret and other students' files are not in that file system;
    the checker's process is not in its pid namespace, so it can be neither read nor signalled. Works as
    root and as a normal user, with no daemon.
``drop-privileges``
    Root where namespaces are forbidden (Gradescope's Docker container): the file runs as a fresh,
    unused uid with no groups, in its own session, with a private work folder (mode 0700, its own) and
    resource limits. Ownership and permissions do the rest: it cannot write the package, the output or
    another folder that is not world-writable, cannot signal the checker (another uid), cannot read the
    checker's environment (the secret); the folders of the packages the exercise blocks (``affine3d``,
    ``onnxruntime``, ...) are closed to other users (``chmod o-rwx``) so it cannot import them. After
    the run every process of that uid is killed and its files in ``/tmp``, ``/var/tmp`` and ``/dev/shm``
    are removed.
``same-user``
    Neither (macOS, Windows, a normal user without bwrap): the file runs as the same user in a child
    process with limits. Fine for feedback on one's own work; not a grade, since the file can read and
    write whatever its user can. Grading refuses this mode unless told ``--unsafe-same-user``.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import signal
import site
import stat
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

from ..i18n import N_, _

__all__ = ["MODES", "memory_used", "sandbox_mode", "with_dependencies", "others_can_reach", "can_drop", "mode_problem", "SANDBOX_UID", "fresh_uid", "kill_uid", "remove_uid_files",
           "close_packages", "package_dirs", "bwrap_command", "SITE", "WORK", "CHILD", "ENV_VAR"]

MODES = ("bubblewrap", "drop-privileges", "same-user")
ENV_VAR = "AFFINE3D_SANDBOX"
SANDBOX_UID = 65534  # nobody, inside the namespaces
SITE, WORK, CHILD = "/sandbox/site", "/work", "/sandbox/_child.py"
_FRESH_UIDS = (2_000_000_000, 1 << 24)  # drop-privileges: a uid from this range, not one a user or service owns
_WORLD_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm")
INSTALL_HINT = N_("install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap) or run as root, or pass "
                  "--unsafe-same-user to grade without a sandbox")  # shown through _()


def sandbox_mode(requested: str | None = None) -> str:
    """The isolation to use: ``requested``, else ``$AFFINE3D_SANDBOX``, else the best this machine allows.

    Returns one of :data:`MODES`. A mode that cannot work here (asked for by name) raises
    :class:`~affine3d.errors.UsageError` saying why.
    """
    from ..errors import UsageError

    wanted = requested or os.environ.get(ENV_VAR, "") or "auto"
    if wanted not in (*MODES, "auto"):
        raise UsageError(_("{variable}: expected one of auto, {modes}, got {value}").format(
            variable=ENV_VAR, modes=", ".join(MODES), value=repr(wanted)))
    if wanted == "auto":
        if bubblewrap_works():
            return "bubblewrap"
        return "drop-privileges" if _is_root() and not mode_problem("drop-privileges") else "same-user"
    problem = mode_problem(wanted)
    if problem:
        raise UsageError(f"{ENV_VAR}={wanted}: {problem}")
    return wanted


def mode_problem(mode: str) -> str:
    """Why ``mode`` cannot run here, in one line, or ``""``."""
    if mode == "bubblewrap" and not bubblewrap_works():
        return _("bwrap is missing or cannot create namespaces here "
                 "(apt-get install bubblewrap; containers may forbid user namespaces)")
    if mode == "drop-privileges":
        if not _is_root():
            return _("only root can run a file as another user")
        closed = next((p for p in (interpreter(), *map(str, package_dirs(("numpy",)))) if not others_can_reach(p)), None)
        if closed is not None:
            return _("another user cannot reach {path} (a folder on its way is closed to others); install Python "
                     "and numpy where every user can read them, as Debian's python3 and pip do").format(path=closed)
    return ""


def can_drop(allowed=("numpy",)) -> bool:
    """True if this is root and a fresh uid can reach Python and the ``allowed`` packages.

    Then bubblewrap, too, starts as that uid (inside, nobody maps to it rather than to root): the kernel
    exempts root from the process limit, and two runs at once are two users.
    """
    return (_is_root() and all(others_can_reach(str(p)) for p in (interpreter(), *package_dirs(allowed)))
            and bubblewrap_works(_FRESH_UIDS[0] - 1))


def others_can_reach(path: str) -> bool:
    """True if a user with no rights of its own may read ``path`` (and enter every folder on its way)."""
    path = os.path.realpath(path)
    try:
        parts = Path(path).parents
        if any(not os.stat(folder).st_mode & stat.S_IXOTH for folder in parts):
            return False
        return bool(os.stat(path).st_mode & stat.S_IROTH)
    except OSError:
        return False


def _is_root() -> bool:
    return os.name == "posix" and os.geteuid() == 0


@functools.cache
def bubblewrap_works(as_uid: int | None = None) -> bool:
    """True if ``bwrap`` is installed and can make the namespaces it needs here (tried once per process).

    ``as_uid``: tried as that user (root may make user namespaces where other users may not).
    """
    if not sys.platform.startswith("linux"):
        return False
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False
    try:
        done = subprocess.run([bwrap, "--unshare-all", "--die-with-parent", "--uid", str(SANDBOX_UID), "--gid",
                               str(SANDBOX_UID), *_system_binds(), "true"], cwd="/", user=as_uid, group=as_uid,
                              extra_groups=[] if as_uid is not None else None,
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


# ------------------------------------------------------------------------------------- what the child sees
def package_dirs(names) -> list[Path]:
    """The folders of the top-level packages ``names`` (``numpy``), and their wheels' ``<name>.libs`` beside them.

    A top-level module that is one file (``typing_extensions``) gives that file.
    """
    found = []
    for name in names:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is None:
            continue
        if not spec.submodule_search_locations:
            if spec.origin and os.path.isfile(spec.origin):
                found.append(Path(spec.origin).resolve())
            continue
        folder = Path(next(iter(spec.submodule_search_locations))).resolve()
        found.append(folder)
        libs = folder.parent / f"{name}.libs"
        if libs.is_dir():
            found.append(libs.resolve())
    return found


@functools.cache
def with_dependencies(names: tuple[str, ...]) -> tuple[str, ...]:
    """``names`` and the top-level packages of everything their distributions require (onnx: google, ml_dtypes, ...).

    Read from the installed packages' metadata (only the distributions involved); extras are left out. A
    name no distribution provides stays as it is.
    """
    import re
    from importlib import metadata

    result = list(dict.fromkeys(names))
    stack = [name for name in names if name != "numpy"]  # numpy needs nothing else: the common case costs nothing
    seen = set()
    while stack:
        dist = _distribution(stack.pop())
        if dist is None or _canonical(dist.metadata["Name"] or "") in seen:
            continue
        seen.add(_canonical(dist.metadata["Name"] or ""))
        result += [t for t in _top_levels(dist) if t not in result]
        for requirement in dist.requires or []:
            if "extra" in requirement.partition(";")[2]:
                continue
            match = re.match(r"[A-Za-z0-9._-]+", requirement)
            if match:
                stack.append(match.group(0))
    return tuple(result)


def _distribution(name: str):
    from importlib import metadata

    try:
        return metadata.distribution(name)
    except metadata.PackageNotFoundError:
        pass
    for dist_name in metadata.packages_distributions().get(name, []):  # a module whose distribution has another name
        try:
            return metadata.distribution(dist_name)
        except metadata.PackageNotFoundError:
            pass
    return None


def _top_levels(dist) -> list[str]:
    text = dist.read_text("top_level.txt")
    if text:
        return [t for t in text.split() if t and not t.startswith("__")]
    tops = []
    for line in (dist.read_text("RECORD") or "").splitlines():  # "path,hash,size": the first part of each path
        first, slash, _unused = line.partition(",")[0].partition("/")
        top = first if slash else first[:-3] if first.endswith(".py") else ""
        if top.isidentifier() and not top.startswith("__") and top not in tops:
            tops.append(top)
    return tops


def _canonical(dist: str) -> str:
    import re

    return re.sub(r"[-_.]+", "-", dist).lower()


def _system_binds() -> list[str]:
    """The read-only base system: /usr, the /bin and /lib links (or folders), the dynamic loader's cache."""
    args = ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    for name in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d"):
        if os.path.exists(name):
            args += ["--ro-bind", name, name]
    return args


def _python_site_dirs() -> list[str]:
    """Every site-packages folder the interpreter could see: hidden under an empty tmpfs in the sandbox."""
    dirs = set(site.getsitepackages([sys.base_prefix, sys.prefix]))
    for scheme_key in ("purelib", "platlib"):
        dirs.add(sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_prefix})[scheme_key])
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    dirs |= {"/usr/lib/python3/dist-packages", f"/usr/local/lib/{version}/dist-packages",
             f"/usr/local/lib/{version}/site-packages", f"/usr/lib/{version}/dist-packages"}
    return sorted(d for d in dirs if os.path.isdir(d))


def interpreter() -> str:
    """The checker's Python itself (a venv's ``python`` is a link to it); the child runs it with ``-I -S``."""
    return os.path.realpath(sys.executable)


def bwrap_command(python_args: list[str], *, files: dict[str, int], data_fds: dict[str, int], allowed=("numpy",),
                  work_bytes: int, tmp_bytes: int, env: dict[str, str] | None = None) -> list[str]:
    """The ``bwrap`` command line that runs ``python -I -S ... python_args`` in the sandbox.

    ``files`` maps a path in the sandbox to a file descriptor whose bytes are copied there, writable
    (the student's file and its data, under :data:`WORK`); ``data_fds`` maps a path to a descriptor
    mounted read-only (the child script). ``allowed`` packages are mounted read-only under :data:`SITE`.
    ``env`` is the child's whole environment (nothing of the checker's gets in).
    """
    bwrap = shutil.which("bwrap") or "bwrap"
    python = interpreter()
    args = [bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--hostname", "sandbox",
            "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID), *_system_binds()]
    prefix = os.path.realpath(sys.base_prefix)
    if not prefix.startswith("/usr/") and prefix != "/usr":
        args += ["--ro-bind", prefix, prefix]  # pyenv, conda, a python built in /opt: its stdlib
    python_dir = os.path.dirname(python)
    if not (python_dir + "/").startswith(("/usr/", prefix + "/")):
        args += ["--ro-bind", python_dir, python_dir]
    for folder in _python_site_dirs():  # hide every installed package (affine3d, onnxruntime, ...): only SITE stays
        if folder.startswith(("/usr/", prefix + "/")):
            args += ["--tmpfs", folder, "--remount-ro", folder]
    for folder in package_dirs(allowed):
        args += ["--ro-bind", str(folder), f"{SITE}/{folder.name}"]
    args += ["--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev",
             "--size", str(tmp_bytes), "--tmpfs", "/tmp", "--size", str(work_bytes), "--tmpfs", WORK]
    made = {WORK}
    for path in sorted(files):
        parent = os.path.dirname(path)
        chain = []
        while parent not in made and parent != "/":
            chain.append(parent)
            parent = os.path.dirname(parent)
        for folder in reversed(chain):
            args += ["--dir", folder]
            made.add(folder)
        args += ["--file", str(files[path]), path]
    for path, fd in data_fds.items():
        args += ["--ro-bind-data", str(fd), path]
    args += ["--chdir", WORK, "--clearenv"]
    for key, value in (env or {}).items():
        args += ["--setenv", key, value]
    args += [python, *python_args]
    return args


# ------------------------------------------------------------------------------------- the whole sandbox
def memory_used(pid: int, uid: int | None = None) -> int:
    """Bytes used by the run: every descendant of ``pid`` and every process of ``uid``, proportional set sizes.

    Shared pages count once in all (``Pss``), so forked copies of one Python do not add up falsely.
    """
    parents, members = {}, set()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(os.path.join(entry.path, "status"), "rb") as f:
                for line in f:
                    if line.startswith(b"PPid:"):
                        parents[int(entry.name)] = int(line.split()[1])
                    elif line.startswith(b"Uid:"):
                        if uid is not None and uid in (int(v) for v in line.split()[1:3]):
                            members.add(int(entry.name))
                        break
        except (OSError, ValueError, IndexError):
            pass
    children: dict[int, list[int]] = {}
    for child, parent in parents.items():
        children.setdefault(parent, []).append(child)
    stack = [pid]
    while stack:
        current = stack.pop()
        if current not in members:
            members.add(current)
            stack += children.get(current, [])
    total = 0
    for member in members:
        try:
            with open(f"/proc/{member}/smaps_rollup", "rb") as f:
                for line in f:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1]) << 10
                        break
        except (OSError, ValueError, IndexError):
            pass
    return total


# ------------------------------------------------------------------------------------- drop-privileges
def fresh_uid() -> int:
    """A uid no process uses now, for one run (two runs at once get two uids: they cannot reach each other)."""
    import secrets

    base, span = _FRESH_UIDS
    in_use = _uids_running()
    while True:
        uid = base + secrets.randbelow(span)
        if uid not in in_use:
            return uid


def _uids_running() -> set[int]:
    """The real and effective uids of every live process (from /proc/PID/status: a process that made itself
    non-dumpable has a /proc folder owned by root, but its status still says who it is; zombies are done)."""
    uids = set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(os.path.join(entry.path, "status"), "rb") as f:
                    for line in f:
                        if line.startswith(b"State:") and line.split()[1] in (b"Z", b"X"):
                            break
                        if line.startswith(b"Uid:"):
                            uids.update(int(v) for v in line.split()[1:3])
                            break
            except (OSError, ValueError, IndexError):
                pass
    return uids


def kill_uid(uid: int) -> None:
    """SIGKILL every process of ``uid`` (a double-forked, ``setsid`` grandchild too), until none is left."""
    # kill(-1) from a process of that uid reaches exactly that uid's processes (the caller excepted); kill(1)
    # starts in a millisecond, Python (which that uid can run) where a slim image has no kill(1)
    kill = shutil.which("kill", path="/usr/bin:/bin")
    command = [kill, "-KILL", "-1"] if kill else [interpreter(), "-I", "-S", "-c",
                                                   "import os, signal; os.kill(-1, signal.SIGKILL)"]
    for attempt in range(20):
        if attempt and uid not in _uids_running():
            return
        subprocess.run(command, user=uid, group=uid, extra_groups=[], cwd="/", stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        time.sleep(0.01 * attempt)


def remove_uid_files(uid: int) -> None:
    """Remove what ``uid`` left in the world-writable folders (it could write nowhere else)."""
    for top in _WORLD_WRITABLE:
        try:
            entries = list(os.scandir(top))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                pass


def close_packages(names) -> None:
    """Close the folders of the packages ``names`` to other users (``chmod o-rwx``): the fresh uid cannot import them.

    Only the packages' own folders change, and only the bits for "others"; root (the checker) still reads them.
    """
    for name in names:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        if spec is None:
            continue
        folders = list(spec.submodule_search_locations or []) or ([os.path.dirname(spec.origin)] if spec.origin else [])
        for folder in folders:
            try:
                mode = os.stat(folder).st_mode
                if mode & 0o007:
                    os.chmod(folder, stat.S_IMODE(mode) & ~0o007)
            except OSError:
                pass


def stop_group(pid: int) -> None:
    """SIGKILL the process group ``pid`` leads (the run's session), if any is left."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass
