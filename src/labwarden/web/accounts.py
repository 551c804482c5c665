"""Managing people: add, remove, rotate tokens, set passwords and roles, each change audited.

The library behind ``labwarden users`` and the admin API. Every function records who did it in the
audit log, in the same transaction as the change.
"""

from __future__ import annotations

import getpass
import re
from dataclasses import dataclass

from labwarden.core.errors import InputError
from labwarden.store.catalog import Catalog
from labwarden.store.users import User, check_role
from labwarden.web import security

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change, and through which door."""

    name: str
    role: str | None
    via: str
    """``cli``, ``api`` or ``page``."""
    address: str | None = None


def cli_actor() -> Actor:
    """The person at the terminal running ``labwarden users``."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        login = "unknown"
    return Actor(f"cli:{login}", None, "cli")


def check_name(name: str) -> str:
    """``name`` if it is a valid user name (letters, digits, ``._@-``, at most 64)."""
    if not _NAME.fullmatch(name):
        raise InputError(
            f"user name {name!r} must be 1-64 letters, digits or ._@- and start with a "
            "letter or digit"
        )
    return name


def _audit(catalog: Catalog, actor: Actor, action: str, target: str, **detail: object) -> None:
    catalog.audit.record(
        actor.name,
        action,
        target,
        role=actor.role,
        via=actor.via,
        detail=dict(detail),
        address=actor.address,
    )


def add_user(
    catalog: Catalog, name: str, role: str, password: str | None, actor: Actor
) -> tuple[User, str]:
    """Add a user; returns it and its API token (shown once, stored as a digest)."""
    check_name(name)
    check_role(role)
    password_hash = security.hash_password(password) if password is not None else None
    token = security.new_token()
    with catalog.transaction():
        user = catalog.users.add(
            name,
            role,
            password_hash=password_hash,
            token_hash=security.digest(token),
            created_by=actor.name,
        )
        _audit(catalog, actor, "user.add", name, role=role, password=password is not None)
    return user, token


def rotate_token(catalog: Catalog, name: str, actor: Actor) -> str:
    """Give ``name`` a new API token; the old one stops working at once."""
    token = security.new_token()
    with catalog.transaction():
        catalog.users.set_token_hash(name, security.digest(token))
        _audit(catalog, actor, "user.token", name)
    return token


def set_password(catalog: Catalog, name: str, password: str | None, actor: Actor) -> None:
    """Set (or with ``None`` remove) the password of ``name``; its page sessions end."""
    password_hash = security.hash_password(password) if password is not None else None
    with catalog.transaction():
        catalog.users.set_password_hash(name, password_hash)
        catalog.sessions.end_all(catalog.users.get(name).id)
        _audit(catalog, actor, "user.password", name, removed=password is None)


def set_role(catalog: Catalog, name: str, role: str, actor: Actor) -> None:
    """Change the role of ``name`` (never leaving the server without an admin)."""
    with catalog.transaction():
        before = catalog.users.get(name).role
        catalog.users.set_role(name, role)
        _audit(catalog, actor, "user.role", name, before=before, after=role)


def remove_user(catalog: Catalog, name: str, actor: Actor) -> User:
    """Remove ``name``; its token and sessions stop working at once."""
    with catalog.transaction():
        user = catalog.users.remove(name)
        _audit(catalog, actor, "user.remove", name, role=user.role)
    return user
