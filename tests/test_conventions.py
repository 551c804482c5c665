"""The house rules of #12 that are not about imports, each enforced: one way to write a file, one
hashing module, one safetensors parser, one CycloneDX writer, one check runner, checks in
``checks/``, short modules, the complexity rule and strict typing of the tests.

Each rule reads the source (or ``pyproject.toml``), so it fails the moment a change breaks it;
an exception to a rule is listed here with its reason, and a listed exception that no longer
applies fails too (the lists cannot go stale).
"""

from __future__ import annotations

import ast
import functools
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from labwarden.checks.registry import all_checks
from tests.test_architecture import MODULES, REPO, _code_only

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


@functools.cache
def _source(name: str) -> str:
    return _code_only(MODULES[name].read_text(encoding="utf-8"))


def _outside(*homes: str) -> Iterator[tuple[str, str]]:
    """(module, code without docstrings) of every module not under one of ``homes``."""
    for name in MODULES:
        if not any(name == h or name.startswith(f"{h}.") for h in homes):
            yield name, _source(name)


# --- one way to write a file ------------------------------------------------------------------

_WRITES = re.compile(
    r"\.write_(text|bytes)\(|\bopen\([^)]*['\"][wax]b?\+?['\"]|\.open\(\s*['\"][wax]b?\+?['\"]"
    r"|os\.open\([^)]*O_(WRONLY|RDWR|CREAT)|shutil\.(copy\w*|move)\("
)
"""A file opened or created for writing (reads and in-memory buffers do not match)."""

WRITES_ELSEWHERE = {
    "labwarden.respond.triage.evidence": "into triage's staging folder; archive.pack makes it "
    "the archive through store.atomic",
    "labwarden.respond.triage.archive": "the staging folder's JSON documents (see evidence)",
    "labwarden.respond.triage.run": "the evidence seal, into the staging folder",
    "labwarden.respond.triage.collectors.walk": "the bodyfile, into the staging folder",
    "labwarden.respond.triage.collectors.command": "a command's output, into the staging folder",
    "labwarden.respond.triage.sample_host": "builds a synthetic host tree: input, not stored data",
    "labwarden.respond.incident.unpack": "extracts an archive into a scratch folder its caller "
    "removes",
    "labwarden.trace.canaries.decoys": "fills the folder store.atomic.atomic_folder stages",
}
"""Modules outside ``store/`` that write files directly, and why that is not a stored file."""

_WRITES_PENDING: dict[str, str] = {}
"""Direct writers whose owners are changing them in their own branches."""


def test_every_file_write_goes_through_store() -> None:
    """Stored files (workspace, lake, keys, seals, ``--output``) are written by ``store.atomic``:
    complete or not at all. The demo writes its synthetic lab, which is input, not stored."""
    writers = {
        name for name, code in _outside("labwarden.store", "labwarden.demo") if _WRITES.search(code)
    }
    assert sorted(writers - set(WRITES_ELSEWHERE) - set(_WRITES_PENDING)) == []
    assert sorted(set(WRITES_ELSEWHERE) - writers) == []  # an exception that no longer applies


def test_the_write_pattern_sees_writes() -> None:
    seen = [
        'p.write_text("x")',
        'open(p, "wb")',
        'path.open("a")',
        "os.open(p, os.O_WRONLY | os.O_CREAT)",
        "shutil.copyfile(a, b)",
    ]
    unseen = ['open(p, "rb")', 'path.open("r")', "io.BytesIO()", "os.open(p, os.O_RDONLY)"]
    assert all(_WRITES.search(s) for s in seen)
    assert not any(_WRITES.search(s) for s in unseen)


# --- one hashing module, one safetensors parser, one CycloneDX writer -------------------------

HASHING = "labwarden.seal.hashing"

_CHUNKED_HASHING_ELSEWHERE = {
    ("labwarden.respond.incident.unpack", "_copy"): "hashes what it copies, in the same pass",
    ("labwarden.watch.ingest", "_read"): "three digests and a newline count in one pass (watch)",
}


