"""Which storage of a PyTorch checkpoint holds which tensor, read from its pickle's opcodes.

A checkpoint's ``data.pkl`` rebuilds each tensor with ``torch._utils._rebuild_tensor_v2`` from a
persistent id ``('storage', torch.FloatStorage, KEY, LOCATION, NUMEL)``; the raw bytes are the
zip member ``data/KEY``. Walking the opcodes (``pickletools.genops``: nothing is executed or
imported) is enough to pair each key with the storage's dtype and the state-dict key written
just before the tensor. It is a best effort: a pickle of another shape gives fewer names, never
a wrong dtype for a storage it cannot see.
"""

from __future__ import annotations

import pickletools
from typing import Any

_STORAGE_DTYPES = {
    "FloatStorage": "F32",
    "HalfStorage": "F16",
    "BFloat16Storage": "BF16",
    "DoubleStorage": "F64",
    "LongStorage": "I64",
    "IntStorage": "I32",
    "ShortStorage": "I16",
    "CharStorage": "I8",
    "ByteStorage": "U8",
    "BoolStorage": "BOOL",
}
_STRINGS = {
    "STRING",
    "BINSTRING",
    "SHORT_BINSTRING",
    "UNICODE",
    "BINUNICODE",
    "SHORT_BINUNICODE",
    "BINUNICODE8",
}
_REBUILD = ("_rebuild_tensor_v2", "_rebuild_tensor")


class _Walk:
    """The opcode walk's state."""

    def __init__(self) -> None:
        self.recent: list[Any] = []
        self.memo: dict[int, Any] = {}
        self.pending: str | None = None
        self.found: dict[str, tuple[str | None, str | None]] = {}

    def push(self, value: Any) -> None:
        self.recent.append(value)
        del self.recent[:-16]

    def global_(self, module: str, name: str, pushed: int) -> None:
        if name in _REBUILD:
            before = [v for v in self.recent[: len(self.recent) - pushed] if isinstance(v, str)]
            self.pending = before[-1] if before else None
        self.push(("global", module, name))

    def persistent(self) -> None:
        items = self.recent
        for at in range(len(items) - 1, -1, -1):
            if items[at] == "storage" and at + 2 < len(items):
                kind, key = items[at + 1], items[at + 2]
                if isinstance(kind, tuple) and isinstance(key, str):
                    self.found[key] = (self.pending, _STORAGE_DTYPES.get(str(kind[2])))
                    self.pending = None
                return

    def step(self, op: str, arg: Any) -> None:
        if op in _STRINGS:
            self.push(arg if isinstance(arg, str) else bytes(arg).decode("latin-1"))
        elif op == "GLOBAL":
            module, _, name = str(arg).partition(" ")
            self.global_(module, name, 0)
        elif op == "STACK_GLOBAL" and len(self.recent) >= 2:
            self.global_(str(self.recent[-2]), str(self.recent[-1]), 2)
        elif op in ("BINPUT", "LONG_BINPUT", "PUT") and self.recent:
            self.memo[int(arg)] = self.recent[-1]
        elif op == "MEMOIZE" and self.recent:
            self.memo[len(self.memo)] = self.recent[-1]
        elif op in ("BINGET", "LONG_BINGET", "GET"):
            value = self.memo.get(int(arg))
            if isinstance(value, tuple) and value[0] == "global":
                self.global_(value[1], value[2], 0)  # a memoized rebuild function
            else:
                self.push(value)
        elif op in ("BININT", "BININT1", "BININT2", "LONG1", "INT"):
            self.push(arg)
        elif op == "BINPERSID":
            self.persistent()


def storages(pickle: bytes) -> dict[str, tuple[str | None, str | None]]:
    """Storage key to (tensor name, dtype) for the storages a checkpoint pickle references."""
    walk = _Walk()
    try:
        for opcode, arg, _pos in pickletools.genops(pickle):
            walk.step(opcode.name, arg)
    except (ValueError, EOFError, UnicodeDecodeError, OverflowError):
        pass  # a damaged pickle: what was read before the damage stands
    return walk.found
