"""Columns as integer codes: every value of a column gets a code once, by a hash in Arrow."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

NULL_TEXT = ""
"""How a null cell is spelled when it is matched against hierarchies and written out."""


@dataclass(frozen=True, slots=True)
class EncodedColumn:
    """One column: ``codes[i]`` indexes ``values`` (the distinct texts, in first-seen order)."""

    name: str
    codes: np.ndarray
    values: list[str]

    @property
    def cardinality(self) -> int:
        """How many distinct values the column has."""
        return len(self.values)


def encode_column(name: str, column: pa.ChunkedArray | pa.Array) -> EncodedColumn:
    """Dictionary-encode a text column; nulls become the empty text."""
    filled = pc.fill_null(column, NULL_TEXT)
    encoded = pc.dictionary_encode(filled)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.unify_dictionaries()
        chunks = encoded.chunks
        if not chunks:
            return EncodedColumn(name, np.zeros(0, dtype=np.int32), [])
        dictionary = chunks[0].dictionary
        codes = np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in chunks]).astype(
            np.int32, copy=False
        )
    else:
        dictionary = encoded.dictionary
        codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32, copy=False)
    return EncodedColumn(name, codes, [str(v) for v in dictionary.to_pylist()])


def encode_table(table: pa.Table, columns: list[str]) -> list[EncodedColumn]:
    """Encode ``columns`` of ``table`` in the given order."""
    return [encode_column(c, table.column(c)) for c in columns]
