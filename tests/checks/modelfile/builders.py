"""Hand-built model files for the tests: pickle bytes opcode by opcode, never pickled from live
callables, and containers built with the standard library."""

from __future__ import annotations

import io
import json
import struct
import zipfile

from labwarden.checks.modelfile.check import ModelFileCheck
from labwarden.checks.modelfile.samples import PickleWriter
from labwarden.core.finding import Finding
from labwarden.core.values import Severity


def su(text: str) -> bytes:
    """SHORT_BINUNICODE."""
    raw = text.encode()
    return b"\x8c" + bytes([len(raw)]) + raw


def proto(n: int = 4) -> bytes:
    """PROTO n."""
    return b"\x80" + bytes([n])


def stack_global_call(module: str, name: str, arg: str, protocol: int = 4) -> bytes:
    """``module.name(arg)`` via STACK_GLOBAL and REDUCE."""
    return proto(protocol) + su(module) + su(name) + b"\x93" + su(arg) + b"\x85R."


def global_call(module: str, name: str, arg: str) -> bytes:
    """``module.name(arg)`` via protocol 0 GLOBAL and REDUCE."""
    return f"c{module}\n{name}\n(S'{arg}'\ntR.".encode()


def marker_command(marker: str) -> str:
    """A shell command that would create ``marker``."""
    return f"touch {marker}"


def scan(data: bytes, name: str = "model.pkl") -> list[Finding]:
    """Findings for ``data`` scanned as the file ``name``."""
    return ModelFileCheck(thorough=True).scan_bytes(data, name)


def worst(findings: list[Finding]) -> Severity | None:
    """The highest severity."""
    return max((f.severity for f in findings), default=None)


def rules(findings: list[Finding]) -> set[str]:
    """The rules that fired."""
    return {f.rule for f in findings}


def zip_bytes(members: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> bytes:
    """A zip with ``members``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def safetensors_bytes(header: dict[str, object], body: bytes) -> bytes:
    """A safetensors file from a header dict and raw tensor bytes."""
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + body


def gguf_bytes(metadata: dict[str, str]) -> bytes:
    """A GGUF v3 file with string metadata."""
    out = bytearray(b"GGUF" + struct.pack("<IQQ", 3, 0, len(metadata)))
    for key, value in metadata.items():
        k, v = key.encode(), value.encode()
        out += struct.pack("<Q", len(k)) + k + struct.pack("<I", 8) + struct.pack("<Q", len(v)) + v
    return bytes(out)


def npy_object(pickle_bytes: bytes) -> bytes:
    """An object-dtype .npy whose body is ``pickle_bytes``."""
    header = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
    header += " " * (-(len(header) + 11) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + pickle_bytes


def benign_writer() -> PickleWriter:
    """A PickleWriter with a harmless OrderedDict state."""
    w = PickleWriter()
    w.global_("collections", "OrderedDict").empty_tuple().reduce()
    return w
