"""What every parser shares: reading (possibly gzipped) logs as text and reporting bad lines."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from isal import isal_zlib

from labwarden.core.errors import InputError
from labwarden.core.events import Event

GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Issue:
    """A record that could not be parsed: where it is and what is wrong with it."""

    file: str
    line: int
    message: str
    note: bool = False
    """A remark about how the file was read (a guessed year), not a record left out."""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


Report = Callable[[Issue], None]


class RecordError(ValueError):
    """Raised by a parser for one malformed record; the run reports it and goes on."""


@dataclass(frozen=True, slots=True)
class LogFile:
    """A log file to parse, from byte ``start`` (line ``first_line``) when resuming a plain file."""

    path: Path
    start: int = 0
    first_line: int = 1
    end: int | None = None
    """Byte offset of a plain file to stop at: the size ingest planned for, so that lines a
    writer appends meanwhile are left for the next run (``None``: read to the end)."""

    @property
    def name(self) -> str:
        """The path as reported in messages and stored in ``origin_file``."""
        return str(self.path)

    def open_binary(self) -> IO[bytes]:
        """The decompressed bytes from :attr:`start`."""
        try:
            handle: IO[bytes] = self.path.open("rb")
            magic = handle.read(2)
            handle.seek(0)
            if magic == GZIP_MAGIC:
                return cast(IO[bytes], io.BufferedReader(_Inflater(handle), _INFLATE_CHUNK))
            if self.start:
                handle.seek(self.start)
            if self.end is not None:
                return cast(IO[bytes], io.BufferedReader(_Bounded(handle, self.end - self.start)))
            return handle
        except OSError as exc:
            raise InputError(f"{self.path}: cannot read: {exc.strerror}") from exc

    def open_text(self) -> IO[str]:
        """Text (UTF-8, undecodable bytes replaced) from :attr:`start`."""
        import io

        return io.TextIOWrapper(self.open_binary(), encoding="utf-8", errors="replace", newline="")

    def lines(self) -> Iterator[tuple[int, str]]:
        """``(line number, line without its end)`` pairs; a gzip error ends the file cleanly."""
        number = self.first_line - 1
        with self.open_text() as text:
            try:
                for line in text:
                    number += 1
                    yield number, line.rstrip("\r\n")
            except (OSError, EOFError, gzip.BadGzipFile) as exc:
                raise RecordError(
                    f"truncated or corrupt compressed data after line {number}: {exc}"
                ) from exc

    def sample(self, size: int = 65536) -> str:
        """The first ``size`` decompressed bytes as text, for format detection.

        A truncated gzip file gives what precedes the damage (its parser then reports where
        the data ends), so that it is not refused as a whole.
        """
        try:
            with self.path.open("rb") as handle:
                head = handle.read(size)
                if head[:2] != GZIP_MAGIC:
                    handle.seek(self.start)
                    if self.end is not None:
                        size = max(0, min(size, self.end - self.start))
                    return handle.read(size).decode("utf-8", errors="replace")
                data = zlib.decompressobj(wbits=31).decompress(head, size)
        except (OSError, zlib.error) as exc:
            raise InputError(f"{self.path}: cannot read: {exc}") from exc
        return data.decode("utf-8", errors="replace")


_INFLATE_CHUNK = 1 << 16


class _Reader(io.RawIOBase):
    """A reader over an open file, which it closes with itself."""

    def __init__(self, raw: IO[bytes]) -> None:
        super().__init__()
        self._raw = raw

    def readable(self) -> bool:
        """Always: this is a reader."""
        return True

    def close(self) -> None:
        """Close the file too."""
        self._raw.close()
        super().close()


class _Bounded(_Reader):
    """The next ``limit`` bytes of a file, then its end."""

    def __init__(self, raw: IO[bytes], limit: int) -> None:
        super().__init__(raw)
        self._left = max(0, limit)

    def readinto(self, buffer: Any) -> int:
        """Read into ``buffer``, never past the limit."""
        view = memoryview(buffer).cast("B")[: self._left]
        count = self._raw.readinto(view) if len(view) else 0  # type: ignore[attr-defined]
        self._left -= count or 0
        return count or 0


class _Inflater(_Reader):
    """Gzip members (one or more) inflated by ISA-L as they are read.

    A stream cut short first gives everything that precedes the damage and an end of file;
    the next read raises :class:`EOFError`, so that a parser has handled the intact records
    before it reports the truncation. Corrupt data raises :class:`OSError`.
    """

    def __init__(self, raw: IO[bytes]) -> None:
        super().__init__(raw)
        self._inflater = isal_zlib.decompressobj(wbits=31)
        self._tail = b""
        self._in_member = False
        self._cut = False

    def readinto(self, buffer: Any) -> int:
        if self._cut:
            raise EOFError("compressed data ends before the end of its stream")
        view = memoryview(buffer).cast("B")
        while True:
            if self._tail:
                try:
                    data = self._inflater.decompress(self._tail, len(view))
                except isal_zlib.error as exc:  # type: ignore[misc]  # the stub types it as an instance
                    raise OSError(f"corrupt compressed data: {exc}") from exc
                self._tail = self._inflater.unconsumed_tail
                if self._inflater.eof:
                    rest = self._inflater.unused_data
                    self._inflater = isal_zlib.decompressobj(wbits=31)
                    self._tail = rest if rest.strip(b"\0") else b""
                    self._in_member = bool(self._tail)
                if data:
                    view[: len(data)] = data
                    return len(data)
                continue
            chunk = self._raw.read(_INFLATE_CHUNK)
            if not chunk:
                self._cut = self._in_member
                return 0
            self._tail, self._in_member = chunk, True


class Parser(ABC):
    """Turns one log format into normalized events."""

    name: str
    """The lake's ``source`` partition for this format."""
    description: str

    @abstractmethod
    def sniff(self, sample: str) -> bool:
        """Whether ``sample`` (the start of a file) looks like this format."""

    @abstractmethod
    def parse(self, log: LogFile, report: Report) -> Iterator[Event]:
        """Yield the events of ``log``; report each malformed record and go on."""


