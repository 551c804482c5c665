"""Rules over dependencies: unpinned and unhashed requirements, URL and VCS installs without a
commit, extra indexes next to internal-looking names (dependency confusion), typosquats, and
known vulnerabilities from an offline OSV database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlparse

from labwarden.checks.code.hub import COMMIT
from labwarden.checks.code.interface import Dependency, Hit, Match, normalize_name
from labwarden.checks.code.osv import OsvDatabase
from labwarden.checks.code.requirements import Manifest, is_vcs, vcs_ref
from labwarden.checks.code.typosquat import popular, resembles
from labwarden.core.values import Severity

INTERNAL_WORDS = ("internal", "private", "corp", "inhouse", "in-house", "proprietary", "intranet")
"""Words that make a package name look like it was meant for a private index."""
_GENERIC_HOST_WORDS = frozenset(
    {
        "www",
        "pypi",
        "pip",
        "simple",
        "packages",
        "package",
        "pkgs",
        "pkg",
        "repo",
        "repos",
        "repository",
        "artifactory",
        "nexus",
        "jfrog",
        "devpi",
        "gitlab",
        "github",
        "api",
        "com",
        "net",
        "org",
        "io",
        "dev",
        "local",
        "internal",
        "corp",
        "cloud",
        "co",
        "uk",
        "de",
        "python",
        "py",
        "index",
        "mirror",
        "registry",
        "artifacts",
        "codeartifact",
        "amazonaws",
        "azure",
        "visualstudio",
        "feeds",
        "prod",
        "test",
        "staging",
        "https",
        "http",
    }
)


def dependency_hits(manifest: Manifest, has_lock: bool) -> Iterator[Hit]:
    """Every rule over one manifest's dependencies (vulnerabilities apart)."""
    yield from manifest.hits
    unhashed: list[Dependency] = []
    for dep in manifest.dependencies:
        if dep.ecosystem not in ("PyPI", "conda"):
            continue
        pinning = _pinning(dep, manifest, has_lock)
        if pinning is not None:
            yield pinning
        if dep.version and not dep.url and not dep.hashes and dep.ecosystem == "PyPI":
            unhashed.append(dep)
        squat = _typosquat(dep)
        if squat is not None:
            yield squat
    yield from _unhashed(manifest, unhashed)
    yield from _confusion(manifest)
    if manifest.kind in ("pyproject", "setup.cfg", "environment.yml") and not has_lock:
        ranged = [d for d in manifest.dependencies if d.origin == "declared" and not d.version]
        if ranged:
            yield _hit(
                "no-lock-file",
                Severity.LOW,
                ranged[0],
                f"{len(ranged)} dependencies declared with ranges and no lock file next to "
                f"them ({_names(ranged)})",
                "Commit a lock file (uv lock, poetry lock, pip-compile --generate-hashes, "
                "conda-lock) so that every build installs the versions you tested.",
            )


def _names(deps: list[Dependency], most: int = 5) -> str:
    shown = ", ".join(d.name for d in deps[:most])
    return shown + (", ..." if len(deps) > most else "")


def _hit(rule: str, severity: Severity, dep: Dependency, message: str, fix: str) -> Hit:
    evidence = {"package": dep.name, "specifier": dep.specifier, "purl": dep.purl}
    return Hit(rule, severity, dep.line, message, fix, evidence, dep.member, dep.source)


def _pinning(dep: Dependency, manifest: Manifest, has_lock: bool) -> Hit | None:
    if dep.url:
        return _url_pinning(dep)
    if dep.version or dep.origin != "requirement" or manifest.locked:
        return None
    if manifest.kind == "pip-install" and has_lock and not dep.specifier:
        return None
    loose = f"{dep.specifier}" if dep.specifier else "any version"
    return _hit(
        "unpinned-requirement",
        Severity.MEDIUM,
        dep,
        f"{dep.name} is not pinned ({loose}): each install may bring a different release",
        f"Pin an exact version with its hash: {dep.name}==X.Y.Z --hash=sha256:... "
        "(pip-compile --generate-hashes or uv pip compile --generate-hashes).",
    )


def _url_pinning(dep: Dependency) -> Hit | None:
    url = dep.url or ""
    if url.startswith("file:"):
        return None
    if is_vcs(url):
        ref = vcs_ref(url)
        if ref and COMMIT.match(ref):
            return None
        at = f"ref {ref!r}" if ref else "the default branch"
        return _hit(
            "vcs-unpinned",
            Severity.HIGH,
            dep,
            f"{dep.name} installs from {url.split('#', 1)[0]} at {at}, not a commit",
            "Pin the full commit: git+https://host/org/repo.git@<40-hex sha>.",
        )
    if dep.hashes:
        return None
    return _hit(
        "url-unhashed",
        Severity.HIGH,
        dep,
        f"{dep.name} installs from {url} without a hash: the file there can change",
        "Add #sha256=<digest> to the URL or --hash=sha256:<digest>, or install from an index.",
    )


