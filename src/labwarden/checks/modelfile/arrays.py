"""NumPy ``.npy`` files (and ``.npz`` members): object arrays carry a pickle after the header."""

from __future__ import annotations

import ast
import struct

from labwarden.checks.modelfile.interface import Blob, ScanContext
from labwarden.checks.modelfile.pickle_scan import PickleAnalyzer
from labwarden.checks.modelfile.pickles import report_pickle
from labwarden.core.values import Severity


def scan_npy(ctx: ScanContext, blob: Blob) -> None:
    """Parse the header as a literal (never eval) and analyze an object array's pickle."""
    data = blob.data
    if blob.size < 12:
        ctx.add(blob, "npy-header", Severity.HIGH, "the .npy file is truncated", "Re-save it.")
        return
    major = data[6]
    if major == 1:
        width = 2
    elif major in (2, 3):
        width = 4
    else:
        ctx.add(blob, "npy-header", Severity.HIGH, f"unknown .npy version {major}", "Re-save it.")
        return
    (length,) = struct.unpack("<H" if width == 2 else "<I", bytes(data[8 : 8 + width]))
    start = 8 + width
    if length > 1 << 20 or start + length > blob.size:
        ctx.add(
            blob,
            "npy-header",
            Severity.MEDIUM,
            f"the .npy header length {length} is implausible or runs past the file",
            "Do not load it.",
        )
        return
    text = bytes(data[start : start + length]).decode("latin-1")
    try:
        header = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        ctx.add(
            blob,
            "npy-header",
            Severity.MEDIUM,
            "the .npy header is not a Python literal; numpy refuses it",
            "Do not load it.",
        )
        return
    if not isinstance(header, dict) or "descr" not in header:
        ctx.add(
            blob, "npy-header", Severity.MEDIUM, "the .npy header has no 'descr'", "Re-save it."
        )
        return
    if "O" not in str(header["descr"]):
        return
    body = start + length
    ctx.add(
        blob,
        "object-array",
        Severity.LOW,
        "an object array: loading it needs allow_pickle=True, which unpickles the data below",
        "Prefer numeric arrays; never pass allow_pickle=True for files you did not create.",
        offset=body,
    )
    report = PickleAnalyzer(ctx.policy).analyze(data, start=body)
    report_pickle(ctx, blob, report, legacy=False)
