"""The escalation methods, read from ``methods.yaml`` beside this module."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml

KINDS = frozenset(
    {
        "self-policy",
        "policy-version",
        "self-user",
        "self-role",
        "own-group",
        "join-group",
        "other-user",
        "assume",
        "trust-edit",
        "pass-role",
        "existing-compute",
    }
)


@dataclass(frozen=True, slots=True)
class Method:
    """One known way to gain privileges: what it needs, on what, and how it is done."""

    id: str
    name: str
    kind: str
    requires: tuple[str, ...] = ()
    """Actions on the target (policy, user, group or role)."""
    also: tuple[str, ...] = ()
    """Actions on resources of the principal's choosing."""
    service: str = ""
    """The service principal the target role must trust (pass-role, existing-compute)."""
    instance_profile: bool = False
    login_profile: str = ""
    """``absent`` or ``present``: the target user must have no console password, or one
    (``CreateLoginProfile`` and ``UpdateLoginProfile``); empty: either."""
    steps: tuple[str, ...] = ()
    references: tuple[str, ...] = ()


def _method(raw: dict[str, Any]) -> Method:
    method = Method(
        id=str(raw["id"]),
        name=str(raw["name"]),
        kind=str(raw["kind"]),
        requires=tuple(raw.get("requires", ())),
        also=tuple(raw.get("also", ())),
        service=str(raw.get("service", "")),
        instance_profile=bool(raw.get("instance_profile", False)),
        login_profile=str(raw.get("login_profile", "")),
        steps=tuple(raw.get("steps", ())),
        references=tuple(raw.get("references", ())),
    )
    if method.login_profile not in ("", "absent", "present"):
        raise ValueError(f"methods.yaml: {method.id}: login_profile absent or present")
    if method.kind not in KINDS:
        raise ValueError(f"methods.yaml: {method.id}: unknown kind {method.kind}")
    return method


@lru_cache(maxsize=1)
def all_methods() -> tuple[Method, ...]:
    """Every method, in file order."""
    text = files(__package__).joinpath("methods.yaml").read_text(encoding="utf-8")
    return tuple(_method(raw) for raw in yaml.safe_load(text))
