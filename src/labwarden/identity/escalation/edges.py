"""Edges of the escalation graph: what one principal can become by one method.

A node is a user or role (a user that joined a group is a node of its own: its policies and the
group's). The goal node is :data:`ADMIN`. Every edge carries the decisions it rests on, so a
condition we cannot evaluate makes the edge conditional instead of being assumed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

from labwarden.identity.account import Principal
from labwarden.identity.conditions import RequestContext, evaluate_conditions
from labwarden.identity.escalation.methods import Method
from labwarden.identity.evaluate import Decision, Layers, Request, decide
from labwarden.identity.matching import any_action_matches
from labwarden.identity.model import AccessModel
from labwarden.identity.policy import DENY, Policy, Statement
from labwarden.identity.tri import Tri

ADMIN = "admin"
"""The goal: a principal that may do anything."""


@dataclass(frozen=True, slots=True)
class Edge:
    """``source`` can become ``target`` (a node id, or :data:`ADMIN`) by ``method``."""

    source: str
    target: str
    target_label: str
    method: Method
    resource: str
    outcome: Tri
    conditions: tuple[str, ...] = ()
    node: Principal | None = None
    """The principal the target node stands for (``None`` for :data:`ADMIN`)."""


@dataclass(frozen=True, slots=True)
class _Target:
    resource: str
    label: str
    node: Principal | None
    extra: Tri = Tri.YES


def node_id(principal: Principal) -> str:
    """A node's id: the ARN, plus the groups joined on the way."""
    joined = [g for g in principal.groups if g.startswith("+")]
    return principal.arn + "".join(joined)