def _chunked_hashing(name: str) -> Iterator[str]:
    """Functions of ``name`` that read a stream in a loop into a ``hashlib`` object."""
    for fn in ast.walk(ast.parse(MODULES[name].read_text(encoding="utf-8"))):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        calls = [n.func for n in ast.walk(fn) if isinstance(n, ast.Call)]
        hashes = any(
            isinstance(f, ast.Attribute)
            and isinstance(f.value, ast.Name)
            and f.value.id == "hashlib"
            for f in calls
        )
        reads = any(isinstance(f, ast.Attribute) and f.attr in ("read", "readinto") for f in calls)
        loops = any(isinstance(n, ast.While | ast.For) for n in ast.walk(fn))
        if hashes and reads and loops:
            yield fn.name


def test_files_are_hashed_by_the_hashing_module() -> None:
    """``seal.hashing`` owns the algorithms (``Algorithm``, BLAKE3) and hashing a file."""
    found = {(n, f) for n in MODULES if n != HASHING for f in _chunked_hashing(n)}
    assert sorted(found - set(_CHUNKED_HASHING_ELSEWHERE)) == []
    assert sorted(set(_CHUNKED_HASHING_ELSEWHERE) - found) == []
    algorithm_type = re.compile(r"Literal\[\s*['\"](sha256|blake3)['\"]")
    wrong = [
        name
        for name, code in _outside(HASHING)
        if re.search(r"^\s*(import|from) blake3\b", code, re.M)
        or "hashlib.new(" in code
        or algorithm_type.search(code)
    ]
    assert wrong == []


_PARSERS_PENDING: dict[str, str] = {}
"""Parsers their owners are moving onto the one parser in their own branches (trace)."""


def test_one_safetensors_header_parser() -> None:
    """Only ``seal.safetensors`` reads a header's JSON (format sniffers read its first bytes)."""
    length = re.compile(r"unpack(_from)?\(\s*['\"]<Q['\"]")
    header_json = re.compile(r"(json|safejson)\.loads\(")
    wrong = []
    for name, code in _outside("labwarden.seal.safetensors"):
        for fn in ast.walk(ast.parse(code)):
            if isinstance(fn, ast.FunctionDef):
                body = ast.unparse(fn)
                if length.search(body) and header_json.search(body):
                    wrong.append(f"{name}.{fn.name}")
    assert sorted(set(wrong) - set(_PARSERS_PENDING)) == []


def test_one_cyclonedx_writer_on_the_library() -> None:
    home = "labwarden.report.cyclonedx"
    uses = re.compile(r"^\s*(import|from) cyclonedx\b", re.M)
    wrong = [n for n, code in _outside(home, f"{home}_dependencies") if uses.search(code)]
    wrong += [n for n, code in _outside() if re.search(r"['\"]bomFormat['\"]", code)]
    assert wrong == []


_CONSTANTS_PENDING: dict[str, str] = {}
"""Copies of a constant their owners are removing in their own branches (modelfile)."""


def _byte_constants(name: str) -> Iterator[bytes]:
    for node in ast.parse(MODULES[name].read_text(encoding="utf-8")).body:
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        constant = value.value if isinstance(value, ast.Constant) else None
        if isinstance(constant, bytes) and len(constant) > 3:
            yield constant


def test_a_file_format_magic_is_defined_once() -> None:
    """Magic numbers (module-level byte strings) have one home; other modules import them."""
    homes: dict[bytes, list[str]] = {}
    for name in MODULES:
        for value in _byte_constants(name):
            homes.setdefault(value, []).append(name)
    copies = [n for n in homes.values() if len(set(n) - set(_CONSTANTS_PENDING)) > 1]
    assert copies == []


# --- checks -----------------------------------------------------------------------------------

CHECKS_ELSEWHERE = {
    "labwarden.identity.posture.check": "bound to one bucket's client (a source brings it, see "
    "identity.posture.check.source_checks); built on identity's policy evaluator, which checks/ "
    "cannot import without a package cycle (identity -> respond -> checks)",
}


