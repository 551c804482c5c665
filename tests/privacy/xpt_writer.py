"""A minimal SAS transport (XPT v5) writer for tests: the reader under test never writes."""

from __future__ import annotations

import math
import struct
from pathlib import Path


def _ibm(value: float | None) -> bytes:
    if value is None:
        return b"." + b"\0" * 7
    if value == 0:
        return b"\0" * 8
    sign = 0x80 if value < 0 else 0
    magnitude = abs(value)
    exponent = math.floor(math.log(magnitude, 16)) + 1
    mantissa = round(magnitude / 16.0**exponent * 2**56)
    if mantissa >= 2**56:
        exponent += 1
        mantissa >>= 4
    return bytes([sign | (exponent + 64)]) + mantissa.to_bytes(7, "big")


def _record(text: str) -> bytes:
    return text.encode("latin-1").ljust(80, b" ")


def write_xpt(path: Path, columns: dict[str, list[object]]) -> None:
    """Write ``columns`` (str or float lists, ``None`` for a missing number) as one member."""
    names = list(columns)
    rows = len(next(iter(columns.values()))) if columns else 0
    kinds = []
    for name in names:
        numeric = all(isinstance(v, (int, float)) or v is None for v in columns[name])
        length = 8 if numeric else max(1, *(len(str(v)) for v in columns[name]))
        kinds.append((numeric, length))
    out = bytearray()
    out += _record("HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!" + "0" * 30)
    out += _record("SAS     SAS     SASLIB  9.4     X64_10HO" + " " * 24 + "01JAN26:00:00:00")
    out += _record("01JAN26:00:00:00")
    out += _record(
        "HEADER RECORD*******MEMBER  HEADER RECORD!!!!!!!" + "0" * 17 + "16" + "0" * 8 + "140"
    )
    out += _record("HEADER RECORD*******DSCRPTR HEADER RECORD!!!!!!!" + "0" * 30)
    out += _record("SAS     DM      SASDATA 9.4     X64_10HO" + " " * 24 + "01JAN26:00:00:00")
    out += _record("01JAN26:00:00:00")
    out += _record(
        f"HEADER RECORD*******NAMESTR HEADER RECORD!!!!!!!000000{len(names):04d}" + "0" * 20
    )
    position = 0
    namestrs = bytearray()
    for number, (name, (numeric, length)) in enumerate(zip(names, kinds, strict=True), start=1):
        namestrs += struct.pack(">hhhh", 1 if numeric else 2, 0, length, number)
        namestrs += name.encode("latin-1").ljust(8)[:8]
        namestrs += b" " * 40 + b" " * 8 + struct.pack(">hhh", 0, 0, 0) + b"\0\0"
        namestrs += b" " * 8 + struct.pack(">hh", 0, 0) + struct.pack(">i", position)
        namestrs += b"\0" * 52
        position += length
    namestrs += b" " * ((-len(namestrs)) % 80)
    out += namestrs
    out += _record("HEADER RECORD*******OBS     HEADER RECORD!!!!!!!" + "0" * 30)
    body = bytearray()
    for row in range(rows):
        for name, (numeric, length) in zip(names, kinds, strict=True):
            value = columns[name][row]
            if numeric:
                body += _ibm(None if value is None else float(value))  # type: ignore[arg-type]
            else:
                body += str(value).encode("latin-1").ljust(length)
    body += b" " * ((-len(body)) % 80)
    out += body
    path.write_bytes(bytes(out))
