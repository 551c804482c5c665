"""What a command line does that an intruder's would: reverse shells, download-and-run,
exfiltration, history tampering. Shared by the rules over cron, units, profiles, histories and
processes, so that the same line is judged the same wherever it is found.

The reverse-shell, download-and-run and history-tampering patterns are data
(``patterns.toml``); uploads need a little parsing (which argument is the destination), so they
are code."""

from __future__ import annotations

import ipaddress
import re
import shlex
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from labwarden.core.events import is_internal

_I = re.IGNORECASE
_NC = r"\b(?:nc|ncat|netcat|nc\.traditional|nc\.openbsd|busybox\s+nc)\b"

Patterns = tuple[tuple[str, re.Pattern[str]], ...]


@cache
def _table(name: str) -> Patterns:
    text = resources.files("labwarden.respond.triage.rules").joinpath("patterns.toml").read_text()
    return tuple(
        (item["name"], re.compile(item["regex"], _I if item.get("ignore_case") else 0))
        for item in tomllib.loads(text)[name]
    )


def _match(table: str, command: str) -> str | None:
    return next((name for name, regex in _table(table) if regex.search(command)), None)


def reverse_shell(command: str) -> str | None:
    """What kind of reverse shell ``command`` opens, if it opens one."""
    return _match("reverse_shell", command)


def download_exec(command: str) -> str | None:
    """How ``command`` fetches or decodes code and runs it, or runs it from a temp folder."""
    return _match("download_exec", command)


def history_tampering(command: str) -> str | None:
    """How ``command`` erases or stops a history or login record."""
    return _match("history_tampering", command)


def suspicious(command: str) -> str | None:
    """A reverse shell or download-and-run in a line that runs by itself (cron, unit, profile)."""
    return reverse_shell(command) or download_exec(command)


@dataclass(frozen=True, slots=True)
class Exfil:
    """An upload: the tool, where to, and how sure we are the destination is outside."""

    tool: str
    destination: str
    outside: bool | None
    """``True``: a public address or a cloud store; ``False``: an internal address; ``None``:
    a host name (not resolved)."""


_ARCHIVERS = re.compile(r"\b(?:tar|zip|7z|7za|rar|gzip|pigz|zstd|xz|bzip2)\b")
_UPLOAD_CURL = re.compile(
    r"\bcurl\b.*(?:\s-T\s*\S|--upload-file|\s-F\s*['\"]?[\w-]+=@|--form\s+['\"]?[\w-]+=@|"
    r"--data(?:-binary|-raw|-urlencode)?\s+['\"]?@|\s-d\s*['\"]?@)",
    _I,
)
_UPLOAD_WGET = re.compile(r"\bwget\b.*--(?:post|body)-file", _I)
_NC_SEND = re.compile(
    _NC + r"\s+(?:-\S+\s+)*(\S+)\s+\d+\s*<\s*\S+|\|\s*" + _NC + r"\s+(?:-\S+\s+)*(\S+)\s+\d+", _I
)
_SHARES = re.compile(
    r"\b(?:transfer\.sh|file\.io|0x0\.st|bashupload\.com|temp\.sh|oshi\.at|anonfiles|"
    r"gofile\.io|pastebin\.com|paste\.ee|mega-put|megaput|dropbox_uploader|gdrive\s+upload)\b",
    _I,
)
_CLOUD = (
    ("aws s3", re.compile(r"\baws\s+s3\s+(?:cp|sync|mv)\b"), "s3://"),
    ("aws s3api", re.compile(r"\baws\s+s3api\s+(?:put-object|upload-part)\b"), ""),
    ("s3cmd", re.compile(r"\bs3cmd\s+(?:put|sync|mv|cp)\b"), "s3://"),
    ("gsutil", re.compile(r"\bgsutil\s+(?:-m\s+)?(?:cp|rsync|mv)\b"), "gs://"),
    ("gcloud storage", re.compile(r"\bgcloud\s+storage\s+(?:cp|rsync|mv)\b"), "gs://"),
    ("azcopy", re.compile(r"\bazcopy\s+(?:copy|cp|sync)\b"), "https://"),
    ("az storage", re.compile(r"\baz\s+storage\s+blob\s+(?:upload|upload-batch|sync)\b"), ""),
    ("minio mc", re.compile(r"\bmc\s+(?:cp|mirror|mv)\b"), ""),
)


