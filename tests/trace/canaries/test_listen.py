"""The beacon listener: a real HTTP server on loopback records hits as alerts."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from labwarden.core.workspace import Workspace
from labwarden.store.catalog import Catalog
from labwarden.store.trace import Canary
from labwarden.trace.canaries.kinds import CanaryKind
from labwarden.trace.canaries.listen import PIXEL, BeaconServer, serve, token_of
from labwarden.trace.canaries.plant import PlantRequest, plant, retire


@pytest.fixture
def server(workspace: Workspace) -> Iterator[tuple[BeaconServer, list[str]]]:
    heard: list[str] = []

    def report(canary: Canary, event: dict[str, Any]) -> None:
        heard.append(canary.name)

    srv = serve(workspace, "127.0.0.1", 0, report)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv, heard
    srv.shutdown()
    srv.server_close()
    thread.join()


def _get(url: str, agent: str = "curl/8.5") -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"User-Agent": agent})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def test_beacon_hits_become_one_alert_per_source_and_day(
    tmp_path: Path, workspace: Workspace, server: tuple[BeaconServer, list[str]]
) -> None:
    srv, heard = server
    base = f"http://127.0.0.1:{srv.server_address[1]}"
    with Catalog.open(workspace) as catalog:
        doc = plant(
            catalog,
            PlantRequest(
                CanaryKind.BEACON, name="eval-nb", into=tmp_path / "README.md", beacon_base=base
            ),
        )
        quiet = plant(
            catalog,
            PlantRequest(CanaryKind.BEACON, name="old", into=tmp_path / "old.md", beacon_base=base),
        )
        retire(catalog, "old")
    url = doc.detail["url"]
    assert url in (tmp_path / "README.md").read_text()
    assert _get(url) == (200, PIXEL)
    assert _get(url + ".png?x=1", agent="python-requests/2.32") == (200, PIXEL)
    assert _get(f"{base}/c/{quiet.token}")[0] == 404
    assert _get(f"{base}/c/unknowntoken123")[0] == 404
    assert _get(f"{base}/index.html")[0] == 404
    assert heard == ["eval-nb", "eval-nb"]
    with Catalog.open(workspace) as catalog:
        (alert,) = catalog.alerts.find()
        shown = catalog.alerts.get(alert.id)
    assert alert.event_count == 2 and alert.principal == "127.0.0.1"
    assert alert.detail["how"] == "beacon" and alert.severity.value == "critical"
    assert sorted(e["user_agent"] for e in shown.evidence) == ["curl/8.5", "python-requests/2.32"]
    assert len({e["event_uid"] for e in shown.evidence}) == 2


@pytest.mark.parametrize(
    ("path", "token"),
    [
        ("/c/abcdef1234", "abcdef1234"),
        ("/c/abcdef1234.gif?utm=1", "abcdef1234"),
        ("/c/abcdef1234/x", "abcdef1234"),
        ("/c/short", None),
        ("/c/../../etc/passwd", None),
        ("/other/abcdef1234", None),
    ],
)
def test_token_of(path: str, token: str | None) -> None:
    assert token_of(path) == token


def test_canary_listen_command_records_hits_in_the_lake(tmp_path: Path) -> None:
    import json
    import os
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    base = f"http://127.0.0.1:{port}"
    cli = [sys.executable, "-m", "labwarden", "--workspace", str(tmp_path / "ws")]
    planted = subprocess.run(
        [*cli, "canary", "plant", "beacon", "--into", str(tmp_path / "nb.ipynb"),
         "--beacon", base, "-f", "json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    url = json.loads(planted.stdout)["detail"]["url"]
    assert url in (tmp_path / "nb.ipynb").read_text()
    server = subprocess.Popen(
        [*cli, "canary", "listen", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=os.environ.copy(),
    )  # fmt: skip
    try:
        for _ in range(200):
            try:
                status, body = _get(url, agent="Mozilla/5.0 (leaker)")
                break
            except OSError:
                time.sleep(0.1)
        assert (status, body) == (200, PIXEL)
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=20)
    assert "hit from 127.0.0.1" in out
    events = subprocess.run(
        [*cli, "events", "--format", "json"], capture_output=True, text=True, check=False
    )
    alerts = subprocess.run(
        [*cli, "alerts", "--format", "json"], capture_output=True, text=True, check=False
    )
    assert "Mozilla/5.0 (leaker)" in events.stdout, events.stderr
    assert "Canary touched" in alerts.stdout and "critical" in alerts.stdout, alerts.stderr
