"""Declared dependencies: ``pyproject.toml`` (PEP 621, PEP 735 groups, Poetry, uv indexes),
``setup.cfg`` and conda's ``environment.yml``."""

from __future__ import annotations

import configparser
import re
import tomllib
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import yaml

from labwarden.checks.code.interface import Dependency, Hit
from labwarden.checks.code.requirements import (
    Manifest,
    apply_options,
    dependency_from_spec,
)
from labwarden.core.values import Severity


def line_of(text: str, needle: str, default: int = 0) -> int:
    """The 1-based line of the first occurrence of ``needle`` (``default`` when absent)."""
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else default


def unreadable(path: str, kind: str, reason: str) -> Manifest:
    """A manifest that could not be read: no dependencies, one informational hit."""
    manifest = Manifest(path=path, kind=kind)
    manifest.hits.append(
        Hit("unreadable-manifest", Severity.INFO, 0, f"not read as {kind}: {reason}")
    )
    return manifest


def load_toml(path: str, text: str, kind: str) -> tuple[dict[str, Any] | None, Manifest]:
    """A TOML file's data and an empty manifest of ``kind``; the data is ``None`` when the
    file is not TOML, and the manifest then says why."""
    try:
        return tomllib.loads(text), Manifest(path=path, kind=kind)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        return None, unreadable(path, kind, str(exc))


def _declared(found: Dependency | Hit | None, manifest: Manifest) -> None:
    if isinstance(found, Dependency):
        manifest.dependencies.append(_as(found, "declared"))
    elif isinstance(found, Hit):
        manifest.hits.append(found)


def _as(dep: Dependency, origin: str, index: str | None = None) -> Dependency:
    return replace(dep, origin=origin, index=index or dep.index)


def _specs(text: str, manifest: Manifest, specs: Iterable[Any]) -> None:
    for spec in specs:
        if isinstance(spec, str):
            line = line_of(text, f'"{spec}"') or line_of(text, f"'{spec}'") or line_of(text, spec)
            _declared(dependency_from_spec(spec, manifest.path, line), manifest)


def read_pyproject(path: str, text: str) -> Manifest:
    """The dependencies a ``pyproject.toml`` declares (project, groups, build, Poetry)."""
    data, manifest = load_toml(path, text, "pyproject")
    if data is None:
        return manifest
    project = _table(data.get("project"))
    _specs(text, manifest, _list(project.get("dependencies")))
    for extra in _table(project.get("optional-dependencies")).values():
        _specs(text, manifest, _list(extra))
    for group in _table(data.get("dependency-groups")).values():
        _specs(text, manifest, _list(group))
    _specs(text, manifest, _list(_table(data.get("build-system")).get("requires")))
    tool = _table(data.get("tool"))
    _poetry(text, manifest, _table(tool.get("poetry")))
    _uv_indexes(text, manifest, _table(tool.get("uv")))
    return manifest


