"""Scanning never executes what it scans: payloads that would create a marker file leave none."""

from __future__ import annotations

import base64
import gzip
import io
import json
import pickle
import subprocess
import sys
from pathlib import Path

import py7zr
import pytest

from labwarden.checks.modelfile.check import ModelFileCheck
from labwarden.core.values import Severity

from .builders import gguf_bytes, npy_object, stack_global_call, zip_bytes


def payloads(marker: Path) -> dict[str, bytes]:
    """Files that would each create ``marker`` if loaded, rendered or imported."""
    shell = f"touch {marker}"
    code = f"open({str(marker)!r}, 'w').write('pwned')"
    system = stack_global_call("os", "system", shell)
    exec_code = stack_global_call("builtins", "exec", code)
    proto0 = f"cos\nsystem\n(S'{shell}'\ntR.".encode()
    legacy_tail = pickle.dumps({"a": 1}, protocol=2) + system
    keras = {
        "class_name": "Sequential",
        "config": {
            "layers": [{"class_name": "Lambda", "config": {"function": f"lambda x: {code}"}}]
        },
    }
    template = "{{ cycler.__init__.__globals__.os.system('" + shell + "') }}"
    seven = io.BytesIO()
    with py7zr.SevenZipFile(seven, "w") as archive:
        archive.writestr(system, "model.pkl")
    return {
        "system.pkl": system,
        "exec.pkl": exec_code,
        "proto0.pickle": proto0,
        "two_streams.pkl": legacy_tail,
        "model.pt": zip_bytes({"archive/data.pkl": exec_code, "archive/version": b"3\n"}),
        "model.joblib": gzip.compress(system),
        "arrays.npy": npy_object(system),
        "model.h5": b"\x89HDF\r\n\x1a\n" + b"\x00" * 32 + json.dumps(keras).encode(),
        "tokenizer_config.json": json.dumps({"chat_template": template}).encode(),
        "chat.gguf": gguf_bytes({"tokenizer.chat_template": template}),
        "bundle.7z": seven.getvalue(),
        "nested.pkl": stack_global_call("pickle", "loads", base64.b64encode(system).decode()),
    }


@pytest.fixture
def poisoned(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "downloads"
    folder.mkdir()
    marker = tmp_path / "MARKER"
    for name, data in payloads(marker).items():
        (folder / name).write_bytes(data)
    return folder, marker


def test_scanning_payloads_leaves_no_marker(poisoned: tuple[Path, Path], tmp_path: Path) -> None:
    folder, marker = poisoned
    result = subprocess.run(
        [sys.executable, "-m", "labwarden", "inspect", "models", str(folder), "-f", "json"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 1, result.stderr
    assert not marker.exists()
    findings = json.loads(result.stdout)
    flagged = {
        Path(f["location"]["path"]).name for f in findings if f["severity"] in ("high", "critical")
    }
    assert flagged == set(payloads(marker)), sorted(set(payloads(marker)) - flagged)


def test_no_deserializer_is_ever_called(
    poisoned: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, marker = poisoned

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a deserializer was called during a scan")

    check = ModelFileCheck(thorough=True)
    assert check.policy  # load the lists (and every lazy import) before the trap is set
    check.scan_bytes(b"warm-up", "x.bin")
    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, refuse)
    for path in sorted(folder.iterdir()):
        found = check.scan_bytes(path.read_bytes(), path.name, str(path))
        assert max(f.severity for f in found) >= Severity.HIGH, path.name
    assert not marker.exists()
