"""Readers of what runs by itself: crontabs and cron scripts, rc.local and init scripts, shell
profiles, authorized keys, preloaded libraries and modules loaded at boot."""

from __future__ import annotations

from labwarden.respond.triage.context import Context
from labwarden.respond.triage.evidence import Entry
from labwarden.respond.triage.model import Account, AuthorizedKey, CronEntry, ScriptLine
from labwarden.respond.triage.parsers.cron import parse_crontab
from labwarden.respond.triage.parsers.keys import parse_authorized_keys
from labwarden.respond.triage.parsers.sudoers import logical_lines


def _name(entry: Entry) -> str:
    return entry.source.rsplit("/", 1)[-1]


def read_system_crontab(ctx: Context, entry: Entry, _account: Account | None) -> None:
    """/etc/crontab and /etc/cron.d: each line names its user."""
    found, bad = parse_crontab(ctx.evidence.lines(entry), system=True)
    ctx.bad_lines(entry, bad, "crontab lines")
    ctx.collected.cron.extend(
        CronEntry(c.schedule, c.user, c.command, True, ctx.origin(entry, c.line), entry.mtime)
        for c in found
    )


def read_user_crontab(ctx: Context, entry: Entry, _account: Account | None) -> None:
    """A spool crontab: its file name is the user."""
    found, bad = parse_crontab(ctx.evidence.lines(entry), system=False)
    ctx.bad_lines(entry, bad, "crontab lines")
    user = _name(entry)
    ctx.collected.cron.extend(
        CronEntry(c.schedule, user, c.command, False, ctx.origin(entry, c.line), entry.mtime)
        for c in found
    )


def _commands(ctx: Context, entry: Entry) -> list[tuple[int, str]]:
    """The lines of a script that do something (comments and blank lines left out)."""
    found = []
    for number, text in logical_lines(ctx.evidence.lines(entry)):
        stripped = text.strip()
        if stripped and not stripped.startswith("#"):
            found.append((number, stripped))
    return found


def read_cron_script(ctx: Context, entry: Entry, _account: Account | None) -> None:
    """A script of /etc/cron.{hourly,daily,...}, anacrontab, or an at job: every command line."""
    folder = entry.source.rsplit("/", 2)[-2] if entry.source.count("/") >= 2 else ""
    schedule = folder.removeprefix("cron.") if folder.startswith("cron.") else folder or "at"
    if _name(entry) == "anacrontab":
        schedule = "anacron"
    ctx.collected.cron.extend(
        CronEntry(schedule, "root", text, True, ctx.origin(entry, number), entry.mtime)
        for number, text in _commands(ctx, entry)
    )


def _script(ctx: Context, entry: Entry, category: str, account: Account | None) -> None:
    ctx.collected.scripts.extend(
        ScriptLine(
            category,
            text,
            account.name if account else None,
            ctx.origin(entry, number),
            entry.mtime,
        )
        for number, text in _commands(ctx, entry)
    )


def read_script(ctx: Context, entry: Entry, account: Account | None) -> None:
    """rc.local and init scripts."""
    category = "rc.local" if _name(entry) == "rc.local" else "init.d"
    _script(ctx, entry, category, account)


def read_profile(ctx: Context, entry: Entry, account: Account | None) -> None:
    """Shell start-up files (/etc/environment is its own category: it is not a script)."""
    category = "environment" if entry.source == "/etc/environment" else "profile"
    _script(ctx, entry, category, account)


def read_preload(ctx: Context, entry: Entry, account: Account | None) -> None:
    """/etc/ld.so.preload (every line is a library forced into every process) and ld.so.conf."""
    if _name(entry) == "ld.so.preload":
        ctx.collected.scripts.extend(
            ScriptLine("preload", word, None, ctx.origin(entry, number), entry.mtime)
            for number, text in _commands(ctx, entry)
            for word in text.replace(":", " ").split()
        )
        return
    _script(ctx, entry, "ld.so.conf", account)


def read_modules_load(ctx: Context, entry: Entry, account: Account | None) -> None:
    """Modules loaded at boot and modprobe settings (``install`` lines run commands)."""
    _script(ctx, entry, "modules-load", account)


def read_authorized_keys(ctx: Context, entry: Entry, account: Account | None) -> None:
    """Keys that may log in as ``account``."""
    found, bad = parse_authorized_keys(ctx.evidence.lines(entry))
    ctx.bad_lines(entry, bad, "key lines")
    owner = account.name if account else _name(entry)
    ctx.collected.keys.extend(
        AuthorizedKey(
            owner,
            k.key_type,
            k.fingerprint,
            k.comment,
            k.options,
            ctx.origin(entry, k.line),
            entry.mtime,
        )
        for k in found
    )