def _unhashed(manifest: Manifest, unhashed: list[Dependency]) -> Iterator[Hit]:
    if not unhashed or manifest.kind == "pip-install":
        return
    hashed = any(d.hashes for d in manifest.dependencies)
    if manifest.locked:
        first = unhashed[0]
        yield _hit(
            "unhashed-lock",
            Severity.LOW,
            first,
            f"{len(unhashed)} locked packages carry no hashes (first: {first.name})",
            "Regenerate the lock file with a tool that records hashes.",
        )
    elif hashed or manifest.require_hashes:
        for dep in unhashed:
            yield _hit(
                "unhashed-requirement",
                Severity.MEDIUM,
                dep,
                f"{dep.name}=={dep.version} has no --hash while others in the file do "
                "(pip then refuses the file, or checks only part of it)",
                "Add --hash=sha256:<digest> for every requirement.",
            )
    elif manifest.kind == "requirements":
        # Counted per file: an included file in the scan reports its own.
        unhashed = [d for d in unhashed if d.source == manifest.path]
        if not unhashed:
            return
        first = unhashed[0]
        yield _hit(
            "unhashed-requirement",
            Severity.LOW,
            first,
            f"{len(unhashed)} pinned requirements without hashes: a replaced file on the index "
            "would be installed",
            "Generate hashes (pip-compile --generate-hashes) and install with --require-hashes.",
        )


def _typosquat(dep: Dependency) -> Hit | None:
    if dep.url:
        return None  # the name of a URL or VCS install is not looked up on an index
    target = resembles(dep.name)
    if target is None:
        return None
    return _hit(
        "typosquat",
        Severity.HIGH,
        dep,
        f"{dep.name} is one edit away from the popular package {target}: a typo, or a "
        "typosquatting package",
        f"If you meant {target}, fix the name; otherwise check who publishes {dep.name}.",
    )


def host_words(url: str) -> set[str]:
    """Distinctive words of an index URL's host and path (``pypi.acme-ai.example`` -> acme, ai)."""
    parsed = urlparse(url if "://" in url else f"https://{url}")
    words = re.split(r"[^a-z0-9]+", f"{parsed.hostname or ''} {parsed.path}".lower())
    return {w for w in words if len(w) >= 3 and w not in _GENERIC_HOST_WORDS}


def looks_internal(name: str, words: set[str]) -> bool:
    """Whether a package name looks like one meant for a private index."""
    key = normalize_name(name)
    if key in popular()[0]:
        return False
    parts = set(key.split("-"))
    return bool(parts & words) or any(word in key for word in INTERNAL_WORDS)


def _confusion(manifest: Manifest) -> Iterator[Hit]:
    if not manifest.extra_indexes:
        return
    words: set[str] = set()
    for url, line in manifest.extra_indexes:
        words |= host_words(url)
        yield Hit(
            "extra-index-url",
            Severity.MEDIUM,
            line,
            f"extra index {_safe_url(url)} is consulted next to PyPI: pip takes the highest "
            "version from either, so a public package with a private name wins",
            "Use --index-url for a private index that proxies PyPI (or uv's explicit index "
            "pinning) instead of --extra-index-url.",
            {"index": _safe_url(url)},
            manifest.member,
        )
    for dep in manifest.dependencies:
        if dep.ecosystem == "PyPI" and not dep.url and looks_internal(dep.name, words):
            yield _hit(
                "dependency-confusion",
                Severity.HIGH,
                dep,
                f"{dep.name} looks like a private package but is resolved with an extra index "
                "next to PyPI: anyone who registers that name on PyPI gets installed",
                f"Register a placeholder for {dep.name} on PyPI, and serve private packages "
                "from a single index (--index-url) or pin them to their index.",
            )


def _safe_url(url: str) -> str:
    """An index URL with any credentials in it masked."""
    parsed = urlparse(url)
    if "@" not in parsed.netloc:
        return url
    return parsed._replace(netloc="***@" + parsed.netloc.rsplit("@", 1)[1]).geturl()


def vulnerability_hit(match: Match) -> Hit:
    """The finding for one known vulnerability in one dependency."""
    dep, vuln = match.dependency, match.vulnerability
    aliases = ", ".join(a for a in vuln.aliases if a != vuln.id)
    named = f"{vuln.id} ({aliases})" if aliases else vuln.id
    fixed = f"; fixed in {', '.join(vuln.fixed)}" if vuln.fixed else "; no fixed version yet"
    fix = (
        f"Upgrade {dep.name} to a fixed version ({', '.join(vuln.fixed)})."
        if vuln.fixed
        else f"No release fixes it yet: check {vuln.id} for mitigations."
    )
    return Hit(
        rule="known-vulnerability",
        severity=vuln.severity,
        line=dep.line,
        message=f"{dep.name}=={dep.version}: {named}: {vuln.summary}{fixed}",
        fix=fix,
        evidence={
            "package": dep.name,
            "version": dep.version,
            "purl": dep.purl,
            "id": vuln.id,
            "aliases": list(vuln.aliases),
            "score": vuln.score,
            "fixed": list(vuln.fixed),
        },
        member=dep.member,
        source=dep.source,
    )


def vulnerability_hits(manifest: Manifest, database: OsvDatabase | None) -> Iterator[Hit]:
    """Known vulnerabilities of the manifest's pinned dependencies."""
    if database is None:
        return
    for match in database.match_all(manifest.dependencies):
        yield vulnerability_hit(match)
