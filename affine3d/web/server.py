"""A static-file server for the page that answers only inside its folder.

The standard library's :class:`http.server.ThreadingHTTPServer` is all the page needs: every file is
static (HTML, ES modules, shaders, JSON, model files) and nothing runs on the server. The handler is
:class:`SimpleHTTPRequestHandler` with its path lookup replaced by a stricter one:

- the URL path is percent-decoded once, then split at ``/``; a ``..`` or ``.`` segment, a backslash,
  a NUL or a drive letter anywhere (``/../../etc/passwd``, ``/%2e%2e/%2e%2e/etc/passwd``,
  ``/..%2f..%2fetc/passwd``) is a 404, never a normalised guess;
- the file found is resolved (symlinks followed) and must still lie inside the folder, so a
  symlink pointing out of it is a 404 as well;
- no directory listings: a folder serves its ``index.html`` or nothing;
- a path that is not UTF-8 once decoded (``/%ff``) is a 400, never a traceback;
- bound to a loopback address, it answers only requests whose ``Host`` header names this machine
  (``127.0.0.1``, ``localhost``, ``[::1]``): a web page elsewhere that points a name of its own at
  127.0.0.1 (DNS rebinding) gets a 403, not the files;
- its listen backlog is 128 (the standard library's 5 drops connections when a page's modules,
  shaders and scenes are fetched at once by many tabs).

It binds 127.0.0.1 (this machine only) unless told otherwise: the page is for the person at the keyboard.
"""

from __future__ import annotations

import ipaddress
import mimetypes
import threading
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import UsageError
from ..i18n import _

__all__ = ["SiteHandler", "SiteServer", "make_server", "serve_folder", "DEFAULT_HOST", "DEFAULT_PORT", "resolve_inside",
           "is_loopback", "LISTEN_BACKLOG"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
LISTEN_BACKLOG = 128
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) is this machine only: ``localhost``, 127.x.y.z, ``::1``."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False

# ES modules must come with a JavaScript type; shaders are text; models are bytes.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".json": "application/json", ".vert": "text/plain; charset=utf-8", ".frag": "text/plain; charset=utf-8",
    ".safetensors": "application/octet-stream", ".png": "image/png",
}


def resolve_inside(root: Path, url_path: str) -> Path | None:
    """The file under ``root`` that ``url_path`` names, or None when it names nothing inside ``root``.

    Parameters
    ----------
    root : Path
        The served folder, already resolved.
    url_path : str
        The request target's path, still percent-encoded (``/scenes/index.json``).

    Examples
    --------
    >>> import tempfile; root = Path(tempfile.mkdtemp()).resolve(); _ = (root / "a.txt").write_text("a")
    >>> resolve_inside(root, "/a.txt") == root / "a.txt"
    True
    >>> resolve_inside(root, "/../a.txt"), resolve_inside(root, "/%2e%2e/a.txt"), resolve_inside(root, "/b.txt")
    (None, None, None)
    """
    path = unquote(urlsplit(url_path).path, errors="strict") if url_path else ""
    if not path.startswith("/") or "\\" in path or "\x00" in path:
        return None
    parts = path[1:].split("/")
    if any(part in (".", "..") or ":" in part for part in parts):
        return None
    candidate = root.joinpath(*[p for p in parts if p])
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):  # missing, a symlink loop
        return None
    if resolved != root and not resolved.is_relative_to(root):
        return None  # a symlink out of the folder
    if resolved.is_dir():
        index = resolved / "index.html"
        if not index.is_file() or not index.resolve().is_relative_to(root):
            return None
        return index.resolve()
    return resolved if resolved.is_file() else None


class SiteHandler(SimpleHTTPRequestHandler):
    """GET and HEAD for files inside ``directory``; everything else is a 404 (or 501 for other methods)."""

    server_version = "affine3d"

    def __init__(self, *args, directory: str, quiet: bool = True, **kwargs):
        self._root = Path(directory).resolve()
        self._quiet = quiet
        super().__init__(*args, directory=str(self._root), **kwargs)

    def send_head(self):
        if self.server.loopback_only and not self._host_is_loopback():
            self.send_error(HTTPStatus.FORBIDDEN, "Host not allowed: this server answers only this machine's names")
            return None
        try:
            target = resolve_inside(self._root, self.path)
        except UnicodeDecodeError:
            self.send_error(HTTPStatus.BAD_REQUEST, "Bad request: the path is not UTF-8 text")
            return None
        if target is None:
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        try:
            f = open(target, "rb")
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        try:
            size = target.stat().st_size
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", CONTENT_TYPES.get(target.suffix, mimetypes.guess_type(target.name)[0]
                                                               or "application/octet-stream"))
            self.send_header("Content-Length", str(size))
            self.send_header("Cache-Control", "no-cache")  # a re-export shows at the next reload
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            return f
        except BaseException:
            f.close()
            raise

    def _host_is_loopback(self) -> bool:
        """The Host header names this machine (``127.0.0.1:8000``, ``localhost``, ``[::1]:8000``); no header: HTTP/1.0, allowed."""
        host = self.headers.get("Host")
        if host is None:
            return True
        name = host.rsplit(":", 1)[0] if not host.endswith("]") and host.count(":") == 1 else host
        if name.startswith("[") and "]" in name:
            name = name[1:name.index("]")]
        return is_loopback(name)

    def list_directory(self, path):  # never reached (send_head is ours); kept shut all the same
        self.send_error(HTTPStatus.NOT_FOUND, "File not found")
        return None

    def log_message(self, format, *args):
        if not self._quiet:
            super().log_message(format, *args)


class SiteServer(ThreadingHTTPServer):
    """The standard library's threading server with a listen backlog of :data:`LISTEN_BACKLOG`."""

    request_queue_size = LISTEN_BACKLOG
    daemon_threads = True
    loopback_only = True  # set from the address bound: Host headers are checked on a loopback address


def make_server(folder, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, quiet: bool = True) -> ThreadingHTTPServer:
    """An HTTP server for ``folder`` on ``host:port`` (port 0: any free port); not started yet.

    ``server.server_address`` says where it listens; call ``serve_forever()`` (or use
    :func:`serve_folder` for a background thread) and ``server_close()`` when done.

    Raises
    ------
    UsageError
        ``folder`` is not a directory, or the address cannot be bound (in use, not this machine's).
    """
    root = Path(folder)
    if not root.is_dir():
        raise UsageError(_("{folder}: expected a folder to serve").format(folder=folder))
    if not 0 <= int(port) <= 65535:
        raise UsageError(_("--port: expected 0..65535, got {port}").format(port=port))
    handler = partial(SiteHandler, directory=str(root.resolve()), quiet=quiet)
    try:
        server = SiteServer((host, int(port)), handler)
    except (OSError, OverflowError) as exc:
        raise UsageError(_("cannot listen on {host}:{port}: {reason}").format(
            host=host, port=port, reason=getattr(exc, "strerror", None) or exc)) from None
    server.loopback_only = is_loopback(str(server.server_address[0]))
    return server


def serve_folder(folder, host: str = DEFAULT_HOST, port: int = 0, *, quiet: bool = True):
    """Serve ``folder`` from a background thread: ``(server, url)``; stop with ``server.shutdown(); server.server_close()``."""
    server = make_server(folder, host, port, quiet=quiet)
    threading.Thread(target=server.serve_forever, name="affine3d-web", daemon=True).start()
    bound_host, bound_port = server.server_address[:2]
    return server, f"http://{_url_host(bound_host)}:{bound_port}/"


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
