"""atomic_write and friends: complete or not at all, also when the writer is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from labwarden.core.errors import WorkspaceError
from labwarden.store.atomic import (
    atomic_folder,
    atomic_path,
    atomic_text,
    atomic_write,
    remove_stale_temporaries,
)


def test_atomic_write_replaces_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "file.json"
    atomic_write(target, "one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["file.json"]


def test_mode_is_set_from_creation(tmp_path: Path) -> None:
    target = tmp_path / "key.pem"
    atomic_write(target, b"secret", mode=0o600)
    assert target.stat().st_mode & 0o777 == 0o600


def test_exception_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "state.txt"
    atomic_write(target, "old")
    with pytest.raises(RuntimeError), atomic_text(target) as out:
        out.write("half of the new")
        raise RuntimeError("writer failed")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.txt"]


def test_unwritable_folder_is_a_workspace_error_naming_the_file(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(WorkspaceError, match="not-a-folder"):
        atomic_write(blocker / "file", "data")


def test_atomic_path_for_path_writers(tmp_path: Path) -> None:
    target = tmp_path / "table.bin"
    with atomic_path(target) as tmp:
        tmp.write_bytes(b"\x00" * 10)
        assert not target.exists()
    assert target.read_bytes() == b"\x00" * 10


def test_atomic_folder_replaces_a_whole_folder(tmp_path: Path) -> None:
    target = tmp_path / "bundle"
    with atomic_folder(target) as staging:
        (staging / "a").write_text("1")
    with atomic_folder(target) as staging:
        (staging / "b").write_text("2")
    assert sorted(p.name for p in target.iterdir()) == ["b"]
    with pytest.raises(RuntimeError), atomic_folder(target) as staging:
        (staging / "c").write_text("3")
        raise RuntimeError("stop")
    assert sorted(p.name for p in target.iterdir()) == ["b"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle"]


_WRITER = """
import sys
from pathlib import Path
from labwarden.store.atomic import atomic_write
target = Path(sys.argv[1])
i = 0
print("ready", flush=True)
while True:
    i += 1
    atomic_write(target, (str(i % 10) * 4_000_000).encode())
"""


@pytest.mark.slow
def test_a_killed_writer_never_leaves_half_a_file(tmp_path: Path) -> None:
    target = tmp_path / "big.bin"
    atomic_write(target, b"0" * 4_000_000)
    for delay in (0.05, 0.13, 0.21, 0.34):
        proc = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(target)], stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        data = target.read_bytes()
        assert len(data) == 4_000_000
        assert data == data[:1] * 4_000_000
    remove_stale_temporaries(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["big.bin"]
