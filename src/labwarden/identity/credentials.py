"""The IAM credential report (``aws iam get-credential-report``, CSV) and its findings:
root access keys, users without MFA, access keys older than 90 days, unused keys and users."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from labwarden.core.errors import InputError
from labwarden.core.finding import Finding, Location
from labwarden.core.values import Severity

KEY_AGE = timedelta(days=90)
UNUSED = timedelta(days=90)
_MAX = 64 * 1024 * 1024
_REQUIRED = {"user", "arn", "password_enabled", "mfa_active", "access_key_1_active"}


@dataclass(frozen=True, slots=True)
class _Row:
    path: str
    line: int
    values: dict[str, str]

    def when(self, key: str) -> datetime | None:
        text = self.values.get(key, "")
        if not text or text in {"N/A", "no_information", "not_supported"}:
            return None
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None

    def flag(self, key: str) -> bool:
        return self.values.get(key, "").lower() == "true"

    def finding(self, rule: str, severity: Severity, message: str, fix: str) -> Finding:
        user = self.values.get("user", "?")
        return Finding(
            "iam",
            rule,
            severity,
            Location(self.path, member=user, line=self.line),
            message,
            fix,
            {"arn": self.values.get("arn", "")},
        )


def read_report(path: Path) -> list[_Row]:
    """The rows of a credential report file."""
    try:
        if path.stat().st_size > _MAX:
            raise InputError(f"{path}: larger than {_MAX >> 20} MiB for a credential report")
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = _REQUIRED - set(reader.fieldnames or ())
    if missing:
        raise InputError(
            f"{path}: not a credential report (no column {', '.join(sorted(missing))})"
        )
    return [_Row(str(path), i + 2, dict(row)) for i, row in enumerate(reader)]


def login_profiles(path: Path) -> dict[str, bool]:
    """User ARN -> whether the user has a console password (the root account left out)."""
    return {
        row.values["arn"]: row.flag("password_enabled")
        for row in read_report(path)
        if row.values.get("user") != "<root_account>" and row.values.get("arn")
    }


def credential_findings(path: Path, now: datetime | None = None) -> list[Finding]:
    """The findings of a credential report, as of ``now`` (default: the current time)."""
    now = now or datetime.now(UTC)
    found = []
    for row in read_report(path):
        found += list(_row_findings(row, now))
    return found


def _row_findings(row: _Row, now: datetime) -> Iterator[Finding]:
    if row.values.get("user") == "<root_account>":
        yield from _root(row)
        return
    if row.flag("password_enabled") and not row.flag("mfa_active"):
        yield row.finding(
            "no-mfa",
            Severity.HIGH,
            "console password without MFA",
            "Enforce MFA for console users, or remove the password.",
        )
    for n in (1, 2):
        yield from _key(row, n, now)
    yield from _unused_user(row, now)


def _root(row: _Row) -> Iterator[Finding]:
    for n in (1, 2):
        if row.flag(f"access_key_{n}_active"):
            yield row.finding(
                "root-access-key",
                Severity.CRITICAL,
                f"the root user has active access key {n}",
                "Delete the root user's access keys; use roles.",
            )
    if not row.flag("mfa_active"):
        yield row.finding(
            "root-no-mfa",
            Severity.CRITICAL,
            "the root user has no MFA",
            "Enable a hardware MFA device on the root user.",
        )


def _key(row: _Row, n: int, now: datetime) -> Iterator[Finding]:
    if not row.flag(f"access_key_{n}_active"):
        return
    rotated = row.when(f"access_key_{n}_last_rotated")
    if rotated is not None and now - rotated > KEY_AGE:
        days = (now - rotated).days
        yield row.finding(
            "old-access-key",
            Severity.MEDIUM,
            f"access key {n} is {days} days old",
            "Rotate access keys at least every 90 days, or move to roles.",
        )
    used = row.when(f"access_key_{n}_last_used_date")
    if used is None or now - used > UNUSED:
        since = "never used" if used is None else f"unused for {(now - used).days} days"
        yield row.finding(
            "unused-access-key",
            Severity.LOW,
            f"access key {n} is active but {since}",
            "Deactivate and delete access keys that are not used.",
        )


def _unused_user(row: _Row, now: datetime) -> Iterator[Finding]:
    dates = [
        row.when(k)
        for k in (
            "password_last_used",
            "access_key_1_last_used_date",
            "access_key_2_last_used_date",
        )
    ]
    used = [d for d in dates if d is not None]
    created = row.when("user_creation_time")
    if used and max(used) > now - UNUSED:
        return
    if created is not None and now - created <= UNUSED:
        return
    yield row.finding(
        "unused-user",
        Severity.LOW,
        "the user has not signed in or used a key for 90 days",
        "Remove users that nobody uses.",
    )
