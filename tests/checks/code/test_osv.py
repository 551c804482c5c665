"""Offline OSV matching: a small database in the OSV schema built here, range evaluation
checked against :mod:`packaging`'s version semantics, CVSS scores, and bad databases."""

from __future__ import annotations

import itertools
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from labwarden.checks.code.cvss import base_score
from labwarden.checks.code.interface import Dependency
from labwarden.checks.code.osv import OsvDatabase, load_cached
from labwarden.checks.code.osv_ranges import SemVer, affects, in_range, pep440
from labwarden.core.errors import InputError
from labwarden.core.values import Severity


def advisory(
    vuln_id: str,
    package: str,
    ranges: list[dict[str, Any]],
    *,
    versions: list[str] | None = None,
    ecosystem: str = "PyPI",
    **extra: Any,
) -> dict[str, Any]:
    """An advisory in the OSV schema (https://ossf.github.io/osv-schema/)."""
    affected: dict[str, Any] = {
        "package": {"ecosystem": ecosystem, "name": package},
        "ranges": ranges,
    }
    if versions is not None:
        affected["versions"] = versions
    return {
        "schema_version": "1.6.0",
        "id": vuln_id,
        "modified": "2024-01-01T00:00:00Z",
        "published": "2023-06-01T00:00:00Z",
        "aliases": extra.pop("aliases", []),
        "summary": extra.pop("summary", f"{vuln_id} in {package}"),
        "affected": [affected],
        **extra,
    }


def eco(*events: dict[str, str]) -> dict[str, Any]:
    return {"type": "ECOSYSTEM", "events": list(events)}


ADVISORIES = [
    advisory(
        "GHSA-torch-0001",
        "torch",
        [eco({"introduced": "0"}, {"fixed": "2.6.0"})],
        aliases=["CVE-2025-32434"],
        database_specific={"severity": "CRITICAL"},
        summary="torch.load with weights_only=True still runs code",
    ),
    advisory(
        "PYSEC-trf-0002",
        "Transformers",
        [eco({"introduced": "4.0.0"}, {"last_affected": "4.36.2"})],
        severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H"}],
    ),
    advisory(
        "GHSA-np-0003",
        "numpy",
        [
            eco(
                {"introduced": "1.20.0"},
                {"fixed": "1.22.0"},
                {"introduced": "1.24.0"},
                {"fixed": "1.24.3"},
            )
        ],
    ),
    advisory("GHSA-list-0004", "pyyaml", [], versions=["5.3", "5.3.1"]),
    advisory(
        "GHSA-gone-0005",
        "requests",
        [eco({"introduced": "0"})],
        withdrawn="2024-02-01T00:00:00Z",
    ),
    advisory(
        "GHSA-npm-0006",
        "left-pad",
        [{"type": "SEMVER", "events": [{"introduced": "0"}]}],
        ecosystem="npm",
    ),
]


def build_db(folder: Path, advisories: list[dict[str, Any]] = ADVISORIES) -> Path:
    """A folder like the OSV bulk export: ``PyPI/all.zip`` with one JSON file per advisory."""
    (folder / "PyPI").mkdir(parents=True)
    with zipfile.ZipFile(folder / "PyPI" / "all.zip", "w") as archive:
        for item in advisories:
            archive.writestr(f"{item['id']}.json", json.dumps(item))
        archive.writestr("README.txt", "not an advisory")
        archive.writestr("broken.json", "{")
    return folder


def dep(name: str, version: str | None) -> Dependency:
    return Dependency(name, "PyPI", "requirements.txt", 1, version=version)


