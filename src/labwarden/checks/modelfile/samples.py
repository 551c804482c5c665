"""Model files built byte by byte, the way fixtures and demos should: pickles opcode by opcode
(nothing is pickled from live objects, nothing here ever unpickles), safetensors, GGUF, ONNX and
NumPy files with struct. The demo lab, the tests and the benchmarks build their model files here.

``shell_payload`` is a pickle whose payload would run a shell command *if it were loaded*; on
disk it is only bytes.
"""

from __future__ import annotations

import json
import struct
import zipfile
from collections.abc import Mapping, Sequence
from io import BytesIO


class PickleWriter:
    """Append pickle opcodes (protocol 2 subset) and get the bytes with :meth:`finish`."""

    def __init__(self, protocol: int = 2) -> None:
        self._out = bytearray(b"\x80" + bytes([protocol]))

    def raw(self, data: bytes) -> PickleWriter:
        """Append raw opcode bytes."""
        self._out += data
        return self

    def global_(self, module: str, name: str) -> PickleWriter:
        """GLOBAL: push ``module.name``."""
        self._out += b"c" + module.encode() + b"\n" + name.encode() + b"\n"
        return self

    def string(self, text: str) -> PickleWriter:
        """BINUNICODE: push a str."""
        data = text.encode("utf-8")
        self._out += b"X" + struct.pack("<I", len(data)) + data
        return self

    def int_(self, value: int) -> PickleWriter:
        """BININT1/BININT2/BININT: push a non-negative int."""
        if 0 <= value < 256:
            self._out += b"K" + bytes([value])
        elif 0 <= value < 65536:
            self._out += b"M" + struct.pack("<H", value)
        else:
            self._out += b"J" + struct.pack("<i", value)
        return self

    def float_(self, value: float) -> PickleWriter:
        """BINFLOAT: push a float."""
        self._out += b"G" + struct.pack(">d", value)
        return self

    def bool_(self, value: bool) -> PickleWriter:
        """NEWTRUE/NEWFALSE."""
        self._out += b"\x88" if value else b"\x89"
        return self

    def none(self) -> PickleWriter:
        """NONE."""
        self._out += b"N"
        return self

    def mark(self) -> PickleWriter:
        """MARK."""
        self._out += b"("
        return self

    def tuple_(self) -> PickleWriter:
        """TUPLE: items since the last mark."""
        self._out += b"t"
        return self

    def ints(self, values: Sequence[int]) -> PickleWriter:
        """A tuple of ints."""
        self.mark()
        for value in values:
            self.int_(value)
        return self.tuple_()

    def empty_tuple(self) -> PickleWriter:
        """EMPTY_TUPLE."""
        self._out += b")"
        return self

    def empty_dict(self) -> PickleWriter:
        """EMPTY_DICT."""
        self._out += b"}"
        return self

    def empty_list(self) -> PickleWriter:
        """EMPTY_LIST."""
        self._out += b"]"
        return self

    def reduce(self) -> PickleWriter:
        """REDUCE: call the callable below the argument tuple."""
        self._out += b"R"
        return self

    def newobj(self) -> PickleWriter:
        """NEWOBJ: ``cls.__new__(cls, *args)``."""
        self._out += b"\x81"
        return self

    def build(self) -> PickleWriter:
        """BUILD: set state."""
        self._out += b"b"
        return self

    def setitem(self) -> PickleWriter:
        """SETITEM."""
        self._out += b"s"
        return self

    def setitems(self) -> PickleWriter:
        """SETITEMS: pairs since the last mark."""
        self._out += b"u"
        return self

    def appends(self) -> PickleWriter:
        """APPENDS: items since the last mark."""
        self._out += b"e"
        return self

    def persid(self) -> PickleWriter:
        """BINPERSID: the persistent id on the stack."""
        self._out += b"Q"
        return self

    def finish(self) -> bytes:
        """STOP and return the bytes."""
        return bytes(self._out + b".")


