"""A small reader for SAS transport (XPORT v5) files, the format FDA and EMA submissions use.

Only the first member is read. Numbers are IBM hexadecimal floats converted with numpy; SAS
missing values (``.``, ``.A``-``.Z``, ``._``) become nulls.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from labwarden.core.errors import InputError

_RECORD = 80
_NAMESTR = b"HEADER RECORD*******NAMESTR HEADER RECORD!!!!!!!"
_OBS = b"HEADER RECORD*******OBS     HEADER RECORD!!!!!!!"
_LIBRARY = b"HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!"


@dataclass(frozen=True, slots=True)
class _Variable:
    name: str
    numeric: bool
    length: int
    position: int


def _variables(path: Path | str, data: bytes) -> tuple[list[_Variable], int]:
    if not data.startswith(_LIBRARY):
        raise InputError(f"{path}: not a SAS transport (XPT v5) file: no library header")
    marker = data.find(_NAMESTR)
    if marker < 0:
        raise InputError(f"{path}: malformed XPT file: no NAMESTR header record")
    try:
        count = int(data[marker + 54 : marker + 58])
    except ValueError:
        raise InputError(f"{path}: malformed XPT file: bad variable count") from None
    size = 140
    member = data.rfind(b"MEMBER  HEADER RECORD", 0, marker)
    if member >= 20 and data[member + 54 : member + 58].strip().isdigit():
        size = int(data[member + 54 : member + 58]) or 140
    start = marker + _RECORD
    variables = []
    for i in range(count):
        record = data[start + i * size : start + i * size + 140]
        if len(record) < 88:
            raise InputError(f"{path}: malformed XPT file: truncated variable {i + 1}")
        ntype, _, length = struct.unpack(">hhh", record[0:6])
        name = record[8:16].decode("latin-1").strip()
        (position,) = struct.unpack(">i", record[84:88])
        if ntype not in (1, 2) or length <= 0:
            raise InputError(
                f"{path}: malformed XPT file: variable {name or i + 1} has type "
                f"{ntype} and length {length}"
            )
        variables.append(_Variable(name, ntype == 1, length, position))
    end = start + count * size
    end += (-end) % _RECORD
    obs = data.find(_OBS, end - _RECORD)
    if obs < 0:
        raise InputError(f"{path}: malformed XPT file: no OBS header record")
    return variables, obs + _RECORD


def _ibm_to_float(raw: np.ndarray) -> np.ndarray:
    """IBM 8-byte hexadecimal floats (rows of uint8) to float64, with NaN for SAS missing."""
    padded = np.zeros((raw.shape[0], 8), dtype=np.uint8)
    padded[:, : raw.shape[1]] = raw
    word = padded.view(">u8").ravel().astype(np.uint64)
    sign = (word >> np.uint64(63)).astype(bool)
    exponent = ((word >> np.uint64(56)) & np.uint64(0x7F)).astype(np.int64)
    mantissa = (word & np.uint64(0x00FFFFFFFFFFFFFF)).astype(np.float64)
    value = np.ldexp(mantissa, (4 * (exponent - 64) - 56).astype(np.int32))
    value = np.where(sign, -value, value)
    rest_zero = ~padded[:, 1:].any(axis=1)
    first = padded[:, 0]
    missing = rest_zero & (
        (first == ord(".")) | (first == ord("_")) | ((first >= ord("A")) & (first <= ord("Z")))
    )
    value[missing] = np.nan
    return value


def read_xpt(
    path: Path, columns: list[str] | None = None, *, header_only: bool = False
) -> pa.Table:
    """The first member of an XPT file as an Arrow table (numbers as float64, text as str)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from exc
    return parse_xpt(data, path, columns, header_only=header_only)


def parse_xpt(
    data: bytes, path: Path | str, columns: list[str] | None = None, *, header_only: bool = False
) -> pa.Table:
    """The first member of the XPT file ``data`` (read from ``path``) as an Arrow table."""
    variables, offset = _variables(path, data)
    names = [v.name for v in variables]
    if header_only:
        return pa.table({n: pa.array([], pa.string()) for n in names})
    width = max(v.position + v.length for v in variables)
    body = np.frombuffer(data, dtype=np.uint8, offset=offset)
    rows = len(body) // width
    matrix = body[: rows * width].reshape(rows, width)
    while rows and not (matrix[rows - 1] != ord(" ")).any():
        rows -= 1
    matrix = matrix[:rows]
    wanted = columns if columns is not None else names
    arrays = []
    for name in wanted:
        var = variables[names.index(name)]
        cells = np.ascontiguousarray(matrix[:, var.position : var.position + var.length])
        if var.numeric:
            values = _ibm_to_float(cells)
            arrays.append(pa.array(values, mask=np.isnan(values)))
        else:
            text = cells.view(f"S{var.length}").ravel()
            arrays.append(
                pa.array(np.char.rstrip(np.char.decode(text, "latin-1")).tolist(), pa.string())
            )
    return pa.table(arrays, names=wanted)
