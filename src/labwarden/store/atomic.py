"""The one way labwarden writes a file: complete or not at all.

Every write goes to a temporary file beside its target, is flushed and fsynced, renamed over the
target, and the folder is fsynced so that the rename itself survives a power cut. A process killed
at any point leaves either the old file or the new one, never half of either; a temporary file it
leaves behind starts with ``.`` and ends with ``.tmp``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TextIO

from labwarden.core.errors import WorkspaceError


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new entry in ``folder`` durable (a no-op where folders cannot be
    opened, as on some network file systems)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _temporary_name(path: Path, staging: Path | None) -> Path:
    # Threads and processes may write beside the same target at once: both are in the name.
    name = f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp"
    if staging is None:
        return path.with_name(name)
    return staging / f"{path.parent.parent.name}.{path.parent.name}.{name[1:]}"


@contextmanager
def atomic_path(
    path: Path, *, mode: int | None = None, staging: Path | None = None
) -> Iterator[Path]:
    """A temporary path for the caller to write; renamed over ``path`` when the block ends.

    Use it for writers that want a path (``pyarrow.parquet.write_table``). ``mode`` sets the
    permissions the file has from its creation (``0o600`` for private keys). The temporary file
    is beside ``path`` unless ``staging`` names a folder on the same file system for it (the
    lake keeps its files being written out of the folders readers glob). On any exception the
    temporary file is removed and ``path`` is untouched; an :class:`OSError` becomes a
    :class:`WorkspaceError` naming ``path``.
    """
    tmp = _temporary_name(path, staging)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.parent.mkdir(parents=True, exist_ok=True)
        if mode is not None:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode))
            tmp.chmod(mode)  # the umask may have narrowed it
        yield tmp
        with tmp.open("rb+") as handle:
            os.fsync(handle.fileno())
        tmp.replace(path)
        fsync_dir(path.parent)
    except OSError as exc:
        _discard(tmp)
        raise WorkspaceError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    except BaseException:
        _discard(tmp)
        raise


def _discard(tmp: Path) -> None:
    with contextlib.suppress(OSError):
        tmp.unlink(missing_ok=True)


@contextmanager
def atomic_binary(path: Path, *, mode: int | None = None) -> Iterator[BinaryIO]:
    """A binary file handle whose content replaces ``path`` atomically when the block ends."""
    with atomic_path(path, mode=mode) as tmp, tmp.open("wb") as handle:
        yield handle


@contextmanager
def atomic_text(
    path: Path, *, mode: int | None = None, encoding: str = "utf-8"
) -> Iterator[TextIO]:
    """A text file handle whose content replaces ``path`` atomically when the block ends."""
    with atomic_path(path, mode=mode) as tmp, tmp.open("w", encoding=encoding, newline="") as out:
        yield out


def atomic_write(
    path: Path, data: bytes | str, *, mode: int | None = None, encoding: str = "utf-8"
) -> None:
    """Write ``data`` to ``path`` completely or not at all (see the module docstring)."""
    payload = data.encode(encoding) if isinstance(data, str) else data
    with atomic_binary(path, mode=mode) as handle:
        handle.write(payload)


@contextmanager
def atomic_folder(path: Path) -> Iterator[Path]:
    """A temporary folder for the caller to fill; it replaces ``path`` when the block ends.

    An existing ``path`` is moved aside first and removed only after the new folder is in place,
    so a kill leaves the old folder, the new one, or the old one beside a ``.old`` copy that the
    next call removes; never a half-filled ``path``.
    """
    staging = Path(
        tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=_existing(path.parent))
    )
    aside = path.with_name(f".{path.name}.old")
    try:
        yield staging
        for entry in staging.rglob("*"):
            if entry.is_file() and not entry.is_symlink():
                with entry.open("rb") as handle:
                    os.fsync(handle.fileno())
        if aside.exists():
            shutil.rmtree(aside)
        if path.exists():
            path.replace(aside)
        staging.replace(path)
        fsync_dir(path.parent)
        shutil.rmtree(aside, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise WorkspaceError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _existing(folder: Path) -> Path:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WorkspaceError(f"{folder}: cannot create: {exc.strerror or exc}") from exc
    return folder


def remove_stale_temporaries(folder: Path) -> int:
    """Delete temporary files a killed writer left in ``folder``; return how many."""
    removed = 0
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            if entry.name.startswith(".") and entry.name.endswith(".tmp") and entry.is_file():
                with contextlib.suppress(OSError):
                    entry.unlink()
                    removed += 1
    return removed


__all__ = [
    "atomic_binary",
    "atomic_folder",
    "atomic_path",
    "atomic_text",
    "atomic_write",
    "fsync_dir",
    "remove_stale_temporaries",
]
