"""The tensors of a leaked or original model file, whatever format it was saved in.

A leaked model is often not the file that was sealed: a shard re-saved as NumPy (``.npy``,
``.npz``), as a PyTorch checkpoint (a zip of a pickle and one raw storage per tensor), as GGUF,
or cut short in transit. The raw bytes of a tensor are the same in all of them when the dtype is
kept, so each reader here only locates them: headers are parsed as data (JSON, a NumPy header
dictionary by regular expression, GGUF fields by ``struct``, the PyTorch pickle by opcode
walking, see :mod:`~labwarden.trace.torchpickle`); nothing is imported, executed or unpickled. A
tensor whose bytes run past the end of a truncated file is left out; the others are kept.
"""

from __future__ import annotations

import io
import math
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass

from labwarden.seal.safetensors import read_header
from labwarden.trace.torchpickle import storages

MAX_HEADER = 100 << 20
_NPY_MAGIC = b"\x93NUMPY"
_NPY_DESCR = re.compile(r"""['"]descr['"]\s*:\s*['"]([<>|=]?)([a-zA-Z])(\d+)['"]""")
_NPY_ORDER = re.compile(r"""['"]fortran_order['"]\s*:\s*(True|False)""")
_NPY_SHAPE = re.compile(r"""['"]shape['"]\s*:\s*\(([\d,\s]*)\)""")
_NPY_KINDS = {("f", 2): "F16", ("f", 4): "F32", ("f", 8): "F64", ("i", 1): "I8"}
_NPY_KINDS |= {("i", 2): "I16", ("i", 4): "I32", ("i", 8): "I64", ("u", 1): "U8", ("b", 1): "BOOL"}
_GGUF_TYPES = {0: "F32", 1: "F16", 24: "I8", 25: "I16", 26: "I32", 27: "I64", 28: "F64", 30: "BF16"}
ITEM_BYTES = {"F16": 2, "BF16": 2, "F32": 4, "F64": 8, "I8": 1, "U8": 1, "BOOL": 1}
ITEM_BYTES |= {"I16": 2, "I32": 4, "I64": 8, "U16": 2, "U32": 4, "U64": 8}


@dataclass(frozen=True, slots=True)
class Tensor:
    """One tensor's raw little-endian bytes, dtype (safetensors names) and shape."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    data: bytes

    @property
    def count(self) -> int:
        """The number of elements."""
        return math.prod(self.shape)


@dataclass(slots=True)
class TensorFile:
    """What a model file holds: its format, tensors, and what could not be read."""

    format: str
    tensors: list[Tensor]
    notes: list[str]


def _safetensors(data: bytes, name: str) -> TensorFile:
    header = read_header(data, len(data))
    out = [
        Tensor(span.name, span.dtype, span.shape, data[span.start : span.end])
        for span in header.spans
    ]
    notes = [f"{name}: {problem}; left out" for problem in header.problems]
    return TensorFile("safetensors", out, notes)


def _npy(data: bytes, name: str) -> Tensor | None:
    major = data[6]
    size_format, start = ("<H", 10) if major == 1 else ("<I", 12)
    (length,) = struct.unpack(size_format, data[8:start])
    header = data[start : start + min(length, 65536)].decode("latin-1")
    descr, order, shape = (
        _NPY_DESCR.search(header),
        _NPY_ORDER.search(header),
        _NPY_SHAPE.search(header),
    )
    if not (descr and shape) or (order and order.group(1) == "True"):
        return None
    dtype = _NPY_KINDS.get((descr.group(2), int(descr.group(3))))
    dims = tuple(int(d) for d in shape.group(1).replace(" ", "").split(",") if d)
    if dtype is None:
        return None
    size = math.prod(dims) * ITEM_BYTES[dtype]
    body = data[start + length : start + length + size]
    if len(body) < size:
        return None
    if descr.group(1) == ">" and ITEM_BYTES[dtype] > 1:
        import numpy as np

        body = np.frombuffer(body, dtype=f">{descr.group(2)}{descr.group(3)}").byteswap().tobytes()
    return Tensor(name, dtype, dims, body)


def _gguf_string(data: bytes, at: int) -> tuple[str, int]:
    (length,) = struct.unpack_from("<Q", data, at)
    if length > MAX_HEADER:
        raise ValueError("string too long")
    return data[at + 8 : at + 8 + length].decode("utf-8", "replace"), at + 8 + length


_GGUF_SCALARS = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}


def _gguf_value(data: bytes, at: int, kind: int) -> tuple[object, int]:
    if kind == 8:
        return _gguf_string(data, at)
    if kind == 9:
        (inner, count) = struct.unpack_from("<IQ", data, at)
        at += 12
        if inner in _GGUF_SCALARS:
            return None, at + count * _GGUF_SCALARS[inner]
        for _ in range(count):
            _, at = _gguf_value(data, at, inner)
        return None, at
    size = _GGUF_SCALARS[kind]
    value = int.from_bytes(data[at : at + size], "little") if kind in (4, 5) else None
    return value, at + size


def _gguf(data: bytes, name: str) -> TensorFile:
    _version, tensors, fields = struct.unpack_from("<IQQ", data, 4)
    at, alignment = 24, 32
    for _ in range(fields):
        key, at = _gguf_string(data, at)
        (kind,) = struct.unpack_from("<I", data, at)
        value, at = _gguf_value(data, at + 4, kind)
        if key == "general.alignment" and isinstance(value, int) and value > 0:
            alignment = value
    infos = []
    for _ in range(tensors):
        label, at = _gguf_string(data, at)
        (dims,) = struct.unpack_from("<I", data, at)
        shape = struct.unpack_from(f"<{dims}Q", data, at + 4)
        kind, offset = struct.unpack_from("<IQ", data, at + 4 + 8 * dims)
        at += 4 + 8 * dims + 12
        infos.append((label, tuple(reversed(shape)), kind, offset))
    base = at + (-at % alignment)
    out, notes = [], []
    for label, shape, kind, offset in infos:
        dtype = _GGUF_TYPES.get(kind)
        if dtype is None:
            notes.append(f"{name}: tensor {label!r} is quantized (GGML type {kind}); not compared")
            continue
        size = math.prod(shape) * ITEM_BYTES[dtype]
        if base + offset + size <= len(data):
            out.append(Tensor(label, dtype, shape, data[base + offset : base + offset + size]))
    return TensorFile("gguf", out, notes)


def _zip64_sizes(extra: bytes) -> tuple[int, int] | None:
    at = 0
    while at + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, at)
        if tag == 1 and size >= 16:
            usize, csize = struct.unpack_from("<QQ", extra, at + 4)
            return csize, usize
        at += 4 + size
    return None


def _described(data: bytes, start: int) -> int | None:
    """The size of a stored member written with a data descriptor (sizes after the data)."""
    at = data.find(b"PK\x07\x08", start)
    while at >= 0:
        if at + 16 <= len(data) and struct.unpack_from("<I", data, at + 8)[0] == at - start:
            return at - start
        at = data.find(b"PK\x07\x08", at + 4)
    return None


def local_members(data: bytes) -> dict[str, bytes]:
    """The complete stored members of a zip cut short, read from their local headers (a
    checkpoint's central directory is at its end, so a truncated one has none)."""
    out: dict[str, bytes] = {}
    at = data.find(b"PK\x03\x04")
    while at >= 0 and at + 30 <= len(data):
        fields = struct.unpack_from("<IHHHHHIIIHH", data, at)
        flags, method, csize, nlen, elen = fields[2], fields[3], fields[7], fields[9], fields[10]
        name = data[at + 30 : at + 30 + nlen].decode("utf-8", "replace")
        start = at + 30 + nlen + elen
        if csize == 0xFFFFFFFF:
            sizes = _zip64_sizes(data[at + 30 + nlen : start])
            csize = sizes[0] if sizes else -1
        if flags & 8:
            csize = _described(data, start) or -1
        if method == 0 and csize >= 0 and start + csize <= len(data):
            out[name] = data[start : start + csize]
            at = data.find(b"PK\x03\x04", start + csize)
        else:
            at = data.find(b"PK\x03\x04", start)
    return out


def _members(data: bytes, name: str, notes: list[str]) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {n: archive.read(n) for n in archive.namelist() if not n.endswith("/")}
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error):
        found = local_members(data)
        notes.append(f"{name}: zip cut short; {len(found)} complete member(s) read")
        return found


