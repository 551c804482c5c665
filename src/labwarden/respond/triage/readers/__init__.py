"""Readers: what turns a collected file into records for the rules, by parser name."""

from __future__ import annotations

from collections.abc import Callable

from labwarden.respond.triage.context import Context
from labwarden.respond.triage.evidence import Entry
from labwarden.respond.triage.host import Unreadable
from labwarden.respond.triage.model import Account
from labwarden.respond.triage.readers import identity, logins, persistence

Reader = Callable[[Context, Entry, Account | None], None]

READERS: dict[str, Reader] = {
    "facts": identity.read_facts,
    "passwd": identity.read_passwd,
    "group": identity.read_group,
    "shadow": identity.read_shadow,
    "sudoers": identity.read_sudoers,
    "dpkg": identity.read_dpkg,
    "wtmp": logins.read_wtmp,
    "btmp": logins.read_btmp,
    "utmp": logins.read_utmp,
    "wtmpdb": logins.read_wtmpdb,
    "authlog": logins.read_authlog,
    "journal": logins.read_journal,
    "crontab-system": persistence.read_system_crontab,
    "crontab-user": persistence.read_user_crontab,
    "cron-script": persistence.read_cron_script,
    "script": persistence.read_script,
    "profile": persistence.read_profile,
    "authorized-keys": persistence.read_authorized_keys,
    "preload": persistence.read_preload,
    "modules-load": persistence.read_modules_load,
}


def read(ctx: Context, parser: str, entry: Entry, account: Account | None) -> None:
    """Run the reader ``parser`` on a staged file; a file it cannot read is a note."""
    try:
        READERS[parser](ctx, entry, account)
    except Unreadable as exc:
        ctx.unreadable(exc, entry.artifact)
