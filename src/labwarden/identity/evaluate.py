"""Policy evaluation for one request, the way AWS combines policies within an account.

An explicit deny anywhere wins. A grant comes from an identity policy or, within the account,
from a resource policy naming the principal; across accounts both must allow. Permission
boundaries, service control policies, session policies and VPC endpoint policies each must
allow too. Every outcome is three-valued: undecidable conditions make it ``MAYBE``, with the
clauses that decide it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from labwarden.identity.account import Principal
from labwarden.identity.conditions import RequestContext, evaluate_conditions
from labwarden.identity.matching import (
    UnknownVariable,
    any_action_matches,
    glob,
    prefix_covers,
    prefix_overlaps,
    substitute,
)
from labwarden.identity.policy import DENY, Policy, Statement
from labwarden.identity.tri import Tri


@dataclass(frozen=True, slots=True)
class Match:
    """A statement that applies to the request, and the conditions it leaves undecided."""

    statement: Statement
    layer: str
    """``identity``, ``resource``, ``boundary``, ``scp``, ``session`` or ``endpoint``."""
    outcome: Tri
    undecided: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"{self.statement.effect} by {self.layer} policy {self.statement.origin}"
        if self.undecided:
            text += f" (if {'; '.join(self.undecided)})"
        return text


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether a request is allowed, and why."""

    outcome: Tri
    """``YES`` allowed, ``NO`` denied, ``MAYBE`` decided by conditions we cannot evaluate."""
    allows: tuple[Match, ...] = ()
    denies: tuple[Match, ...] = ()
    missing: tuple[str, ...] = ()
    """Layers that grant nothing (the reason for an implicit deny)."""

    @property
    def explicit_deny(self) -> bool:
        """Whether a deny statement certainly applies."""
        return any(m.outcome is Tri.YES for m in self.denies)

    @property
    def word(self) -> str:
        """``allowed``, ``denied`` (explicit), ``implicitly denied`` or ``conditional``."""
        if self.outcome is Tri.YES:
            return "allowed"
        if self.outcome is Tri.MAYBE:
            return "conditional"
        return "denied" if self.explicit_deny else "implicitly denied"

    def reason(self) -> str:
        """One paragraph: the statements that decide, or what grants nothing."""
        lines: list[str] = []
        if self.denies:
            lines += [f"- {m}" for m in self.denies]
        if self.outcome is not Tri.NO or not self.denies:
            lines += [f"- {m}" for m in self.allows]
        lines += [f"- {text}" for text in self.missing]
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Request:
    """One API call: who, what, on which resource, in which context."""

    principal: Principal
    action: str
    resource: str
    context: RequestContext = field(default_factory=RequestContext)
    prefix: bool = False
    """Ask about "some resource whose ARN starts with ``resource``" (``""``: any resource of
    the caller's choosing): an allow applies if it reaches one, a deny if it covers them all."""


@dataclass(frozen=True, slots=True)
class Layers:
    """The policies beyond the principal's own that take part in a decision."""

    resource: Policy | None = None
    resource_account: str = ""
    """The account owning the resource (``""``: the principal's account)."""
    scps: Sequence[Sequence[Policy]] = ()
    """Service control policies by level (root, OU..., account): each level must allow."""
    session: Policy | None = None
    endpoint: Policy | None = None
    resource_required: bool = False
    """The resource policy must allow even within the account (a role's trust policy)."""


def _resource_hit(statement: Statement, request: Request) -> bool:
    variables = request.context.values
    patterns = [substitute(p, variables) for p in statement.resources]
    if not request.prefix:
        return any(glob(p, request.resource) for p in patterns) != statement.not_resource
    # "Some resource under the prefix": an allow needs to reach one, a deny to cover them all.
    if (statement.effect == DENY) != statement.not_resource:
        covered = any(prefix_covers(p, request.resource) for p in patterns)
        return covered != statement.not_resource
    overlaps = any(prefix_overlaps(p, request.resource) for p in patterns)
    return overlaps != statement.not_resource


def _resource_tri(statement: Statement, request: Request) -> Tri:
    try:
        return Tri.of(_resource_hit(statement, request))
    except UnknownVariable:
        return Tri.MAYBE


def principal_tri(statement: Statement, principal: Principal) -> tuple[Tri, bool]:
    """Whether a resource or trust statement names ``principal``, and whether by ARN or ``*``
    (``True``) rather than through its account (``False``: the identity policy must allow)."""
    if statement.principals is None:
        return Tri.NO, False
    named = statement.principals.get("AWS", ()) + statement.principals.get("*", ())
    direct = (
        "*" in named
        or principal.arn in named
        or (bool(principal.user_id) and principal.user_id in named)
    )
    account = principal.account in named or f"arn:aws:iam::{principal.account}:root" in named
    hit = direct or account
    if statement.not_principal:
        return Tri.of(not hit), True
    return Tri.of(hit), direct


