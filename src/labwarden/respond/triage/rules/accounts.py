"""Accounts and who may log in: uid 0 besides root, no password, sudo grants, privileged
groups, and authorized SSH keys."""

from __future__ import annotations

from collections.abc import Iterator

from labwarden.core.finding import Finding
from labwarden.core.values import Severity
from labwarden.respond.triage.model import AuthorizedKey
from labwarden.respond.triage.rules.base import View, finding, raise_one
from labwarden.respond.triage.rules.patterns import suspicious

PRIVILEGED_GROUPS = ("sudo", "wheel", "admin", "adm", "root", "docker", "lxd", "libvirt", "disk")


def uid_zero(view: View) -> Iterator[Finding]:
    """Accounts other than root with uid 0: root under another name."""
    for account in view.collected.accounts:
        if account.uid == 0 and account.name != "root":
            yield finding(
                "accounts.uid0",
                Severity.CRITICAL,
                account.origin,
                f"account {account.name} has uid 0: it is root under another name",
                f"Remove the account (userdel {account.name}) after saving its home folder and "
                "keys as evidence; find how it was added (the bodyfile and histories).",
                account=account.name,
                shell=account.shell,
                home=account.home,
            )


def no_password(view: View) -> Iterator[Finding]:
    """Accounts that log in with no password at all, and hashes readable by everyone."""
    accounts = {a.name: a for a in view.collected.accounts}
    for entry in view.collected.shadow:
        account = accounts.get(entry.name)
        if entry.state != "empty" or account is None:
            continue
        severity = Severity.CRITICAL if account.uid == 0 else Severity.HIGH
        if not account.interactive:
            severity = Severity.MEDIUM
        yield finding(
            "accounts.no-password",
            severity,
            entry.origin,
            f"account {entry.name} has an empty password: it logs in with none where PAM "
            "allows it (nullok)",
            f"Lock it (passwd -l {entry.name}) or set a password; remove nullok from PAM.",
            account=entry.name,
            shell=account.shell,
        )
    for account in view.collected.accounts:
        field = account.password_field
        if field == "":
            yield finding(
                "accounts.no-password",
                Severity.CRITICAL if account.uid == 0 else Severity.HIGH,
                account.origin,
                f"account {account.name} has an empty password field in /etc/passwd",
                f"Set its field to 'x' and lock it (passwd -l {account.name}).",
                account=account.name,
            )
        elif field not in ("x", "*", "!", "!!") and not field.startswith(("!", "*")):
            yield finding(
                "accounts.hash-in-passwd",
                Severity.MEDIUM,
                account.origin,
                f"account {account.name} keeps its password hash in /etc/passwd, readable by "
                "every user",
                "Move the hash to /etc/shadow (pwconv) and change the password.",
                account=account.name,
            )


def _stock_grant(view: View, principal: str, path: str) -> bool:
    return principal in view.known.sudo_principals and (
        "cloud-init" in path or path == "/etc/sudoers"
    )


def sudoers(view: View) -> Iterator[Finding]:
    """sudo grants that a stock host does not have, and grants changed within ``--since``."""
    for rule in view.collected.sudoers:
        verdict = view.package_verdict(rule.origin)
        recent = view.recent(rule.mtime)
        stock = verdict == "stock" or _stock_grant(view, rule.principal, rule.origin.path)
        if stock and not recent:
            continue
        open_ended = "NOPASSWD" in rule.text and rule.text.rstrip().endswith("ALL")
        severity = Severity.HIGH if open_ended else Severity.MEDIUM
        if recent:
            severity = raise_one(severity) if not stock else Severity.MEDIUM
        why = "changed within the window" if recent else "not a grant of a stock host"
        yield finding(
            "accounts.sudoers",
            severity,
            rule.origin,
            f"sudo grant for {rule.principal} ({why}): {rule.text}",
            "Confirm who added it and why; remove it (visudo) if nobody can.",
            principal=rule.principal,
            grant=rule.text,
            passwordless=open_ended,
        )


def privileged_groups(view: View) -> Iterator[Finding]:
    """Members of groups that amount to root, when /etc/group changed within ``--since``."""
    for group in view.collected.groups:
        if group.name not in PRIVILEGED_GROUPS or not group.members:
            continue
        if not view.recent(view.source_mtime(group.origin)):
            continue
        yield finding(
            "accounts.privileged-group",
            Severity.MEDIUM,
            group.origin,
            f"group {group.name} (root-equivalent) has members {', '.join(group.members)} and "
            "/etc/group changed within the window",
            "Check each member against who should administer the host.",
            group=group.name,
            members=list(group.members),
        )


def _key_text(key: AuthorizedKey) -> str:
    return f"{key.key_type} {key.fingerprint}" + (f" ({key.comment})" if key.comment else "")


def authorized_keys(view: View) -> Iterator[Finding]:
    """Key files changed within ``--since``, forced commands that open shells, and keys that let
    someone in as a service account."""
    accounts = {a.name: a for a in view.collected.accounts}
    by_file: dict[str, list[AuthorizedKey]] = {}
    for key in view.collected.keys:
        by_file.setdefault(key.origin.path, []).append(key)
        why = suspicious(key.options)
        if why:
            yield finding(
                "persistence.authorized-keys",
                Severity.CRITICAL,
                key.origin,
                f"key {_key_text(key)} of {key.account} runs a forced command that is a {why}",
                "Remove the key and investigate its origin.",
                options=key.options,
            )
        account = accounts.get(key.account or "")
        service = account and account.uid != 0 and (account.uid < 1000 or not account.interactive)
        if account and service and "command=" not in key.options:
            yield finding(
                "persistence.authorized-keys",
                Severity.MEDIUM,
                key.origin,
                f"key {_key_text(key)} lets someone log in as the service account "
                f"{account.name} (uid {account.uid}, shell {account.shell})",
                "Remove the key unless the service needs it (then restrict it with "
                "command= and from=).",
                account=account.name,
            )
    for path, keys in by_file.items():
        mtime = keys[0].mtime
        if view.recent(mtime):
            yield finding(
                "persistence.authorized-keys",
                Severity.HIGH,
                keys[0].origin.at(None),
                f"{path} changed within the window; it lets {len(keys)} keys log in as "
                f"{keys[0].account}",
                "Compare each key with the account owner's own keys; remove any they do not "
                "recognize, and check sshd's logs for logins with them.",
                keys=[_key_text(k) for k in keys][:20],
            )
