"""``labwarden share``: a copy of a table marked for one recipient, recorded in the catalog."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from labwarden.core.errors import InputError
from labwarden.core.workspace import Workspace
from labwarden.privacy.io import write_table
from labwarden.seal.hashing import digest_file
from labwarden.store.catalog import Catalog
from labwarden.store.trace import Share
from labwarden.trace.fingerprint import keys
from labwarden.trace.fingerprint.canary_rows import canary_rows, positions
from labwarden.trace.fingerprint.frame import Frame, read_frame
from labwarden.trace.fingerprint.marks import DEFAULT_BOUND, DEFAULT_RATE, Marks, plan, spec_of

DEFAULT_CANARY_ROWS = 3
DEFAULT_MAX_CELLS = 0.01


@dataclass(frozen=True, slots=True)
class ShareOptions:
    """How to mark a copy."""

    rate: float | None = None
    """Fraction of rows that carry a mark (one cell each); ``None``: ``DEFAULT_RATE``, lowered
    as far as needed to stay within ``max_cells``."""
    bound: float = DEFAULT_BOUND
    """Largest relative change of a numeric cell."""
    max_cells: float = DEFAULT_MAX_CELLS
    """Refuse a copy that would change more than this fraction of cells."""
    canary_rows: int = DEFAULT_CANARY_ROWS
    domain: str | None = None


@dataclass(frozen=True, slots=True)
class ShareResult:
    """What ``share`` wrote and changed."""

    share: Share
    rows: int
    columns: int
    cells_altered: int
    canary_rows: int
    largest_change: float
    largest_relative_change: float

    @property
    def cells_fraction(self) -> float:
        """The fraction of the original's cells the copy changes."""
        return self.cells_altered / max(1, self.rows * self.columns)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            **self.share.to_dict(),
            "rows": self.rows,
            "columns": self.columns,
            "cells_altered": self.cells_altered,
            "cells_fraction": self.cells_fraction,
            "canary_rows": self.canary_rows,
            "largest_change": self.largest_change,
            "largest_relative_change": self.largest_relative_change,
        }


def check_options(options: ShareOptions) -> None:
    """Reject options outside their ranges."""
    if options.rate is not None and not 0 < options.rate <= 0.5:
        raise InputError(f"--rate {options.rate}: must be above 0 and at most 0.5")
    if not 0 < options.bound <= 1:
        raise InputError(f"--max-change {options.bound}: must be above 0 and at most 1")
    if options.canary_rows < 0:
        raise InputError("--canary-rows must be 0 or more")


def _changes(frame: Frame, marks: Marks) -> tuple[float, float]:
    largest = relative = 0.0
    for column_index, old, new in zip(marks.columns.tolist(), marks.old, marks.new, strict=True):
        if frame.columns[column_index].numbers is None:
            continue
        before, after = float(old), float(new)
        largest = max(largest, abs(after - before))
        relative = max(relative, abs(after - before) / abs(before))
    return largest, relative


def marked_table(frame: Frame, marks: Marks, extra: list[list[str]], at: list[int]) -> pa.Table:
    """The copy: ``frame`` with ``marks`` applied and the rows ``extra`` inserted at ``at``."""
    arrays = []
    for index, column in enumerate(frame.columns):
        cells = np.asarray(column.values, dtype=object)[column.codes]
        chosen = marks.columns == index
        if np.any(chosen):
            cells[marks.rows[chosen]] = np.asarray(
                [t for t, keep in zip(marks.new, chosen.tolist(), strict=True) if keep],
                dtype=object,
            )
        if extra:
            cells = np.insert(cells, at, [row[index] for row in extra])
        arrays.append(pa.array(cells.tolist(), type=pa.string()))
    return pa.table(arrays, names=[c.name for c in frame.columns])


