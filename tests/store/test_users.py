"""Users, sessions, audit log and settings in the catalog."""

from __future__ import annotations

import pytest

from labwarden.core.errors import InputError
from labwarden.core.workspace import Workspace
from labwarden.store.catalog import Catalog


def test_users_keep_an_admin_and_sessions_end_with_their_user(workspace: Workspace) -> None:
    with Catalog.open(workspace) as catalog:
        catalog.users.add("ann", "admin", password_hash=None, token_hash="t1", created_by="t")
        bo = catalog.users.add("bo", "analyst", password_hash="h", token_hash="t2", created_by="t")
        assert catalog.users.by_token_hash("t2") == bo
        assert catalog.users.by_token_hash("nope") is None
        with pytest.raises(InputError, match="last admin"):
            catalog.users.set_role("ann", "viewer")
        with pytest.raises(InputError, match="last admin"):
            catalog.users.remove("ann")
        with pytest.raises(InputError, match="not one of"):
            catalog.users.add("cy", "root", password_hash=None, token_hash="t3", created_by="t")
        catalog.sessions.create("s1", bo.id, "csrf", "2999-01-01T00:00:00+00:00", "127.0.0.1")
        catalog.sessions.create("old", bo.id, "c", "2000-01-01T00:00:00+00:00", None)
        assert catalog.sessions.get("s1") is not None
        assert catalog.sessions.get("old") is None  # expired
        catalog.users.set_token_hash("bo", "t4")
        assert catalog.users.by_token_hash("t2") is None
        catalog.users.remove("bo")
        assert catalog.sessions.get("s1") is None


def test_audit_log_pages_newest_first(workspace: Workspace) -> None:
    with Catalog.open(workspace) as catalog:
        for i in range(5):
            catalog.audit.record("ann", "alert.update", f"alert:{i}", detail={"i": i})
        catalog.audit.record("bo", "user.add", "cy", via="cli")
        entries, total = catalog.audit.find(action="alert", limit=2, offset=1)
        assert total == 5
        assert [e.target for e in entries] == ["alert:3", "alert:2"]
        assert catalog.audit.find(actor="bo")[0][0].via == "cli"
        catalog.settings.set("lab_name", "Lab", "ann")
        catalog.settings.set("lab_name", "Lab 2", "bo")
        assert catalog.settings.all() == {"lab_name": "Lab 2"}
