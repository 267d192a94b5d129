"""Exercise 12, reference solution: a .safetensors file read with struct, json and numpy."""

import json
import struct

import numpy as np

EXERCISE = 12

DTYPES = {"F16": "<f2", "F32": "<f4", "F64": "<f8", "I32": "<i4", "I64": "<i8"}


def read_tensor(path, name):
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    entry = header[name]
    begin, end = entry["data_offsets"]
    start = 8 + length
    return np.frombuffer(data[start + begin:start + end], dtype=DTYPES[entry["dtype"]]).reshape(entry["shape"])