def test_database_matches(tmp_path: Path) -> None:
    db = OsvDatabase.load(build_db(tmp_path))
    assert db.advisories == 5 and db.skipped == 1
    (torch,) = db.matches(dep("torch", "2.1.0"))
    assert torch.id == "GHSA-torch-0001" and torch.severity is Severity.CRITICAL
    assert torch.aliases == ("CVE-2025-32434",) and torch.fixed == ("2.6.0",)
    assert db.matches(dep("torch", "2.6.0")) == []
    (trf,) = db.matches(dep("transformers", "4.36.2"))
    assert trf.score == 8.8 and trf.severity is Severity.HIGH
    assert db.matches(dep("transformers", "4.37.0")) == []
    assert db.matches(dep("transformers", "3.5.0")) == []
    assert [v.id for v in db.matches(dep("numpy", "1.21.5"))] == ["GHSA-np-0003"]
    assert db.matches(dep("numpy", "1.23.0")) == []
    assert [v.id for v in db.matches(dep("NumPy", "1.24.2"))] == ["GHSA-np-0003"]
    assert [v.id for v in db.matches(dep("PyYAML", "5.3.1"))] == ["GHSA-list-0004"]
    assert db.matches(dep("pyyaml", "5.4")) == []
    assert db.matches(dep("requests", "2.0.0")) == []  # withdrawn
    assert db.matches(dep("torch", None)) == []
    # SEMVER ranges are judged in any ecosystem.
    (npm,) = db.matches(Dependency("left-pad", "npm", "x", 1, version="1.0.0"))
    assert npm.id == "GHSA-npm-0006"
    assert db.matches(Dependency("left-pad", "PyPI", "x", 1, version="1.0.0")) == []


def test_loose_json_files_and_cache(tmp_path: Path) -> None:
    (tmp_path / "GHSA-torch-0001.json").write_text(json.dumps(ADVISORIES[0]))
    first = load_cached(tmp_path)
    assert load_cached(tmp_path) is first
    (tmp_path / "GHSA-np-0003.json").write_text(json.dumps(ADVISORIES[2]))
    assert load_cached(tmp_path).advisories == 2


def test_bad_databases_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="must be a folder"):
        OsvDatabase.load(tmp_path / "missing")
    with pytest.raises(InputError, match="no OSV advisories"):
        OsvDatabase.load(tmp_path)
    (tmp_path / "all.zip").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError, match=r"all\.zip: not a readable OSV zip"):
        OsvDatabase.load(tmp_path)


def test_limit_and_last_affected() -> None:
    events = [{"introduced": "1.0"}, {"limit": "1.5"}]
    assert in_range("1.2", events, pep440)
    assert not in_range("1.5", events, pep440)
    assert not in_range("0.9", events, pep440)
    assert in_range("9.0", [{"introduced": "1.0"}, {"limit": "*"}], pep440)
    assert in_range("1.0", [{"introduced": "1.0"}, {"last_affected": "1.0"}], pep440)
    assert not in_range("1.0.1", [{"introduced": "1.0"}, {"last_affected": "1.0"}], pep440)


def test_semver_precedence() -> None:
    ordered = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.10.0",
    ]
    parsed = [SemVer(v) for v in ordered]
    assert parsed == sorted(parsed)
    assert all(a < b for a, b in itertools.pairwise(parsed))
    assert SemVer("1.0.0+build.5") == SemVer("1.0.0")
    events = [{"introduced": "1.0.0-beta"}, {"fixed": "1.0.1"}]
    assert in_range("1.0.0", events, SemVer) and not in_range("1.0.0-alpha", events, SemVer)


def test_unorderable_versions_fall_back_to_lists() -> None:
    entry = {
        "package": {"ecosystem": "PyPI", "name": "x"},
        "ranges": [eco({"introduced": "0"}, {"fixed": "not-a-version"})],
        "versions": ["weird-1"],
    }
    assert affects(entry, "weird-1", "PyPI")
    assert not affects(entry, "weird-2", "PyPI")
    hostile = {"ranges": [{"type": "ECOSYSTEM", "events": [1, "x", None]}], "versions": [1, None]}
    assert not affects(hostile, "1.0", "PyPI")
    assert not affects({"ranges": "zz", "versions": "abc"}, "1.0", "PyPI")
    git = {"ranges": [{"type": "GIT", "events": [{"introduced": "abc"}]}]}
    assert not affects(git, "1.0", "PyPI")


