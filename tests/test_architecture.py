"""The package's shape, enforced: no import cycles, layers that only point down, one writer.

Imports are read from the source (every ``import`` statement, also those inside functions or
under ``TYPE_CHECKING``), so a cycle hidden behind a lazy import is still a cycle.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

import labwarden

ROOT = Path(labwarden.__file__).resolve().parent
REPO = ROOT.parents[1]

CAPABILITIES = frozenset(
    {"checks", "inventory", "seal", "watch", "privacy", "identity", "trace", "respond", "web"}
)
"""Packages that implement a capability: they may use core, store, engines and report."""
FOUNDATION = {"core": frozenset(), "store": {"core"}, "engines": {"core"}}
"""Packages every capability builds on, and the only packages each of them may import."""


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


MODULES = _modules()


def _imports(name: str, path: Path) -> Iterator[str]:
    """The labwarden modules ``name`` imports (a package import counts as its ``__init__``)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from pkg import mod`` imports the submodule when there is one.
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            ]
        else:
            continue
        for imported in targets:
            if imported.startswith("labwarden.") or imported == "labwarden":
                target = imported
                while target not in MODULES and "." in target:
                    target = target.rpartition(".")[0]
                if target != name:
                    yield target


def _graph() -> dict[str, set[str]]:
    return {name: set(_imports(name, path)) for name, path in MODULES.items()}


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph.get(start, ()))
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(graph.get(node, ()))
    return seen


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that import each other, directly or through others (each sorted)."""
    reach = {node: _reachable(graph, node) for node in graph}
    groups = {
        tuple(sorted({node} | {m for m in reach[node] if node in reach.get(m, ())}))
        for node in graph
        if node in reach[node]
    }
    return sorted(list(g) for g in groups if len(g) > 1)


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    packages: dict[str, set[str]] = defaultdict(set)
    for module, targets in graph.items():
        packages[_top(module)].update(_top(t) for t in targets if _top(t) != _top(module))
    return dict(packages)


GRAPH = _graph()


# Cycles inside folders whose owners are untangling them in their own branches.
_CYCLES_PENDING: list[list[str]] = []


def test_no_module_import_cycle() -> None:
    assert [c for c in _cycles(GRAPH) if c not in _CYCLES_PENDING] == []


def test_no_package_import_cycle() -> None:
    assert _cycles(_package_graph(GRAPH)) == []


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def _edges_from(packages: set[str] | frozenset[str]) -> Iterator[tuple[str, str]]:
    for module, targets in GRAPH.items():
        if _top(module) in packages:
            for target in sorted(targets):
                yield module, target


def test_only_the_demo_command_imports_the_demo() -> None:
    wrong = [
        (m, t)
        for m, targets in GRAPH.items()
        for t in sorted(targets)
        if _top(t) == "demo" and _top(m) != "demo" and m != "labwarden.cli.demo"
    ]
    assert wrong == []


def _outside_modules() -> Iterator[tuple[str, Path]]:
    """Test and benchmark modules: (name relative to the repository, path)."""
    for folder in ("tests", "benchmarks"):
        for path in sorted((REPO / folder).rglob("*.py")):
            if "corpus" not in path.parts:
                yield str(path.relative_to(REPO)), path


def _imported_names(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def test_only_the_demos_own_tests_import_the_demo() -> None:
    """Tests and benchmarks get their inputs from the capabilities or from test helpers."""
    wrong = [
        name
        for name, path in _outside_modules()
        if not name.startswith("tests/demo/")
        and any(
            n == "labwarden.demo" or n.startswith("labwarden.demo.") for n in _imported_names(path)
        )
    ]
    assert wrong == []


def test_capabilities_import_neither_the_demo_nor_the_cli() -> None:
    wrong = [(m, t) for m, t in _edges_from(CAPABILITIES) if _top(t) in {"demo", "cli"}]
    assert wrong == []


@pytest.mark.parametrize("package", sorted(FOUNDATION))
def test_storage_and_engines_import_only_core(package: str) -> None:
    allowed = {package, *FOUNDATION[package]}
    wrong = [(m, t) for m, t in _edges_from({package}) if _top(t) not in allowed]
    assert wrong == []


def _source_files(outside: str) -> Iterator[tuple[str, str]]:
    for name, path in MODULES.items():
        if not name.startswith(f"labwarden.{outside}"):
            yield name, path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("library", "home"),
    [("sqlite3", "store"), ("duckdb", "engines"), ("pyspark", "engines")],
    ids=["sqlite", "duckdb", "spark"],
)
def test_only_store_opens_sqlite_and_only_engines_use_duckdb(library: str, home: str) -> None:
    pattern = re.compile(rf"^\s*(import {library}\b|from {library}\b)", re.MULTILINE)
    wrong = [name for name, text in _source_files(home) if pattern.search(text)]
    assert wrong == []


def test_engine_sessions_are_in_memory_and_never_write() -> None:
    """The one accepted connection outside ``store/``: an engine's in-memory query session over
    the lake. It opens no database file and writes nothing (the lake is written by
    ``store.Lake``, the catalog by the stores)."""
    writes = re.compile(
        r"\b(COPY\s.*\bTO\b|ATTACH\b|EXPORT\s+DATABASE|\.write\b|saveAsTable)", re.I
    )
    connect = re.compile(r"duckdb\.connect\(([^)]*)\)")
    wrong: list[str] = []
    for name, path in MODULES.items():
        if _top(name) != "engines":
            continue
        text = path.read_text(encoding="utf-8")
        wrong += [
            f"{name}: duckdb.connect({a})" for a in connect.findall(text) if a != '":memory:"'
        ]
        wrong += [f"{name}: {m.group(0)}" for m in writes.finditer(_code_only(text))]
    assert wrong == []


def _code_only(text: str) -> str:
    """The source without docstrings and comments (rules read code, not prose about it)."""
    tree = ast.parse(text)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and _is_docstring(body[0]):
            body[0] = ast.Pass()
    return ast.unparse(tree)


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def test_no_one_outside_store_reaches_a_connection() -> None:
    """Callers ask a typed store; the catalog's database and connections stay inside ``store/``."""
    reach = re.compile(r"\._db\b|\._conn\b|\.conn\.(execute|cursor)|\bDatabase\.open\(")
    wrong = [name for name, text in _source_files("store") if reach.search(_code_only(text))]
    assert wrong == []


_RENAME = re.compile(r"\b(os\.(replace|rename)\(|\w*tmp\w*\.replace\()|\.rename\(")


def test_every_replacing_write_goes_through_store_atomic() -> None:
    wrong = [name for name, text in _source_files("store.atomic") if _RENAME.search(text)]
    assert wrong == []


def _documented_dependencies() -> dict[str, set[str]]:
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = text.split("<!-- dependencies: begin -->")[1].split("<!-- dependencies: end -->")[0]
    documented: dict[str, set[str]] = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0].startswith("`"):
            names = {n.strip() for n in cells[1].split(",")} - {"(nothing)"}
            documented[cells[0].strip("`")] = names
    return documented


def test_the_documented_dependencies_are_the_real_ones() -> None:
    """docs/architecture.md lists every package's imports of other packages, exactly."""
    real = {
        package: targets - {""}
        for package, targets in _package_graph(GRAPH).items()
        if package and not package.startswith("__")
    }
    documented = _documented_dependencies()
    changed = {
        p: (documented.get(p), real.get(p))
        for p in documented | real
        if documented.get(p) != real.get(p)
    }
    assert changed == {}, "(documented, real): update the table in docs/architecture.md"