def torch_state_dict(tensors: Sequence[tuple[str, tuple[int, ...]]]) -> bytes:
    """The ``data.pkl`` of a PyTorch zip of float32 tensors (storage keys ``"0"``, ``"1"``...)."""
    w = PickleWriter()
    w.global_("collections", "OrderedDict").empty_tuple().reduce()
    for index, (name, shape) in enumerate(tensors):
        numel = 1
        for dim in shape:
            numel *= dim
        strides: list[int] = []
        acc = 1
        for dim in reversed(shape):
            strides.insert(0, acc)
            acc *= dim
        w.string(name)
        w.global_("torch._utils", "_rebuild_tensor_v2")
        w.mark()
        w.mark().string("storage").global_("torch", "FloatStorage")
        w.string(str(index)).string("cpu").int_(numel).tuple_().persid()
        w.int_(0).ints(shape).ints(strides).bool_(False)
        w.global_("collections", "OrderedDict").empty_tuple().reduce()
        w.tuple_().reduce()
        w.setitem()
    return w.finish()


def torch_zip(
    tensors: Sequence[tuple[str, tuple[int, ...]]], payload: bytes, root: str = "archive"
) -> bytes:
    """A PyTorch zip checkpoint with the given tensors; ``payload`` seeds their float bytes."""
    buffer = BytesIO()

    def member(name: str) -> zipfile.ZipInfo:
        # A fixed date: ZipFile.writestr(str) would stamp the time of the build.
        return zipfile.ZipInfo(name, date_time=(2026, 10, 1, 8, 0, 0))

    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(member(f"{root}/data.pkl"), torch_state_dict(tensors))
        archive.writestr(member(f"{root}/byteorder"), "little")
        for index, (_, shape) in enumerate(tensors):
            numel = 1
            for dim in shape:
                numel *= dim
            size = numel * 4
            data = (payload * (size // max(len(payload), 1) + 1))[:size]
            archive.writestr(member(f"{root}/data/{index}"), data)
        archive.writestr(member(f"{root}/version"), "3\n")
    return buffer.getvalue()


def sklearn_estimator(coefficients: Sequence[float]) -> bytes:
    """A joblib-style pickle of a fitted logistic regression (plain lists, no numpy arrays)."""
    w = PickleWriter()
    w.global_("sklearn.linear_model._logistic", "LogisticRegression").empty_tuple().newobj()
    w.empty_dict().mark()
    w.string("C").float_(1.0)
    w.string("penalty").string("l2")
    w.string("max_iter").int_(200)
    w.string("coef_").empty_list().mark()
    for value in coefficients:
        w.float_(value)
    w.appends()
    w.string("_sklearn_version").string("1.5.2")
    w.setitems().build()
    return w.finish()


def shell_payload(command: str) -> bytes:
    """A pickle that would call ``os.system(command)`` when loaded. Never load it."""
    w = PickleWriter()
    w.global_("posix", "system").mark().string(command).tuple_().reduce()
    return w.finish()


def safetensors(tensors: Mapping[str, tuple[int, ...]], fill: bytes) -> bytes:
    """A valid safetensors file of float32 tensors filled from ``fill``."""
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, shape in tensors.items():
        size = 4
        for dim in shape:
            size *= dim
        header[name] = {
            "dtype": "F32",
            "shape": list(shape),
            "data_offsets": [offset, offset + size],
        }
        offset += size
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    body = (fill * (offset // len(fill) + 1))[:offset]
    return struct.pack("<Q", len(raw)) + raw + body


def gguf(metadata: dict[str, str]) -> bytes:
    """A GGUF v3 file with string metadata and no tensors."""
    out = bytearray(b"GGUF" + struct.pack("<IQQ", 3, 0, len(metadata)))
    for key, value in metadata.items():
        k, v = key.encode(), value.encode()
        out += struct.pack("<Q", len(k)) + k + struct.pack("<I", 8) + struct.pack("<Q", len(v)) + v
    return bytes(out)


def onnx_model(producer: str) -> bytes:
    """A minimal ONNX ModelProto (ir_version, producer, opset) as protobuf bytes."""
    name = producer.encode()
    opset = b"\x10\x11"  # OperatorSetIdProto.version = 17
    return b"\x08\x08" + b"\x12" + bytes([len(name)]) + name + b"\x42" + bytes([len(opset)]) + opset


def npy(values: list[float]) -> bytes:
    """A NumPy .npy file of little-endian float32 values."""
    header = f"{{'descr': '<f4', 'fortran_order': False, 'shape': ({len(values)},), }}"
    header += " " * (-(len(header) + 11) % 64) + "\n"
    return (
        b"\x93NUMPY\x01\x00"
        + struct.pack("<H", len(header))
        + header.encode()
        + struct.pack(f"<{len(values)}f", *values)
    )
