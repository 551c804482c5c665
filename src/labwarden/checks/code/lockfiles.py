"""Lock files: ``poetry.lock``, ``uv.lock`` and ``Pipfile.lock``; every entry is an exact
version, so what matters is where it comes from, whether it carries hashes, and what is known
to be vulnerable in it."""

from __future__ import annotations

import json
from typing import Any

from labwarden.checks.code.interface import Dependency
from labwarden.checks.code.manifests import line_of, load_toml, unreadable
from labwarden.checks.code.requirements import Manifest

PYPI_HOSTS = (
    "https://pypi.org/simple",
    "https://pypi.python.org/simple",
    "https://files.pythonhosted.org",
)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _locked(
    path: str,
    text: str,
    name: str,
    version: str,
    hashes: tuple[str, ...],
    url: str | None,
    index: str | None,
) -> Dependency:
    """One package of a TOML lock file, found by its ``name = ...`` line."""
    line = line_of(text, f'name = "{name}"\nversion = "{version}"') or line_of(
        text, f'name = "{name}"'
    )
    return Dependency(
        name=name,
        ecosystem="PyPI",
        source=path,
        line=line,
        specifier=f"=={version}",
        version=version or None,
        hashes=hashes,
        url=url,
        origin="lock",
        index=index,
    )


def read_poetry_lock(path: str, text: str) -> Manifest:
    """The packages of a ``poetry.lock`` (1.x ``[metadata.files]`` and 2.x ``files``)."""
    data, manifest = load_toml(path, text, "poetry.lock")
    if data is None:
        return manifest
    legacy = _dict(_dict(data.get("metadata")).get("files"))
    for package in data.get("package", []) if isinstance(data.get("package"), list) else []:
        if not isinstance(package, dict) or not isinstance(package.get("name"), str):
            continue
        name, version = package["name"], str(package.get("version", ""))
        files = package.get("files") or legacy.get(name)
        hashes = tuple(str(f["hash"]) for f in files or [] if isinstance(f, dict) and "hash" in f)
        source = _dict(package.get("source"))
        url, index = _poetry_source(source)
        manifest.dependencies.append(_locked(path, text, name, version, hashes, url, index))
    return manifest


def _poetry_source(source: dict[str, Any]) -> tuple[str | None, str | None]:
    kind = source.get("type")
    if kind == "git":
        ref = source.get("resolved_reference") or source.get("reference")
        return f"git+{source.get('url')}" + (f"@{ref}" if ref else ""), None
    if kind in ("url", "file", "directory"):
        return str(source.get("url")), None
    if kind == "legacy":
        return None, str(source.get("url"))
    return None, None


def read_uv_lock(path: str, text: str) -> Manifest:
    """The packages of a ``uv.lock`` (the project itself, editable and virtual ones left out)."""
    data, manifest = load_toml(path, text, "uv.lock")
    if data is None:
        return manifest
    for package in data.get("package", []) if isinstance(data.get("package"), list) else []:
        if not isinstance(package, dict) or not isinstance(package.get("name"), str):
            continue
        source = _dict(package.get("source"))
        if any(k in source for k in ("editable", "virtual", "directory", "path")):
            continue
        name, version = package["name"], str(package.get("version", ""))
        hashes = [package.get("sdist"), *(package.get("wheels") or [])]
        registry = source.get("registry")
        url = None
        if "git" in source:
            url = _uv_git(str(source["git"]))
        elif "url" in source:
            url = str(source["url"])
        digests = tuple(str(h["hash"]) for h in hashes if isinstance(h, dict) and "hash" in h)
        index = None if not registry or str(registry).startswith(PYPI_HOSTS) else str(registry)
        manifest.dependencies.append(_locked(path, text, name, version, digests, url, index))
    return manifest


def _uv_git(reference: str) -> str:
    """uv's ``https://host/repo.git?rev=main#<commit>`` as pip's ``git+https://...@<commit>``."""
    base, _, commit = reference.partition("#")
    base = base.split("?", 1)[0]
    return f"git+{base}@{commit}" if commit else f"git+{base}"


def read_pipfile_lock(path: str, text: str) -> Manifest:
    """The ``default`` and ``develop`` packages of a ``Pipfile.lock``, and its extra sources."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        return unreadable(path, "Pipfile.lock", str(exc))
    manifest = Manifest(path=path, kind="Pipfile.lock")
    if not isinstance(data, dict):
        return manifest
    meta = _dict(data.get("_meta"))
    sources = [s for s in meta.get("sources") or [] if isinstance(s, dict)]
    for source in sources[1:]:
        url = str(source.get("url", ""))
        manifest.extra_indexes.append((url, line_of(text, url)))
    for section in ("default", "develop"):
        packages = data.get(section)
        for name, entry in (packages or {}).items() if isinstance(packages, dict) else []:
            if isinstance(entry, dict):
                manifest.dependencies.append(_pipfile_entry(path, text, name, entry))
    return manifest


def _pipfile_entry(path: str, text: str, name: str, entry: dict[str, Any]) -> Dependency:
    version = str(entry.get("version", "")).removeprefix("==") or None
    url = None
    if "git" in entry:
        url = f"git+{entry['git']}" + (f"@{entry['ref']}" if entry.get("ref") else "")
    elif "file" in entry:
        url = str(entry["file"])
    given = entry.get("hashes")
    hashes: list[Any] = given if isinstance(given, list) else []
    return Dependency(
        name=name,
        ecosystem="PyPI",
        source=path,
        line=line_of(text, f'"{name}": {{'),
        specifier=f"=={version}" if version else "",
        version=version,
        hashes=tuple(str(h) for h in hashes),
        url=url,
        origin="lock",
        index=str(entry["index"]) if entry.get("index") not in (None, "pypi") else None,
    )
