"""The baseline: Agrawal-Kiernan (VLDB 2002) watermarking used as a per-recipient fingerprint.

Each recipient gets its own key. A tuple is selected when ``HMAC(key, pk) mod gamma == 0``; the
keyed hash then picks one of the ``nu`` numeric attributes, one of its ``xi`` least significant
bits, and the bit's value, which is written into the value. Detection is blind: for each
candidate key, recompute the selection from the leaked tuples' primary keys and count how many
selected bits match; the false-match probability is the binomial tail at 1/2, times the number
of recipients (the same Bonferroni rule and alpha as labwarden's). Tables without a primary key
use a virtual one: the hash of the non-numeric attributes (as in the virtual-primary-key
variants of the scheme).
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass

import pyarrow as pa
from scipy.stats import binom  # type: ignore[import-untyped]


@dataclass(frozen=True)
class AKParams:
    gamma: int = 10
    xi: int = 1


def _pk(row: dict[str, str], pk_columns: list[str]) -> str | None:
    if any(c not in row for c in pk_columns):
        return None
    return "\x1f".join(row[c].strip() for c in pk_columns)


def _h(key: bytes, pk: str) -> int:
    return int.from_bytes(hmac.new(key, pk.encode(), hashlib.sha256).digest()[:8], "big")


def _scale(decimals: int) -> int:
    return int(10**decimals)


def embed(
    table: pa.Table,
    key: bytes,
    pk_columns: list[str],
    numeric: dict[str, int],
    params: AKParams = AKParams(),
) -> tuple[pa.Table, int]:
    """The marked copy and the number of cells changed."""
    names = list(numeric)
    columns = {n: table.column(n).to_pylist() for n in table.column_names}
    changed = 0
    for index in range(table.num_rows):
        row = {n: columns[n][index] for n in pk_columns}
        h = _h(key, _pk(row, pk_columns) or "")
        if h % params.gamma:
            continue
        attribute = names[(h // params.gamma) % len(names)]
        bit = (h // (params.gamma * len(names))) % params.xi
        mark = (h // (params.gamma * len(names) * params.xi)) % 2
        text = columns[attribute][index]
        if not text:
            continue
        decimals = numeric[attribute]
        value = round(float(text) * _scale(decimals))
        new = (value & ~(1 << bit)) | (mark << bit) if value >= 0 else value
        if new != value:
            changed += 1
            columns[attribute][index] = (
                str(new) if decimals == 0 else f"{new / _scale(decimals):.{decimals}f}"
            )
    return pa.table({n: pa.array(columns[n], pa.string()) for n in table.column_names}), changed


def detect(
    leaked: pa.Table,
    keys: dict[str, bytes],
    pk_columns: list[str],
    numeric: dict[str, int],
    params: AKParams = AKParams(),
) -> dict[str, float]:
    """Each recipient's false-match probability (1.0 when the leak lacks the key columns)."""
    names = list(numeric)
    if any(c not in leaked.column_names for c in pk_columns + names):
        return dict.fromkeys(keys, 1.0)
    columns = {n: leaked.column(n).to_pylist() for n in pk_columns + names}
    out: dict[str, float] = {}
    for recipient, key in keys.items():
        total = matches = 0
        for index in range(leaked.num_rows):
            row = {n: str(columns[n][index]) for n in pk_columns}
            h = _h(key, _pk(row, pk_columns) or "")
            if h % params.gamma:
                continue
            attribute = names[(h // params.gamma) % len(names)]
            bit = (h // (params.gamma * len(names))) % params.xi
            mark = (h // (params.gamma * len(names) * params.xi)) % 2
            text = columns[attribute][index]
            try:
                value = round(float(str(text)) * _scale(numeric[attribute]))
            except ValueError:
                continue
            total += 1
            matches += int(((value >> bit) & 1) == mark)
        tail = float(binom.sf(matches - 1, total, 0.5)) if total else 1.0
        out[recipient] = min(1.0, tail * len(keys)) if not math.isnan(tail) else 1.0
    return out
