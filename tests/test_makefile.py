"""The Makefile does what README.md says of it: `make demo` builds and scans the demo lab with a
command that parses, `make test` runs the linters, the type checker and the suite, and `make bench`
runs the quick suite and then says how to run every other one (checked with `make -n`)."""

from __future__ import annotations

import importlib.util
import shlex
import subprocess
import sys
from pathlib import Path

from tests.readme import parse_error

ROOT = Path(__file__).resolve().parents[1]


def recipe(target: str) -> list[list[str]]:
    """The commands ``make TARGET`` would run (``make -n``), split into words."""
    done = subprocess.run(
        ["make", "-n", target], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return [shlex.split(line) for line in done.stdout.splitlines() if line.strip()]


def test_make_bench_runs_the_quick_suite_then_lists_every_suite() -> None:
    python_modules = [words[2] for words in recipe("bench") if words[1:2] == ["-m"]]
    assert python_modules == ["benchmarks.quick", "benchmarks"]
    listed = subprocess.run(
        [sys.executable, "-m", "benchmarks"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "run each with `.venv/bin/python -m <module>`" in listed
    suites = [line.split()[0] for line in listed.splitlines() if line.startswith("  benchmarks.")]
    folders = {p.parent.name for p in ROOT.glob("benchmarks/*/*.py") if not p.name.startswith("_")}
    assert {module.split(".")[1] for module in suites} == folders
    for module in suites:
        assert importlib.util.find_spec(module) is not None, module


def test_make_demo_builds_the_lab_the_readme_names_with_a_command_that_parses() -> None:
    demo = [words for words in recipe("demo") if words[0].endswith("/labwarden")]
    assert len(demo) == 1
    args = demo[0][1:]
    assert parse_error(args) is None
    assert args[-2:] == ["demo", "demo-lab"]


def test_make_test_runs_lint_format_types_and_the_suite() -> None:
    commands = [
        " ".join(Path(w).name if i == 0 else w for i, w in enumerate(words))
        for words in recipe("test")
    ]
    tail = [c for c in commands if c.split()[0] in {"ruff", "mypy", "pytest"}]
    assert tail == [
        "ruff check src tests benchmarks",
        "ruff format --check src tests benchmarks",
        "mypy",
        "pytest -n auto -q",
    ]
