"""The shared model corpus: every label's expectation holds (skipped without the corpora)."""

from __future__ import annotations

import csv

import pytest

from labwarden.checks.modelfile.check import ModelFileCheck
from labwarden.core.values import Severity
from tests.conftest import corpora_path

pytestmark = pytest.mark.corpora


def test_every_label_holds() -> None:
    root = corpora_path("models")
    check = ModelFileCheck(thorough=True)
    wrong: list[str] = []
    with (root / "labels.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) > 90
    for row in rows:
        path = root / row["path"]
        found = check.scan_bytes(path.read_bytes(), path.name, row["path"])
        assert all(f.rule != "scan-error" for f in found), (row["path"], found)
        top = max((f.severity for f in found), default=None)
        label = row["label"]
        if label == "malicious" and (top is None or top < Severity.HIGH):
            wrong.append(f"{row['path']}: malicious but {top}")
        elif label == "suspicious" and (top is None or top < Severity.MEDIUM):
            wrong.append(f"{row['path']}: suspicious but {top}")
        elif label == "benign" and top is not None and top >= Severity.HIGH:
            wrong.append(f"{row['path']}: benign but {top}")
    assert wrong == []
