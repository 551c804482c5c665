"""Synthetic tables and leaks for the fingerprint tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from labwarden.privacy.io import read_table, write_table


def clinical(path: Path, rows: int = 4000, seed: int = 7) -> Path:
    """A pseudonymized trial table: ids, site, sex, age, diagnosis, weight, visits."""
    rng = np.random.default_rng(seed)
    codes = [f"C{n:02d}" for n in range(30)]
    table = pa.table(
        {
            "subject_id": [f"S{n:06d}" for n in rng.permutation(900_000)[:rows]],
            "site": rng.choice(["BER", "LYO", "BOS", "TOR", "OSA"], rows).tolist(),
            "sex": rng.choice(["F", "M"], rows).tolist(),
            "age": [str(a) for a in rng.integers(18, 90, rows)],
            "diagnosis": rng.choice(codes, rows, p=np.linspace(2, 0.2, 30) / 33.0).tolist(),
            "weight": [f"{w:.1f}" for w in rng.normal(75, 12, rows)],
            "visits": [str(v) for v in rng.integers(1, 40, rows)],
        }
    )
    write_table(table, path)
    return path


def leak(
    source: Path,
    out: Path,
    *,
    fraction: float = 1.0,
    drop: tuple[str, ...] = (),
    seed: int = 1,
    transform: dict[str, object] | None = None,
) -> Path:
    """A sample of ``source`` with columns dropped, shuffled, and transformed."""
    table = read_table(source)
    rng = np.random.default_rng(seed)
    count = max(1, int(fraction * table.num_rows))
    table = table.take(pa.array(rng.choice(table.num_rows, count, replace=False)))
    table = table.drop_columns(list(drop))
    names = list(table.column_names)
    rng.shuffle(names)
    table = table.select(names)
    for name, how in (transform or {}).items():
        values = table.column(name).to_pylist()
        table = table.set_column(
            table.column_names.index(name),
            name,
            pa.array([how(v) for v in values]),  # type: ignore[operator]
        )
    write_table(table, out)
    return out