def _torch(members: dict[str, bytes], pickle_name: str) -> list[Tensor]:
    prefix = pickle_name[: -len("data.pkl")]
    found = storages(members[pickle_name])
    out = []
    for member, raw in members.items():
        if not member.startswith(prefix + "data/"):
            continue
        label, dtype = found.get(member[len(prefix) + 5 :], (None, None))
        item = ITEM_BYTES.get(dtype or "U8", 1)
        out.append(Tensor(label or member, dtype or "U8", (len(raw) // item,), raw))
    return out


def _zip(data: bytes, name: str) -> TensorFile | None:
    notes: list[str] = []
    members = _members(data, name, notes)
    pickles = [n for n in members if n.endswith("data.pkl")]
    if pickles:
        return TensorFile("pytorch", _torch(members, pickles[0]), notes)
    out = []
    for member, blob in members.items():
        tensor = _npy(blob, member[:-4]) if blob.startswith(_NPY_MAGIC) else None
        if tensor is not None:
            out.append(tensor)
    if not out and not any(n.endswith(".npy") for n in members):
        return None
    return TensorFile("npz", out, notes)


def _is_safetensors(data: bytes) -> bool:
    if len(data) < 10:
        return False
    (length,) = struct.unpack("<Q", data[:8])
    return 0 < length <= min(MAX_HEADER, len(data) - 8) and data[8:9] == b"{"


def read_tensors(data: bytes, name: str) -> TensorFile | None:
    """The tensors of a model file's bytes, or ``None`` when it is no tensor format known here
    (or too damaged to locate any tensor)."""
    try:
        if _is_safetensors(data):
            return _safetensors(data, name)
        if data.startswith(_NPY_MAGIC):
            tensor = _npy(data, name)
            return TensorFile("npy", [tensor] if tensor else [], [])
        if data.startswith(b"GGUF"):
            return _gguf(data, name)
        if data.startswith(b"PK\x03\x04"):
            return _zip(data, name)
    except (ValueError, KeyError, TypeError, struct.error, UnicodeDecodeError) as exc:
        return TensorFile("damaged", [], [f"{name}: tensors not readable ({exc})"])
    except (zipfile.BadZipFile, EOFError, OSError, RecursionError, zlib.error) as exc:
        return TensorFile("damaged", [], [f"{name}: archive not readable ({exc})"])
    return None
