"""Model formats that carry no code (Flax msgpack, TFLite flatbuffers, Core ML protobufs): the
scanner checks that the bytes are what the name says, and a file that is not is unparseable."""

from __future__ import annotations

from typing import Any

from labwarden.checks.modelfile.graphs import protobuf_fields
from labwarden.checks.modelfile.interface import Blob, ScanContext
from labwarden.checks.modelfile.positions import base_name
from labwarden.core.values import Severity

_MAX_ITEMS = 50_000_000


class _Invalid(ValueError):
    pass


# msgpack: first byte -> (bytes of length field, fixed payload bytes, container kind)
def _msgpack_head(op: int) -> tuple[int, int, str]:
    if op <= 0x7F or op >= 0xE0 or op in (0xC0, 0xC2, 0xC3):
        return 0, 0, ""
    if 0x80 <= op <= 0x8F:
        return 0, 0, "map"
    if 0x90 <= op <= 0x9F:
        return 0, 0, "array"
    if 0xA0 <= op <= 0xBF:
        return 0, op - 0xA0, ""
    table = {
        0xC4: (1, 0, ""), 0xC5: (2, 0, ""), 0xC6: (4, 0, ""),  # bin
        0xC7: (1, 1, ""), 0xC8: (2, 1, ""), 0xC9: (4, 1, ""),  # ext (+ type byte)
        0xCA: (0, 4, ""), 0xCB: (0, 8, ""),  # float
        0xCC: (0, 1, ""), 0xCD: (0, 2, ""), 0xCE: (0, 4, ""), 0xCF: (0, 8, ""),  # uint
        0xD0: (0, 1, ""), 0xD1: (0, 2, ""), 0xD2: (0, 4, ""), 0xD3: (0, 8, ""),  # int
        0xD4: (0, 2, ""), 0xD5: (0, 3, ""), 0xD6: (0, 5, ""), 0xD7: (0, 9, ""), 0xD8: (0, 17, ""),
        0xD9: (1, 0, ""), 0xDA: (2, 0, ""), 0xDB: (4, 0, ""),  # str
        0xDC: (2, 0, "array"), 0xDD: (4, 0, "array"), 0xDE: (2, 0, "map"), 0xDF: (4, 0, "map"),
    }  # fmt: skip
    if op not in table:
        raise _Invalid(f"byte 0x{op:02x} is not a msgpack type")
    return table[op]


def msgpack_end(data: Any, size: int) -> int:
    """Where the single msgpack object at the start of ``data`` ends (raises when invalid)."""
    pos, pending = 0, 1
    while pending:
        if pos >= size:
            raise _Invalid("the data ends inside an object")
        op = data[pos]
        pos += 1
        pending -= 1
        width, fixed, kind = _msgpack_head(op)
        n = int.from_bytes(data[pos : pos + width], "big") if width else 0
        pos += width
        if kind:
            count = (op & 0x0F if op < 0xA0 else n) * (2 if kind == "map" else 1)
            pending += count
            if pending > _MAX_ITEMS:
                raise _Invalid("more items than any model holds")
        else:
            pos += fixed + n
    if pos > size:
        raise _Invalid("a value runs past the end")
    return pos


def _protobuf_ok(data: bytes) -> bool:
    try:
        return sum(1 for _ in protobuf_fields(data)) > 0
    except ValueError:
        return False


def scan_inert(ctx: ScanContext, blob: Blob) -> None:
    """Check a msgpack, TFLite or Core ML file is what its name says."""
    name = base_name(blob)
    why = ""
    if name.endswith(".msgpack"):
        try:
            end = msgpack_end(blob.data, blob.size)
            if end != blob.size:
                why = f"{blob.size - end} bytes follow the msgpack object"
            elif _msgpack_head(blob.data[0])[2] != "map":
                # A Flax checkpoint is its state dict: noise can be one valid scalar or ext.
                why = "its msgpack object is not a map (a checkpoint is a state dict)"
        except _Invalid as exc:
            why = str(exc)
    elif name.endswith(".tflite"):
        if bytes(blob.data[4:8]) != b"TFL3":
            why = "it has no TFL3 flatbuffer identifier"
    elif not _protobuf_ok(bytes(blob.data[: 64 << 20])):
        why = "it is not a protobuf message"
    if why:
        ctx.add(
            blob,
            "unparseable",
            Severity.HIGH,
            f"the file is named like a model ({name.rsplit('.', 1)[-1]}) but {why}; it cannot be "
            "vouched for",
            "Do not load it: a loader may read what the scanner cannot. Re-export the model from a "
            "trusted source.",
        )