def _host_outside(host: str) -> bool | None:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    return not is_internal(address)


def _words(command: str) -> list[str]:
    try:
        return shlex.split(command, comments=False)
    except ValueError:
        return command.split()


def _remote_target(command: str, tool: str) -> Exfil | None:
    """scp/rsync/sftp: the last argument names a remote ``[user@]host:path``."""
    words = [w for w in _words(command) if not w.startswith("-")]
    if tool not in words:
        return None
    after = words[words.index(tool) + 1 :]
    if len(after) < 2:
        return None
    target, sources = after[-1], after[:-1]
    remote = re.match(r"^(?:[^@/\s]+@)?(\[[^\]]+\]|[^:/\s]+):", target)
    if remote is None or any(re.match(r"^(?:[^@/\s]+@)?[^:/\s]+:", s) for s in sources):
        return None
    host = remote[1]
    return Exfil(tool, target, _host_outside(host))


def _cloud(command: str) -> Exfil | None:
    for tool, regex, scheme in _CLOUD:
        if not regex.search(command):
            continue
        words = [w for w in _words(command) if not w.startswith("-")]
        remote = [w for w in words if "://" in w or (scheme == "" and ":" in w)]
        if scheme and (not words or not words[-1].startswith(scheme)):
            continue  # a download (the cloud store is the source)
        return Exfil(tool, remote[-1] if remote else "(cloud store)", True)
    return None


def exfiltration(command: str) -> Exfil | None:
    """An upload out of the host in ``command``, if there is one."""
    for tool in ("scp", "rsync", "sftp"):
        if re.search(rf"\b{tool}\b", command):
            found = _remote_target(command, tool)
            if found:
                return found
    rclone = re.search(r"\brclone\s+(copy|sync|move|copyto|moveto|rcat)\b\s+(.*)", command)
    if rclone:
        words = _words(rclone[2])
        target = next((w for w in reversed(words) if ":" in w and not w.startswith("-")), "")
        if target:
            return Exfil("rclone", target, True)
    found = _cloud(command)
    if found:
        return found
    share = _SHARES.search(command)
    if _UPLOAD_CURL.search(command) or _UPLOAD_WGET.search(command):
        url = re.search(r"(https?|ftps?)://([^/\s'\"]+)\S*", command)
        host = url[2].split("@")[-1].split(":")[0] if url else ""
        outside = True if share else _host_outside(host) if host else None
        return Exfil("curl" if "curl" in command else "wget", url[0] if url else "?", outside)
    if share:
        return Exfil(share[0], share[0], True)
    netcat = _NC_SEND.search(command)
    if netcat:
        host = netcat[1] or netcat[2] or ""
        return Exfil("netcat", host, _host_outside(host))
    return None


def archive_names(command: str) -> list[str]:
    """Archives ``command`` writes (``tar czf out.tgz``, ``zip -r out.zip``, ``7z a out.7z``)."""
    if not _ARCHIVERS.search(command):
        return []
    suffix = re.compile(r"\.(?:tar|tgz|tbz2?|txz|zip|7z|rar|gz|zst|xz|bz2)$")
    return [
        word
        for word in _words(command)
        if suffix.search(word) and not word.startswith("-") and "@" not in word and "=" not in word
    ]


def piped_archive_upload(command: str) -> bool:
    """An archive streamed straight into an uploader (``tar c /data | curl -T - ...``)."""
    if "|" not in command:
        return False
    head, _, tail = command.partition("|")
    return bool(_ARCHIVERS.search(head)) and (
        exfiltration(tail) is not None or bool(re.search(r"\b(?:ssh|nc|ncat|netcat|socat)\b", tail))
    )
