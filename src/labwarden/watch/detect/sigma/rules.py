"""Load Sigma rules from files and compile them to SQL, reporting every rule that cannot run.

Rules are parsed by pySigma; detections are converted by :class:`DuckDBBackend` with
:func:`lake_pipeline`; correlations are compiled by :mod:`correlation` from their converted
member rules. Nothing a single rule does stops the others: it becomes a :class:`RuleProblem`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule, SigmaCorrelationType
from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule

from labwarden.core.errors import InputError
from labwarden.watch.detect.sigma import correlation
from labwarden.watch.detect.sigma.backend import DuckDBBackend
from labwarden.watch.detect.sigma.pipeline import lake_pipeline, map_field, source_for

log = logging.getLogger(__name__)

EVIDENCE_LIMIT = 100
"""Evidence events kept per alert (the count says how many matched in all)."""


@dataclass(slots=True)
class RuleProblem:
    """A rule file or rule that cannot be run, and why."""

    path: str
    rule: str
    reason: str

    def __str__(self) -> str:
        return (
            f"{self.path}: {self.rule}: {self.reason}"
            if self.rule
            else f"{self.path}: {self.reason}"
        )


@dataclass(slots=True)
class CompiledRule:
    """A rule ready to run over the lake."""

    id: str
    title: str
    level: str
    path: str
    tags: list[str]
    description: str
    kind: str
    """``detection`` or ``correlation``."""
    where: str = ""
    """Detections: the WHERE expression over ``events``."""
    correlation: correlation.CorrelationSQL | None = None
    members: list[str] = field(default_factory=list)
    correlation_type: str = ""
    timespan: str = ""
    generate: bool = True
    """Whether a detection raises alerts itself (``False`` when only a correlation uses it)."""

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready summary."""
        return {
            "id": self.id,
            "title": self.title,
            "level": self.level,
            "path": self.path,
            "kind": self.kind,
            "tags": self.tags,
            "correlation_type": self.correlation_type or None,
            "timespan": self.timespan or None,
        }


@dataclass(slots=True)
class RuleSet:
    """Compiled rules and the problems met on the way."""

    rules: list[CompiledRule] = field(default_factory=list)
    problems: list[RuleProblem] = field(default_factory=list)


def bundled_rules_dir() -> Path:
    """The rule pack shipped with labwarden (threats to AI assets)."""
    return Path(str(resources.files("labwarden.watch.rules")))


