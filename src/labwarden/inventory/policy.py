"""The sensitivity policy: kind defaults plus rules, loaded from TOML and applied to assets."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from labwarden.core.asset import Asset, SensitivityReason
from labwarden.core.errors import LabwardenError, PolicyError
from labwarden.core.values import AssetKind, Sensitivity
from labwarden.store.atomic import atomic_write

_E = TypeVar("_E", AssetKind, Sensitivity)


def default_policy_text() -> str:
    """The packaged default policy, as written into a new workspace."""
    return (resources.files("labwarden.inventory") / "default_policy.toml").read_text("utf-8")


@dataclass(frozen=True, slots=True)
class Rule:
    """One policy rule: conditions that, when all hold, give a sensitivity and a reason."""

    id: str
    sensitivity: Sensitivity
    reason: str
    override: bool = False
    kinds: frozenset[AssetKind] = frozenset()
    formats: frozenset[str] = frozenset()
    path_glob: tuple[str, ...] = ()
    name_regex: re.Pattern[str] | None = None
    columns_any: frozenset[str] = frozenset()
    column_regex: tuple[re.Pattern[str], ...] = ()
    min_matches: int = 1

    def evaluate(self, asset: Asset) -> str | None:
        """The detail of a match (which files or columns matched), or ``None``."""
        if self.kinds and asset.kind not in self.kinds:
            return None
        details: list[str] = []
        if self.formats and not any(f.format in self.formats for f in asset.files):
            return None
        if self.path_glob:
            hits = [
                f.path for f in asset.files if any(fnmatchcase(f.path, g) for g in self.path_glob)
            ]
            if not hits:
                return None
            details.append(f"path {_short(hits[0])}")
        if self.name_regex is not None:
            pattern = self.name_regex
            hits = [f.name for f in asset.files if pattern.search(f.name)]
            if not hits and not pattern.search(asset.name):
                return None
            details.append(f"name {hits[0] if hits else asset.name}")
        if self.columns_any or self.column_regex:
            matched = self._matching_columns(asset)
            if len(matched) < self.min_matches:
                return None
            shown = ", ".join(matched[:8]) + (" ..." if len(matched) > 8 else "")
            details.append(f"columns {shown}")
        return "; ".join(details)

    def _matching_columns(self, asset: Asset) -> list[str]:
        seen: dict[str, None] = {}
        for record in asset.files:
            for column in record.columns or ():
                upper = column.upper()
                if upper in self.columns_any or any(p.fullmatch(column) for p in self.column_regex):
                    seen.setdefault(column, None)
        return list(seen)


def _short(path: str) -> str:
    parts = path.split("/")
    return "/".join(parts[-3:]) if len(parts) > 3 else path


@dataclass(frozen=True, slots=True)
class Policy:
    """A loaded policy."""

    source: str
    kinds: dict[AssetKind, tuple[Sensitivity, str]]
    rules: tuple[Rule, ...]
    exclude: tuple[str, ...] = field(default=())

    def classify(self, asset: Asset) -> tuple[Sensitivity, list[SensitivityReason]]:
        """The sensitivity of ``asset`` and every reason that contributed to it."""
        base, why = self.kinds.get(asset.kind, (Sensitivity.INTERNAL, "no policy for this kind"))
        reasons = [SensitivityReason(f"kind:{asset.kind.value}", base, why)]
        level = base
        override: SensitivityReason | None = None
        for rule in self.rules:
            detail = rule.evaluate(asset)
            if detail is None:
                continue
            text = f"{rule.reason} ({detail})" if detail else rule.reason
            reason = SensitivityReason(rule.id, rule.sensitivity, text)
            reasons.append(reason)
            if rule.override:
                override = override or reason
            else:
                level = max(level, rule.sensitivity)
        if override is not None:
            return override.sensitivity, reasons
        return level, reasons


def load_policy(path: Path | None) -> Policy:
    """Load the policy at ``path``; ``None`` loads the packaged defaults."""
    if path is None:
        text, where = default_policy_text(), "default policy"
    else:
        where = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PolicyError(f"{path}: cannot read the policy: {exc.strerror}") from exc
        except UnicodeDecodeError as exc:
            raise PolicyError(f"{path}: the policy is not UTF-8 text") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{where}: not valid TOML: {exc}") from exc
    return parse_policy(data, where)


def parse_policy(data: dict[str, Any], where: str) -> Policy:
    """Validate a policy document; every error names the field."""
    if data.get("version", 1) != 1:
        raise PolicyError(f"{where}: unsupported policy version {data.get('version')!r}")
    kinds: dict[AssetKind, tuple[Sensitivity, str]] = {}
    for key, value in dict(data.get("kinds", {})).items():
        kind = _enum(AssetKind, key, f"{where}: [kinds].{key}")
        if not isinstance(value, dict) or "sensitivity" not in value:
            raise PolicyError(f"{where}: [kinds].{key} needs a table with a sensitivity")
        level = _enum(Sensitivity, value["sensitivity"], f"{where}: [kinds].{key}.sensitivity")
        kinds[kind] = (level, str(value.get("reason", f"{key} default")))
    rules = []
    raw_rules = data.get("rules", [])
    if not isinstance(raw_rules, list):
        raise PolicyError(f"{where}: `rules` must be an array of tables ([[rules]])")
    for index, raw in enumerate(raw_rules):
        rules.append(_rule(raw, f"{where}: rules[{index}]"))
    scan = data.get("scan", {})
    exclude = scan.get("exclude", []) if isinstance(scan, dict) else []
    if not isinstance(exclude, list) or not all(isinstance(e, str) for e in exclude):
        raise PolicyError(f"{where}: [scan].exclude must be a list of names or globs")
    return Policy(where, kinds, tuple(rules), tuple(exclude))


_RULE_KEYS = {
    "id",
    "sensitivity",
    "reason",
    "override",
    "kinds",
    "formats",
    "path_glob",
    "name_regex",
    "columns_any",
    "column_regex",
    "min_matches",
}


def _rule(raw: Any, where: str) -> Rule:
    if not isinstance(raw, dict):
        raise PolicyError(f"{where}: must be a table")
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise PolicyError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    for needed in ("id", "sensitivity", "reason"):
        if needed not in raw:
            raise PolicyError(f"{where}: missing `{needed}`")
    where = f"{where} ({raw['id']})"
    try:
        name_regex = re.compile(raw["name_regex"]) if "name_regex" in raw else None
        column_regex = tuple(re.compile(p) for p in _strings(raw, "column_regex", where))
    except re.error as exc:
        raise PolicyError(f"{where}: bad regular expression: {exc}") from exc
    min_matches = raw.get("min_matches", 1)
    if not isinstance(min_matches, int) or min_matches < 1:
        raise PolicyError(f"{where}: min_matches must be a whole number of at least 1")
    return Rule(
        id=str(raw["id"]),
        sensitivity=_enum(Sensitivity, raw["sensitivity"], f"{where}.sensitivity"),
        reason=str(raw["reason"]),
        override=bool(raw.get("override", False)),
        kinds=frozenset(
            _enum(AssetKind, k, f"{where}.kinds") for k in _strings(raw, "kinds", where)
        ),
        formats=frozenset(_strings(raw, "formats", where)),
        path_glob=tuple(_strings(raw, "path_glob", where)),
        name_regex=name_regex,
        columns_any=frozenset(c.upper() for c in _strings(raw, "columns_any", where)),
        column_regex=column_regex,
        min_matches=min_matches,
    )


def _strings(raw: dict[str, Any], key: str, where: str) -> list[str]:
    value = raw.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"{where}: `{key}` must be a string or a list of strings")
    return value


def _enum(cls: type[_E], value: Any, where: str) -> _E:
    try:
        return cls(str(value).lower())
    except ValueError:
        names = ", ".join(m.value for m in cls)
        raise PolicyError(f"{where}: {value!r} is not one of {names}") from None


def workspace_policy(policy_path: Path, explicit: Path | None = None) -> Policy:
    """The policy to use: ``explicit``, else the workspace's file (written from defaults once)."""
    if explicit is not None:
        return load_policy(explicit)
    if not policy_path.exists():
        try:
            atomic_write(policy_path, default_policy_text())
        except LabwardenError as exc:
            raise PolicyError(f"{policy_path}: cannot write the default policy: {exc}") from exc
    return load_policy(policy_path)


@lru_cache(maxsize=1)
def default_policy() -> Policy:
    """The packaged default policy (loaded once)."""
    return load_policy(None)
