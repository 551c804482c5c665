"""The ``walk`` collector: one pass over the file system for three artifacts.

- ``walk/bodyfile.txt``: every entry modified or changed within ``--since``, in the mactime
  bodyfile format that Sleuth Kit's ``mactime`` and Plaso read
  (``MD5|name|inode|mode|UID|GID|size|atime|mtime|ctime|crtime``; ``|`` and line ends in names
  are written ``%7C`` and ``%0A``, the MD5 and birth time as 0);
- ``walk/setuid.tsv``: every set-uid or set-gid file, with what the package database says;
- ``walk/temp-folders.txt``: everything in /tmp, /var/tmp and /dev/shm, whose small files are
  copied too (their first bytes tell an ELF executable or a script).

Links are never followed. On a running host the pseudo file systems (/proc, /sys, /dev) and
network file systems (NFS, SMB, Lustre, GPFS, FUSE mounts: petabytes of datasets) are left out
and named in the log; under ``--root`` the whole tree is walked.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections import Counter
from pathlib import Path
from typing import IO

from labwarden.respond.triage.artifacts import Artifact
from labwarden.respond.triage.context import Context
from labwarden.respond.triage.host import Unreadable, reason_of
from labwarden.respond.triage.model import FileInfo

TEMP = ("/tmp", "/var/tmp", "/dev/shm")
PSEUDO = {
    "proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "securityfs", "debugfs",
    "tracefs", "pstore", "bpf", "configfs", "fusectl", "mqueue", "hugetlbfs", "binfmt_misc",
    "autofs", "efivarfs", "rpc_pipefs", "nsfs", "selinuxfs", "overlay", "squashfs", "ramfs",
}  # fmt: skip
NETWORK = {
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "ceph", "glusterfs", "lustre", "gpfs", "beegfs",
    "afs", "9p", "virtiofs", "davfs", "ncpfs", "ocfs2", "gfs2", "orangefs", "pvfs2",
}  # fmt: skip
COPY_LIMIT = 10 << 20
"""Programs, scripts and hidden files in temporary folders up to this size are copied (UAC
copies every file up to 10 MB; other recent files are copied up to :data:`COPY_RECENT`)."""
COPY_RECENT = 1 << 20
COPY_TOTAL = 64 << 20
TEMP_LISTED = 200_000


def _escape(name: str) -> str:
    return name.replace("%", "%25").replace("|", "%7C").replace("\n", "%0A").replace("\r", "%0D")


def bodyfile_line(path: str, info: os.stat_result, link: str | None = None) -> str:
    """One mactime bodyfile line."""
    name = _escape(path) + (f" -> {_escape(link)}" if link else "")
    return (
        f"0|{name}|{info.st_ino}|{stat.filemode(info.st_mode)}|{info.st_uid}|{info.st_gid}|"
        f"{info.st_size}|{int(info.st_atime)}|{int(info.st_mtime)}|{int(info.st_ctime)}|0\n"
    )


def mount_plan(mountinfo: str) -> tuple[list[str], list[tuple[str, str]]]:
    """From /proc/self/mountinfo: mount points to leave out, and why (point, file system)."""
    skip: list[str] = []
    reasons: list[tuple[str, str]] = []
    for line in mountinfo.splitlines():
        left, sep, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if not sep or len(fields) < 5 or not tail:
            continue
        point = fields[4].replace("\\040", " ")
        fstype = tail[0]
        base = fstype.split(".", 1)[0]
        if point in ("/", "/dev/shm"):
            continue
        if fstype in PSEUDO or fstype in NETWORK or base == "fuse":
            skip.append(point)
            if fstype in NETWORK or base == "fuse":
                reasons.append((point, fstype))
    return skip, reasons


class Walker:
    """One walk, writing its three listings as it goes."""

    def __init__(self, ctx: Context, artifact: Artifact, body: IO[str]) -> None:
        self.ctx = ctx
        self.artifact = artifact
        self.body = body
        self.since = ctx.since.timestamp()
        self.setuid_lines: list[str] = []
        self.temp_lines: list[str] = []
        self.copied = 0
        self.full = False
        self.errors: Counter[str] = Counter()
        self.first_errors: list[str] = []
        self.entries = 0
        self.skip_real: set[str] = {str(p) for p in ctx.skip}
        self.skip_host: set[str] = set()

    def run(self, host_root: str) -> None:
        """Walk from a host folder, depth first, without following links (each folder's
        entries by name, so that two walks of one tree list it alike)."""
        stack = [host_root]
        root = str(self.ctx.host.root).rstrip("/")
        while stack:
            folder = stack.pop()
            real = root + folder if folder != "/" else (root or "/")
            try:
                with os.scandir(real) as entries:
                    children = sorted(entries, key=lambda e: e.name)
            except OSError as exc:
                self._error(folder, exc)
                continue
            for child in children:
                host_path = (
                    (folder.rstrip("/") + "/" + child.name) if folder != "/" else "/" + child.name
                )
                if host_path in self.skip_host or child.path in self.skip_real:
                    continue
                if self._visit(child, host_path):
                    stack.append(host_path)

    def _error(self, where: str, exc: OSError | Unreadable) -> None:
        """Count a problem (a walk of a whole disk meets thousands: one note per reason)."""
        reason = exc.reason if isinstance(exc, Unreadable) else reason_of(exc)
        self.errors[reason] += 1
        if len(self.first_errors) < 50:
            self.first_errors.append(f"{where}: {reason}")

    def _visit(self, child: os.DirEntry[str], path: str) -> bool:
        """Record one entry; ``True`` when it is a folder to descend into."""
        try:
            info = child.stat(follow_symlinks=False)
        except OSError as exc:
            self._error(path, exc)
            return False
        self.entries += 1
        mode = info.st_mode
        if info.st_mtime >= self.since or info.st_ctime >= self.since:
            link = _link(child) if stat.S_ISLNK(mode) else None
            self.body.write(bodyfile_line(path, info, link))
            self.ctx.collected.recent_files += 1
        if stat.S_ISREG(mode) and mode & (stat.S_ISUID | stat.S_ISGID):
            self._setuid(path, info)
        if path.startswith(TEMP) and _below(path, TEMP):
            self._temp(path, info)
        return stat.S_ISDIR(mode)

    def _setuid(self, path: str, info: os.stat_result) -> None:
        data: bytes | None = None
        if self.ctx.packages.available:
            try:
                data = self.ctx.host.read(path, 256 << 20)
            except Unreadable as exc:
                self._error(path, exc)
        verdict = self.ctx.packages.verdict(path, data)
        digest = hashlib.sha256(data).hexdigest() if data is not None else "-"
        self.setuid_lines.append(
            f"{stat.filemode(info.st_mode)}\t{info.st_uid}\t{info.st_gid}\t{info.st_size}\t"
            f"{int(info.st_mtime)}\t{int(info.st_ctime)}\t{verdict}\t{digest}\t{_escape(path)}\n"
        )
        self.ctx.collected.setuid.append(
            FileInfo(path, info.st_mode, info.st_uid, info.st_gid, info.st_size,
                     info.st_mtime, info.st_ctime, verdict=verdict)
        )  # fmt: skip

    def _temp(self, path: str, info: os.stat_result) -> None:
        if len(self.temp_lines) >= TEMP_LISTED:
            return
        self.temp_lines.append(
            f"{stat.filemode(info.st_mode)}\t{info.st_uid}\t{info.st_gid}\t{info.st_size}\t"
            f"{int(info.st_mtime)}\t{_escape(path)}\n"
        )
        if not stat.S_ISREG(info.st_mode):
            return
        magic = None
        try:
            head = self.ctx.host.read(path, 4)
            magic = "elf" if head == b"\x7fELF" else "script" if head[:2] == b"#!" else None
            if self._worth_copying(path, info, magic):
                _, size, fresh = self.ctx.evidence.copy(
                    self.ctx.host, path, self.artifact.name, COPY_LIMIT
                )
                if fresh:
                    self.copied += size
                    self.ctx.log.counted(self.artifact.name)
        except Unreadable as exc:
            self._error(path, exc)
        self.ctx.collected.temp_files.append(
            FileInfo(path, info.st_mode, info.st_uid, info.st_gid, info.st_size,
                     info.st_mtime, info.st_ctime, magic=magic)
        )  # fmt: skip

    def _worth_copying(self, path: str, info: os.stat_result, magic: str | None) -> bool:
        if self.copied + info.st_size > COPY_TOTAL:
            if not self.full:
                self.full = True
                self.ctx.log.note(
                    "/tmp, /var/tmp, /dev/shm",
                    f"copies stopped at {COPY_TOTAL} bytes (the rest is listed)",
                    "truncated",
                    self.artifact.name,
                )
            return False
        hidden = "/." in path
        if (magic is not None or hidden) and info.st_size <= COPY_LIMIT:
            return True
        return info.st_size <= COPY_RECENT and info.st_mtime >= self.since


def _link(child: os.DirEntry[str]) -> str | None:
    try:
        return str(Path(child.path).readlink())
    except OSError:
        return None


def _below(path: str, folders: tuple[str, ...]) -> bool:
    return any(path == f or path.startswith(f + "/") for f in folders)


def _plan(ctx: Context, artifact: Artifact, walker: Walker) -> list[str]:
    if not ctx.host.live:
        return ["/"]
    try:
        mountinfo = ctx.host.read("/proc/self/mountinfo").decode("utf-8", "replace")
    except Unreadable as exc:
        ctx.unreadable(exc, artifact.name)
        mountinfo = ""
    skip, reasons = mount_plan(mountinfo)
    walker.skip_host.update(skip)
    walker.skip_host.update(("/proc", "/sys", "/dev"))
    for point, fstype in reasons:
        ctx.log.note(point, f"a {fstype} file system: not walked", "skipped", artifact.name)
    return ["/", "/dev/shm"]


def collect_walk(ctx: Context, artifact: Artifact) -> None:
    """Walk the host once and archive the bodyfile, set-uid list and temp-folder listing."""
    rel, staged = ctx.evidence.reserve("walk/bodyfile.txt")
    with staged.open("w", encoding="utf-8", errors="surrogateescape", newline="\n") as body:
        walker = Walker(ctx, artifact, body)
        for start in _plan(ctx, artifact, walker):
            try:
                resolved = ctx.host.resolve(start)
            except Unreadable as exc:
                ctx.unreadable(exc, artifact.name, missing_ok=True)
                continue
            walker.run(resolved)
    ctx.evidence.register(rel, artifact.name, "file system walk")
    ctx.log.counted(artifact.name)
    _listing(ctx, artifact, "walk/setuid.tsv", walker.setuid_lines,
             "mode\tuid\tgid\tsize\tmtime\tctime\tpackage\tsha256\tpath\n")  # fmt: skip
    _listing(ctx, artifact, "walk/temp-folders.txt", walker.temp_lines,
             "mode\tuid\tgid\tsize\tmtime\tpath\n")  # fmt: skip
    _notes(ctx, artifact, walker)


def _listing(ctx: Context, artifact: Artifact, rel: str, lines: list[str], header: str) -> None:
    data = (header + "".join(lines)).encode("utf-8", "surrogateescape")
    ctx.evidence.add(rel, data, artifact.name, "file system walk")
    ctx.log.counted(artifact.name)


def _notes(ctx: Context, artifact: Artifact, walker: Walker) -> None:
    for reason, count in walker.errors.items():
        examples = [e for e in walker.first_errors if e.endswith(reason)][:5]
        ctx.log.note(
            "; ".join(examples),
            f"{count} entries not walked or read: {reason}",
            "unreadable",
            artifact.name,
        )
    if len(walker.temp_lines) >= TEMP_LISTED:
        ctx.log.note("/tmp, /var/tmp, /dev/shm", f"listing cut at {TEMP_LISTED} entries",
                     "truncated", artifact.name)  # fmt: skip
    ctx.collected.facts["walked_entries"] = walker.entries
