"""The web server under load: 50 clients for 30 s while a scan writes, plus reads side by side
with datasette over the same catalog.

Run: ``.venv/bin/python -m benchmarks.web.load [--seconds 30] [--clients 50]``. The peer,
datasette, is installed into its own virtual environment (``--datasette PATH``, default
``/work/peers-web/bin/datasette``; the row is skipped with a note when it is absent). Everything
runs on 127.0.0.1 and stops by itself. Results: ``benchmarks/web/results.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
from tests.web.lab import build, free_port, serve
from tests.web.load import Mix, lost_updates, run_load

HERE = Path(__file__).resolve().parent
WORK = HERE.parent / ".work" / "web"

LABWARDEN_READS = Mix(
    reads=(
        ("alerts", "/api/v1/alerts?status=all&limit=50"),
        ("assets", "/api/v1/assets?limit=50"),
        ("findings", "/api/v1/findings?status=all&limit=50"),
    ),
    writers=False,
)
DATASETTE_READS = Mix(
    reads=(
        ("alerts", "/catalog/alerts.json?_size=50"),
        ("assets", "/catalog/assets.json?_size=50"),
        ("findings", "/catalog/findings.json?_size=50"),
    ),
    writers=False,
)


def _datasette(executable: Path, catalog: Path, seconds: float, clients: int) -> dict[str, Any]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [str(executable), "serve", str(catalog), "--port", str(port), "--host", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/-/versions.json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        version = httpx.get(f"{url}/-/versions.json").json()["datasette"]["version"]
        tokens = {"viewer": "unused", "analyst": "unused"}
        result = run_load(url, tokens, [1], clients=clients, seconds=seconds, mix=DATASETTE_READS)
        return {"peer": f"datasette {version}", **result.summary()}
    finally:
        process.terminate()
        process.wait(timeout=20)


def main() -> None:
    """Build a lab, serve it, load it, compare reads with datasette, write the results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--read-seconds", type=float, default=15.0)
    parser.add_argument("--datasette", type=Path, default=Path("/work/peers-web/bin/datasette"))
    args = parser.parse_args()

    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    lab = serve(build(WORK, extra_alerts=12), WORK / "serve.log")
    try:
        with lab.client("viewer") as client:
            listed = client.get("/api/v1/alerts", params={"status": "all"}).json()["items"]
        alerts = [a["id"] for a in listed]
        before = {a["id"]: a["revision"] for a in listed}
        mixed = run_load(
            lab.url,
            lab.tokens,
            alerts,
            clients=args.clients,
            seconds=args.seconds,
            scan=(lab.workspace.root, WORK / "lab"),
        )
        lost = lost_updates(lab.url, lab.tokens["analyst"], mixed, before)
        single = run_load(
            lab.url,
            lab.tokens,
            alerts,
            clients=1,
            seconds=args.read_seconds,
            mix=LABWARDEN_READS,
        )
        reads = run_load(
            lab.url,
            lab.tokens,
            alerts,
            clients=args.clients,
            seconds=args.read_seconds,
            mix=LABWARDEN_READS,
        )
    finally:
        lab.stop()
    peer: dict[str, Any] | None = None
    peer_single: dict[str, Any] | None = None
    if args.datasette.exists():
        peer = _datasette(
            args.datasette, lab.workspace.catalog_path, args.read_seconds, args.clients
        )
        peer_single = _datasette(args.datasette, lab.workspace.catalog_path, args.read_seconds, 1)
    document = {
        "machine": "2 cores shared with other jobs; client and server on the same machine",
        "mixed_with_scan": {
            **mixed.summary(),
            "lost_updates": lost,
            "errors_sample": mixed.errors[:5],
        },
        "reads_only": {"labwarden": reads.summary(), "datasette": peer},
        "one_client_reads": {"labwarden": single.summary(), "datasette": peer_single},
    }
    (HERE / "results.json").write_text(json.dumps(document, indent=2) + "\n")
    print(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