def _typed(table: pa.Table, frame: Frame) -> pa.Table:
    """Numeric columns as numbers (for Parquet output)."""
    arrays = []
    for column, values in zip(frame.columns, table.columns, strict=True):
        if column.numbers is None:
            arrays.append(values)
            continue
        target = pa.int64() if column.decimals == 0 else pa.float64()
        arrays.append(
            pa.compute.cast(
                pa.compute.if_else(
                    pa.compute.equal(values, ""), pa.scalar(None, pa.string()), values
                ),
                target,
            )
        )
    return pa.table(arrays, names=table.column_names)


def _fitted(source: Path, frame: Frame, key: bytes, options: ShareOptions) -> tuple[float, Marks]:
    """The rate and marks of the copy: the rate asked for (refused past ``max_cells``), or the
    default rate lowered until the marks fit within ``max_cells``."""
    spec = spec_of(frame, options.bound)
    cells = frame.rows * len(frame.columns)
    limit = options.max_cells * cells
    rate = options.rate or DEFAULT_RATE
    marks = plan(frame, spec, key, rate)
    for _ in range(8):
        if len(marks) <= limit or options.rate is not None:
            break
        rate *= 0.97 * limit / len(marks)
        marks = plan(frame, spec, key, rate)
    if len(marks) > limit:
        raise InputError(
            f"{source}: the marks would change {len(marks)} of {cells} cells, more than "
            f"--max-cells {options.max_cells}; lower --rate"
        )
    return rate, marks


def source_copy(workspace: Workspace, digest: str) -> Path:
    """Where the workspace keeps the table version a share was made from."""
    return keys.key_path(workspace).parent / "sources" / f"{digest}.parquet"


def keep_source(workspace: Workspace, frame: Frame, digest: str) -> None:
    """Keep the shared version (as text, Parquet): when the table changes or is deleted later,
    a leak of this version is still traced and its marks recomputed."""
    path = source_copy(workspace, digest)
    if path.exists():
        return
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    columns = [pa.array(c.cells(), pa.string()) for c in frame.columns]
    write_table(pa.table(columns, names=[c.name for c in frame.columns]), path)


def _asset_id(catalog: Catalog, path: Path) -> int | None:
    try:
        return catalog.assets.get(str(path)).id
    except InputError:
        return None


def share(
    workspace: Workspace,
    catalog: Catalog,
    source: Path,
    recipient: str,
    output: Path,
    options: ShareOptions | None = None,
) -> ShareResult:
    """Write ``recipient``'s marked copy of ``source`` to ``output`` and record the share."""
    options = options or ShareOptions()
    check_options(options)
    if not recipient.strip():
        raise InputError("--recipient must name somebody")
    source = source.expanduser().absolute()
    output = output.expanduser().absolute()
    if output == source:
        raise InputError(f"{output}: the copy would overwrite the original")
    frame = read_frame(source)
    digest = digest_file(str(source))
    master = keys.load_or_create(workspace)
    key = keys.recipient_key(master, digest, recipient)
    rate, marks = _fitted(source, frame, key, options)
    extra = canary_rows(frame, key, options.canary_rows, options.domain)
    table = marked_table(frame, marks, extra, positions(key, frame.rows, len(extra)))
    if output.suffix.lower() in (".parquet", ".pq"):
        table = _typed(table, frame)
    write_table(table, output)
    keep_source(workspace, frame, digest)
    largest, relative = _changes(frame, marks)
    detail = {
        "rate": rate,
        "bound": options.bound,
        "canary_rows": len(extra),
        "cells_altered": len(marks),
        "rows": frame.rows,
        "columns": [c.name for c in frame.columns],
    }
    record = catalog.shares.record(
        asset_id=_asset_id(catalog, source),
        source=str(source),
        source_digest=digest,
        recipient=recipient,
        key_id=keys.key_id(master),
        output=str(output),
        detail=detail,
    )
    return ShareResult(
        record, frame.rows, len(frame.columns), len(marks), len(extra), largest, relative
    )