def match_statement(statement: Statement, request: Request, layer: str) -> Match | None:
    """The statement's match for the request, or ``None`` when it certainly does not apply."""
    if any_action_matches(statement.actions, request.action) == statement.not_action:
        return None
    outcome = _resource_tri(statement, request)
    if outcome is Tri.NO:
        return None
    conditions, undecided = evaluate_conditions(statement.conditions, request.context)
    outcome &= conditions
    if outcome is Tri.NO:
        return None
    return Match(statement, layer, outcome, tuple(str(c) for c in undecided))


def _collect(policies: Sequence[Policy], request: Request, layer: str) -> list[Match]:
    found = []
    for policy in policies:
        for statement in policy.statements:
            matched = match_statement(statement, request, layer)
            if matched is not None:
                found.append(matched)
    return found


def _best(matches: Sequence[Match], effect: str) -> Tri:
    result = Tri.NO
    for m in matches:
        if m.statement.effect == effect:
            result |= m.outcome
    return result


@dataclass(slots=True)
class _Tally:
    allows: list[Match] = field(default_factory=list)
    denies: list[Match] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    deny: Tri = Tri.NO

    def layer(self, matches: Sequence[Match]) -> Tri:
        """Record a layer's matches; return whether it allows."""
        self.allows += [m for m in matches if m.statement.effect != DENY]
        denies = [m for m in matches if m.statement.effect == DENY]
        self.denies += denies
        self.deny |= _best(denies, DENY)
        return _best(matches, "Allow")

    def must_allow(self, policies: Sequence[Policy], request: Request, layer: str) -> Tri:
        allowed = self.layer(_collect(policies, request, layer))
        if allowed is Tri.NO:
            self.missing.append(f"no {layer} policy allows {request.action}")
        return allowed


def _resource_matches(policy: Policy, request: Request) -> tuple[list[Match], Tri, Tri]:
    """Matches of a resource policy, and its allow directly and through the account."""
    matches, direct, via_account = [], Tri.NO, Tri.NO
    for statement in policy.statements:
        who, is_direct = principal_tri(statement, request.principal)
        if who is Tri.NO:
            continue
        matched = match_statement(statement, request, "resource")
        if matched is None:
            continue
        matches.append(matched)
        if matched.statement.effect != DENY:
            if is_direct:
                direct |= matched.outcome
            else:
                via_account |= matched.outcome
    return matches, direct, via_account


def decide(request: Request, layers: Layers | None = None) -> Decision:
    """Whether ``request`` is allowed given the principal's policies and ``layers``."""
    layers = layers or Layers()
    principal = request.principal
    tally = _Tally()
    identity = tally.layer(_collect(principal.policies, request, "identity"))
    boundary = Tri.YES
    if principal.boundary is not None:
        boundary = tally.must_allow([principal.boundary], request, "permissions boundary")
    direct = via_account = Tri.NO
    if layers.resource is not None:
        matches, direct, via_account = _resource_matches(layers.resource, request)
        tally.layer(matches)
    cross = bool(layers.resource_account) and layers.resource_account != principal.account
    if cross:
        grant = identity & boundary & (direct | via_account)
    elif layers.resource_required:
        grant = direct | (identity & boundary & via_account)
    else:
        # A resource policy naming a user grants past its boundary; one naming a role does not.
        direct_grant = direct if principal.kind == "user" else direct & boundary
        grant = (identity & boundary) | direct_grant
    if grant is Tri.NO and not tally.missing:
        tally.missing.append(f"no identity or resource policy allows {request.action}")
    for level in layers.scps:
        grant &= tally.must_allow(level, request, "service control")
    if layers.session is not None:
        grant &= tally.must_allow([layers.session], request, "session")
    if layers.endpoint is not None:
        grant &= _endpoint(tally, layers.endpoint, request)
    outcome = grant & ~tally.deny
    return Decision(outcome, tuple(tally.allows), tuple(tally.denies), tuple(tally.missing))


def _endpoint(tally: _Tally, policy: Policy, request: Request) -> Tri:
    matches = []
    for statement in policy.statements:
        who, _ = principal_tri(statement, request.principal)
        if who is Tri.NO:
            continue
        matched = match_statement(statement, request, "VPC endpoint")
        if matched is not None:
            matches.append(matched)
    allowed = tally.layer(matches)
    if allowed is Tri.NO:
        tally.missing.append(f"the VPC endpoint policy does not allow {request.action}")
    return allowed
