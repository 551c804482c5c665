"""Policy documents parsed into statements: the only place that reads policy JSON's shape.

A malformed document is an :class:`~labwarden.core.errors.InputError` naming where it came from
and what is wrong; values AWS accepts as a string or a list are always tuples here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from labwarden.core.errors import InputError

ALLOW = "Allow"
DENY = "Deny"


@dataclass(frozen=True, slots=True)
class ConditionClause:
    """One ``operator: {key: values}`` pair of a ``Condition`` block."""

    operator: str
    key: str
    values: tuple[str, ...]

    def __str__(self) -> str:
        shown = self.values[0] if len(self.values) == 1 else list(self.values)
        return f"{self.operator} {self.key} {shown}"


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement; ``not_action``/``not_resource``/``not_principal`` invert the lists."""

    effect: str
    actions: tuple[str, ...]
    not_action: bool = False
    resources: tuple[str, ...] = ("*",)
    not_resource: bool = False
    principals: Mapping[str, tuple[str, ...]] | None = None
    """``{"AWS": (...), "Service": (...)}``; ``{"*": ("*",)}`` for ``"Principal": "*"``."""
    not_principal: bool = False
    conditions: tuple[ConditionClause, ...] = ()
    sid: str = ""
    origin: str = ""
    """Where it comes from: ``policy-name#sid`` or ``policy-name#index``."""


@dataclass(frozen=True, slots=True)
class Policy:
    """A named policy document: managed, inline, boundary, SCP, resource or trust policy."""

    name: str
    kind: str
    statements: tuple[Statement, ...] = field(default_factory=tuple)
    arn: str = ""


def _strings(value: Any, where: str, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str | bool | int | float) for v in value):
        return tuple(_text(v) for v in value)
    if isinstance(value, bool | int | float):
        return (_text(value),)
    raise InputError(f"{where}: {what} must be a string or a list of strings")


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _principals(value: Any, where: str) -> Mapping[str, tuple[str, ...]]:
    if value == "*":
        return {"*": ("*",)}
    if not isinstance(value, dict):
        raise InputError(f'{where}: Principal must be "*" or an object')
    return {str(k): _strings(v, where, f"Principal {k}") for k, v in value.items()}


def _conditions(value: Any, where: str) -> tuple[ConditionClause, ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise InputError(f"{where}: Condition must be an object")
    clauses = []
    for operator, block in value.items():
        if not isinstance(block, dict):
            raise InputError(f"{where}: Condition {operator} must map keys to values")
        for key, values in block.items():
            clauses.append(
                ConditionClause(str(operator), str(key), _strings(values, where, str(key)))
            )
    return tuple(clauses)


def _one_of(raw: Mapping[str, Any], name: str, where: str) -> tuple[tuple[str, ...], bool] | None:
    positive, negative = raw.get(name), raw.get(f"Not{name}")
    if positive is not None and negative is not None:
        raise InputError(f"{where}: a statement cannot have both {name} and Not{name}")
    if positive is not None:
        return _strings(positive, where, name), False
    if negative is not None:
        return _strings(negative, where, f"Not{name}"), True
    return None


def parse_statement(raw: Any, origin: str) -> Statement:
    """One statement object; ``origin`` names it in errors and explanations."""
    if not isinstance(raw, dict):
        raise InputError(f"{origin}: a statement must be an object")
    effect = raw.get("Effect")
    if effect not in (ALLOW, DENY):
        raise InputError(f"{origin}: Effect must be Allow or Deny, not {effect!r}")
    actions = _one_of(raw, "Action", origin)
    if actions is None:
        raise InputError(f"{origin}: a statement needs Action or NotAction")
    resources = _one_of(raw, "Resource", origin) or (("*",), False)
    principals: Mapping[str, tuple[str, ...]] | None = None
    not_principal = False
    if "Principal" in raw or "NotPrincipal" in raw:
        not_principal = "NotPrincipal" in raw
        principals = _principals(raw.get("NotPrincipal" if not_principal else "Principal"), origin)
    sid = str(raw.get("Sid", ""))
    return Statement(
        effect=effect,
        actions=actions[0],
        not_action=actions[1],
        resources=resources[0],
        not_resource=resources[1],
        principals=principals,
        not_principal=not_principal,
        conditions=_conditions(raw.get("Condition"), origin),
        sid=sid,
        origin=origin,
    )


def parse_document(document: Any, name: str, kind: str, arn: str = "") -> Policy:
    """A policy from its document: a dict, JSON text or URL-encoded JSON text (as IAM returns)."""
    if isinstance(document, str):
        text = document if document.lstrip().startswith("{") else unquote(document)
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}: policy document is not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise InputError(f"{name}: a policy document must be an object")
    raw = document.get("Statement", [])
    items = [raw] if isinstance(raw, dict) else raw
    if not isinstance(items, list):
        raise InputError(f"{name}: Statement must be an object or a list")
    statements = []
    for index, item in enumerate(items):
        sid = item.get("Sid") if isinstance(item, dict) else None
        statements.append(parse_statement(item, f"{name}#{sid or index}"))
    return Policy(name=name, kind=kind, statements=tuple(statements), arn=arn)
