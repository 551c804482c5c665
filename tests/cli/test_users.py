"""``labwarden users`` through the CLI: add, list, token rotation, password, role, remove."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from labwarden.core.workspace import Workspace
from labwarden.store.catalog import Catalog
from labwarden.web import security


def _run(ws: Path, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    """The real command, as a user runs it (exit codes come from the one error handler)."""
    result = subprocess.run(
        [sys.executable, "-m", "labwarden", "--workspace", str(ws), *args],
        input=stdin or "",
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode, result.stdout, result.stderr


def test_users_lifecycle(tmp_path: Path) -> None:
    ws = tmp_path / ".labwarden"
    code, out, err = _run(
        ws,
        "users",
        "add",
        "alice",
        "--role",
        "admin",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    assert code == 0, err
    token = out.strip()
    assert token.startswith("lw_") and len(token) > 40
    assert "shown once" in err
    with Catalog.open(Workspace(ws)) as catalog:
        user = catalog.users.by_token_hash(security.digest(token))
        assert user is not None and user.role == "admin"
        stored = catalog.users.password_hash("alice")
        assert stored is not None and stored.startswith("$argon2id$")
        assert security.check_password(stored, "a long enough password")
        assert token not in (catalog.path.read_bytes().decode("latin-1"))

    code, out, _ = _run(
        ws, "users", "add", "bot", "--role", "viewer", "--no-password", "--format", "json"
    )
    assert code == 0 and json.loads(out)["has_password"] is False
    code, out, _ = _run(ws, "users", "list", "--format", "json")
    assert [(u["name"], u["role"]) for u in json.loads(out)] == [
        ("alice", "admin"),
        ("bot", "viewer"),
    ]
    assert "hash" not in out

    code, out, _ = _run(ws, "users", "token", "bot")
    new = out.strip()
    assert code == 0 and new.startswith("lw_")
    with Catalog.open(Workspace(ws)) as catalog:
        assert catalog.users.by_token_hash(security.digest(new)) is not None
        entries, _ = catalog.audit.find()
    assert [e.action for e in entries][:3] == ["user.token", "user.add", "user.add"]
    assert all(e.via == "cli" and e.actor.startswith("cli:") for e in entries)

    assert _run(ws, "users", "role", "bot", "analyst")[0] == 0
    short = _run(ws, "users", "password", "bot", "--password-stdin", stdin="short\n")
    assert short[0] == 2 and "12 characters" in short[2]
    assert _run(ws, "users", "remove", "alice")[0] == 2  # the last admin stays
    assert _run(ws, "users", "remove", "bot")[0] == 0
    missing = _run(ws, "users", "remove", "bot")
    assert missing[0] == 2 and "no user 'bot'" in missing[2]
    dup = _run(ws, "users", "add", "alice", "--no-password")
    assert dup[0] == 2 and "exists already" in dup[2]
    bad = _run(ws, "users", "add", "../etc", "--no-password")
    assert bad[0] == 2 and "user name" in bad[2]
    role = _run(ws, "users", "add", "carol", "--role", "root", "--no-password")
    assert role[0] == 2 and "viewer, analyst, admin" in role[2]


def test_users_list_needs_a_workspace(tmp_path: Path) -> None:
    code, _, err = _run(tmp_path / "nowhere" / ".labwarden", "users", "list")
    assert code == 2 and "no workspace" in err
    assert not (tmp_path / "nowhere").exists()
