""".npz (numpy): a zip of ``.npy`` arrays, written uncompressed; the architecture JSON is a 0-d text array ``affine3d``.

Read with ``allow_pickle=False``, and each member's ``.npy`` header is checked first: an array of
Python objects (which only a pickle could restore) is refused before anything is unpickled. What
the archive declares is checked against budgets before anything is read: the number of members
(from the zip's end record, before ``zipfile`` lists them), each member's bytes against its
``.npy`` shape and against the archive's size, and the arrays the network needs against
:data:`~affine3d.nn.files.common.MAX_TENSOR_BYTES` (compressed members too).
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
from ...i18n import _, prose_number
from ...errors import shown as _short
from ...fileio import atomic_write, open_regular
from .common import (MAX_HEADER_BYTES, MAX_LAYERS, METADATA_KEY, Model, architecture_json, build, check_tensor_bytes,
                     parse_architecture, tensors_for_saving)

__all__ = ["save_npz", "load_npz", "npz_members", "ZIP_ERRORS", "MAX_MEMBERS"]

MAX_MEMBERS = 4 * MAX_LAYERS
"""The most members an .npz may list: an MLP of :data:`MAX_LAYERS` layers has 2 per layer, plus its architecture."""

# What reading a damaged zip can raise: bad structure, unsupported methods or versions, encryption,
# broken compressed streams, short reads.
ZIP_ERRORS = (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, RuntimeError, zlib.error, lzma.LZMAError)


def save_npz(mlp, path, *, dtype="float32") -> None:
    """Write an uncompressed .npz: the tensors and a 0-d text array ``affine3d`` with the architecture JSON."""
    path = Path(path)
    arrays = tensors_for_saving(mlp, dtype)
    arrays[METADATA_KEY] = np.array(architecture_json(mlp))
    with atomic_write(path) as f:  # a file object: np.savez would append ".npz" to a name without it
        np.savez(f, **arrays)


def npz_members(path: Path) -> dict:
    """Check an .npz without unpickling anything: name -> header facts and absolute data offsets.

    Each member's .npy header (magic, dtype, shape) is parsed with numpy's own readers, and the
    bytes it claims are compared with the member's size in the zip. Object arrays (pickles) are
    reported, not loaded.
    """
    name = path.name
    with open_regular(path, limit=None, what="model file", shown=name, error=ModelError) as f:
        head = f.read(4)
        archive_size = f.seek(0, 2)
        _check_member_count(name, f, archive_size)
    if head[:1] == b"\x80":
        raise ModelError(_("{name}: this is a Python pickle, not an .npz archive; refused (loading a pickle can run code)").format(
            name=name))
    if head != b"PK\x03\x04" and head != b"PK\x05\x06":
        raise ModelError(_("{name}: not an .npz (zip) archive (it does not start with a zip signature)").format(
            name=name))
    try:
        archive = zipfile.ZipFile(path)
    except ZIP_ERRORS as exc:
        raise ModelError(_("{name}: the zip archive is corrupted or truncated ({exc})").format(name=name, exc=exc)) from None
    members = {}
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            key = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
            label = _short(info.filename)
            entry = {"member": info.filename, "compressed": info.compress_type != zipfile.ZIP_STORED,
                     "zip_size": info.file_size}
            if info.compress_type != zipfile.ZIP_STORED and info.file_size > 200 * max(info.compress_size, 1) + (1 << 20):
                raise ModelError(_("{name}: member {label} expands {file_size} bytes from {compress_size}; refused").format(
                    name=name, label=label, file_size=prose_number(info.file_size), compress_size=prose_number(info.compress_size)))
            if info.header_offset + info.compress_size > archive_size:
                raise ModelError(_("{name}: member {label} claims {compress_size} bytes but the archive has only {archive_size} "
                                    "(truncated or corrupted)").format(
                    name=name, label=label, compress_size=prose_number(info.compress_size), archive_size=prose_number(archive_size)))
            try:
                with archive.open(info) as member:
                    version = np.lib.format.read_magic(member)
                    if version == (1, 0):
                        shape, fortran, dtype = np.lib.format.read_array_header_1_0(member)
                    elif version in ((2, 0), (3, 0)):
                        shape, fortran, dtype = np.lib.format.read_array_header_2_0(member)
                    else:  # pragma: no cover - read_magic raises for unknown versions
                        raise ValueError(_("unknown .npy version {version}").format(version=version))
                    header_end = member.tell() if hasattr(member, "tell") else None
            except ZIP_ERRORS + (SyntaxError, RecursionError) as exc:
                raise ModelError(_("{name}: member {label} is not a valid .npy array ({value})").format(
                    name=name, label=label, value=_short(str(exc), 120))) from None
            entry.update(shape=tuple(shape), dtype=dtype, fortran=fortran)
            if dtype.hasobject:
                entry["pickle"] = True
            else:
                needed = entry["nbytes"] = math.prod(shape) * dtype.itemsize
                if header_end is None or header_end + needed != info.file_size:
                    raise ModelError(
                        _("{name}: member {label}: its header says shape {value} {dtype} ({needed} bytes) but the member holds "
                           "{value2} data bytes (truncated or corrupted)").format(
                            name=name, label=label, value=_short(tuple(shape)), dtype=dtype, needed=prose_number(needed), value2=prose_number(info.file_size - (header_end or 0)))
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


def _check_member_count(name: str, f, archive_size: int) -> None:
    """Refuse an archive whose end record lists more than :data:`MAX_MEMBERS` members (before zipfile lists them all).

    The end-of-central-directory record is the last 22 bytes (plus a comment of up to 64 KiB); a
    zip64 archive has a second record, located by the 20 bytes just before it.
    """
    tail_size = min(archive_size, 22 + 65535 + 20)
    f.seek(archive_size - tail_size)
    tail = f.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return  # not a zip; zipfile says so in its own words
    entries, directory_size = struct.unpack("<xxxxxxxxxxHI", tail[at:at + 16])
    if (entries == 0xFFFF or directory_size == 0xFFFFFFFF) and at >= 20 and tail[at - 20:at - 16] == b"PK\x06\x07":
        (end64,) = struct.unpack("<Q", tail[at - 12:at - 4])
        if end64 + 56 <= archive_size:
            f.seek(end64)
            record = f.read(56)
            if record[:4] == b"PK\x06\x06":
                entries, directory_size = struct.unpack("<QQ", record[32:48])
    if entries > MAX_MEMBERS or directory_size > MAX_MEMBERS * 1024:
        raise ModelError(_("{name}: the archive lists {entries} members ({directory_size} bytes of directory), more than the "
                            "{limit} an MLP file can need; refused").format(
            name=name, entries=prose_number(entries), directory_size=prose_number(directory_size), limit=prose_number(MAX_MEMBERS)))


def load_npz(path) -> Model:
    """Read a file written by :func:`save_npz` with ``allow_pickle=False``; a pickle inside is a ModelError."""
    path = Path(path)
    name = path.name
    members = npz_members(path)
    pickled = [k for k, m in members.items() if m.get("pickle")]
    if pickled:
        raise ModelError(
            _("{name}: array {pickled} holds Python objects, which only a pickle can restore; refused (loading a "
               "pickle can run code; model files should hold numbers only)").format(
                name=name, pickled=repr(pickled[0]))
        )
    if METADATA_KEY not in members:
        raise ModelError(
            _("{name}: no {limit} array, so the architecture (activations) is unknown; arrays: {value} (see "
               "'affine3d inspect')").format(
                name=name, limit=repr(METADATA_KEY), value=_short(', '.join(members) or 'none', 200))
        )
    meta = members[METADATA_KEY]
    if meta["dtype"].kind != "U" or meta["shape"] != ():
        raise ModelError(_("{name}: {limit} must be a 0-d text array, got dtype {meta} shape {meta2}").format(
            name=name, limit=repr(METADATA_KEY), meta=meta['dtype'], meta2=meta['shape']))
    if meta["nbytes"] > 4 * MAX_HEADER_BYTES:  # 4 bytes a character in a numpy text array
        raise ModelError(_("{name}: the {limit} text is {value} characters, more than the {limit2} affine3d reads").format(
            name=name, limit=repr(METADATA_KEY), value=prose_number(meta['nbytes'] // 4), limit2=prose_number(MAX_HEADER_BYTES)))
    try:
        with np.load(path, allow_pickle=False) as data:
            record = parse_architecture(name, str(data[METADATA_KEY][()]))
            wanted = {spec[role] for spec in record["layers"] for role in ("weight", "bias")}
            present = [key for key in wanted if key in members]
            check_tensor_bytes(name, {key: members[key]["nbytes"] for key in present} or {"": 0})
            tensors = {key: data[key] for key in present}
    except ModelError:
        raise
    except ZIP_ERRORS + (KeyError,) as exc:
        raise ModelError(_("{name}: cannot read the archive ({exc})").format(name=name, exc=exc)) from None
    return build(name, record, tensors)
