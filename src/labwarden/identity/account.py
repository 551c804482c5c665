"""One AWS account's identities from ``aws iam get-account-authorization-details`` output.

Users, groups and roles with their inline and attached policies (the default version of each
managed policy), permission boundaries, trust policies, instance profiles and tags. A managed
policy the file references but does not contain is a note: its permissions are unknown.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labwarden.core.errors import InputError
from labwarden.identity.policy import Policy, parse_document

_MAX_FILE = 512 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    """A managed policy: its default version, and every stored version (for escalation)."""

    arn: str
    name: str
    default: Policy
    versions: tuple[Policy, ...] = ()
    aws_managed: bool = False


@dataclass(slots=True)
class Principal:
    """A user, role or group and everything that decides what it may do."""

    arn: str
    name: str
    kind: str
    """``user``, ``role`` or ``group``."""
    account: str
    policies: list[Policy] = field(default_factory=list)
    """Identity policies: inline, attached, and (for users) those of their groups."""
    attached: list[str] = field(default_factory=list)
    """ARNs of managed policies attached to it directly."""
    groups: list[str] = field(default_factory=list)
    boundary: Policy | None = None
    trust: Policy | None = None
    instance_profiles: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    user_id: str = ""

    @property
    def label(self) -> str:
        """``user/alice``, ``role/admin``."""
        return f"{self.kind}/{self.name}"


@dataclass(slots=True)
class Account:
    """The identities of one account, keyed by ARN."""

    id: str
    principals: dict[str, Principal] = field(default_factory=dict)
    groups: dict[str, Principal] = field(default_factory=dict)
    policies: dict[str, ManagedPolicy] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    source: str = ""

    def users(self) -> Iterator[Principal]:
        """Every user."""
        return (p for p in self.principals.values() if p.kind == "user")

    def roles(self) -> Iterator[Principal]:
        """Every role."""
        return (p for p in self.principals.values() if p.kind == "role")

    def find(self, name: str) -> Principal:
        """A user or role by ARN, ``user/NAME``, ``role/NAME`` or a unique bare name."""
        if name in self.principals:
            return self.principals[name]
        kind, _, bare = name.rpartition("/")
        hits = [
            p
            for p in self.principals.values()
            if p.name == bare and (not kind or p.kind == kind.split("/")[-1])
        ]
        if len(hits) == 1:
            return hits[0]
        if not hits:
            raise InputError(f"{self.source}: no user or role named {name!r}")
        raise InputError(f"{self.source}: {name!r} names several principals; say user/ or role/")


def _account_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""


def _tags(raw: Any) -> dict[str, str]:
    if not isinstance(raw, list):
        return {}
    return {str(t.get("Key")): str(t.get("Value")) for t in raw if isinstance(t, dict)}


def _list(raw: Mapping[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise InputError(f"{where}: {key} must be a list of objects")
    return value


def _managed(raw: dict[str, Any], where: str) -> ManagedPolicy:
    arn = str(raw.get("Arn", ""))
    name = str(raw.get("PolicyName", arn))
    versions = []
    default = None
    for version in _list(raw, "PolicyVersionList", f"{where}: {name}"):
        label = f"{name}@{version.get('VersionId', '?')}"
        parsed = parse_document(version.get("Document", {}), label, "managed", arn)
        versions.append(parsed)
        if version.get("IsDefaultVersion") or version.get("VersionId") == raw.get(
            "DefaultVersionId"
        ):
            default = Policy(name, "managed", parsed.statements, arn)
    if default is None:
        raise InputError(f"{where}: managed policy {name} has no default version")
    return ManagedPolicy(arn, name, default, tuple(versions), ":aws:policy/" in arn)


class _Loader:
    """Builds an :class:`Account` from the parsed document."""

    def __init__(self, document: Mapping[str, Any], source: str) -> None:
        self.doc = document
        self.source = source
        self.account = Account(id="", source=source)

    def load(self) -> Account:
        for raw in _list(self.doc, "Policies", self.source):
            policy = _managed(raw, self.source)
            self.account.policies[policy.arn] = policy
        for raw in _list(self.doc, "GroupDetailList", self.source):
            group = self._principal(raw, "group", "GroupName", "GroupPolicyList")
            self.account.groups[group.name] = group
        for raw in _list(self.doc, "UserDetailList", self.source):
            user = self._principal(raw, "user", "UserName", "UserPolicyList")
            self._join_groups(user, raw)
            self.account.principals[user.arn] = user
        for raw in _list(self.doc, "RoleDetailList", self.source):
            role = self._principal(raw, "role", "RoleName", "RolePolicyList")
            trust = raw.get("AssumeRolePolicyDocument")
            if trust is not None:
                role.trust = parse_document(trust, f"{role.label} trust policy", "trust")
            role.instance_profiles = [
                str(p.get("Arn", "")) for p in _list(raw, "InstanceProfileList", role.label)
            ]
            self.account.principals[role.arn] = role
        ids = {p.account for p in self.account.principals.values() if p.account}
        self.account.id = min(ids) if ids else ""
        return self.account

    def _principal(self, raw: dict[str, Any], kind: str, name_key: str, inline: str) -> Principal:
        name = raw.get(name_key)
        arn = raw.get("Arn")
        if not isinstance(name, str) or not isinstance(arn, str):
            raise InputError(f"{self.source}: a {kind} needs {name_key} and Arn")
        principal = Principal(arn, name, kind, _account_of(arn), user_id=str(raw.get("UserId", "")))
        for item in _list(raw, inline, f"{self.source}: {kind}/{name}"):
            label = f"{kind}/{name} inline {item.get('PolicyName', '?')}"
            principal.policies.append(
                parse_document(item.get("PolicyDocument", {}), label, "inline")
            )
        for item in _list(raw, "AttachedManagedPolicies", f"{self.source}: {kind}/{name}"):
            policy_arn = str(item.get("PolicyArn", ""))
            principal.attached.append(policy_arn)
            managed = self._lookup(policy_arn, f"{kind}/{name}")
            if managed is not None:
                principal.policies.append(managed.default)
        boundary = raw.get("PermissionsBoundary")
        if isinstance(boundary, dict) and boundary.get("PermissionsBoundaryArn"):
            managed = self._lookup(str(boundary["PermissionsBoundaryArn"]), f"{kind}/{name}")
            principal.boundary = (
                Policy(managed.name, "boundary", managed.default.statements, managed.arn)
                if managed is not None
                else Policy(str(boundary["PermissionsBoundaryArn"]), "boundary", ())
            )
        principal.tags = _tags(raw.get("Tags"))
        return principal

    def _lookup(self, arn: str, who: str) -> ManagedPolicy | None:
        managed = self.account.policies.get(arn)
        if managed is None:
            self.account.notes.append(
                f"{who}: managed policy {arn} is not in the file; its permissions are unknown"
            )
        return managed

    def _join_groups(self, user: Principal, raw: dict[str, Any]) -> None:
        names = raw.get("GroupList", [])
        if not isinstance(names, list):
            raise InputError(f"{self.source}: user/{user.name}: GroupList must be a list")
        for name in names:
            group = self.account.groups.get(str(name))
            if group is None:
                self.account.notes.append(f"{user.label}: group {name} is not in the file")
                continue
            user.groups.append(group.name)
            user.policies.extend(group.policies)


def parse_account(document: Any, source: str = "<authorization details>") -> Account:
    """An account from an authorization-details document already parsed from JSON."""
    if not isinstance(document, dict):
        raise InputError(f"{source}: not an authorization-details document (expected an object)")
    if not any(k in document for k in ("UserDetailList", "RoleDetailList", "GroupDetailList")):
        raise InputError(
            f"{source}: not `aws iam get-account-authorization-details` output "
            "(no UserDetailList, GroupDetailList or RoleDetailList)"
        )
    return _Loader(document, source).load()


def load_account(path: Path) -> Account:
    """An account from an authorization-details JSON file."""
    try:
        if path.stat().st_size > _MAX_FILE:
            raise InputError(f"{path}: larger than {_MAX_FILE >> 20} MiB")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not JSON: {exc}") from None
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply") from None
    return parse_account(document, str(path))
