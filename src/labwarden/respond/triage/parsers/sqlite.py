"""The rows of a table of an SQLite database file, read from its bytes.

wtmpdb (``/var/lib/wtmpdb/wtmp.db``) and lastlog2 (``/var/lib/lastlog/lastlog2.db``) replace
wtmp and lastlog on recent distributions. They are evidence of the examined host, so they are
read here as bytes, never opened with a database engine (which could write beside them): the
file format is public (https://www.sqlite.org/fileformat2.html) and a table is a b-tree of
pages whose leaves hold records.

What is read: the schema table on page 1, then every leaf of one table's b-tree (interior pages
followed, overflow pages followed for long rows). A page that makes no sense ends its branch
with :class:`SQLiteError`'s message in ``problems``; rows already read are kept. A write-ahead
log (``-wal``) is not merged: rows only it holds are not read.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

MAGIC = b"SQLite format 3\x00"
MAX_PAGES = 1_000_000


class SQLiteError(ValueError):
    """Bytes that are not what the file format says at that place."""


def varint(data: bytes, offset: int) -> tuple[int, int]:
    """An SQLite varint at ``offset``: its value and the offset after it."""
    value = 0
    for index in range(9):
        if offset + index >= len(data):
            raise SQLiteError("a varint runs past the end of its page")
        byte = data[offset + index]
        if index == 8:
            return (value << 8) | byte, offset + 9
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, offset + index + 1
    raise SQLiteError("unreachable")  # pragma: no cover


def _value(serial: int, data: bytes, offset: int, encoding: str) -> tuple[Any, int]:
    sizes = {0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8, 7: 8, 8: 0, 9: 0}
    if serial in sizes:
        size = sizes[serial]
        raw = data[offset : offset + size]
        if len(raw) != size:
            raise SQLiteError("a value runs past the end of its record")
        if serial == 0:
            return None, offset
        if serial in (8, 9):
            return serial - 8, offset
        if serial == 7:
            return struct.unpack(">d", raw)[0], offset + size
        return int.from_bytes(raw, "big", signed=True), offset + size
    if serial < 12:
        raise SQLiteError(f"reserved serial type {serial}")
    size = (serial - 12) // 2
    raw = data[offset : offset + size]
    if len(raw) != size:
        raise SQLiteError("a value runs past the end of its record")
    if serial % 2:
        return raw.decode(encoding, "replace"), offset + size
    return raw, offset + size


def record(payload: bytes, encoding: str = "utf-8") -> list[Any]:
    """The values of one record (header of serial types, then the values)."""
    header_size, offset = varint(payload, 0)
    if header_size > len(payload):
        raise SQLiteError("a record header runs past the record")
    serials = []
    while offset < header_size:
        serial, offset = varint(payload, offset)
        serials.append(serial)
    values, offset = [], header_size
    for serial in serials:
        value, offset = _value(serial, payload, offset, encoding)
        values.append(value)
    return values


@dataclass(slots=True)
class Database:
    """An SQLite file's bytes and what reading it met."""

    data: bytes
    page_size: int = 0
    usable: int = 0
    encoding: str = "utf-8"
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.data.startswith(MAGIC) or len(self.data) < 100:
            raise SQLiteError("not an SQLite 3 database")
        size = struct.unpack(">H", self.data[16:18])[0]
        self.page_size = 65536 if size == 1 else size
        if self.page_size < 512 or self.page_size & (self.page_size - 1):
            raise SQLiteError(f"page size {self.page_size} is not a power of two from 512")
        self.usable = self.page_size - self.data[20]
        self.encoding = {2: "utf-16-le", 3: "utf-16-be"}.get(
            struct.unpack(">I", self.data[56:60])[0], "utf-8"
        )

    def page(self, number: int) -> bytes:
        """Page ``number`` (from 1)."""
        start = (number - 1) * self.page_size
        if number < 1 or start + self.page_size > len(self.data):
            raise SQLiteError(f"page {number} is past the end of the file")
        return self.data[start : start + self.page_size]

    def _payload(self, page: bytes, offset: int, size: int) -> bytes:
        """A cell's payload, with its overflow pages followed."""
        limit = self.usable - 35
        if size <= limit:
            return page[offset : offset + size]
        least = ((self.usable - 12) * 32 // 255) - 23
        local = least + (size - least) % (self.usable - 4)
        if local > limit:
            local = least
        parts = [page[offset : offset + local]]
        following = struct.unpack(">I", page[offset + local : offset + local + 4])[0]
        missing, seen = size - local, set[int]()
        while missing > 0 and following and following not in seen:
            seen.add(following)
            overflow = self.page(following)
            parts.append(overflow[4 : 4 + min(missing, self.usable - 4)])
            missing -= self.usable - 4
            following = struct.unpack(">I", overflow[:4])[0]
        return b"".join(parts)

    def rows(self, root: int) -> Iterator[tuple[int, list[Any]]]:
        """``(rowid, values)`` of every row of the table whose b-tree starts at ``root``."""
        todo, seen = [root], set[int]()
        while todo and len(seen) < MAX_PAGES:
            number = todo.pop()
            if number in seen:
                self.problems.append(f"page {number} is reached twice (a loop)")
                continue
            seen.add(number)
            try:
                yield from self._page_rows(number, todo)
            except (SQLiteError, struct.error, IndexError) as exc:
                self.problems.append(f"page {number}: {exc}")

    def _page_rows(self, number: int, todo: list[int]) -> Iterator[tuple[int, list[Any]]]:
        page = self.page(number)
        base = 100 if number == 1 else 0
        kind = page[base]
        if kind not in (5, 13):
            raise SQLiteError(f"page type {kind} is not a table page")
        cells = struct.unpack(">H", page[base + 3 : base + 5])[0]
        start = base + (12 if kind == 5 else 8)
        offsets = [
            struct.unpack(">H", page[start + 2 * i : start + 2 * i + 2])[0] for i in range(cells)
        ]
        if kind == 5:  # interior: children left to right, then the right-most
            children = [struct.unpack(">I", page[o : o + 4])[0] for o in offsets]
            children.append(struct.unpack(">I", page[base + 8 : base + 12])[0])
            todo.extend(reversed(children))  # popped leftmost first: rows in rowid order
            return
        for cell in offsets:
            size, at = varint(page, cell)
            rowid, at = varint(page, at)
            yield rowid, record(self._payload(page, at, size), self.encoding)

    def tables(self) -> dict[str, tuple[int, list[str]]]:
        """Table name to (root page, column names), from the schema on page 1."""
        found = {}
        for _, values in self.rows(1):
            if len(values) >= 5 and values[0] == "table" and isinstance(values[3], int):
                found[str(values[1])] = (values[3], columns(str(values[4] or "")))
        return found

    def table(self, name: str) -> Iterator[dict[str, Any]]:
        """The rows of table ``name`` as dictionaries (the rowid as ``rowid``; an ``INTEGER
        PRIMARY KEY`` column, stored as NULL, takes the rowid's value)."""
        tables = {k.lower(): v for k, v in self.tables().items()}
        if name.lower() not in tables:
            return
        root, definitions = tables[name.lower()]
        alias = _rowid_alias(definitions)
        names = [d.split()[0].strip('"`[]') for d in definitions if d.split()]
        for rowid, values in self.rows(root):
            row: dict[str, Any] = {"rowid": rowid}
            for index, column in enumerate(names):
                row[column] = values[index] if index < len(values) else None
            if alias is not None and row.get(alias) is None:
                row[alias] = rowid
            yield row


def columns(sql: str) -> list[str]:
    """Column definitions of a ``CREATE TABLE`` statement (name first, then its type)."""
    inside = sql[sql.find("(") + 1 : sql.rfind(")")] if "(" in sql else ""
    found: list[str] = []
    depth, current = 0, ""
    for char in inside:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            found.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        found.append(current.strip())
    constraint = re.compile(r"^(?:PRIMARY|UNIQUE|CHECK|FOREIGN|CONSTRAINT)\b", re.IGNORECASE)
    return [" ".join(c.split()) for c in found if not constraint.match(c)]


def _rowid_alias(definitions: list[str]) -> str | None:
    for definition in definitions:
        words = definition.replace('"', "").split()
        if len(words) >= 4 and words[1].upper() == "INTEGER" and words[2:4] == ["PRIMARY", "KEY"]:
            return words[0].strip("`[]")
    return None
