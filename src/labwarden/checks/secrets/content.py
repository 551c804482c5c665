"""Turn one file into the texts the scanner reads: whole text files in chunks, notebook cells
and outputs, string columns of binary tables, decompressed gzip logs.

Every unit says where its line 1 is (file line, notebook cell, table column) so that findings
point at the right place.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from labwarden.core import safejson
from labwarden.core.errors import InputError

CHUNK = 8 * 1024 * 1024
MAX_DECOMPRESSED = 512 * 1024 * 1024

BINARY_FORMATS = frozenset(
    {
        "safetensors",
        "gguf",
        "ggml",
        "onnx",
        "pytorch",
        "pytorch-zip",
        "pytorch-legacy",
        "torchscript",
        "pickle",
        "joblib",
        "numpy-npy",
        "numpy-npz",
        "keras-v3",
        "keras-h5",
        "hdf5",
        "skops",
        "tf-protobuf",
        "tf-savedmodel",
        "tflite",
        "coreml",
        "flax-msgpack",
        "orc",
        "avro",
        "excel",
        "sas-xpt",
        "sas7bdat",
        "spss",
        "stata",
        "tfrecord",
        "sqlite",
        "duckdb",
        "pdf",
        "docx",
        "doc",
        "pptx",
        "png",
        "jpeg",
        "elf",
        "binary",
        "empty",
        "zip",
        "tar",
        "tar-gzip",
        "tar-bz2",
        "tar-xz",
        "tar-zst",
        "gzip",
        "bzip2",
        "xz",
        "zstd",
        "7z",
        "rar",
        "pkcs12",
        "java-keystore",
        "kerberos-keytab",
        "dicom",
        "nifti",
        "evtx",
    }
)
"""Formats with no text to read (the model-file and archive scanners look inside those)."""

COLUMN_FORMATS = frozenset({"parquet", "arrow", "feather"})


@dataclass(frozen=True, slots=True)
class Unit:
    """A text to scan and where it comes from."""

    text: str
    fmt: str
    member: str | None = None
    first_line: int = 1
    """The file line (or table row) of the unit's line 1."""


def units(fmt: str, handle: BinaryIO) -> Iterator[Unit]:
    """The texts of a file of format ``fmt``; raises :class:`InputError` when it cannot be read."""
    if fmt in COLUMN_FORMATS:
        yield from _columns(fmt, handle)
    elif fmt == "notebook":
        yield from _notebook(handle)
    elif fmt.endswith("+gzip"):
        yield from _text_chunks(_bounded_gunzip(handle), fmt.removesuffix("+gzip"))
    else:
        yield from _text_chunks(handle, fmt)


def _text_chunks(handle: BinaryIO, fmt: str) -> Iterator[Unit]:
    """The file in chunks cut at line ends, each with the number of its first line."""
    line = 1
    rest = b""
    first = True
    while True:
        block = handle.read(CHUNK)
        if first and b"\x00" in block[:8192]:
            return  # binary content under a text name
        first = False
        if not block:
            break
        block = rest + block
        cut = block.rfind(b"\n")
        if cut < 0:
            rest = block
            continue
        text = block[: cut + 1].decode("utf-8", "replace")
        rest = block[cut + 1 :]
        yield Unit(text, fmt, first_line=line)
        line += text.count("\n")
    if rest:
        yield Unit(rest.decode("utf-8", "replace"), fmt, first_line=line)


class _Bounded:
    """A gzip stream that refuses to inflate past :data:`MAX_DECOMPRESSED` (bomb guard)."""

    def __init__(self, handle: BinaryIO) -> None:
        self._inner = gzip.GzipFile(fileobj=handle, mode="rb")
        self._total = 0

    def read(self, size: int = -1) -> bytes:
        try:
            data = self._inner.read(size)
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(f"corrupt gzip stream: {exc}") from exc
        self._total += len(data)
        if self._total > MAX_DECOMPRESSED:
            raise InputError(f"decompresses to more than {MAX_DECOMPRESSED >> 20} MiB; stopped")
        return data


def _bounded_gunzip(handle: BinaryIO) -> BinaryIO:
    return _Bounded(handle)  # type: ignore[return-value]


def _notebook(handle: BinaryIO) -> Iterator[Unit]:
    raw = handle.read()
    try:
        document = safejson.loads(raw)
    except (ValueError, UnicodeDecodeError):
        # Not valid JSON: still scan its text, line by line.
        yield Unit(raw.decode("utf-8", "replace"), "json")
        return
    cells = document.get("cells") if isinstance(document, dict) else None
    if not isinstance(cells, list):
        yield Unit(raw.decode("utf-8", "replace"), "json")
        return
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            continue
        source = _joined(cell.get("source"))
        kind = "python" if cell.get("cell_type") == "code" else "markdown"
        if source:
            yield Unit(source, kind, f"cell {number}")
        outputs = cell.get("outputs")
        for output in outputs if isinstance(outputs, list) else []:
            text = _output_text(output)
            if text:
                yield Unit(text, "log-text", f"cell {number} output")


def _joined(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(v for v in value if isinstance(v, str))
    return ""


def _output_text(output: object) -> str:
    if not isinstance(output, dict):
        return ""
    parts = [_joined(output.get("text"))]
    data = output.get("data")
    if isinstance(data, dict):
        for mime in ("text/plain", "text/html", "application/json", "text/markdown"):
            value = data.get(mime)
            parts.append(json.dumps(value) if isinstance(value, dict) else _joined(value))
    traceback = output.get("traceback")
    if isinstance(traceback, list):
        parts.append("\n".join(t for t in traceback if isinstance(t, str)))
    return "\n".join(p for p in parts if p)


def _columns(fmt: str, handle: BinaryIO) -> Iterator[Unit]:
    from labwarden.checks.pii.tables import sample_table  # the pii package imports this module

    sample = sample_table(fmt, handle)
    for name, values in sample.columns.items():
        if not any(values):
            continue
        text = "\n".join((v or "").replace("\n", " ") for v in values)
        yield Unit(text, "csv", f"column {name}")