class JsonRecordParser(Parser):
    """A parser of JSON exports (arrays, ``Records`` files, NDJSON): one event per record."""

    record_kind: str
    """What a record is, for the message of one that cannot be normalized."""

    @abstractmethod
    def normalize(self, record: dict[str, Any], raw: str) -> Event:
        """One record as an event; raises ``ValueError`` when it is not one of this format."""

    def parse(self, log: LogFile, report: Report) -> Iterator[Event]:
        """Stream the records; one that cannot be normalized is reported, the rest goes on."""
        for number, record, raw in iter_json_records(log, report):
            try:
                event = self.normalize(record, raw)
            except ValueError as exc:
                report(Issue(log.name, number, f"not {self.record_kind}: {exc}"))
                continue
            event["origin_file"] = log.name
            event["origin_line"] = number
            yield event


class LineParser(Parser):
    """A parser of line-oriented text logs: one record per line."""

    def parse(self, log: LogFile, report: Report) -> Iterator[Event]:
        """Parse line by line; a :class:`RecordError` on one line is reported, the rest goes on."""
        context = self.context(log)
        try:
            for number, line in log.lines():
                if not line.strip():
                    continue
                try:
                    event = self.parse_line(line, context)
                except RecordError as exc:
                    report(Issue(log.name, number, str(exc)))
                    continue
                if event is None:
                    continue
                event["origin_file"] = log.name
                event["origin_line"] = number
                event.setdefault("event_uid", line_uid(self.name, line))
                yield event
        except RecordError as exc:
            report(Issue(log.name, 0, str(exc)))
        for number, message in self.notes(context):
            report(Issue(log.name, number, message, note=True))

    def context(self, log: LogFile) -> Any:
        """Per-file state handed to :meth:`parse_line` (the default is none)."""
        return None

    def notes(self, context: Any) -> list[tuple[int, str]]:
        """``(line, remark)`` about the file just read, from its context (default: none)."""
        return []

    @abstractmethod
    def parse_line(self, line: str, context: Any) -> Event | None:
        """One event from one line, ``None`` to skip it, or raise :class:`RecordError`."""


def line_uid(source: str, line: str) -> str:
    """A stable identity of a log line (the same line ingested twice is the same event)."""
    return hashlib.blake2b(f"{source}\0{line}".encode(), digest_size=12).hexdigest()


def raw_json(record: dict[str, Any]) -> str:
    """A record as compact JSON for the ``raw`` column."""
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False, default=str)


_BETWEEN = re.compile(r"[ \t\r\n,]*")
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]|"', re.S)
"""A whole string, a bracket, or the opening quote of a string not yet complete."""
_CONTAINER = re.compile(r'\A\s*\{\s*"(Records|records)"\s*:\s*\[')


def iter_json_records(log: LogFile, report: Report) -> Iterator[tuple[int, dict[str, Any], str]]:
    """Stream JSON records as ``(position, object, raw text)``, memory bounded by one record.

    The position is the line number for JSON Lines and the 1-based record number inside an
    array or container (problems are still reported with their line).

    Understands JSON Lines (one object per line), a top-level array, and the
    ``{"Records": [...]}`` / ``{"records": [...]}`` containers of CloudTrail and Azure exports.
    """
    try:
        head = log.sample(4096)
    except InputError as exc:
        report(Issue(log.name, 0, exc.message.removeprefix(f"{log.path}: ")))
        return
    stripped = head.lstrip()
    if stripped.startswith("[") or _CONTAINER.match(head):
        try:
            yield from _iter_array(log, report)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            report(Issue(log.name, 0, f"truncated or corrupt compressed data: {exc}"))
        return
    try:
        yield from _iter_lines(log, report)
    except RecordError as exc:
        report(Issue(log.name, 0, str(exc)))


