"""auditd file reads of decoys: a ``PATH`` record names the file as the process gave it, often
relative to its working directory, and carries no user. The ``CWD`` and ``SYSCALL`` records of
the same event (same host, time and serial) give the directory and who ran what; the path is
resolved against the directory before it is compared with where a decoy was planted.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from typing import Any

from labwarden.engines.interface import Engine
from labwarden.store.trace import Canary

_SAME_EVENT = (
    "{o}.time = p.time "
    "AND coalesce({o}.host, '') = coalesce(p.host, '') "
    "AND json_extract_string({o}.raw, '$.serial') = json_extract_string(p.raw, '$.serial')"
)


def _needles(canaries: Sequence[Canary]) -> list[str]:
    """The last component of every planted path (a relative name of a decoy contains it)."""
    out = set()
    for canary in canaries:
        for match in canary.matches:
            if match.startswith("/") and not match.startswith("/c/"):
                out.add(posixpath.basename(match.rstrip("/")))
    return sorted(n for n in out if n)


def path_events(con: Engine, canaries: Sequence[Canary], wanted: list[str]) -> list[dict[str, Any]]:
    """auditd ``PATH`` events that may name a decoy, with relative names resolved and the user
    and program of their ``SYSCALL`` record filled in."""
    needles = _needles(canaries)
    if not needles:
        return []
    columns = ", ".join(f"p.{c}" for c in wanted if c not in ("actor_user", "process"))
    near = " OR ".join("contains(p.resource_uri, ?)" for _ in needles)
    sql = (
        f"SELECT {columns}, c.cwd, coalesce(p.actor_user, s.actor_user) AS actor_user, "  # noqa: S608
        "coalesce(p.process, s.process) AS process FROM events p "
        "LEFT JOIN (SELECT time, host, raw, json_extract_string(raw, '$.cwd') AS cwd FROM events "
        "WHERE api_service = 'auditd' AND api_operation = 'CWD') c ON "
        + _SAME_EVENT.format(o="c")
        + " LEFT JOIN (SELECT time, host, raw, actor_user, process FROM events "
        "WHERE api_service = 'auditd' AND api_operation = 'SYSCALL') s ON "
        + _SAME_EVENT.format(o="s")
        + f" WHERE p.api_service = 'auditd' AND p.api_operation = 'PATH' AND ({near})"
    )
    rows: list[dict[str, Any]] = con.table(sql, needles).to_pylist()
    out = []
    for row in rows:
        cwd = row.pop("cwd", None)
        name = str(row.get("resource_uri") or "")
        if not name.startswith("/") and not cwd:
            continue
        row["resource_uri"] = posixpath.normpath(posixpath.join(str(cwd or "/"), name))
        out.append(row)
    return out