def rule_files(paths: Iterable[Path]) -> list[Path]:
    """Every ``.yml``/``.yaml`` file named or below named folders, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yml", ".yaml")))
        elif path.is_file():
            found.append(path)
        else:
            raise InputError(f"{path}: no such rule file or folder")
    return found


def load(paths: Iterable[Path], *, time_filter: str = "") -> RuleSet:
    """Parse and compile every rule below ``paths``; ``time_filter`` is `` AND ...`` SQL."""
    result = RuleSet()
    origin: dict[int, str] = {}
    collections = [
        c for p in rule_files(paths) if (c := _read_rules(p, origin, result)) is not None
    ]
    merged = SigmaCollection.merge(collections, resolve_references=False)
    valid = [r for r in merged.rules if not getattr(r, "errors", [])]
    # Detections are converted before references are resolved: pySigma defers the conversion
    # of rules that correlations reference, and this engine runs them itself.
    wheres, converted = _convert_detections(valid, origin, time_filter, result)
    referenced: set[int] = set()
    correlations: list[CompiledRule] = []
    for item in valid:
        if not isinstance(item, SigmaCorrelationRule):
            continue
        corr_from = origin.get(id(item), "")
        try:
            item.resolve_rule_references(merged)
            if not item.generate:
                referenced.update(id(ref.rule) for ref in item.rules or [])
            correlations.append(_compile_correlation(item, wheres, corr_from, time_filter))
        except (SigmaError, correlation.CorrelationError, KeyError) as exc:
            result.problems.append(RuleProblem(corr_from, item.title, _reason(exc)))
    result.rules.extend(
        _detection(item, item_from, wheres[id(item)], id(item) not in referenced)
        for item, item_from in converted
    )
    result.rules.extend(correlations)
    return result


def _read_rules(rule_path: Path, origin: dict[int, str], result: RuleSet) -> SigmaCollection | None:
    """The rules of one file (``None`` when it cannot be read); invalid rules are problems."""
    path = str(rule_path)
    try:
        text = rule_path.read_text(encoding="utf-8")
        collection = SigmaCollection.from_yaml(text, collect_errors=True, resolve_references=False)
    except (OSError, UnicodeDecodeError, SigmaError, ValueError, yaml.YAMLError) as exc:
        result.problems.append(RuleProblem(path, "", f"cannot load: {exc}"))
        return None
    for item in collection.rules:
        origin[id(item)] = path
        errors = getattr(item, "errors", [])
        if errors:
            title = getattr(item, "title", "") or ""
            reason = "; ".join(str(e) for e in errors)
            result.problems.append(RuleProblem(path, title, f"invalid rule: {reason}"))
    for error in collection.errors:
        result.problems.append(RuleProblem(path, "", f"invalid rule: {error}"))
    return collection


def _convert_detections(
    valid: list[Any], origin: dict[int, str], time_filter: str, result: RuleSet
) -> tuple[dict[int, str], list[tuple[SigmaRule, str]]]:
    """The WHERE clause of every detection rule (by ``id`` of the rule), and the rules
    converted with their files; rules that cannot be converted are problems."""
    backend = DuckDBBackend(lake_pipeline())
    wheres: dict[int, str] = {}
    converted: list[tuple[SigmaRule, str]] = []
    for item in valid:
        if isinstance(item, SigmaRule):
            where_from = origin.get(id(item), "")
            try:
                wheres[id(item)] = _detection_where(backend, item, time_filter)
            except (SigmaError, NotImplementedError, correlation.CorrelationError) as exc:
                result.problems.append(RuleProblem(where_from, item.title, _reason(exc)))
                continue
            converted.append((item, where_from))
    return wheres, converted


def _described(rule: SigmaRule | SigmaCorrelationRule, path: str) -> dict[str, Any]:
    """What every compiled rule says of itself: id, title, level, file, tags, description."""
    return {
        "id": str(rule.id or rule.name or rule.title),
        "title": rule.title,
        "level": rule.level.name.lower() if rule.level else "medium",
        "path": path,
        "tags": [str(t) for t in rule.tags],
        "description": (rule.description or "").strip(),
    }


def _detection(item: SigmaRule, path: str, where: str, generate: bool) -> CompiledRule:
    return CompiledRule(**_described(item, path), kind="detection", where=where, generate=generate)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def _detection_where(backend: DuckDBBackend, rule: SigmaRule, time_filter: str) -> str:
    source = source_for(rule.logsource.product, rule.logsource.service, rule.logsource.category)
    if source is None:
        parts = [
            p
            for p in (rule.logsource.product, rule.logsource.service, rule.logsource.category)
            if p
        ]
        raise correlation.CorrelationError(
            f"log source {'/'.join(parts) or '(none)'} has no lake source "
            "(labwarden ingests CloudTrail, S3 access, GCP audit, Azure, auditd, auth.log, HTTP)"
        )
    queries = backend.convert_rule(rule)
    if len(queries) != 1 or not isinstance(queries[0], str):
        raise correlation.CorrelationError("rule converted to more than one query")
    where = f"({queries[0]})"
    if rule.logsource.product == "labwarden" and source:
        where = f"source = '{source}' AND {where}"
    return where + time_filter


def _compile_correlation(
    rule: SigmaCorrelationRule, wheres: dict[int, str], path: str, time_filter: str
) -> CompiledRule:
    members: list[correlation.Member] = []
    value_name = getattr(rule.condition, "fieldref", None)
    if isinstance(value_name, list):
        value_name = value_name[0] if value_name else None
    for reference in rule.rules or []:
        base = reference.rule
        if isinstance(base, SigmaCorrelationRule):
            raise correlation.CorrelationError("correlations of correlations are not supported")
        if id(base) not in wheres:
            raise correlation.CorrelationError(
                f"referenced rule {reference.reference!r} could not be converted"
            )
        product, service = base.logsource.product, base.logsource.service
        groups = []
        for name in rule.group_by or []:
            alias = rule.aliases.aliases.get(name) if rule.aliases else None
            field = alias.mapping.get(reference, name) if alias is not None else name
            groups.append(map_field(product, service, field))
        members.append(
            correlation.Member(
                name=str(base.name or base.id or base.title),
                where=wheres[id(base)].removesuffix(time_filter)
                if time_filter
                else wheres[id(base)],
                group_fields=groups,
                value_field=map_field(product, service, value_name) if value_name else None,
            )
        )
    if rule.type is SigmaCorrelationType.TEMPORAL and len(members) < 2:
        raise correlation.CorrelationError("a temporal correlation needs two or more rules")
    sql = correlation.build(rule, members, time_filter, EVIDENCE_LIMIT)
    return CompiledRule(
        **_described(rule, path),
        kind="correlation",
        correlation=sql,
        members=[m.name for m in members],
        correlation_type=rule.type.name.lower(),
        timespan=str(rule.timespan.spec) if hasattr(rule.timespan, "spec") else "",
    )
