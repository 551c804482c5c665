"""labwarden and Presidio side by side on labelled free text, per entity type; column accuracy.

Run: ``.venv/bin/python -m benchmarks.pii.evaluate``. Presidio runs from its own venv
(``python3 -m venv benchmarks/.work/peers-pii && benchmarks/.work/peers-pii/bin/pip install
presidio-analyzer names gender-guesser``) with a blank spaCy pipeline: only its pattern,
checksum and phone-number recognizers run. A predicted span counts when it has the labelled type
and overlaps the labelled span (one to one); exact boundaries are reported beside.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.pii.corpus import Sample
from benchmarks.pii.dataset import tables, text_set
from benchmarks.pii.heldout import HELDOUT_TEMPLATES, heldout_names, heldout_set
from labwarden.checks.pii.columns import classify_column
from labwarden.checks.pii.entities import find_entities
from labwarden.checks.pii.lexicon import given_names, surnames

WORK = Path(__file__).resolve().parents[1] / ".work"
PEER_PYTHON = WORK / "peers-pii" / "bin" / "python"
PRESIDIO_TYPES = frozenset(
    {
        "EMAIL",
        "PHONE",
        "CREDIT_CARD",
        "IBAN",
        "IP_ADDRESS",
        "US_SSN",
        "UK_NHS",
        "SE_PERSONNUMMER",
        "FI_HETU",
        "PASSPORT",
        "DRIVER_LICENSE",
        "PERSON",
        "LOCATION",
        "ORGANIZATION",
        "UK_NINO",
        "ES_DNI",
        "IT_CODICE_FISCALE",
        "PL_PESEL",
    }
)
"""Types Presidio claims (the last three only with a spaCy NER model)."""

Spans = list[list[tuple[str, int, int]]]


@dataclass
class Score:
    """Counts of one entity type."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    exact: int = 0

    @property
    def precision(self) -> float:
        """TP / (TP + FP)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """TP / (TP + FN)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """The harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Run:
    """One tool on one set."""

    scores: dict[str, Score] = field(default_factory=dict)
    mb_per_s: float = 0.0

    def score(self, entity: str) -> Score:
        """The score of ``entity`` (empty when never labelled nor predicted)."""
        return self.scores.setdefault(entity, Score())


def _match(truth: list[tuple[str, int, int]], found: list[tuple[str, int, int]], run: Run) -> None:
    used: set[int] = set()
    for entity, start, end in truth:
        hit = next(
            (
                i
                for i, (e, s, t) in enumerate(found)
                if i not in used and e == entity and s < end and start < t
            ),
            None,
        )
        score = run.score(entity)
        if hit is None:
            score.fn += 1
            continue
        used.add(hit)
        score.tp += 1
        score.exact += found[hit][1:] == (start, end)
    for i, (entity, _, _) in enumerate(found):
        if i not in used:
            run.score(entity).fp += 1


def evaluate(samples: list[Sample], predicted: Spans, cpu: float) -> Run:
    """Scores of ``predicted`` against the labels of ``samples``."""
    run = Run()
    for sample, found in zip(samples, predicted, strict=True):
        _match(sample.spans, found, run)
    size = sum(len(s.text.encode("utf-8")) for s in samples)
    run.mb_per_s = size / cpu / 1e6 if cpu else 0.0
    return run


def labwarden(samples: list[Sample]) -> tuple[Spans, float]:
    """labwarden's spans and CPU seconds."""
    find_entities("warm up the lexicons and libphonenumber")
    start = time.process_time()
    spans = [[(s.entity, s.start, s.end) for s in find_entities(x.text)] for x in samples]
    return spans, time.process_time() - start


