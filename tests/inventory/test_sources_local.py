"""The local source walks carefully: links, loops, special files and odd names are notes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from labwarden.core.errors import InputError
from labwarden.inventory.collect import _read
from labwarden.inventory.sources.interface import Entry, Note
from labwarden.inventory.sources.local import LocalSource


def walk(root: Path, exclude: tuple[str, ...] = ()) -> tuple[list[Entry], list[Note]]:
    entries: list[Entry] = []
    notes: list[Note] = []
    for item in LocalSource([str(root)], exclude).walk():
        if isinstance(item, Entry):
            entries.append(item)
        else:
            notes.append(item)
    return entries, notes


def reasons(notes: list[Note]) -> dict[str, str]:
    return {n.path.rsplit("/", 1)[-1]: n.reason for n in notes}


def test_links_loops_and_special_files_are_noted(tmp_path: Path) -> None:
    (tmp_path / "real.csv").write_text("a\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "broken").symlink_to(tmp_path / "missing")
    (tmp_path / "inside").symlink_to(tmp_path / "real.csv")
    (tmp_path / "outside").symlink_to("/etc/hostname")
    (tmp_path / "loop_a").symlink_to(tmp_path / "loop_b")
    (tmp_path / "loop_b").symlink_to(tmp_path / "loop_a")
    (tmp_path / "sub" / "up").symlink_to(tmp_path)
    os.mkfifo(tmp_path / "pipe")
    entries, notes = walk(tmp_path)
    assert [e.path for e in entries] == [str(tmp_path / "real.csv")]
    found = reasons(notes)
    assert found["broken"] == "broken symbolic link"
    assert "inside the scanned tree" in found["inside"]
    assert "outside the scanned tree" in found["outside"]
    assert found["loop_a"] == "symbolic link loop"
    assert found["pipe"] == "FIFO (named pipe), not a regular file"
    assert "inside the scanned tree" in found["up"]


def test_device_files_are_skipped(tmp_path: Path) -> None:
    try:
        os.mknod(tmp_path / "null", stat.S_IFCHR | 0o600, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("creating device nodes is not permitted here")
    _, notes = walk(tmp_path)
    assert reasons(notes)["null"] == "character device, not a regular file"


def test_non_utf8_names_are_scanned_with_escapes(tmp_path: Path) -> None:
    raw = os.fsencode(tmp_path) + b"/caf\xe9.csv"
    with open(raw, "wb") as handle:
        handle.write(b"a,b\n1,2\n")
    entries, notes = walk(tmp_path)
    assert [e.path for e in entries] == [str(tmp_path) + "/caf\\xe9.csv"]
    assert notes[0].action == "scanned"
    assert "not valid UTF-8" in notes[0].reason
    record = _read(LocalSource([str(tmp_path)]), entries[0], "sha256")
    assert not isinstance(record, Note)
    assert record.format == "csv"
    assert record.properties["os_path"].encode("utf-8", "surrogateescape") == raw


def test_excluded_folders_are_noted_not_entered(tmp_path: Path) -> None:
    (tmp_path / ".git" / "objects").mkdir(parents=True)
    (tmp_path / ".git" / "HEAD").write_text("ref")
    (tmp_path / "x.py").write_text("")
    entries, notes = walk(tmp_path, (".git", "*.tmp"))
    assert [e.path.rsplit("/", 1)[-1] for e in entries] == ["x.py"]
    assert reasons(notes) == {".git": "folder excluded by policy"}


def test_unlistable_folder_and_unreadable_file_are_notes(tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_text("a\n")
    entries, _ = walk(tmp_path)
    source = LocalSource([str(tmp_path)])
    os.unlink(tmp_path / "data.csv")
    assert _read(source, entries[0], "blake3") == Note(
        entries[0].path, "skipped", "vanished during the scan"
    )
    (tmp_path / "data.csv").mkdir()  # same name, now not a readable file
    note = _read(source, entries[0], "blake3")
    assert isinstance(note, Note)
    assert note.reason.startswith("cannot read")


def test_missing_root_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        LocalSource([str(tmp_path / "nope")])
