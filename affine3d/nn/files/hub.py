"""The Hugging Face Hub, through huggingface_hub (the optional ``affine3d[hub]`` extra).

A local folder needs none of this: :func:`resolve` returns it as it is. A repository id
(``user/name``) is fetched with ``snapshot_download`` (only the three files of a model folder) into
the Hub's cache; without the package, without the network (or with ``HF_HUB_OFFLINE=1`` and no
cached copy) it is refused in one line. :func:`push_folder` uploads a folder with ``HfApi``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ...errors import ModelError, one_line
from ...i18n import _
from ...errors import shown as _short

__all__ = ["resolve", "push_folder", "looks_like_repo_id", "HUB_HINT"]

HUB_HINT = "pip install 'affine3d[hub]'"
FOLDER_FILES = ["config.json", "model.safetensors", "README.md"]
_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95}$")


def looks_like_repo_id(text: str) -> bool:
    """``user/name`` as the Hub spells repository ids (one slash, no suffix of a model file)."""
    return bool(_REPO_ID.match(text)) and not text.endswith((".safetensors", ".npz", ".onnx", ".json"))


def _import_hub(message: str):
    """The huggingface_hub module, or a ModelError: ``message`` (with a ``{hint}`` field for how to install it)."""
    try:
        import huggingface_hub
    except ImportError:
        raise ModelError(message.format(hint=HUB_HINT)) from None
    return huggingface_hub


def resolve(folder_or_repo, *, revision: str | None = None) -> Path:
    """The local folder ``folder_or_repo`` names: itself if it exists, else a Hub repository downloaded to the cache."""
    try:
        text = os.fsdecode(os.fspath(folder_or_repo))
    except TypeError:
        raise ModelError(_("path: expected a folder or a Hub repository id (str), got {type}").format(
            type=type(folder_or_repo).__name__)) from None
    path = Path(text)
    if path.exists() or not looks_like_repo_id(text):
        return path
    hub = _import_hub(_("{text}: no such folder here; as a Hub repository id it needs the huggingface_hub package: "
                        "{{hint}}").format(text=text))
    try:
        local = hub.snapshot_download(repo_id=text, revision=revision, allow_patterns=FOLDER_FILES)
    except Exception as exc:  # offline, no such repository, gated, a cache that cannot be written: one line each
        reason = one_line(exc, limit=None)
        first = re.split(r"(?<=[.!?])\s", reason, maxsplit=1)[0]
        raise ModelError(_("{text}: no such folder here, and the Hugging Face Hub could not give it ({type}: {value})").format(
            text=text, type=type(exc).__name__, value=_short(first, 160))) from None
    return Path(local)


def push_folder(folder, repo_id: str, *, private: bool = False, commit_message: str = "affine3d model") -> str:
    """Upload ``folder`` (a :meth:`~affine3d.nn.MLP.save_pretrained` folder) to ``repo_id``; the commit's URL."""
    hub = _import_hub(_("push_to_hub needs the huggingface_hub package: {hint}"))
    try:
        api = hub.HfApi()
        api.create_repo(repo_id, private=private, exist_ok=True)
        info = api.upload_folder(folder_path=str(folder), repo_id=repo_id, allow_patterns=FOLDER_FILES,
                                 commit_message=commit_message)
    except Exception as exc:  # not logged in, offline, no rights: one line
        raise ModelError(_("push_to_hub {repo_id}: {reason}").format(
            repo_id=repo_id, reason=one_line(exc, limit=160, typed=True))) from None
    return str(getattr(info, "commit_url", info))
