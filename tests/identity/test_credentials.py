from datetime import UTC, datetime
from pathlib import Path

import pytest

from labwarden.core.errors import InputError
from labwarden.identity.credentials import credential_findings

HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,mfa_active,"
    "access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date"
)
NOW = datetime(2026, 12, 5, tzinfo=UTC)


def report(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "credential-report.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    return path


def rules(tmp_path: Path, *rows: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for f in credential_findings(report(tmp_path, *rows), now=NOW):
        found.setdefault(f.location.member or "", set()).add(f.rule)
    return found


def test_root_keys_and_mfa(tmp_path: Path) -> None:
    root = ",".join(
        [
            "<root_account>",
            "arn:aws:iam::1:root",
            "2020-01-01T00:00:00+00:00",
            "not_supported",
            "2026-12-01T00:00:00+00:00",
            "false",
            "true",
            "2020-01-01T00:00:00+00:00",
            "2026-12-01T00:00:00+00:00",
            "false",
            "N/A",
            "N/A",
        ]
    )
    assert rules(tmp_path, root) == {"<root_account>": {"root-access-key", "root-no-mfa"}}


def test_old_unused_keys_no_mfa_and_unused_users(tmp_path: Path) -> None:
    old = ",".join(
        [
            "old",
            "arn:aws:iam::1:user/old",
            "2024-01-01T00:00:00+00:00",
            "true",
            "2026-12-01T00:00:00+00:00",
            "false",
            "true",
            "2025-01-01T00:00:00+00:00",
            "2026-12-04T00:00:00+00:00",
            "true",
            "2026-11-01T00:00:00+00:00",
            "N/A",
        ]
    )
    idle = ",".join(
        [
            "idle",
            "arn:aws:iam::1:user/idle",
            "2024-01-01T00:00:00+00:00",
            "false",
            "N/A",
            "false",
            "false",
            "N/A",
            "N/A",
            "false",
            "N/A",
            "N/A",
        ]
    )
    fresh = ",".join(
        [
            "fresh",
            "arn:aws:iam::1:user/fresh",
            "2026-12-01T00:00:00+00:00",
            "true",
            "2026-12-02T00:00:00+00:00",
            "true",
            "true",
            "2026-12-01T00:00:00+00:00",
            "2026-12-04T00:00:00+00:00",
            "false",
            "N/A",
            "N/A",
        ]
    )
    assert rules(tmp_path, old, idle, fresh) == {
        "old": {"no-mfa", "old-access-key", "unused-access-key"},
        "idle": {"unused-user"},
    }


def test_not_a_report(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="not a credential report"):
        credential_findings(path)


def test_login_profiles_leave_the_root_out(tmp_path: Path) -> None:
    from labwarden.identity.credentials import login_profiles

    rows = [
        "<root_account>,arn:aws:iam::1:root,2020-01-01T00:00:00+00:00,not_supported,N/A,true,"
        "false,N/A,N/A,false,N/A,N/A",
        "ann,arn:aws:iam::1:user/ann,2020-01-01T00:00:00+00:00,true,N/A,true,"
        "false,N/A,N/A,false,N/A,N/A",
        "bot,arn:aws:iam::1:user/bot,2020-01-01T00:00:00+00:00,false,N/A,false,"
        "false,N/A,N/A,false,N/A,N/A",
    ]
    assert login_profiles(report(tmp_path, *rows)) == {
        "arn:aws:iam::1:user/ann": True,
        "arn:aws:iam::1:user/bot": False,
    }