def _table(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _poetry(text: str, manifest: Manifest, poetry: dict[str, Any]) -> None:
    tables = [_table(poetry.get("dependencies")), _table(poetry.get("dev-dependencies"))]
    tables += [_table(_table(g).get("dependencies")) for g in _table(poetry.get("group")).values()]
    for table in tables:
        for name, value in table.items():
            if name.lower() == "python":
                continue
            for entry in value if isinstance(value, list) else [value]:
                manifest.dependencies.append(_poetry_dependency(text, manifest.path, name, entry))
    for item in _list(poetry.get("source")):
        source = _table(item)
        url = source.get("url")
        priority = str(source.get("priority", "")).lower()
        if isinstance(url, str) and (priority in ("supplemental", "secondary") or not priority):
            manifest.extra_indexes.append((url, line_of(text, url)))


_POETRY_EXACT = re.compile(r"^(==)?\s*\d[\w.!+]*$")


def _poetry_dependency(text: str, path: str, name: str, entry: Any) -> Dependency:
    line = line_of(text, f"\n{name} =") + 1 if f"\n{name} =" in text else line_of(text, name)
    if isinstance(entry, str):
        return _poetry_version(name, path, line, entry)
    table = _table(entry)
    if "git" in table:
        ref = table.get("rev") or table.get("tag") or table.get("branch")
        url = f"git+{table['git']}" + (f"@{ref}" if ref else "")
        return Dependency(name, "PyPI", path, line, url=url, origin="declared")
    if "url" in table:
        return Dependency(name, "PyPI", path, line, url=str(table["url"]), origin="declared")
    if "path" in table:
        return Dependency(name, "PyPI", path, line, url=f"file:{table['path']}", origin="declared")
    dep = _poetry_version(name, path, line, str(table.get("version", "*")))
    source = table.get("source")
    return _as(dep, "declared", str(source)) if source else dep


def _poetry_version(name: str, path: str, line: int, constraint: str) -> Dependency:
    constraint = constraint.strip()
    exact = constraint.lstrip("=").strip() if _POETRY_EXACT.match(constraint) else None
    shown = "" if constraint == "*" else constraint
    return Dependency(name, "PyPI", path, line, specifier=shown, version=exact, origin="declared")


def _uv_indexes(text: str, manifest: Manifest, uv: dict[str, Any]) -> None:
    for url in _list(uv.get("extra-index-url")):
        if isinstance(url, str):
            manifest.extra_indexes.append((url, line_of(text, url)))
    for item in _list(uv.get("index")):
        index = _table(item)
        url = index.get("url")
        # uv stops at the first index that has a name unless index-strategy says otherwise;
        # an index marked explicit only serves packages pinned to it.
        if isinstance(url, str) and not index.get("explicit") and not index.get("default"):
            manifest.extra_indexes.append((url, line_of(text, url)))


def read_setup_cfg(path: str, text: str) -> Manifest:
    """``install_requires``, ``setup_requires`` and ``extras_require`` of a ``setup.cfg``."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        return unreadable(path, "setup.cfg", str(exc).splitlines()[0])
    manifest = Manifest(path=path, kind="setup.cfg")
    specs: list[str] = []
    if parser.has_section("options"):
        for key in ("install_requires", "setup_requires", "tests_require"):
            specs += _cfg_list(parser.get("options", key, fallback=""))
    if parser.has_section("options.extras_require"):
        for _, value in parser.items("options.extras_require"):
            specs += _cfg_list(value)
    _specs(text, manifest, specs)
    return manifest


def _cfg_list(value: str) -> list[str]:
    items = re.split(r"[\n;]" if "\n" in value else r"\n", value)
    return [item.split("#", 1)[0].strip() for item in items if item.split("#", 1)[0].strip()]


_CONDA = re.compile(
    r"^(?:(?P<channel>[\w./:-]+)::)?(?P<name>[A-Za-z0-9_][\w.-]*)\s*(?P<spec>[=<>!~].*)?$"
)


def read_environment(path: str, text: str) -> Manifest:
    """The conda and pip dependencies of an ``environment.yml``."""
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError) as exc:
        return unreadable(path, "environment.yml", str(exc).splitlines()[0])
    manifest = Manifest(path=path, kind="environment.yml")
    if not isinstance(data, dict):
        return manifest
    for channel in _list(data.get("channels")):
        if isinstance(channel, str) and channel.lower().startswith("http://"):
            manifest.hits.append(
                Hit(
                    "insecure-index",
                    Severity.MEDIUM,
                    line_of(text, channel),
                    f"conda channel {channel} is fetched over plain HTTP",
                    "Use an https:// channel.",
                )
            )
    for entry in _list(data.get("dependencies")):
        if isinstance(entry, str):
            _conda_entry(text, manifest, entry)
        elif isinstance(entry, dict):
            _pip_section(text, manifest, _list(entry.get("pip")))
    return manifest


def _conda_entry(text: str, manifest: Manifest, entry: str) -> None:
    found = _CONDA.match(entry.strip())
    if not found or found["name"].lower() in ("python", "pip"):
        return
    spec = (found["spec"] or "").strip()
    version = None
    exact = re.match(r"^==?([\w.!+]+)(?:=[\w.*]+)?$", spec)
    if exact and "*" not in exact.group(1):
        version = exact.group(1)
    manifest.dependencies.append(
        Dependency(
            name=found["name"],
            ecosystem="conda",
            source=manifest.path,
            line=line_of(text, entry),
            specifier=spec,
            version=version,
            origin="declared",
            index=found["channel"],
        )
    )


def _pip_section(text: str, manifest: Manifest, entries: list[Any]) -> None:
    for entry in entries:
        if not isinstance(entry, str):
            continue
        line = line_of(text, entry)
        tokens = entry.split()
        options = apply_options(tokens, manifest, line)
        spec = " ".join(options.specs)
        found = dependency_from_spec(spec, manifest.path, line, hashes=tuple(options.hashes))
        if isinstance(found, Dependency):
            manifest.dependencies.append(found)  # pip's own requirements, judged as such
        elif isinstance(found, Hit):
            manifest.hits.append(found)