def presidio(samples: list[Sample], threshold: float) -> tuple[Spans, float] | None:
    """Presidio's spans and CPU seconds, or ``None`` without its venv."""
    if not PEER_PYTHON.exists():
        return None
    path = WORK / "pii-texts.json"
    path.write_text(json.dumps([x.text for x in samples]), encoding="utf-8")
    runner = Path(__file__).with_name("presidio_runner.py")
    out = subprocess.run(
        [str(PEER_PYTHON), str(runner), str(path), str(threshold)],
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(out.stdout)
    spans = [[(str(e), int(s), int(t)) for e, s, t in row] for row in data["spans"]]
    return spans, float(data["cpu_seconds"])


def _cell(run: Run | None, entity: str) -> str:
    if run is None:
        return "-"
    s = run.score(entity)
    if s.tp + s.fn == 0:
        return f"- (FP {s.fp})"
    return f"{s.precision:.2f} / {s.recall:.2f} / {s.f1:.2f}"


def table(title: str, samples: list[Sample], runs: dict[str, Run]) -> list[str]:
    """A markdown table: one row per labelled type, one column per tool."""
    labelled = Counter(e for s in samples for e, _, _ in s.spans)
    tools = list(runs)
    lines = [
        f"### {title}",
        "",
        f"{len(samples)} texts, {sum(labelled.values())} labelled spans; cells: precision / "
        "recall / F1 (overlap match); exact = labwarden spans with exact boundaries.",
        "",
        "| type | spans | " + " | ".join(tools) + " | exact |",
        "|---|---|" + "---|" * len(tools) + "---|",
    ]
    ours = runs["labwarden"]
    for entity in sorted(set(labelled) | {e for r in runs.values() for e in r.scores}):
        exact = ours.score(entity)
        claimed = "" if entity in PRESIDIO_TYPES else " †"
        cells = " | ".join(_cell(runs[t], entity) for t in tools)
        exact_share = f"{exact.exact / exact.tp:.2f}" if exact.tp else "-"
        lines.append(f"| {entity}{claimed} | {labelled[entity]} | {cells} | {exact_share} |")
    speed = ", ".join(f"{t} {r.mb_per_s:.2f} MB/s" for t, r in runs.items())
    lines += ["", f"Throughput (one core, CPU time): {speed}.", ""]
    return lines


def _runs(samples: list[Sample]) -> dict[str, Run]:
    spans, cpu = labwarden(samples)
    runs = {"labwarden": evaluate(samples, spans, cpu)}
    for threshold in (0.0, 0.4):
        peer = presidio(samples, threshold)
        if peer is not None:
            runs[f"Presidio (score >= {threshold})"] = evaluate(samples, *peer)
    return runs


def _lexicon_coverage() -> str:
    names = heldout_names()
    given = sum(n.lower() in given_names() for n in names.first) / len(names.first)
    family = sum(n.lower() in surnames() for n in names.last) / len(names.last)
    return (
        f"Held-out names: {given:.0%} of the given names and {family:.0%} of the surnames are in "
        "labwarden's lexicon."
    )


def columns() -> list[str]:
    """Column classification accuracy over the generated clinical tables."""
    correct = total = 0
    wrong: Counter[str] = Counter()
    for columns_ in tables():
        for column in columns_:
            verdict = classify_column(column.name, column.values)
            got = verdict.entity if verdict else None
            total += 1
            correct += got == column.truth
            if got != column.truth:
                wrong[f"{column.name}: {column.truth} -> {got}"] += 1
    return [
        f"Column classification: {correct}/{total} = {correct / total:.3f}; errors: "
        f"{dict(wrong) or 'none'}"
    ]


LOGHUB = Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "logs" / "linux"


def loghub() -> list[str]:
    """Both tools over the real loghub Linux and OpenSSH logs (4,000 lines): what each finds
    (no labels: read the examples) and how fast, one file as one text."""
    names = ("Linux_2k.log", "OpenSSH_2k.log")
    if not all((LOGHUB / n).exists() for n in names):
        return ["loghub logs not found (../shared/corpora/logs/linux): skipped"]
    samples = [Sample((LOGHUB / n).read_text(encoding="utf-8", errors="replace")) for n in names]
    lines = ["", "### Real logs: loghub Linux and OpenSSH, 2,000 lines each", ""]
    ours, cpu = labwarden(samples)
    runs: list[tuple[str, Spans, float]] = [("labwarden", ours, cpu)]
    peer = presidio(samples, 0.4)
    if peer is not None:
        runs.append(("Presidio (score >= 0.4)", *peer))
    size = sum(len(s.text.encode("utf-8")) for s in samples)
    for tool, spans, seconds in runs:
        counts = Counter(e for row in spans for e, _, _ in row)
        examples = sorted(
            {
                s.text[a:b]
                for s, row in zip(samples, spans, strict=True)
                for e, a, b in row
                if e != "IP_ADDRESS"
            }
        )[:8]
        lines.append(
            f"- {tool}: {size / seconds / 1e6:.2f} MB/s; {dict(counts.most_common())}; "
            f"other than IP addresses: {examples}"
        )
    return lines


def main(parts: Iterable[str] = ("dev", "heldout", "columns", "loghub")) -> None:
    """Print the results as markdown."""
    out: list[str] = []
    if "dev" in parts:
        dev = text_set()
        out += table("Development set (tuned on)", dev, _runs(dev))
    if "heldout" in parts:
        held = heldout_set()
        out += table(f"Held-out set ({len(HELDOUT_TEMPLATES)} templates)", held, _runs(held))
        out.append(_lexicon_coverage())
    if "columns" in parts:
        out += ["", *columns()]
    if "loghub" in parts:
        out += loghub()
    print("\n".join(out))


if __name__ == "__main__":
    import sys

    main(sys.argv[1:] or ("dev", "heldout", "columns", "loghub"))
