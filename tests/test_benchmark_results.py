"""benchmarks/RESULTS.md labels every figure honestly: measured side by side or quoted (from where),
and sets the rules were tuned on are development sets, never held-out ones."""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "RESULTS.md"


def sections(text: str) -> dict[str, list[str]]:
    """The lines of every ``## `` section, by title."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("## "):
            current = found.setdefault(line[3:].strip(), [])
        elif current is not None:
            current.append(line)
    return found


def problems(text: str) -> list[str]:
    """Every labelling rule the text breaks, as a message saying how to fix it."""
    found: list[str] = []
    for title, lines in sections(text).items():
        measured = [x for x in lines if x.startswith("Measured:")]
        if not measured:
            found.append(f"section {title!r}: add a 'Measured: ...' line")
        elif not any(re.search(r"side by side in one run|quoted from", x) for x in measured):
            found.append(f"section {title!r}: say 'side by side in one run' or 'quoted from'")
        for line in lines:
            found.extend(f"section {title!r}: {p}: {line.strip()[:90]}" for p in _line(line))
    return found


def _line(line: str) -> list[str]:
    low = line.lower()
    wrong: list[str] = []
    if line.startswith("|") and "quoted" in low and "quoted from" not in low:
        wrong.append("a quoted figure must say where from ('quoted from ...')")
    if (
        line.startswith("|")
        and re.search(r"issue figure|per the issue|given in issue", low)
        and ("quoted from" not in low)
    ):
        wrong.append("a figure from an issue is quoted: say 'quoted from issue N'")
    if line.startswith("|") and "measured here" in low:
        wrong.append("say 'side by side in one run' in the Measured line, or 'quoted from'")
    if "tuned" in low and "development" not in low:
        wrong.append("a set the rules were tuned on is a development set: say so")
    if line.startswith("|") and re.search(r"held[- ]out", low) and "first run" not in low:
        wrong.append("a held-out figure is a first run: say 'first run' (later runs: development)")
    return wrong


def test_benchmark_results_label_every_figure() -> None:
    assert problems(RESULTS.read_text(encoding="utf-8")) == []


def test_the_rules_catch_unlabelled_figures() -> None:
    bad = (
        "## Suite\n\n| x | 1 s | peer 2 s (issue figure) |\n"
        "| held-out set | 0.9 |\n| dev set (tuned on it) | 1.0 |\n| y | peer quoted |\n"
    )
    found = problems(bad)
    assert any("add a 'Measured" in p for p in found)
    assert any("quoted from issue N" in p for p in found)
    assert any("first run" in p for p in found)
    assert any("development set" in p for p in found)
    assert any("where from" in p for p in found)
    good = (
        "## Suite\n\nMeasured: side by side in one run.\n\n"
        "| x | 1 s | peer 2 s (quoted from issue 7) |\n| held-out set, first run | 0.9 |\n"
        "| dev set (tuned on it: development) | 1.0 |\n"
    )
    assert problems(good) == []