def test_the_check_runner_exists_once() -> None:
    """``core.check.run_checks`` is the only code that calls a check's ``run``."""
    runs = re.compile(r"\.run\(\s*\w*asset\w*\s*,")
    wrong = [n for n, code in _outside("labwarden.core.check") if runs.search(code)]
    assert wrong == []


def test_every_check_lives_in_its_concern_folder() -> None:
    for check in all_checks():
        parts = type(check).__module__.split(".")
        assert parts[:2] == ["labwarden", "checks"] and len(parts) >= 4, type(check)
        folder = MODULES[".".join(parts[:3])].parent
        assert (folder / "interface.py").is_file() and (folder / "check.py").is_file(), folder
    classes = re.compile(r"^\s*def applies_to\(self, asset", re.M)
    elsewhere = {
        n for n, code in _outside("labwarden.checks", "labwarden.core") if classes.search(code)
    }
    assert elsewhere == set(CHECKS_ELSEWHERE)


# --- size, complexity, typing -----------------------------------------------------------------

MAX_LINES = 600


def _all_python() -> Iterator[Path]:
    for folder in ("src", "tests", "benchmarks"):
        for path in sorted((REPO / folder).rglob("*.py")):
            if "corpus" not in path.parts:
                yield path


# --- one way to print -------------------------------------------------------------------------


def test_rich_consoles_come_from_report_console() -> None:
    """Every console prints user text as it is (no ``:a:`` turned into an emoji): only
    ``report.console`` makes one."""
    made = [
        n for n, code in _outside("labwarden.report.console") if re.search(r"\bConsole\(", code)
    ]
    assert made == []


def test_no_module_over_600_lines_in_src_tests_or_benchmarks() -> None:
    long = {
        str(p.relative_to(REPO)): n
        for p in _all_python()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_complexity_rule_is_on_without_exceptions() -> None:
    lint = PYPROJECT["tool"]["ruff"]["lint"]
    assert {"C90", "C901"} & set(lint["select"])
    assert lint["mccabe"]["max-complexity"] <= 10
    ignored = [*lint.get("ignore", []), *lint.get("extend-ignore", [])]
    ignored += [code for codes in lint.get("per-file-ignores", {}).values() for code in codes]
    assert not [code for code in ignored if code in ("C9", "C90", "C901")]
    noqa = re.compile(r"#\s*noqa:[^#\n]*\bC901\b|#\s*noqa\s*$|#\s*ruff:\s*noqa\s*$", re.M)
    assert [str(p) for p in _all_python() if noqa.search(p.read_text(encoding="utf-8"))] == []


def test_mypy_is_strict_over_the_tests_too() -> None:
    mypy = PYPROJECT["tool"]["mypy"]
    assert mypy["strict"] is True
    assert {"src/labwarden", "tests"} <= set(mypy["files"])
    for override in mypy.get("overrides", []):
        modules = (
            override["module"] if isinstance(override["module"], list) else [override["module"]]
        )
        ours = [m for m in modules if m.split(".")[0] in ("labwarden", "tests", "benchmarks")]
        assert not ours or not (set(override) - {"module"}), override
    untyped = "no-untyped" + "-def"  # spelled apart so that this file does not match itself
    silenced = re.compile(rf"#\s*(mypy:\s*ignore-errors|type:\s*ignore(?!\[))|{untyped}")
    assert [str(p) for p in _all_python() if silenced.search(p.read_text(encoding="utf-8"))] == []


EXCEPTIONS = (
    WRITES_ELSEWHERE | _WRITES_PENDING | CHECKS_ELSEWHERE | _CONSTANTS_PENDING | _PARSERS_PENDING
)


@pytest.mark.parametrize("rule", sorted(EXCEPTIONS))
def test_every_exception_says_why(rule: str) -> None:
    reason = EXCEPTIONS[rule]
    assert len(reason.split()) >= 5
