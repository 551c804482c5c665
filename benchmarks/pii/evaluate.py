"""Span-level precision/recall on generated texts and column-classification accuracy on generated
clinical tables; Presidio's pattern recognizers side by side where they cover the same types.

Run: ``.venv/bin/python -m benchmarks.pii.evaluate``. Presidio runs from the peers venv
(``benchmarks/.work/peers-secrets``, ``pip install presidio-analyzer``) without any spaCy model:
only its regex/checksum recognizers (e-mail, phone, US SSN, UK NHS, Swedish personnummer) run
offline.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections import Counter
from pathlib import Path

from benchmarks.pii.dataset import Sample, tables, text_set
from labwarden.checks.pii.columns import classify_column
from labwarden.checks.pii.entities import find_entities

WORK = Path(__file__).resolve().parents[1] / ".work"
PEER_PYTHON = WORK / "peers-secrets" / "bin" / "python"
SHARED_TEXT = "e-mail, phone, SSN, NHS, personnummer"
SHARED = {"EMAIL", "PHONE", "US_SSN", "UK_NHS", "SE_PERSONNUMMER"}


def prf(
    truth: set[tuple[int, str, int, int]], found: set[tuple[int, str, int, int]]
) -> tuple[float, float, int, int, int]:
    tp = len(truth & found)
    fp = len(found - truth)
    fn = len(truth - found)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, tp, fp, fn


def labelled(samples: list[Sample], only: set[str] | None = None) -> set[tuple[int, str, int, int]]:
    return {
        (i, e, s, t) for i, x in enumerate(samples) for e, s, t in x.spans if not only or e in only
    }


def main() -> None:
    samples = text_set()
    bulk = "\n".join(x.text for x in samples) * 30
    start = time.process_time()
    find_entities(bulk)
    took = time.process_time() - start
    ours = {
        (i, s.entity, s.start, s.end) for i, x in enumerate(samples) for s in find_entities(x.text)
    }
    truth = labelled(samples)
    p, r, tp, fp, fn = prf(truth, ours)
    size = sum(len(x.text) for x in samples)
    lines = [
        f"Text set: {len(samples)} generated lines ({size / 1024:.0f} KiB), {len(truth)} labelled "
        "spans of 13 entity types; half the texts hold none (ML logs, versions, access logs, "
        "model cards). Exact span and type must match.",
        "",
        "| tool | entity types | precision | recall | TP | FP | FN |",
        "|---|---|---|---|---|---|---|",
        f"| labwarden | all 13 | {p:.3f} | {r:.3f} | {tp} | {fp} | {fn} |",
    ]
    sp, sr, stp, sfp, sfn = prf(labelled(samples, SHARED), {o for o in ours if o[1] in SHARED})
    lines.append(f"| labwarden | {SHARED_TEXT} | {sp:.3f} | {sr:.3f} | {stp} | {sfp} | {sfn} |")
    if PEER_PYTHON.exists():
        inp = WORK / "pii-texts.json"
        inp.write_text(json.dumps([x.text for x in samples]), encoding="utf-8")
        out = subprocess.run(
            [str(PEER_PYTHON), str(Path(__file__).with_name("presidio_runner.py")), str(inp)],
            capture_output=True,
            text=True,
            check=True,
        )
        theirs = {
            (i, e, s, t) for i, spans in enumerate(json.loads(out.stdout)) for e, s, t in spans
        }
        pp, pr, ptp, pfp, pfn = prf(labelled(samples, SHARED), theirs)
        lines.append(
            f"| Presidio 2.2 pattern recognizers | {SHARED_TEXT} | {pp:.3f} | {pr:.3f} | "
            f"{ptp} | {pfp} | {pfn} |"
        )
    missed = Counter(e for _, e, _, _ in truth - ours)
    extra = Counter(e for _, e, _, _ in ours - truth)
    lines += [
        "",
        f"labwarden misses by type: {dict(missed) or 'none'}; false spans: {dict(extra) or 'none'}",
        f"labwarden speed: {len(bulk) / took / 1e6:.1f} MB/s (one core, the set repeated to "
        f"{len(bulk) / 1e6:.1f} MB as one text)",
    ]
    corpus = Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "logs" / "linux"
    for name in ("Linux_2k.log", "OpenSSH_2k.log"):
        if (corpus / name).exists():
            real = (corpus / name).read_text(encoding="utf-8", errors="replace") * 10
            start = time.process_time()
            found = find_entities(real)
            took = time.process_time() - start
            lines.append(
                f"labwarden on loghub {name} x10 ({len(real) / 1e6:.1f} MB): "
                f"{len(real) / took / 1e6:.1f} MB/s, {len(found) // 10} entities per copy"
            )
    correct = total = 0
    wrong: Counter[str] = Counter()
    for table in tables():
        for column in table:
            verdict = classify_column(column.name, column.values)
            got = verdict.entity if verdict else None
            total += 1
            if got == column.truth:
                correct += 1
            else:
                wrong[f"{column.name}: {column.truth} -> {got}"] += 1
    lines += [
        "",
        f"Column classification: {correct}/{total} columns right = accuracy {correct / total:.3f} "
        f"over {len(tables())} generated clinical tables (entity type or 'nothing personal').",
        f"Errors: {dict(wrong) or 'none'}",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
