"""Escalation paths: breadth-first search from each principal to :data:`ADMIN`."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from labwarden.identity.account import Principal
from labwarden.identity.escalation.edges import ADMIN, Edge, EdgeFinder, node_id
from labwarden.identity.escalation.methods import Method, all_methods
from labwarden.identity.model import AccessModel
from labwarden.identity.tri import Tri

MAX_HOPS = 5


@dataclass(frozen=True, slots=True)
class Step:
    """One hop of a path."""

    source: str
    target: str
    method: str
    method_name: str
    resource: str
    outcome: Tri
    conditions: tuple[str, ...]
    commands: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary."""
        return {
            "from": self.source,
            "to": self.target,
            "method": self.method,
            "how": self.method_name,
            "resource": self.resource,
            "certain": self.outcome is Tri.YES,
            "conditions": list(self.conditions),
            "commands": list(self.commands),
        }


@dataclass(frozen=True, slots=True)
class EscalationPath:
    """How a principal that is not an admin can become one."""

    principal: str
    principal_arn: str
    steps: tuple[Step, ...]
    outcome: Tri
    """``YES`` if every step certainly works, ``MAYBE`` if a step rests on conditions."""

    @property
    def summary(self) -> str:
        """``user/a -[iam-create-access-key]-> user/b -[...]-> admin``."""
        text = self.principal
        for step in self.steps:
            text += f" -[{step.method}]-> {step.target}"
        return text

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary."""
        return {
            "principal": self.principal,
            "arn": self.principal_arn,
            "certain": self.outcome is Tri.YES,
            "path": self.summary,
            "steps": [s.to_dict() for s in self.steps],
        }


def _step(source: Principal, edge: Edge) -> Step:
    values = {
        "target": edge.resource,
        "name": source.name,
        "target_name": edge.resource.rsplit("/", 1)[-1],
        "version": "<older version>",
    }
    commands = tuple(template.format(**values) for template in edge.method.steps)
    target = "admin" if edge.target == ADMIN else edge.target_label
    return Step(
        source.label,
        target,
        edge.method.id,
        edge.method.name,
        edge.resource,
        edge.outcome,
        edge.conditions,
        commands,
    )


class PathFinder:
    """Finds, for every principal, the shortest certain (else conditional) path to admin."""

    def __init__(self, model: AccessModel, methods: Sequence[Method] | None = None) -> None:
        self.model = model
        self.finder = EdgeFinder(model, methods if methods is not None else all_methods())
        self._edges: dict[str, list[Edge]] = {}
        self._admin: dict[str, Tri] = {}

    def admin(self, node: Principal) -> Tri:
        """Whether ``node`` is an admin already (cached)."""
        key = node_id(node)
        if key not in self._admin:
            self._admin[key] = self.model.is_admin(node)
        return self._admin[key]

    def edges(self, node: Principal) -> list[Edge]:
        """Edges out of ``node`` (cached)."""
        key = node_id(node)
        if key not in self._edges:
            self._edges[key] = self.finder.edges(node)
        return self._edges[key]

    def path(self, start: Principal) -> EscalationPath | None:
        """The shortest path from ``start`` to admin, preferring certain ones."""
        best: EscalationPath | None = None
        queue: deque[tuple[Principal, tuple[Step, ...], Tri]] = deque([(start, (), Tri.YES)])
        seen = {node_id(start)}
        while queue:
            node, steps, outcome = queue.popleft()
            if len(steps) >= MAX_HOPS:
                continue
            for edge in self.edges(node):
                reached = outcome & edge.outcome
                hop = (*steps, _step(node, edge))
                goal = edge.node is None or (
                    edge.node is not None and self.admin(edge.node) is not Tri.NO
                )
                if goal:
                    if edge.node is not None:
                        reached &= self.admin(edge.node)
                    found = EscalationPath(start.label, start.arn, hop, reached)
                    if reached is Tri.YES:
                        return found
                    best = best or found
                    continue
                assert edge.node is not None
                if edge.target not in seen:
                    seen.add(edge.target)
                    queue.append((edge.node, hop, reached))
        return best

    def all_paths(self) -> list[EscalationPath]:
        """A path for every user and role that is not an admin and can become one."""
        found = []
        for principal in self.model.account.principals.values():
            if self.admin(principal) is Tri.YES:
                continue
            path = self.path(principal)
            if path is not None:
                found.append(path)
        return found
