"""Exercise 12: read a .safetensors file by hand. 8-byte header length, JSON header, offsets, raw bytes."""

from __future__ import annotations

import json
import struct

import numpy as np

from ...i18n import N_, _
from ..base import Exercise
from ..feedback import check, compare, mistake
from ..runner import Call, DataFile

MODEL_FILE = "exercise_12.safetensors"
OTHER_FILE = "other.safetensors"
DTYPES = {"F16": "<f2", "F32": "<f4", "F64": "<f8", "I32": "<i4", "I64": "<i8"}
# Tensor names of the kind each dtype and shape usually has in a checkpoint.
NAMES = {"matrix": ("embed.weight", "encoder.layer0.weight", "head.weight", "decoder.weight", "attention.query.weight"),
         "vector": ("encoder.layer0.bias", "head.bias", "norm.scale", "decoder.bias", "attention.query.bias"),
         "ids": ("position_ids", "token_type_ids", "step_counts"),
         "tensor": ("conv.weight", "patch_embed.weight", "kernel")}
ERROR_HINTS = (("cannot reshape", N_("the number of values does not fit the shape: is the dtype right? F64 and I64 "
                                     "take 8 bytes a number, F32 and I32 4, F16 2")),  # shown through _()
               ("buffer size must be a multiple", N_("the byte range does not fit the dtype: is the dtype right, and "
                                                     "the range [8 + N + begin, 8 + N + end)?")))


