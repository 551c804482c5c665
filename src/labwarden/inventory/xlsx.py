"""The header row of an Office Open XML workbook (``.xlsx``, ``.xlsm``), without a spreadsheet
library.

Only the parts that lead to the first worksheet's first non-empty row are read: the workbook and
its relationships (which sheet comes first), that sheet up to the end of the row, and the shared
strings up to the last one the row refers to. Every part is inflated incrementally under a cap on
its decompressed size, so a zip bomb stops at the cap, and parsed incrementally by expat (which
limits entity amplification). Nothing is evaluated: formulas are text, as their cached values are.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from typing import BinaryIO
from xml.etree.ElementTree import Element, XMLPullParser

MAX_PART = 8 << 20
"""Decompressed bytes read of the workbook and its relationships."""
MAX_SHEET = 4 << 20
"""Decompressed bytes of the first sheet read while looking for its first non-empty row."""
MAX_CELLS = 16_384
"""Cells of one row at most (Excel's own limit); a longer row is not a header."""
MAX_SHARED = 64 << 20
"""Decompressed bytes of the shared strings read while looking for the header's strings."""

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_SHARED_TYPE = "/sharedStrings"
_CELL_REF = re.compile(r"([A-Z]{1,3})\d*")
_CHUNK = 4096  # small: the parser builds every element of a chunk, wanted or not


class WorkbookError(ValueError):
    """The workbook is not one this reader understands (a part is missing or malformed)."""


Cells = list[tuple[int, str, str]]
"""``(0-based column, cell type, raw value)`` of one row's cells."""


def header_row(handle: BinaryIO) -> list[str] | None:
    """The non-empty cells of the first non-empty row of the first worksheet, left to right."""
    rows = read_rows(handle, 1, MAX_SHEET)
    if not rows:
        return None
    names = [text.strip() for _, text in sorted(rows[0].items()) if text.strip()]
    return names or None


def read_rows(handle: BinaryIO, max_rows: int, max_bytes: int) -> list[dict[int, str]]:
    """Up to ``max_rows`` rows of the first worksheet from its first non-empty one, as column
    -> text (shared strings resolved), reading at most ``max_bytes`` of the sheet."""
    with zipfile.ZipFile(handle) as archive:
        names = set(archive.namelist())
        sheet, shared_part = _first_sheet(archive, names)
        rows = list(_rows(archive, sheet, max_rows, max_bytes))
        wanted = [
            int(value) for row in rows for _, kind, value in row if kind == "s" and value.isdigit()
        ]
        shared = _shared_strings(archive, shared_part, max(wanted)) if wanted else []
    resolved = []
    for row in rows:
        texts = {}
        for column, kind, value in row:
            if kind == "s":
                index = int(value) if value.isdigit() else -1
                texts[column] = shared[index] if 0 <= index < len(shared) else ""
            else:
                texts[column] = value
        resolved.append(texts)
    return resolved


def _events(archive: zipfile.ZipFile, name: str, limit: int) -> Iterator[tuple[str, Element]]:
    """``(event, element)`` pairs of one part, parsed as it is inflated, up to ``limit`` bytes."""
    parser: XMLPullParser[Element] = XMLPullParser(events=("start", "end"))
    read = 0
    with archive.open(name) as stream:
        while read < limit:
            chunk = stream.read(min(_CHUNK, limit - read))
            if not chunk:
                break
            read += len(chunk)
            parser.feed(chunk)
            yield from _elements(parser)
    if read < limit:
        parser.close()
        yield from _elements(parser)


def _elements(parser: XMLPullParser[Element]) -> Iterator[tuple[str, Element]]:
    for pair in parser.read_events():
        event, item = pair[0], pair[-1]
        if isinstance(item, Element):
            yield event, item


def _first_sheet(archive: zipfile.ZipFile, names: set[str]) -> tuple[str, str | None]:
    """The first worksheet's part and the shared strings part, from the workbook's relations."""
    first_id = _first_sheet_id(archive, names)
    targets, shared = _relations(archive, names)
    sheet = targets.get(first_id or "")
    if sheet is None or sheet not in names:
        sheets = sorted(n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
        if not sheets:
            raise WorkbookError("no worksheet")
        sheet = min(sheets, key=lambda n: int(re.sub(r"\D", "", n)))
    if shared is None or shared not in names:
        shared = "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in names else None
    return sheet, shared


def _first_sheet_id(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    """The relationship id of the workbook's first sheet."""
    if "xl/workbook.xml" in names:
        for event, element in _events(archive, "xl/workbook.xml", MAX_PART):
            if event == "start" and element.tag == f"{_MAIN}sheet":
                return element.get(_REL_ID)
    return None


def _relations(archive: zipfile.ZipFile, names: set[str]) -> tuple[dict[str, str], str | None]:
    """The workbook's relationship targets by id, and its shared strings part."""
    targets: dict[str, str] = {}
    shared = None
    if "xl/_rels/workbook.xml.rels" in names:
        for event, element in _events(archive, "xl/_rels/workbook.xml.rels", MAX_PART):
            if event == "end" and element.tag == _PKG_REL:
                target = _part(element.get("Target", ""))
                targets[element.get("Id", "")] = target
                if element.get("Type", "").endswith(_SHARED_TYPE):
                    shared = target
    return targets, shared


def _part(target: str) -> str:
    """A relationship target of the workbook as a part name (targets are relative to xl/)."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join("xl", target))


def _rows(archive: zipfile.ZipFile, sheet: str, max_rows: int, max_bytes: int) -> Iterator[Cells]:
    """The cells of up to ``max_rows`` rows, from the first row with a non-empty value."""
    cells: Cells = []
    rows: Element | None = None
    started = False
    count = 0
    for event, element in _events(archive, sheet, max_bytes):
        if event == "start":
            if element.tag == f"{_MAIN}sheetData":
                rows = element
            continue
        if element.tag == f"{_MAIN}c":
            cells.append(_cell(element, len(cells)))
            element.clear()
            if len(cells) > MAX_CELLS:
                return
        elif element.tag == f"{_MAIN}row":
            started = started or any(value.strip() for _, _, value in cells)
            if started:
                yield cells
                count += 1
                if count >= max_rows:
                    return
            cells = []
            if rows is not None and len(rows) and rows[0] is element:
                rows.remove(element)  # rows read are dropped: memory stays flat


def _cell(element: Element, position: int) -> tuple[int, str, str]:
    """``(column, type, value)`` of a ``<c>`` element (inline strings joined)."""
    kind = element.get("t", "n")
    if kind == "inlineStr":
        value = "".join(t.text or "" for t in element.iter(f"{_MAIN}t"))
    else:
        found = element.find(f"{_MAIN}v")
        value = found.text or "" if found is not None else ""
    return _column(element.get("r"), position), kind, value


def _column(reference: str | None, position: int) -> int:
    """The 0-based column of a cell reference such as ``AB7`` (its position when absent)."""
    match = _CELL_REF.fullmatch(reference or "")
    if match is None:
        return position
    number = 0
    for letter in match.group(1):
        number = number * 26 + ord(letter) - ord("A") + 1
    return number - 1


def _shared_strings(archive: zipfile.ZipFile, part: str | None, last: int) -> list[str]:
    """The shared strings up to index ``last`` (rich text runs joined, phonetic runs left out)."""
    if part is None:
        return []
    strings: list[str] = []
    depth_phonetic = 0
    texts: list[str] = []
    for event, element in _events(archive, part, MAX_SHARED):
        if element.tag == f"{_MAIN}rPh":
            depth_phonetic += 1 if event == "start" else -1
        elif event == "end" and element.tag == f"{_MAIN}t" and not depth_phonetic:
            texts.append(element.text or "")
        elif event == "end" and element.tag == f"{_MAIN}si":
            strings.append("".join(texts))
            texts = []
            element.clear()
            if len(strings) > last:
                break
    return strings