def _iter_lines(log: LogFile, report: Report) -> Iterator[tuple[int, dict[str, Any], str]]:
    for number, line in log.lines():
        text = line.strip()
        if not text:
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            report(Issue(log.name, number, f"not valid JSON: {exc.msg} at column {exc.colno}"))
            continue
        except RecursionError:
            report(Issue(log.name, number, "JSON nested too deeply to read"))
            continue
        if not isinstance(value, dict):
            report(Issue(log.name, number, f"expected a JSON object, got {type(value).__name__}"))
            continue
        yield number, value, text


def _iter_array(log: LogFile, report: Report) -> Iterator[tuple[int, dict[str, Any], str]]:
    with log.open_text() as handle:
        reader = _ArrayReader(handle)
        ordinal = 0
        while reader.next_value():
            if reader.buf[reader.pos] == "]":
                return
            try:
                value, end = reader.decode()
            except RecursionError:
                # Only this record is lost: its end is found without recursion, the rest goes on.
                line = reader.line_at(reader.pos)
                skipped = reader.skip_value()
                ordinal += 1
                message = f"record {ordinal}: JSON nested too deeply to read; record skipped"
                report(Issue(log.name, line, message))
                if skipped is None:
                    report(Issue(log.name, line, "JSON array is not closed (truncated file?)"))
                    return
                reader.consume(skipped)
                continue
            except json.JSONDecodeError as exc:
                report(Issue(log.name, reader.line_at(exc.pos), f"not valid JSON: {exc.msg}"))
                return
            if isinstance(value, dict):
                ordinal += 1
                yield ordinal, value, reader.buf[reader.pos : end]
            else:
                kind = type(value).__name__
                report(
                    Issue(
                        log.name, reader.line_at(reader.pos), f"expected a JSON object, got {kind}"
                    )
                )
            reader.consume(end)
        message = "JSON array is not closed (truncated file?)"
        report(Issue(log.name, reader.line_at(reader.pos), message))


class _ArrayReader:
    """The values of a JSON array read a chunk at a time: ``buf`` holds the text from the value
    at ``pos`` on, and ``lines_before`` the newlines of what was dropped before it."""

    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle
        self.buf = handle.read(_CHUNK)
        self.eof = len(self.buf) == 0
        self.lines_before = 0
        match = _CONTAINER.match(self.buf)
        self.pos = match.end() if match else self.buf.index("[") + 1
        self.decoder = json.JSONDecoder()

    def line_at(self, index: int) -> int:
        """The line of ``buf[index]`` in the file."""
        return self.lines_before + self.buf.count("\n", 0, index) + 1

    def next_value(self) -> bool:
        """Skip separators to the next value or the closing bracket; ``False`` at the end."""
        while True:
            skipped = _BETWEEN.match(self.buf, self.pos)
            self.pos = skipped.end() if skipped else self.pos
            if self.pos < len(self.buf) or self.eof:
                return self.pos < len(self.buf)
            # Only separators left: drop them before reading on (a file of blanks stays cheap
            # and small in memory).
            self.lines_before += self.buf.count("\n")
            self.buf, self.pos = self.handle.read(_CHUNK), 0
            self.eof = not self.buf

    def decode(self) -> tuple[Any, int]:
        """The value at ``pos`` and where it ends, reading on while it may continue."""
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError:
                if self.eof:
                    raise
                self._read_more()
                continue
            # A number or literal may continue in the next chunk; decode again with more.
            if end == len(self.buf) and not self.eof and self._read_more():
                continue
            return value, end

    def skip_value(self) -> int | None:
        """Where the object or array at ``pos`` ends, found by counting brackets outside
        strings (no recursion, whatever the depth); ``None`` when the file ends first."""
        depth, index = 0, self.pos
        while True:
            for match in _TOKEN.finditer(self.buf, index):
                found = match.group()
                if found == '"':  # a string the chunk cuts short: read on first
                    break
                index = match.end()
                if found in ("[", "{"):
                    depth += 1
                elif found in ("]", "}"):
                    depth -= 1
                    if depth == 0:
                        return index
            else:
                index = len(self.buf)
            offset = index - self.pos
            if not self._read_more():
                return None
            index = self.pos + offset

    def _read_more(self) -> bool:
        """Append the next chunk to the text from ``pos``; ``False`` at the end of the file."""
        more = self.handle.read(_CHUNK)
        self.eof = not more
        if more:
            self.lines_before += self.buf.count("\n", 0, self.pos)
            self.buf = self.buf[self.pos :] + more
            self.pos = 0
        return bool(more)

    def consume(self, end: int) -> None:
        """Move past a value; a long consumed prefix is dropped."""
        self.pos = end
        if self.pos > _CHUNK:
            self.lines_before += self.buf.count("\n", 0, self.pos)
            self.buf = self.buf[self.pos :]
            self.pos = 0


def dig(record: dict[str, Any], *path: str) -> Any:
    """``record[path[0]][path[1]]...`` or ``None`` when any step is missing or not an object."""
    value: Any = record
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def text_or_none(value: Any) -> str | None:
    """A scalar as text; ``None``, empty strings and ``-`` become ``None``."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return None if text in ("", "-") else text


def int_or_none(value: Any) -> int | None:
    """An integer from a number or numeric text; anything else becomes ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None
