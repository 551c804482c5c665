"""Excel header rows: real workbooks written by openpyxl, hand-made parts, bombs and junk."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labwarden.core.values import Sensitivity
from labwarden.core.workspace import Workspace
from labwarden.inventory.columns import read_columns
from labwarden.inventory.xlsx import MAX_CELLS, MAX_SHEET
from labwarden.store.catalog import Catalog
from tests.inventory.test_scan import scan


def _workbook(rows: list[list[object]], *, first_sheet_rows: int = 0) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Subjects"
    for _ in range(first_sheet_rows):
        sheet.append([])
    for row in rows:
        sheet.append(row)
    other = book.create_sheet("Notes")
    other.append(["not", "the", "header"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _columns(data: bytes) -> list[str] | None:
    return read_columns("excel", io.BytesIO(data), len(data))


def test_header_of_the_first_sheet() -> None:
    data = _workbook([["USUBJID", "AGE", "SEX", "Date of birth"], ["S-1", 44, "F", "1980-01-02"]])
    assert _columns(data) == ["USUBJID", "AGE", "SEX", "Date of birth"]


def test_leading_empty_rows_and_gaps_are_skipped() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["C4"] = "SUBJID"
    sheet["E4"] = "  BRTHDTC "
    sheet["AA4"] = 12.5
    sheet["A5"] = "value"
    out = io.BytesIO()
    book.save(out)
    assert _columns(out.getvalue()) == ["SUBJID", "BRTHDTC", "12.5"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.text(
            st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20
        ).filter(lambda t: t.strip() and not t.startswith("=")),
        min_size=1,
        max_size=12,
    )
)
def test_any_header_written_by_openpyxl_reads_back(names: list[str]) -> None:
    assert _columns(_workbook([list[object](names)])) == [n.strip() for n in names]


def _parts(
    sheet: bytes,
    rels_target: str = "worksheets/sheet1.xml",
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            '<sheet name="A" sheetId="1" r:id="rId7"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId7" Type="x/worksheet" Target="{rels_target}"/>'
            "</Relationships>",
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def test_inline_strings_and_an_absolute_target() -> None:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    sheet = (
        f'<worksheet xmlns="{main}"><sheetData><row r="1">'
        '<c r="A1" t="inlineStr"><is><t>SITEID</t></is></c>'
        '<c r="B1" t="inlineStr"><is><r><t>Patient </t></r><r><t>name</t></r></is></c>'
        "</row></sheetData></worksheet>"
    ).encode()
    assert _columns(_parts(sheet, "/xl/worksheets/sheet1.xml")) == ["SITEID", "Patient name"]


class _CountingReader(io.BytesIO):
    """The file as a reader sees it, counting the bytes it asks for."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.taken = 0

    def read(self, size: int | None = -1, /) -> bytes:
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk


_CELL = b'<c t="inlineStr"><is><t></t></is></c>'
_SLACK = 64 << 10
"""Bytes a reader may take past a cap: the parts before the sheet, zip headers, read-ahead."""


@pytest.mark.parametrize(
    ("row", "repeat", "cap"),
    [
        (_CELL, 4 * MAX_CELLS, (MAX_CELLS + 1) * len(_CELL)),  # one endless row: the cell cap
        (b"<row/>", 2 * (MAX_SHEET // 6), MAX_SHEET),  # empty rows past the byte cap
    ],
    ids=["cells", "bytes"],
)
@pytest.mark.parametrize(
    "compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED], ids=["deflated", "stored"]
)
def test_bombs_stop_at_a_cap(row: bytes, repeat: int, cap: int, compression: int) -> None:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    body = b"<row>" + row * repeat if row.startswith(b"<c") else row * repeat
    sheet = f'<worksheet xmlns="{main}"><sheetData>'.encode() + body
    data = _parts(
        sheet + b'<row><c t="inlineStr"><is><t>late</t></is></c></row></sheetData>',
        compression=compression,
    )
    handle = _CountingReader(data)
    # A reader past the cap would reach the late header row.
    assert read_columns("excel", handle, len(data)) is None
    if compression == zipfile.ZIP_STORED:  # stored: the bytes taken are the bytes inflated
        assert len(sheet) > 2 * cap
        assert handle.taken <= cap + _SLACK


@pytest.mark.parametrize(
    "sheet",
    [b"<worksheet><sheetData><row><c", b"not xml at all", b'<!DOCTYPE x [<!ENTITY a "b">]><x/>'],
)
def test_broken_parts_give_no_columns(sheet: bytes) -> None:
    assert _columns(_parts(sheet)) is None


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_untrusted_bytes_never_raise(junk: bytes) -> None:
    for data in (b"PK\x03\x04" + junk, _parts(junk)):
        found = _columns(data)
        assert found is None or all(isinstance(name, str) and name for name in found)


def test_scan_classifies_a_workbook_by_its_columns(workspace: Workspace, tmp_path: Path) -> None:
    lab = tmp_path / "lab"
    lab.mkdir()
    (lab / "site-17-subjects.xlsx").write_bytes(
        _workbook([["USUBJID", "AGE", "SEX", "RACE"], ["S-1", 44, "F", "ASIAN"]])
    )
    scan(workspace, lab)
    with Catalog.open(workspace) as catalog:
        asset = catalog.assets.get("site-17-subjects.xlsx")
        assert asset.sensitivity is Sensitivity.RESTRICTED
        (found,) = catalog.files.of_asset(asset.id)
        assert found.columns == ["USUBJID", "AGE", "SEX", "RACE"]