def file_bytes(tensors: list[tuple[str, str, np.ndarray]], header_order: list[int], metadata: dict) -> bytes:
    """A .safetensors file: tensors' bytes in list order, the header's entries in ``header_order``."""
    entries, chunks, offset = {}, [], 0
    for name, dtype, array in tensors:
        data = np.asarray(array).astype(DTYPES[dtype]).tobytes()
        entries[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    header = {"__metadata__": metadata}
    header.update({tensors[k][0]: entries[tensors[k][0]] for k in header_order})
    text = json.dumps(header).encode("utf-8")
    text += b" " * (-len(text) % 8)  # the header is padded with spaces to a multiple of 8 bytes, as the library does
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def _values(rng, dtype, shape):
    if dtype.startswith("I"):
        return rng.integers(-1000, 1000, size=shape)
    return np.round(rng.normal(0, 1, size=shape), 4).astype(DTYPES[dtype])


def _draw_file(rng, specs):
    """specs: (kind, dtype, shape) per tensor; the names are drawn from the kind's pool, all different."""
    names, tensors = [], []
    for kind, dtype, shape in specs:
        name = str(rng.choice([n for n in NAMES[kind] if n not in names]))
        names.append(name)
        tensors.append((name, dtype, _values(rng, dtype, shape)))
    data_order = [int(k) for k in rng.permutation(len(tensors))]
    header_order = [int(k) for k in rng.permutation(len(tensors))]
    return {"tensors": [tensors[k] for k in data_order], "header_order": header_order,
            "asked": names, "metadata": {"format": "np", "written_by": "affine3d exercise 12"}}


class SafetensorsHeader(Exercise):
    number = 12
    slug = "safetensors-header"
    title = N_("read a .safetensors header by hand")
    lecture = N_("4. a model's weights are kept in standard formats, as binary blobs")
    goal = N_("parse a .safetensors file yourself (8-byte length, JSON header, offsets) and return one tensor")
    functions = ("read_tensor",)
    own = ("mine",)
    blocked = ("affine3d", "safetensors")
    blocked_reason = N_("they would read the file for you, and reading it is the exercise")
    error_hints = ERROR_HINTS

    def numbers(self, rng):
        rows, cols = int(rng.integers(3, 7)), int(rng.integers(2, 6))
        mine = _draw_file(rng, [("matrix", "F32", (rows, cols)), ("vector", "F64", (int(rng.integers(3, 7)),)),
                                ("ids", str(rng.choice(["I32", "I64"])), (2, int(rng.integers(2, 5)))),
                                ("vector", "F16", (int(rng.integers(2, 5)),))])  # not asked for: it moves the offsets
        other = _draw_file(rng, [("vector", "F64", (2,)), ("tensor", "F32", (2, 3, int(rng.integers(2, 4)))),
                                 ("ids", "I64", (3,))])
        return {"mine": mine, "other": other}

    def data_files(self, n):
        return {MODEL_FILE: file_bytes(n["mine"]["tensors"], n["mine"]["header_order"], n["mine"]["metadata"])}

    def check_files(self, n):
        return {OTHER_FILE: file_bytes(n["other"]["tensors"], n["other"]["header_order"], n["other"]["metadata"])}

    def _asked(self, n):
        """(file key, tensor name, dtype, array) of each tensor the checks ask for."""
        by_name = {name: (dtype, array) for name, dtype, array in n["mine"]["tensors"]}
        other = {name: (dtype, array) for name, dtype, array in n["other"]["tensors"]}
        mine = [("mine", name, *by_name[name]) for name in n["mine"]["asked"][:3]]
        return mine + [("other", n["other"]["asked"][1], *other[n["other"]["asked"][1]])]

    def task(self, n):
        asked = self._asked(n)
        listed = "\n".join("            " + _("{name} ({dtype}, shape {shape})").format(name=repr(name), dtype=dtype,
                                                                                    shape=tuple(a.shape))
                           for _index, name, dtype, a in asked[:3])
        return _("""
        {model} (next to this file) holds a few tensors, the way Hugging Face stores model weights:

            bytes 0..7      N, the length of the header: an unsigned 64-bit integer, little-endian
            bytes 8..8+N    the header: JSON, {{"name": {{"dtype": "F32", "shape": [rows, cols],
                            "data_offsets": [begin, end]}}, ..., "__metadata__": {{...}}}}
            the rest        the tensors' raw bytes, little-endian, row after row (C order); a tensor's
                            data_offsets count from the first byte after the header

        dtypes: F16, F32, F64 (floats of 2, 4, 8 bytes), I32, I64 (integers of 4, 8 bytes).

        Write read_tensor(path, name): the tensor called name in the .safetensors file at path, as a
        numpy array of its shape and dtype. Use only the standard library and numpy (struct, json,
        np.frombuffer). The checker asks your file for

{listed}

        and for a tensor of another file.
        """).format(model=MODEL_FILE, listed=listed)

    def constants(self, n):
        return [("TENSORS", [name for _index, name, _dtype, _array in self._asked(n)[:3]])]

    def preamble(self):
        return ("import json\nimport struct\nfrom pathlib import Path\n\nimport numpy as np\n\n"
                f"MODEL = Path(__file__).with_name({MODEL_FILE!r})\n")

    def skeleton(self):
        return _('''
        def read_tensor(path, name):
            """The tensor called name in the .safetensors file at path: a numpy array of its shape and dtype."""
            raise NotImplementedError("exercise 12: read_tensor(path, name) is not written yet")


        if __name__ == "__main__":
            for name in TENSORS:
                print(name, read_tensor(MODEL, name), sep="\\n")
        ''')

    def calls(self, n):
        files = {"mine": DataFile(MODEL_FILE), "other": DataFile(OTHER_FILE)}
        asked = self._asked(n)
        return {f"tensor{k}": Call("read_tensor", (files[which], name)) for k, (which, name, _dtype, _array) in enumerate(asked)}

    def _compare(self, n, answers, k):
        which, name, dtype, target = self._asked(n)[k]
        shape, size = tuple(target.shape), int(target.size)
        itemsize = np.dtype(DTYPES[dtype]).itemsize
        hints = {(size,): ("not reshaped", _("the values, but flat: reshape them to the header's shape {shape}").format(
            shape=shape))}
        for other_size in (2, 4, 8):
            if other_size != itemsize and size * itemsize % other_size == 0:
                count = size * itemsize // other_size
                hints.setdefault((count,), ("wrong dtype", _("{count} numbers: the bytes were read {size} bytes a "
                                                             "number, but {dtype} is {itemsize} bytes each (numpy dtype "
                                                             "{numpy_dtype})").format(
                    count=count, size=other_size, dtype=dtype, itemsize=itemsize, numpy_dtype=repr(DTYPES[dtype]))))
        Y = answers.array(f"tensor{k}", shape, _("tensor {name}").format(name=repr(name)), hints, finite=False)
        blob = file_bytes(n[which]["tensors"], n[which]["header_order"], n[which]["metadata"])
        (length,) = struct.unpack("<Q", blob[:8])
        entry = json.loads(blob[8:8 + length])[name]
        begin, end = entry["data_offsets"]
        mistakes = []
        for start in (0, 8):  # the offsets counted from the file's start, or from the end of the 8-byte length only
            raw = blob[start + begin:start + end]
            if len(raw) == end - begin:
                mistakes.append(mistake("offsets from the file start", np.frombuffer(raw, DTYPES[dtype]).reshape(shape),
                                        _("data_offsets count from the first byte after the header: add 8 + N (the "
                                        "8-byte length and the N bytes of JSON) to both")))
        mistakes.append(mistake("big-endian", target.astype(DTYPES[dtype]).byteswap(), _("safetensors stores numbers "
                                "little-endian: read them with {dtype}, not '>'").format(dtype=repr(DTYPES[dtype]))))
        compare(Y, target, name=name, mistakes=mistakes, rtol=0.0, atol=0.0)

    def grade(self, n, answers):
        asked = self._asked(n)
        names = [_("{name} ({dtype}, shape {shape})").format(name=repr(name), dtype=dtype, shape=tuple(array.shape))
                 for _index, name, dtype, array in asked]
        return [
            check(names[0], 2, lambda: self._compare(n, answers, 0)),
            check(names[1], 1, lambda: self._compare(n, answers, 1)),
            check(names[2], 1, lambda: self._compare(n, answers, 2)),
            # the other file's tensor goes unnamed: the feedback never prints the other calls' arguments
            check(_("a {dimensions}-D tensor of another file").format(dimensions=len(asked[3][3].shape)), 1, lambda: self._compare(n, answers, 3)),
        ]
