"""Linux audit logs (``/var/log/audit/audit.log``): one event per record (SYSCALL, EXECVE,
PATH, USER_LOGIN ...), the way SigmaHQ's auditd rules match them.

Hex-encoded values (arguments or paths with spaces, ``proctitle``) are decoded; the enriched
format's ``\\x1d``-separated interpretations are kept as ``<field>_text``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from labwarden.core.events import Event, EventClass
from labwarden.watch.parsers.base import LineParser, RecordError, raw_json

_HEAD = re.compile(
    r"^(?:node=(?P<node>\S+) )?type=(?P<type>\S+) "
    r"msg=audit\((?P<sec>\d+)\.(?P<ms>\d+):(?P<serial>\d+)\):\s?"
)
_FIELD = re.compile(r"""(\w[\w-]*)=("(?:[^"]*)"|'[^']*'|\S*)""")
_HEX = re.compile(r"^(?:[0-9A-F]{2})+$")
_SNIFF = re.compile(r"^(?:node=\S+ )?type=\w+ msg=audit\(\d+\.\d+:\d+\)", re.M)
_HEX_FIELDS = re.compile(r"^(proctitle|name|cmd|data|cwd|exe|comm|path)$")
_ARG = re.compile(r"^a\d+$")
_LOGON_TYPES = {"USER_LOGIN", "USER_AUTH", "USER_START", "USER_END", "CRED_ACQ", "USER_LOGOUT"}


def _decode(field: str, value: str, execve: bool = False) -> str:
    if value.startswith('"') and value.endswith('"') and len(value) >= 2:
        return value[1:-1]
    if value.startswith("'") and value.endswith("'") and len(value) >= 2:
        return value[1:-1]
    hexable = _HEX_FIELDS.match(field) or (execve and _ARG.match(field))
    if hexable and len(value) >= 2 and _HEX.match(value):
        try:
            return bytes.fromhex(value).replace(b"\x00", b" ").decode("utf-8", "replace")
        except ValueError:
            return value
    return value


def parse_fields(text: str, execve: bool = False) -> dict[str, str]:
    """``key=value`` pairs of an audit record (the part after ``msg=audit(...):``).

    Unquoted arguments ``aN`` are hex only in EXECVE records (``execve``); elsewhere they are
    register values.
    """
    enriched = ""
    if "\x1d" in text:
        text, enriched = text.split("\x1d", 1)
    fields: dict[str, str] = {}
    for key, value in _FIELD.findall(text):
        if key == "msg" and value.startswith("'"):
            fields.update(parse_fields(value[1:-1]))
            continue
        fields[key] = _decode(key, value, execve)
    for key, value in _FIELD.findall(enriched):
        fields[f"{key.lower()}_text"] = _decode(key, value)
    return fields


class AuditdParser(LineParser):
    """auditd records."""

    name = "auditd"
    description = "Linux auditd logs"

    def sniff(self, sample: str) -> bool:
        """``type=X msg=audit(seconds.millis:serial)``."""
        return bool(_SNIFF.search(sample))

    def parse_line(self, line: str, context: Any) -> Event | None:
        """One audit record."""
        head = _HEAD.match(line)
        if not head:
            raise RecordError("not an audit record (expected 'type=... msg=audit(...)')")
        kind = head["type"]
        fields = parse_fields(line[head.end() :], kind == "EXECVE")
        record: dict[str, Any] = {"type": kind, "serial": int(head["serial"]), **fields}
        if head["node"]:
            record["node"] = head["node"]
        when = datetime.fromtimestamp(int(head["sec"]) + int(head["ms"]) / 1000, UTC)
        success = fields.get("success") or fields.get("res")
        status = None
        if success is not None:
            status = "success" if success in ("yes", "success", "1") else "failure"
        event: Event = {
            "time": when,
            "class_uid": int(EventClass.PROCESS_ACTIVITY),
            "activity": "other",
            "actor_user": fields.get("auid_text") or fields.get("acct") or fields.get("auid"),
            "actor_uid": fields.get("auid"),
            "src_ip": fields.get("addr") if fields.get("addr") not in (None, "?") else None,
            "api_service": "auditd",
            "api_operation": kind,
            "host": head["node"] or fields.get("hostname"),
            "process": fields.get("exe") or fields.get("comm"),
            "status": status,
            "status_code": fields.get("exit"),
        }
        if kind == "EXECVE":
            argc = int(fields.get("argc", "0") or 0) if fields.get("argc", "").isdigit() else 0
            event["activity"] = "execute"
            event["command"] = " ".join(fields.get(f"a{i}", "") for i in range(argc)).strip()
        elif kind == "PROCTITLE":
            event["command"] = fields.get("proctitle")
        elif kind == "PATH":
            event["class_uid"] = int(EventClass.FILE_ACTIVITY)
            event["resource_type"] = "path"
            event["resource_uri"] = fields.get("name")
        elif kind in _LOGON_TYPES:
            event["class_uid"] = int(EventClass.AUTHENTICATION)
            event["activity"] = "logoff" if kind in ("USER_END", "USER_LOGOUT") else "logon"
        event["raw"] = raw_json(record)
        return event
