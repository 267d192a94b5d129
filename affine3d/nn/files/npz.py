""".npz (numpy): a zip of ``.npy`` arrays, written uncompressed; the architecture JSON is a 0-d text array ``affine3d``.

Read with ``allow_pickle=False``, and each member's ``.npy`` header is checked first: an array of
Python objects (which only a pickle could restore) is refused before anything is unpickled.
"""

from __future__ import annotations

import lzma
import math
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

from ...errors import ModelError
from .common import METADATA_KEY, Model, architecture_json, build, parse_architecture, tensors_for_saving

__all__ = ["save_npz", "load_npz", "npz_members", "ZIP_ERRORS"]

# What reading a damaged zip can raise: bad structure, unsupported methods or versions, encryption,
# broken compressed streams, short reads.
ZIP_ERRORS = (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, RuntimeError, zlib.error, lzma.LZMAError)


def save_npz(mlp, path, *, dtype="float32") -> None:
    """Write an uncompressed .npz: the tensors and a 0-d text array ``affine3d`` with the architecture JSON."""
    path = Path(path)
    arrays = tensors_for_saving(mlp, dtype)
    arrays[METADATA_KEY] = np.array(architecture_json(mlp))
    with open(path, "wb") as f:  # a file object: np.savez would append ".npz" to a name without it
        np.savez(f, **arrays)


def npz_members(path: Path) -> dict:
    """Check an .npz without unpickling anything: name -> header facts and absolute data offsets.

    Each member's .npy header (magic, dtype, shape) is parsed with numpy's own readers, and the
    bytes it claims are compared with the member's size in the zip. Object arrays (pickles) are
    reported, not loaded.
    """
    name = path.name
    with open(path, "rb") as f:
        head = f.read(4)
    if head[:1] == b"\x80":
        raise ModelError(f"{name}: this is a Python pickle, not an .npz archive; refused (loading a pickle can run code)")
    if head != b"PK\x03\x04" and head != b"PK\x05\x06":
        raise ModelError(f"{name}: not an .npz (zip) archive (it starts with {head!r})")
    try:
        archive = zipfile.ZipFile(path)
    except ZIP_ERRORS as exc:
        raise ModelError(f"{name}: the zip archive is corrupted or truncated ({exc})") from None
    members = {}
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            key = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
            entry = {"member": info.filename, "compressed": info.compress_type != zipfile.ZIP_STORED,
                     "zip_size": info.file_size}
            if info.compress_type != zipfile.ZIP_STORED and info.file_size > 200 * max(info.compress_size, 1) + (1 << 20):
                raise ModelError(f"{name}: member {info.filename!r} expands {info.file_size:,} bytes from {info.compress_size:,}; refused")
            try:
                with archive.open(info) as member:
                    version = np.lib.format.read_magic(member)
                    if version == (1, 0):
                        shape, fortran, dtype = np.lib.format.read_array_header_1_0(member)
                    elif version in ((2, 0), (3, 0)):
                        shape, fortran, dtype = np.lib.format.read_array_header_2_0(member)
                    else:  # pragma: no cover - read_magic raises for unknown versions
                        raise ValueError(f"unknown .npy version {version}")
                    header_end = member.tell() if hasattr(member, "tell") else None
            except ZIP_ERRORS + (SyntaxError,) as exc:
                raise ModelError(f"{name}: member {info.filename!r} is not a valid .npy array ({exc})") from None
            entry.update(shape=tuple(shape), dtype=dtype, fortran=fortran)
            if dtype.hasobject:
                entry["pickle"] = True
            else:
                needed = math.prod(shape) * dtype.itemsize
                if header_end is None or header_end + needed != info.file_size:
                    raise ModelError(
                        f"{name}: member {info.filename!r}: its header says shape {tuple(shape)} {dtype} ({needed:,} bytes) "
                        f"but the member holds {info.file_size - (header_end or 0):,} data bytes (truncated or corrupted)"
                    )
                if not entry["compressed"]:
                    # local file header: 30 bytes + file name + extra field, then the member's bytes
                    with open(path, "rb") as f:
                        f.seek(info.header_offset)
                        local = f.read(30)
                    if len(local) == 30 and local[:4] == b"PK\x03\x04":
                        name_len, extra_len = struct.unpack("<HH", local[26:30])
                        start = info.header_offset + 30 + name_len + extra_len + header_end
                        entry["begin"], entry["end"] = start, start + needed
            members[key] = entry
    return members


def load_npz(path) -> Model:
    """Read a file written by :func:`save_npz` with ``allow_pickle=False``; a pickle inside is a ModelError."""
    path = Path(path)
    name = path.name
    members = npz_members(path)
    pickled = [k for k, m in members.items() if m.get("pickle")]
    if pickled:
        raise ModelError(
            f"{name}: array {pickled[0]!r} holds Python objects, which only a pickle can restore; refused "
            "(loading a pickle can run code; model files should hold numbers only)"
        )
    if METADATA_KEY not in members:
        raise ModelError(
            f"{name}: no {METADATA_KEY!r} array, so the architecture (activations) is unknown; "
            f"arrays: {', '.join(members) or 'none'} (see 'affine3d inspect')"
        )
    try:
        with np.load(path, allow_pickle=False) as data:
            text = data[METADATA_KEY]
            if text.dtype.kind != "U" or text.ndim != 0:
                raise ModelError(f"{name}: {METADATA_KEY!r} must be a 0-d text array, got dtype {text.dtype} shape {text.shape}")
            record = parse_architecture(name, str(text[()]))
            wanted = {spec[role] for spec in record["layers"] for role in ("weight", "bias")}
            tensors = {key: data[key] for key in wanted if key in members}
    except ModelError:
        raise
    except ZIP_ERRORS + (KeyError,) as exc:
        raise ModelError(f"{name}: cannot read the archive ({exc})") from None
    return build(name, record, tensors)
