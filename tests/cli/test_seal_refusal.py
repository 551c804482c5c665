"""``seal`` refuses an asset with open critical findings unless --force."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.lab import run, small_lab


def test_seal_refuses_open_critical_findings(tmp_path: Path) -> None:
    lab = small_lab(tmp_path / "lab")
    ws = str(tmp_path / "ws")
    assert run("-w", ws, "keys", "generate", "k", "--insecure-plaintext").returncode == 0
    model = lab / "models" / "m" / "model.pkl"
    refused = run("-w", ws, "seal", str(model), "--key", "k")  # scanned first, then refused
    assert refused.returncode == 1, refused.stderr
    assert "open critical finding" in refused.stderr and "--force" in refused.stderr
    assert "dangerous-import" in refused.stderr
    assert "Traceback" not in refused.stderr

    forced = run("-w", ws, "seal", str(model), "--key", "k", "--force", "-f", "json")
    assert forced.returncode == 0, forced.stderr
    assert "warning: sealed with open critical finding" in forced.stderr
    document = json.loads(forced.stdout)
    assert document["version"] == 1
    assert [f["rule"] for f in document["sealed_with_open_findings"]] == ["dangerous-import"]

    critical = json.loads(run("-w", ws, "findings", "-s", "critical", "-f", "json").stdout)
    blocking = [f for f in critical if f["asset"]["uri"] == str(model)]
    accepted = run(
        "-w", ws, "findings", "accept", str(blocking[0]["id"]), "--reason", "sandbox only"
    )
    assert accepted.returncode == 0
    clean = run("-w", ws, "seal", str(model), "--key", "k")
    assert clean.returncode == 0, clean.stderr
    assert "warning" not in clean.stderr