@pytest.mark.parametrize(
    ("vector", "score"),
    [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
        ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", 5.5),
        ("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1),
        ("CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
    ],
)
def test_cvss_v3_base_scores(vector: str, score: float) -> None:
    assert base_score(vector) == score


def test_cvss_rejects_other_vectors() -> None:
    assert base_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N") is None
    assert base_score("CVSS:3.1/AV:X") is None


versions = st.builds(
    lambda parts, pre: ".".join(str(p) for p in parts) + pre,
    st.lists(st.integers(0, 12), min_size=1, max_size=3),
    st.sampled_from(["", "", "", "a1", "b2", "rc1", ".post1", ".dev3"]),
)


@given(
    version=versions,
    # "0" is OSV's "every version" and is tested on its own.
    bounds=st.lists(versions.filter(lambda v: v != "0"), min_size=1, max_size=6, unique_by=Version),
    last=st.booleans(),
)
@settings(max_examples=500, deadline=None)
def test_ranges_agree_with_packaging(version: str, bounds: list[str], last: bool) -> None:
    """Sorted boundaries alternate introduced/fixed; the same range as PEP 440 specifiers."""
    ordered = sorted(bounds, key=Version)
    events: list[dict[str, str]] = []
    specifiers: list[SpecifierSet] = []
    for index in range(0, len(ordered), 2):
        start = ordered[index]
        end = ordered[index + 1] if index + 1 < len(ordered) else None
        events.append({"introduced": start})
        if end is None:
            specifiers.append(SpecifierSet(f">={start}", prereleases=True))
        elif last and index + 2 >= len(ordered):
            events.append({"last_affected": end})
            specifiers.append(SpecifierSet(f">={start},<={end}", prereleases=True))
        else:
            events.append({"fixed": end})
            specifiers.append(SpecifierSet(f">={start},<{end}", prereleases=True))
    expected = any(Version(version) in spec for spec in specifiers)
    ordered_expected = _by_order(Version(version), ordered, last)
    assert in_range(version, events, pep440) == ordered_expected
    # PEP 440 specifiers treat pre-releases of a bound specially ("<2.0" excludes "2.0a1");
    # OSV compares plain version order. Without pre-releases the two must agree.
    if not any(Version(b).is_prerelease for b in ordered) and not Version(version).is_prerelease:
        assert ordered_expected == expected


def _by_order(version: Version, ordered: list[str], last: bool) -> bool:
    """Affected by plain ordering: inside [introduced, fixed) or [introduced, last_affected]."""
    for index in range(0, len(ordered), 2):
        start = Version(ordered[index])
        if index + 1 >= len(ordered):
            if version >= start:
                return True
            continue
        end = Version(ordered[index + 1])
        inclusive = last and index + 2 >= len(ordered)
        if start <= version and (version <= end if inclusive else version < end):
            return True
    return False


@given(st.lists(st.text(max_size=12), max_size=6), st.text(max_size=12))
@settings(max_examples=300, deadline=None)
def test_any_event_text_is_judged_or_skipped(values: list[str], version: str) -> None:
    kinds = ["introduced", "fixed", "last_affected", "limit"]
    events = [{kinds[i % 4]: v} for i, v in enumerate(values)]
    entry = {
        "ranges": [{"type": "ECOSYSTEM", "events": events}, {"type": "SEMVER", "events": events}]
    }
    assert affects(entry, version, "PyPI") in (True, False)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=30,
)
advisory_fields = st.fixed_dictionaries(
    {"id": st.text(min_size=1, max_size=10), "affected": st.lists(json_values, max_size=3)},
    optional={
        "aliases": json_values,
        "severity": json_values,
        "database_specific": json_values,
        "references": json_values,
        "summary": json_values,
        "withdrawn": json_values,
    },
)


@given(st.lists(advisory_fields | json_values, max_size=5), st.binary(max_size=200))
@settings(max_examples=60, deadline=None)
def test_hostile_databases_load_or_fail_cleanly(records: list[Any], junk: bytes) -> None:
    """Any JSON in an export, and junk members, give advisories or an InputError."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        with zipfile.ZipFile(root / "all.zip", "w") as archive:
            for number, record in enumerate(records):
                archive.writestr(f"{number}.json", json.dumps(record))
            archive.writestr("junk.json", junk)
        try:
            db = OsvDatabase.load(root)
        except InputError:
            return
        for name in {key[1] for key in db.index}:
            db.matches(Dependency(name, "PyPI", "f", 1, version="1.0"))
