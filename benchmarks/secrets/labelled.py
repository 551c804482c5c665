"""Build a labelled secrets set: every credential shape placed in several kinds of file.

Two splits come from the same shapes with different seeds and different templates:
``dev`` (plain ``NAME=value`` forms; tuning on it is allowed) and ``heldout`` (the layouts in
:data:`~benchmarks.secrets.placements.HELDOUT`, the syntax documents in their held-out style
and trufflehog's test-case tokens; measured, never tuned on). Each positive is placed in three
of the six file types, each decoy of the same shape in two.

Labels go to ``<root>/../<split>-labels.csv``: file, first line, last line, label, family, kind.
"""

from __future__ import annotations

import csv
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from benchmarks.secrets.documents import DOCUMENTS, Doc
from benchmarks.secrets.placements import EXTENSIONS, FILE_TYPES, NEUTRAL, STYLES
from benchmarks.secrets.shapes import SHAPES, Shape, mutate
from benchmarks.secrets.truffle_cases import CASES

WORK = Path(__file__).resolve().parents[1] / ".work"
SEEDS = {"dev": 101, "heldout": 20261204, "heldout2": 7340052}
COPIES = {"dev": 2, "heldout": 3, "heldout2": 3}


@dataclass(frozen=True)
class Example:
    """Lines holding one value, whether it is a secret, its family and what kind of example."""

    lines: tuple[str, ...]
    label: int
    family: str
    kind: str


def _placed(
    rng: random.Random,
    style: str,
    name: str,
    value: str,
    label: int,
    family: str,
    kind: str,
    k: int,
) -> list[tuple[str, Example]]:
    templates = STYLES[style]
    return [
        (ftype, Example(tuple(templates[ftype](name, value, rng)), label, family, kind))
        for ftype in rng.sample(FILE_TYPES, k)
    ]


def _shape_examples(
    rng: random.Random, style: str, shape: Shape, copies: int
) -> list[tuple[str, Example]]:
    out: list[tuple[str, Example]] = []
    for _ in range(copies):
        value = shape.make(rng)
        out += _placed(rng, style, rng.choice(shape.names), value, 1, shape.family, "secret", 3)
    for kind in shape.mutations:
        value = shape.make(rng)
        if kind == "id":
            name = rng.choice(shape.id_names)
            out += _placed(rng, style, name, value, 0, shape.family, "id", 2)
            continue
        decoy = mutate(kind, value, rng)
        if decoy is not None:
            out += _placed(rng, style, rng.choice(shape.names), decoy, 0, shape.family, kind, 2)
    return out


def _truffle_examples(rng: random.Random, style: str) -> list[tuple[str, Example]]:
    out: list[tuple[str, Example]] = []
    for case in CASES:
        kind = "trufflehog case" if case.label else "trufflehog invalid case"
        out += _placed(rng, style, case.name, case.value, case.label, case.family, kind, 3)
    return out


def examples(split: str) -> tuple[random.Random, list[tuple[str, Example]]]:
    """The placed examples of ``split`` (shuffled) and the generator that made them."""
    rng = random.Random(SEEDS[split])
    style = split
    placed: list[tuple[str, Example]] = []
    for shape in SHAPES:
        placed += _shape_examples(rng, style, shape, COPIES[split])
    if split != "dev":
        placed += _truffle_examples(rng, style)
    rng.shuffle(placed)
    return rng, placed


def _write_typed(
    root: Path, rng: random.Random, placed: list[tuple[str, Example]]
) -> list[list[object]]:
    rows: list[list[object]] = []
    pools: dict[str, list[Example]] = {}
    for ftype, example in placed:
        pools.setdefault(ftype, []).append(example)
    index = 0
    for ftype, pool in sorted(pools.items()):
        while pool:
            index += 1
            name = f"{ftype}/f{index:04d}{EXTENSIONS[ftype]}"
            if ftype == "env":
                name = f"{ftype}/svc{index:04d}/.env"
            lines: list[str] = list(NEUTRAL[ftype][:2])
            for _ in range(rng.randrange(2, 6)):
                if not pool:
                    break
                example = pool.pop()
                first = len(lines) + 1
                lines.extend(example.lines)
                rows.append([name, first, len(lines), example.label, example.family, example.kind])
                lines.extend(rng.sample(NEUTRAL[ftype], k=2))
            _write(root / name, lines)
    return rows


def _write_documents(root: Path, rng: random.Random, split: str) -> list[list[object]]:
    rows: list[list[object]] = []
    style = "dev" if split == "dev" else "heldout"  # documents have two layouts
    for maker in DOCUMENTS:
        for copy in range(COPIES[split]):
            doc: Doc = maker(rng, style)
            name = f"docs/{maker.__name__}-{copy}{doc.name}"
            if doc.name.startswith(".") and doc.name.count(".") == 1 and len(doc.name) > 4:
                name = f"docs/{maker.__name__}-{copy}/{doc.name}"  # .npmrc, .netrc ...
            elif not doc.name.startswith("."):
                name = f"docs/{maker.__name__}-{copy}/{doc.name}"  # package-lock.json
            _write(root / name, doc.lines)
            rows += [[name, a, b, lab, fam, kind] for a, b, lab, fam, kind in doc.regions]
    return rows


def _write(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def build(split: str) -> tuple[Path, Path]:
    """Write the files and labels of ``split``; return ``(root, labels.csv)``."""
    root = WORK / f"secrets-{split}"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    rng, placed = examples(split)
    rows = _write_typed(root, rng, placed) + _write_documents(root, rng, split)
    labels = WORK / f"secrets-{split}-labels.csv"
    with labels.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "first_line", "last_line", "label", "family", "kind"])
        writer.writerows(rows)
    return root, labels


if __name__ == "__main__":
    for split in ("dev", "heldout", "heldout2"):
        where, out = build(split)
        rows = list(csv.DictReader(out.open(encoding="utf-8")))
        positives = sum(r["label"] == "1" for r in rows)
        print(f"{split}: {positives} secrets, {len(rows) - positives} decoys -> {where}")
