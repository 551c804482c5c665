"""pip requirements: ``requirements*.txt`` files (with ``-r``/``-c`` includes, hashes, markers,
editable and VCS installs, index options) and the arguments of ``pip install`` command lines."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from packaging.requirements import InvalidRequirement, Requirement

from labwarden.checks.code.interface import Dependency, Hit
from labwarden.core.values import Severity

_COMMENT = re.compile(r"(^|\s)#.*$")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][\w.\-\[\],]*)")
_ARCHIVE = re.compile(
    r"/(?P<name>[A-Za-z0-9][\w.]*?)-(?P<version>\d[\w.+!]*?)(?:-[^/]*)?\.(?:whl|tar\.gz|zip|tar\.bz2)(?:[#?].*)?$"
)
_VCS = ("git+", "hg+", "svn+", "bzr+")
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)

_TAKES_VALUE = {
    "-r": "requirement",
    "--requirement": "requirement",
    "-c": "constraint",
    "--constraint": "constraint",
    "-e": "editable",
    "--editable": "editable",
    "-i": "index",
    "--index-url": "index",
    "--extra-index-url": "extra-index",
    "--trusted-host": "trusted-host",
    "-f": "find-links",
    "--find-links": "find-links",
    "--hash": "hash",
    "-t": "skip",
    "--target": "skip",
    "--prefix": "skip",
    "--root": "skip",
    "--platform": "skip",
    "--python-version": "skip",
    "--implementation": "skip",
    "--abi": "skip",
    "--src": "skip",
    "--upgrade-strategy": "skip",
    "--progress-bar": "skip",
    "--cache-dir": "skip",
    "--log": "skip",
    "--timeout": "skip",
    "--retries": "skip",
    "--proxy": "skip",
    "--python": "skip",
    "-C": "skip",
    "--config-settings": "skip",
    "--only-binary": "skip",
    "--no-binary": "skip",
    "--global-option": "skip",
    "--install-option": "skip",
}


@dataclass(slots=True)
class Manifest:
    """The dependencies one file (or one command) asks for, and the settings that apply."""

    path: str
    kind: str
    """``requirements``, ``pip-install``, ``pyproject``, ``setup.cfg``, ``environment.yml``,
    ``poetry.lock``, ``uv.lock``, ``Pipfile.lock``."""
    dependencies: list[Dependency] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    extra_indexes: list[tuple[str, int]] = field(default_factory=list)
    """Extra package indexes consulted next to the default one, with their line."""
    index: str | None = None
    require_hashes: bool = False
    member: str | None = None

    @property
    def locked(self) -> bool:
        """Whether this is a lock file (every entry pinned by construction)."""
        return self.kind.endswith(".lock")


def is_vcs(url: str) -> bool:
    """Whether ``url`` is a VCS reference pip understands (``git+https://...``)."""
    return url.lower().startswith(_VCS)


def vcs_ref(url: str) -> str | None:
    """The revision of a VCS URL (``git+https://h/o/r.git@v1.2#egg=x`` -> ``v1.2``)."""
    path = url.split("#", 1)[0].split("?", 1)[0]
    tail = path.split("://", 1)[-1]
    segment = tail.rsplit("/", 1)[-1]
    return segment.rsplit("@", 1)[1] if "@" in segment else None


def dependency_from_spec(
    spec: str, path: str, line: int, *, hashes: tuple[str, ...] = (), member: str | None = None
) -> Dependency | Hit | None:
    """One requirement (PEP 508, a URL or a VCS reference) as a dependency.

    Returns a hit when it cannot be read, and ``None`` for local paths (the project's own code).
    """
    text = spec.strip()
    if not text:
        return None
    if _URL.match(text) or is_vcs(text):
        return _url_dependency(text, path, line, hashes, member)
    if text.startswith((".", "/", "~")) or text.startswith("file:"):
        return None
    try:
        req = Requirement(text)
    except InvalidRequirement as exc:
        return Hit(
            rule="unreadable-requirement",
            severity=Severity.INFO,
            line=line,
            message=f"requirement {text[:80]!r} is not valid PEP 508: {exc}",
            member=member,
        )
    specifier = str(req.specifier)
    return Dependency(
        name=req.name,
        ecosystem="PyPI",
        source=path,
        line=line,
        specifier=specifier,
        version=exact_version(specifier),
        hashes=hashes,
        url=req.url,
        markers=str(req.marker) if req.marker else None,
        member=member,
    )


def exact_version(specifier: str) -> str | None:
    """The version of a specifier that admits exactly one (``==1.2.3``, ``===1.2.3``)."""
    parts = [p.strip() for p in specifier.split(",") if p.strip()]
    if len(parts) != 1:
        return None
    only = parts[0]
    for operator in ("===", "=="):
        if only.startswith(operator):
            version = only[len(operator) :].strip()
            return None if "*" in version else version
    return None


def _url_dependency(
    text: str, path: str, line: int, hashes: tuple[str, ...], member: str | None
) -> Dependency | None:
    name_match = _EGG.search(text)
    archive = _ARCHIVE.search(text)
    name = name_match.group(1).split("[", 1)[0] if name_match else None
    version = None
    if archive and not is_vcs(text):
        name = name or archive.group("name")
        version = archive.group("version")
    if name is None:
        name = PurePosixPath(text.split("#", 1)[0].split("?", 1)[0]).name.removesuffix(".git")
    if not name:
        return None
    digest = re.search(r"#(sha256|sha384|sha512)=([0-9a-f]+)", text)
    found_hashes = hashes + ((f"{digest.group(1)}:{digest.group(2)}",) if digest else ())
    return Dependency(
        name=name,
        ecosystem="PyPI",
        source=path,
        line=line,
        version=version,
        hashes=found_hashes,
        url=text,
        member=member,
    )


@dataclass(slots=True)
class _Line:
    number: int
    text: str


def logical_lines(text: str) -> Iterator[_Line]:
    """Lines with ``\\`` continuations joined and comments removed, numbered by their start."""
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        if not pending:
            start = number
        if raw.endswith("\\"):
            pending.append(raw[:-1])
            continue
        pending.append(raw)
        joined = _COMMENT.sub("", " ".join(pending)).strip()
        pending = []
        if joined:
            yield _Line(start, joined)
    if pending:
        joined = _COMMENT.sub("", " ".join(pending)).strip()
        if joined:
            yield _Line(start, joined)


Include = Callable[[str, str], "tuple[str, str] | None"]
"""Reads an included file: ``(including file, name as written)`` -> ``(path, text)`` or ``None``."""


@dataclass(slots=True)
class _Options:
    """What option tokens of one line set (the requirement tokens are returned apart)."""

    hashes: list[str] = field(default_factory=list)
    includes: list[tuple[str, str]] = field(default_factory=list)
    specs: list[str] = field(default_factory=list)


def apply_options(tokens: list[str], manifest: Manifest, line: int) -> _Options:
    """Read pip options out of ``tokens`` into ``manifest``; the rest are requirements."""
    found = _Options()
    index = 0
    while index < len(tokens):
        token = tokens[index]
        option, value = token, None
        if token.startswith("--") and "=" in token:
            option, value = token.split("=", 1)
        elif token.startswith("-") and len(token) > 2 and token[:2] in _TAKES_VALUE:
            option, value = token[:2], token[2:]
        kind = _TAKES_VALUE.get(option)
        if kind is not None and value is None:
            index += 1
            value = tokens[index] if index < len(tokens) else ""
        index += 1
        if kind is None:
            if token == "--require-hashes":  # noqa: S105  (an option, not a password)
                manifest.require_hashes = True
            elif not token.startswith("-"):
                found.specs.append(token)
            continue
        _set_option(kind, value or "", manifest, line, found)
    return found


def _set_option(kind: str, value: str, manifest: Manifest, line: int, found: _Options) -> None:
    if kind == "hash":
        found.hashes.append(value)
    elif kind in ("requirement", "constraint"):
        found.includes.append((kind, value))
    elif kind == "editable":
        found.specs.append(value)
    elif kind == "index":
        manifest.index = value
    elif kind == "extra-index":
        manifest.extra_indexes.append((value, line))
    elif kind == "trusted-host":
        message = f"--trusted-host {value} turns off TLS verification for that host"
        fix = "Serve the index over HTTPS with a valid certificate and drop --trusted-host."
        manifest.hits.append(
            Hit("insecure-index", Severity.MEDIUM, line, message, fix, {}, manifest.member)
        )
    elif kind == "find-links" and value.lower().startswith("http://"):
        message = f"--find-links {value} fetches packages over plain HTTP"
        fix = "Use an https:// location, and --require-hashes."
        manifest.hits.append(
            Hit("insecure-index", Severity.MEDIUM, line, message, fix, {}, manifest.member)
        )


_OPTION_START = re.compile(r"(?:^|\s)(--?[A-Za-z][\w-]*)(?=[\s=]|$)")


def split_options(line: str) -> tuple[str, str]:
    """A requirements line as ``(requirement, options)``: like pip, everything from the first
    option on is options, and the requirement before it keeps its quotes and spaces."""
    found = _OPTION_START.search(line)
    if found is None:
        return line, ""
    return line[: found.start()].strip(), line[found.start() :].strip()


def _tokens(text: str) -> list[str]:
    try:
        return shlex.split(text, comments=False, posix=True)
    except ValueError:
        return text.split()


def read_requirements(
    path: str,
    text: str,
    include: Include | None = None,
    *,
    member: str | None = None,
    _seen: frozenset[str] = frozenset(),
) -> Manifest:
    """The dependencies of a requirements file, following ``-r`` and ``-c`` includes."""
    manifest = Manifest(path=path, kind="requirements", member=member)
    constraints: dict[str, str] = {}
    for line in logical_lines(text):
        spec, rest = split_options(line.text)
        options = apply_options(_tokens(rest), manifest, line.number)
        for kind, name in options.includes:
            _include(manifest, constraints, kind, name, line.number, include, _seen | {path})
        spec = " ".join([spec, *options.specs]).strip()
        found = dependency_from_spec(
            spec, path, line.number, hashes=tuple(options.hashes), member=member
        )
        if isinstance(found, Dependency):
            manifest.dependencies.append(found)
        elif isinstance(found, Hit):
            manifest.hits.append(found)
    if constraints:
        manifest.dependencies = [_constrained(d, constraints) for d in manifest.dependencies]
    return manifest


def _include(
    manifest: Manifest,
    constraints: dict[str, str],
    kind: str,
    name: str,
    line: int,
    include: Include | None,
    seen: frozenset[str],
) -> None:
    loaded = include(manifest.path, name) if include else None
    if loaded is None:
        return
    inner_path, inner_text = loaded
    if inner_path in seen:
        return  # a cycle of -r includes
    inner = read_requirements(inner_path, inner_text, include, member=manifest.member, _seen=seen)
    manifest.extra_indexes.extend(inner.extra_indexes)
    manifest.hits.extend(inner.hits)
    manifest.require_hashes = manifest.require_hashes or inner.require_hashes
    if kind == "constraint":
        for dep in inner.dependencies:
            if dep.version:
                constraints[dep.key] = dep.version
    else:
        manifest.dependencies.extend(inner.dependencies)


def _constrained(dep: Dependency, constraints: dict[str, str]) -> Dependency:
    if dep.version or dep.url or dep.key not in constraints:
        return dep
    version = constraints[dep.key]
    return Dependency(
        name=dep.name,
        ecosystem=dep.ecosystem,
        source=dep.source,
        line=dep.line,
        specifier=f"=={version} (constraint)",
        version=version,
        hashes=dep.hashes,
        url=dep.url,
        markers=dep.markers,
        origin=dep.origin,
        member=dep.member,
    )


_PIP = re.compile(
    r"(?:^|[\s;&|(`])(?:(?:sudo\s+(?:-\S+\s+)*)?(?:\S*python[\d.]*\s+-m\s+pip|\S*pip[\d.]*|uv\s+pip)"
    r"\s+install\b)(?P<args>[^;&|`)]*)"
)


def pip_installs(text: str, path: str, line: int, member: str | None = None) -> list[Manifest]:
    """The ``pip install`` commands in one logical shell line, each as a manifest."""
    found: list[Manifest] = []
    for match in _PIP.finditer(text):
        manifest = Manifest(path=path, kind="pip-install", member=member)
        tokens = _tokens(match.group("args").split(" #", 1)[0])
        # Files given with -r are checked where they are part of the scan.
        options = apply_options(tokens, manifest, line)
        for spec in options.specs:
            dep = dependency_from_spec(spec, path, line, member=member)
            if isinstance(dep, Dependency):
                manifest.dependencies.append(dep)
            elif isinstance(dep, Hit):
                manifest.hits.append(dep)
        found.append(manifest)
    return found
