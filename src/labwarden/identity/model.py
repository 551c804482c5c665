"""The access model: one account's identities, its buckets' policies and its SCPs, queried.

This is the library API the CLI, the scan and the incident scope use::

    model = AccessModel(load_account(path), bucket_policies={"lab-models": policy})
    model.may("user/alice", "s3:GetObject", "arn:aws:s3:::lab-models/m.bin").word
    model.who_can("lab-models")
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from labwarden.identity.account import Account, Principal
from labwarden.identity.actions import ActionCatalog, load_catalog
from labwarden.identity.conditions import RequestContext
from labwarden.identity.evaluate import Decision, Layers, Request, decide
from labwarden.identity.policy import Policy, Statement
from labwarden.identity.tri import Tri

ASSUMPTIONS: Mapping[str, tuple[str, ...]] = {"aws:securetransport": ("true",)}
"""What every request is assumed to carry unless told otherwise: SDKs and the console use TLS."""

_PROBES = ("labwarden-probe:AnyAction", "iam:LabwardenProbeAction")
"""Fictitious actions only wildcards cover: allowed both, a principal may do anything."""

ACCESS_LEVELS = ("list", "read", "write", "delete", "permissions")


@dataclass(frozen=True, slots=True)
class BucketGrant:
    """One principal's access of one kind to a bucket."""

    principal: str
    """``user/alice``, ``role/x``, or the ARN, account or ``*`` a bucket policy names."""
    access: str
    outcome: Tri
    actions: tuple[str, ...]
    via: tuple[str, ...]
    """The statements that grant it."""
    conditions: tuple[str, ...] = ()
    external: bool = False
    """Named by the bucket policy from outside the account (their own policies also apply)."""

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary."""
        return {
            "principal": self.principal,
            "access": self.access,
            "allowed": "yes" if self.outcome is Tri.YES else "conditional",
            "actions": list(self.actions),
            "via": list(self.via),
            "conditions": list(self.conditions),
            "external": self.external,
        }


def _probe_for(pattern: str) -> str:
    """A fictitious action that ``pattern`` covers (and that no other real grant names)."""
    service, _, name = pattern.partition(":")
    if not name or any(c in service for c in "*?"):
        return _PROBES[0]
    return f"{service}:{name.replace('*', 'LabwardenProbe').replace('?', 'X')}"


def bucket_of(arn: str) -> str | None:
    """The bucket an S3 ARN names, or ``None`` for other ARNs."""
    if not arn.startswith("arn:aws:s3:::"):
        return None
    return arn.removeprefix("arn:aws:s3:::").split("/", 1)[0] or None


@dataclass(slots=True)
class AccessModel:
    """Who may do what in one account, with resource policies and SCPs taken into account."""

    account: Account
    bucket_policies: Mapping[str, Policy] = field(default_factory=dict)
    scps: Sequence[Sequence[Policy]] = ()
    assumptions: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(ASSUMPTIONS))
    catalog: ActionCatalog | None = None
    login_profiles: Mapping[str, bool] | None = None
    """User ARN -> whether it has a console password (from a credential report); ``None``:
    not known, so methods that need one or its absence are both kept."""

    def principal(self, name: str | Principal) -> Principal:
        """A user or role by ARN, ``user/NAME``, ``role/NAME`` or unique name."""
        return name if isinstance(name, Principal) else self.account.find(name)

    def context_for(
        self, principal: Principal, extra: Mapping[str, Sequence[str]] | None = None
    ) -> RequestContext:
        """What a request by ``principal`` is known to carry: its identity keys and tags."""
        values: dict[str, tuple[str, ...]] = dict(self.assumptions)
        values["aws:principalarn"] = (principal.arn,)
        values["aws:principalaccount"] = (principal.account,)
        values["aws:principaltype"] = ("User" if principal.kind == "user" else "AssumedRole",)
        if principal.kind == "user":
            values["aws:username"] = (principal.name,)
        if principal.user_id:
            values["aws:userid"] = (principal.user_id,)
        for key, value in principal.tags.items():
            values[f"aws:principaltag/{key.lower()}"] = (value,)
        absent = frozenset(
            k for k in ("aws:username",) if principal.kind != "user" and k not in values
        )
        context = RequestContext(values, absent)
        return context.with_values(extra) if extra else context

    def layers(
        self, action: str, resource: str, *, session: Policy | None, endpoint: Policy | None
    ) -> Layers:
        """The resource policy, SCPs, session and endpoint policies of a request."""
        resource_policy, required = None, False
        bucket = bucket_of(resource)
        if bucket is not None:
            resource_policy = self.bucket_policies.get(bucket)
        elif action.lower().startswith("sts:assumerole") and resource in self.account.principals:
            resource_policy = self.account.principals[resource].trust
            required = True
        return Layers(
            resource=resource_policy,
            resource_account=self.account.id if bucket is not None else "",
            scps=self.scps,
            session=session,
            endpoint=endpoint,
            resource_required=required,
        )

    def may(
        self,
        principal: str | Principal,
        action: str,
        resource: str,
        *,
        context: Mapping[str, Sequence[str]] | None = None,
        session: Policy | None = None,
        endpoint: Policy | None = None,
        prefix: bool = False,
    ) -> Decision:
        """Whether ``principal`` may do ``action`` on ``resource`` (on some resource under it
        with ``prefix``), and why."""
        who = self.principal(principal)
        request = Request(who, action, resource, self.context_for(who, context), prefix)
        return decide(request, self.layers(action, resource, session=session, endpoint=endpoint))

    def may_somewhere(self, principal: str | Principal, action: str) -> Decision:
        """Whether ``principal`` may do ``action`` on a resource of its choosing."""
        return self.may(principal, action, "", prefix=True)

    def is_admin(self, principal: str | Principal) -> Tri:
        """Whether the principal may do any action on any resource (wildcard admin).

        Fictitious actions probe the wildcards: one no pattern names, and one for every pattern
        a deny or a ``NotAction`` names, so that "everything but S3" is not taken for admin.
        """
        who = self.principal(principal)
        result = Tri.YES
        for probe in sorted(self._probes(who)):
            result &= self.may_somewhere(who, probe).outcome
            if result is Tri.NO:
                break
        return result

    def _probes(self, who: Principal) -> set[str]:
        policies = [*who.policies, *([who.boundary] if who.boundary else [])]
        policies += [p for level in self.scps for p in level]
        probes = set(_PROBES)
        for policy in policies:
            for statement in policy.statements:
                if statement.effect == "Deny" or statement.not_action:
                    probes.update(_probe_for(pattern) for pattern in statement.actions)
        return probes

    def actions_catalog(self) -> ActionCatalog:
        """The action catalogue (loaded on first use)."""
        if self.catalog is None:
            self.catalog = load_catalog()
        return self.catalog

    def bucket_actions(self) -> dict[str, list[tuple[str, bool]]]:
        """S3 actions by access level, each with whether it acts on objects (else the bucket)."""
        levels: dict[str, list[tuple[str, bool]]] = {level: [] for level in ACCESS_LEVELS}
        for action in self.actions_catalog().service("s3"):
            on_object = "object" in action.resource_types
            if not on_object and "bucket" not in action.resource_types:
                continue
            level = _level_of(action.name, action.access_level, on_object)
            if level is not None:
                levels[level].append((action.name, on_object))
        return levels

    def who_can(self, bucket: str, levels: Iterable[str] = ACCESS_LEVELS) -> list[BucketGrant]:
        """Every principal of the account, and every outsider the bucket policy names, that may
        reach ``bucket`` at each access level (certainly or under conditions)."""
        actions = self.bucket_actions()
        grants = []
        for principal in self.account.principals.values():
            context = self.context_for(principal)
            for level in levels:
                grant = self._grant(principal, context, bucket, level, actions[level])
                if grant is not None:
                    grants.append(grant)
        for outsider in _outsiders(self.bucket_policies.get(bucket), self.account):
            context = RequestContext(dict(self.assumptions)).with_values(
                {"aws:principalaccount": [outsider.account]} if outsider.account else {}
            )
            for level in levels:
                grant = self._grant(outsider, context, bucket, level, actions[level])
                if grant is not None:
                    grants.append(grant)
        return grants

    def _grant(
        self,
        principal: Principal,
        context: RequestContext,
        bucket: str,
        level: str,
        actions: Sequence[tuple[str, bool]],
    ) -> BucketGrant | None:
        outcome = Tri.NO
        allowed: list[str] = []
        via: set[str] = set()
        conditions: set[str] = set()
        for name, on_object in actions:
            resource = f"arn:aws:s3:::{bucket}" + ("/" if on_object else "")
            layers = self.layers(name, resource, session=None, endpoint=None)
            decision = decide(Request(principal, name, resource, context, on_object), layers)
            if decision.outcome is Tri.NO:
                continue
            outcome |= decision.outcome
            allowed.append(name)
            via.update(m.statement.origin for m in decision.allows)
            for match in (*decision.allows, *decision.denies):
                conditions.update(match.undecided)
        if outcome is Tri.NO:
            return None
        external = principal.kind == "external"
        label = principal.name if external else principal.label
        return BucketGrant(
            label,
            level,
            outcome,
            tuple(allowed),
            tuple(sorted(via)),
            tuple(sorted(conditions)),
            external,
        )


_THEIRS = Policy(
    "their own account's policies (assumed to allow)",
    "identity",
    (Statement("Allow", ("*",), origin="their own account's policies (assumed to allow)"),),
)


def _outsiders(policy: Policy | None, account: Account) -> list[Principal]:
    """Principals a resource policy names that are not identities of ``account``."""
    if policy is None:
        return []
    named: dict[str, Principal] = {}
    for statement in policy.statements:
        if statement.effect != "Allow" or statement.principals is None:
            continue
        for value in statement.principals.get("AWS", ()) + statement.principals.get("*", ()):
            if value in account.principals or value in named:
                continue
            owner = _account_in(value)
            if owner == account.id and value != "*":
                continue  # the account itself: its identities are listed one by one
            label = "* (anyone)" if value == "*" else value
            named[value] = Principal(value, label, "external", owner, policies=[_THEIRS])
    return list(named.values())


def _account_in(value: str) -> str:
    if value.isdigit():
        return value
    parts = value.split(":")
    return parts[4] if len(parts) > 4 else ""


_DELETES = frozenset({"DeleteObject", "DeleteObjectVersion", "DeleteBucket"})


def _level_of(name: str, access_level: str, on_object: bool) -> str | None:
    if name.split(":", 1)[1] in _DELETES:
        return "delete"
    if access_level == "Permissions management":
        return "permissions"
    if access_level == "List":
        return "list"
    if access_level == "Read" and on_object:
        return "read"
    if access_level == "Write" and on_object:
        return "write"
    return None
