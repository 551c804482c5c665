"""What the code check works with: rules (data), hits (what a rule matched), dependencies and
the known vulnerabilities matched against them.

Every reader of the check (Python source, notebooks, shell scripts, Dockerfiles, requirement
and lock files) turns one text into :class:`Hit` objects and :class:`Dependency` records; the
check turns hits into findings, and dependencies are also what ``labwarden bom`` lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from labwarden.core.values import Severity

CHECK_NAME = "code"

_SEPARATORS = re.compile(r"[-_.]+")


def normalize_name(name: str) -> str:
    """A Python package name in its PEP 503 form (``Scikit_Learn`` -> ``scikit-learn``)."""
    return _SEPARATORS.sub("-", name).lower().strip("-")


@dataclass(frozen=True, slots=True)
class Hit:
    """One problem found in one text: the rule, where, why and how to fix it."""

    rule: str
    severity: Severity
    line: int
    """1-based line in the text (in the cell for notebooks); 0 when it is about the whole file."""
    message: str
    fix: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)
    member: str | None = None
    """Where inside the file: ``cell 3`` of a notebook, ``RUN`` of a Dockerfile."""
    source: str | None = None
    """The file the hit is in when it is not the file being read (a ``-r`` include)."""


@dataclass(frozen=True, slots=True)
class LoaderRule:
    """A call that deserializes (and so may execute) what it loads, as data.

    ``names`` are fully qualified callables after import aliases are resolved. The call is unsafe
    always, unless ``safe_keyword`` is given with one of ``safe_values`` (``weights_only=True``),
    or only when ``unsafe_keyword`` is given with one of ``unsafe_values``
    (``allow_pickle=True``).
    """

    id: str
    title: str
    names: tuple[str, ...]
    severity: Severity
    fix: str
    safe_keyword: str | None = None
    safe_values: tuple[str, ...] = ()
    unsafe_keyword: str | None = None
    unsafe_values: tuple[str, ...] = ()
    keyword_position: int | None = None
    """Position at which the keyword may also be passed positionally (``yaml.load(s, Loader)``)."""
    path_keywords: tuple[str, ...] = (
        "f",
        "file",
        "filename",
        "path",
        "fname",
        "stream",
        "filepath",
    )
    """Keywords that may carry what is loaded, when it is not the first argument."""


@dataclass(frozen=True, slots=True)
class HubRule:
    """A call that pulls models, data or code from a hub, as data."""

    id: str
    names: tuple[str, ...]
    """Fully qualified callables; an entry starting with ``.`` matches any method of that name
    (``.from_pretrained`` on every model, tokenizer and pipeline class)."""
    what: str
    id_keywords: tuple[str, ...] = ("pretrained_model_name_or_path", "repo_id", "path")
    revision_keyword: str = "revision"
    runs_code: bool = False
    """The pull always runs code from the hub (``torch.hub.load`` runs ``hubconf.py``)."""
    ref_in_id: bool = False
    """The revision is part of the id (``owner/repo:ref`` for ``torch.hub.load``)."""


@dataclass(frozen=True, slots=True)
class Dependency:
    """One third-party package a code asset asks for, where and how."""

    name: str
    """As written."""
    ecosystem: str
    """``PyPI``, ``conda`` or ``docker`` (OSV's ecosystem names where OSV has them)."""
    source: str
    """The file that names it."""
    line: int
    specifier: str = ""
    """The version constraint as written (``>=1.2,<2``, ``^1.2`` for Poetry); empty for none."""
    version: str | None = None
    """The exact version when the dependency is pinned (``==1.2.3``, a lock entry)."""
    hashes: tuple[str, ...] = ()
    url: str | None = None
    """Direct URL or VCS reference (``git+https://...@rev``)."""
    markers: str | None = None
    origin: str = "requirement"
    """``requirement`` (requirements file or pip line), ``declared`` (pyproject, setup.cfg,
    environment.yml), ``lock`` (a lock file) or ``image`` (a container ``FROM``)."""
    member: str | None = None
    index: str | None = None
    """The index or registry it comes from when not the default."""

    @property
    def key(self) -> str:
        """The normalized name (PEP 503 for PyPI)."""
        return normalize_name(self.name) if self.ecosystem == "PyPI" else self.name.lower()

    @property
    def purl(self) -> str:
        """The package URL (``pkg:pypi/torch@2.3.1``), its parts percent-encoded."""
        kind = {"PyPI": "pypi", "conda": "conda", "docker": "docker"}.get(self.ecosystem, "generic")
        name = "/".join(quote(part, safe="") for part in self.key.split("/"))
        return f"pkg:{kind}/{name}" + (f"@{quote(self.version, safe='')}" if self.version else "")


@dataclass(frozen=True, slots=True)
class Vulnerability:
    """One OSV advisory as far as a finding and a BOM need it."""

    id: str
    aliases: tuple[str, ...]
    summary: str
    severity: Severity
    score: float | None = None
    """CVSS base score when the advisory gives a CVSS v3 vector."""
    vector: str | None = None
    fixed: tuple[str, ...] = ()
    """Versions that fix it (from ``fixed`` events), in the order the advisory gives them."""
    references: tuple[str, ...] = ()
    published: str | None = None
    modified: str | None = None


@dataclass(frozen=True, slots=True)
class Match:
    """A dependency at a version that a vulnerability affects."""

    dependency: Dependency
    vulnerability: Vulnerability
