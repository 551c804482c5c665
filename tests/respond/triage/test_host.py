"""Reading a --root tree: links never lead outside it, loops end, FIFOs and devices are not
read, access times are not changed."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from labwarden.respond.triage.host import Host, Unreadable


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc/passwd").write_text("root:x:0:0::/root:/bin/sh\n")
    (root / "usr/lib").mkdir(parents=True)
    (root / "usr/lib/os-release").write_text("ID=debian\n")
    return root


def test_absolute_links_stay_inside_the_root(tree: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret"
    outside.write_text("outside the root\n")
    (tree / "etc/os-release").symlink_to("/usr/lib/os-release")
    (tree / "etc/leak").symlink_to(outside)  # absolute: means <root><outside> in the image
    (tree / "etc/up").symlink_to("../../../../../../../../etc/passwd")
    host = Host(tree)
    assert host.read("/etc/os-release") == b"ID=debian\n"
    assert host.resolve("/etc/up") == "/etc/passwd"
    assert host.read("/etc/up") == b"root:x:0:0::/root:/bin/sh\n"
    with pytest.raises(Unreadable, match="no such file"):
        host.read("/etc/leak")


def test_a_link_loop_is_reported(tree: Path) -> None:
    (tree / "etc/a").symlink_to("b")
    (tree / "etc/b").symlink_to("a")
    (tree / "etc/self").symlink_to("self/x")
    host = Host(tree)
    for path in ("/etc/a", "/etc/self"):
        with pytest.raises(Unreadable, match="loop"):
            host.read(path)
    assert list(Host(tree).glob("/etc/*")) == ["/etc/a", "/etc/b", "/etc/passwd", "/etc/self"]


def test_special_files_are_not_read(tree: Path) -> None:
    os.mkfifo(tree / "etc/fifo")
    (tree / "etc/history").symlink_to("/dev/null")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(tree / "etc/sock"))
    host = Host(tree)
    with pytest.raises(Unreadable, match="FIFO"):
        host.read("/etc/fifo")  # would block forever if opened for reading naively
    with pytest.raises(Unreadable, match="socket"):
        host.read("/etc/sock")
    with pytest.raises(Unreadable, match="no such file"):
        host.read("/etc/history")  # /dev/null of the image, which a copied tree lacks
    with pytest.raises(Unreadable, match="folder"):
        host.read("/etc")
    listener.close()


def test_live_devices_are_refused() -> None:
    with pytest.raises(Unreadable, match="character device"):
        Host().read("/dev/zero")


def test_reading_keeps_the_access_time(tree: Path) -> None:
    path = tree / "etc/passwd"
    os.utime(path, (1_000_000_000, 1_000_000_000))
    Host(tree).read("/etc/passwd")
    assert path.stat().st_atime == 1_000_000_000


def test_globs(tree: Path) -> None:
    (tree / "etc/cron.d").mkdir()
    for name in ("e2scrub_all", ".placeholder", "x"):
        (tree / "etc/cron.d" / name).write_text("# x\n")
    (tree / "etc/systemd/system/a.wants").mkdir(parents=True)
    (tree / "etc/systemd/system/a.wants/u.service").write_text("")
    host = Host(tree)
    assert list(host.glob("/etc/cron.d/*")) == ["/etc/cron.d/e2scrub_all", "/etc/cron.d/x"]
    assert list(host.glob("/etc/cron.d/.*")) == ["/etc/cron.d/.placeholder"]
    assert list(host.glob("/etc/systemd/**/*.service")) == ["/etc/systemd/system/a.wants/u.service"]
    assert list(host.glob("/etc/missing/*")) == []
    assert list(host.glob("/etc/passwd")) == ["/etc/passwd"]
    assert list(host.glob("/etc/nothing")) == []