def _undecided(decisions: Sequence[Decision]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for decision in decisions:
        for match in (*decision.allows, *decision.denies):
            for text in match.undecided:
                seen[text] = None
    return tuple(seen)


class EdgeFinder:
    """Computes the edges out of a node, method by method."""

    def __init__(self, model: AccessModel, methods: Sequence[Method]) -> None:
        self.model = model
        self.methods = methods
        self._kinds: dict[str, Callable[[Principal, Method], Iterator[_Target]]] = {
            "self-policy": self._self_policies,
            "policy-version": self._policy_versions,
            "self-user": self._self_kind("user"),
            "self-role": self._self_kind("role"),
            "own-group": self._own_groups,
            "join-group": self._other_groups,
            "other-user": self._other_users,
            "assume": self._roles,
            "trust-edit": self._roles,
            "pass-role": self._service_roles,
            "existing-compute": self._service_roles,
        }

    def edges(self, node: Principal) -> list[Edge]:
        """Every edge out of ``node`` (none out of an admin: it is the goal already)."""
        found = []
        for method in self.methods:
            somewhere = [
                self.model.may_somewhere(node, a) for a in (*method.also, *method.requires)
            ]
            if method.kind == "pass-role":
                somewhere.append(self.model.may_somewhere(node, "iam:PassRole"))
            if any(d.outcome is Tri.NO for d in somewhere):
                continue
            for target in self._kinds[method.kind](node, method):
                edge = self._edge(node, method, target, somewhere)
                if edge is not None:
                    found.append(edge)
        return found

    def _edge(
        self, node: Principal, method: Method, target: _Target, somewhere: list[Decision]
    ) -> Edge | None:
        decisions = list(somewhere[: len(method.also)])
        for action in method.requires:
            decisions.append(self._on_target(node, method, action, target.resource))
        if method.kind == "pass-role":
            context = {"iam:passedtoservice": [method.service]}
            decisions.append(self.model.may(node, "iam:PassRole", target.resource, context=context))
        outcome = target.extra
        for decision in decisions:
            outcome &= decision.outcome
        if outcome is Tri.NO:
            return None
        goal = ADMIN if target.node is None else node_id(target.node)
        return Edge(
            node_id(node),
            goal,
            target.label,
            method,
            target.resource,
            outcome,
            _undecided(decisions),
            target.node,
        )

    def _on_target(self, node: Principal, method: Method, action: str, resource: str) -> Decision:
        if method.kind == "trust-edit" and action.lower() == "sts:assumerole":
            # Once the trust policy is rewritten it names the principal directly.
            trust = Policy(
                "rewritten trust policy",
                "trust",
                (
                    Statement(
                        "Allow",
                        ("sts:AssumeRole",),
                        principals={"AWS": (node.arn,)},
                        origin="rewritten trust policy",
                    ),
                ),
            )
            request = Request(node, action, resource, self.model.context_for(node))
            layers = Layers(resource=trust, scps=self.model.scps, resource_required=True)
            return decide(request, layers)
        return self.model.may(node, action, resource)

    # Targets, one generator per kind of method.

    def _attached(self, node: Principal) -> list[str]:
        arns = list(node.attached)
        for name in node.groups:
            group = self.model.account.groups.get(name.lstrip("+"))
            if group is not None:
                arns += group.attached
        return [a for a in dict.fromkeys(arns) if ":aws:policy/" not in a]

    def _self_policies(self, node: Principal, method: Method) -> Iterator[_Target]:
        for arn in self._attached(node):
            if arn in self.model.account.policies:
                yield _Target(arn, f"policy {arn.rsplit('/', 1)[-1]}", None)

    def _policy_versions(self, node: Principal, method: Method) -> Iterator[_Target]:
        for arn in self._attached(node):
            managed = self.model.account.policies.get(arn)
            if managed is None:
                continue
            for version in managed.versions:
                if version.statements == managed.default.statements:
                    continue
                probe = replace(node, policies=[version], boundary=node.boundary)
                admin = self.model.is_admin(probe)
                if admin is not Tri.NO:
                    yield _Target(arn, f"policy {version.name}", None, admin)

    def _self_kind(self, kind: str) -> Callable[[Principal, Method], Iterator[_Target]]:
        def targets(node: Principal, method: Method) -> Iterator[_Target]:
            if node.kind == kind:
                yield _Target(node.arn, node.label, None)

        return targets

    def _own_groups(self, node: Principal, method: Method) -> Iterator[_Target]:
        for name in node.groups:
            group = self.model.account.groups.get(name.lstrip("+"))
            if group is not None:
                yield _Target(group.arn, group.label, None)

    def _other_groups(self, node: Principal, method: Method) -> Iterator[_Target]:
        if node.kind != "user":
            return
        mine = {g.lstrip("+") for g in node.groups}
        for group in self.model.account.groups.values():
            if group.name in mine:
                continue
            joined = replace(
                node,
                policies=[*node.policies, *group.policies],
                groups=[*node.groups, f"+{group.name}"],
            )
            yield _Target(group.arn, f"{node.label} in {group.label}", joined)

    def _other_users(self, node: Principal, method: Method) -> Iterator[_Target]:
        known = self.model.login_profiles
        for user in self.model.account.users():
            if user.arn == node.arn:
                continue
            has = known.get(user.arn) if known is not None and method.login_profile else None
            if has is not None and has != (method.login_profile == "present"):
                continue  # the call fails for this user (it has a password, or has none)
            yield _Target(user.arn, user.label, user)

    def _roles(self, node: Principal, method: Method) -> Iterator[_Target]:
        for role in self.model.account.roles():
            if role.arn != node.arn:
                yield _Target(role.arn, role.label, role)

    def _service_roles(self, node: Principal, method: Method) -> Iterator[_Target]:
        for role in self.model.account.roles():
            if role.arn == node.arn or (method.instance_profile and not role.instance_profiles):
                continue
            trusted = trusts_service(role, method.service)
            if trusted is not Tri.NO:
                yield _Target(role.arn, role.label, role, trusted)


def trusts_service(role: Principal, service: str) -> Tri:
    """Whether the role's trust policy lets ``service`` assume it."""
    if role.trust is None:
        return Tri.NO
    allowed, denied = Tri.NO, Tri.NO
    context = RequestContext()
    for statement in role.trust.statements:
        if statement.principals is None:
            continue
        if not any_action_matches(statement.actions, "sts:AssumeRole") or statement.not_action:
            continue
        services = statement.principals.get("Service", ()) + statement.principals.get("*", ())
        if (service in services or "*" in services) == statement.not_principal:
            continue
        outcome, _ = evaluate_conditions(statement.conditions, context)
        if statement.effect == DENY:
            denied |= outcome
        else:
            allowed |= outcome
    return allowed & ~denied
