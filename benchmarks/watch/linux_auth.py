"""SSH brute force on the real Linux corpora, with fail2ban's sshd filter in the same run.

The loghub OpenSSH and Linux logs (``../shared/corpora/logs/linux``) are ingested and the
bundled pack runs over them; fail2ban's own ``fail2ban-regex`` with its stock ``sshd`` filter
reads the same files. fail2ban judges failures per line; labwarden counts attempts (PAM's line
and sshd's ``Failed password`` for one guess count once). Reported per corpus: failures counted,
the addresses flagged at labwarden's threshold (20 in an hour) and at fail2ban's default jail
(``maxretry = 5`` in ``findtime = 10m``), what labwarden raises that fail2ban has no notion of
(spraying, a logon after a brute force, new sources, sudo to a shell), the ranking, and times.

fail2ban is a Debian package (``apt-get install fail2ban``); without it the peer's columns say so.

Run: .venv/bin/python -m benchmarks.watch.linux_auth  (prints Markdown tables)
"""

from __future__ import annotations

import ast
import resource
import shutil
import subprocess
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from labwarden.engines.duckdb import connect, create_events_view
from labwarden.store.lake import Lake
from labwarden.watch.alerting import risk_parts
from labwarden.watch.detect.run import Detection, run_rules
from labwarden.watch.detect.sigma.rules import bundled_rules_dir, load
from labwarden.watch.ingest import ingest
from labwarden.watch.parsers.authlog import SyslogClock
from labwarden.watch.resources import Resolver

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT.parent / "shared" / "corpora" / "logs" / "linux"
CORPORA = {"OpenSSH_2k.log": 2025, "Linux_2k.log": 2005}
"""Files and the year their year-less stamps are given (fail2ban takes the current year)."""
THRESHOLD, WINDOW_S = 20, 3600
F2B_RETRY, F2B_FIND_S = 5, 600


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _flagged(failures: Iterable[tuple[str, float]], threshold: int, window: float) -> set[str]:
    """Addresses with ``threshold`` failures within ``window`` seconds."""
    by_ip: dict[str, list[float]] = defaultdict(list)
    for ip, when in failures:
        by_ip[ip].append(when)
    out = set()
    for ip, times in by_ip.items():
        times.sort()
        for i in range(len(times) - threshold + 1):
            if times[i + threshold - 1] - times[i] <= window:
                out.add(ip)
                break
    return out


def _fail2ban(path: Path) -> tuple[list[tuple[str, float]], float, float] | None:
    """``(failures (address, time), wall s, CPU s)`` of fail2ban-regex, or None without it."""
    tool = shutil.which("fail2ban-regex")
    if tool is None:
        return None
    cpu, started = _cpu(), time.perf_counter()
    out = subprocess.run(
        [tool, "-o", "row", str(path), "sshd"], capture_output=True, text=True, check=True
    ).stdout
    wall, cpu = time.perf_counter() - started, _cpu() - cpu
    failures = []
    for text in out.splitlines():
        row = text.strip().rstrip(",")
        if not row.startswith("["):
            continue
        ip, when = row[1:].split(",\t", 2)[:2]
        failures.append((ast.literal_eval(ip), float(when)))
    return failures, wall, cpu


def _labwarden(path: Path, year: int) -> tuple[list[tuple[str, float]], list[Detection], float]:
    """``(attempts (address, time), detections, seconds)`` of ingest and the pack."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        lake = Lake(Path(tmp) / "lake")
        ingest([path], lake, Resolver.empty(), clock=SyslogClock(year))
        con = connect()
        create_events_view(con, lake.root)
        result = run_rules(con, load([bundled_rules_dir()]).rules)
        seconds = time.perf_counter() - started
        attempts = [
            (str(ip), when.timestamp())
            for ip, when in con.rows(
                "SELECT src_ip, time FROM events WHERE class_uid = 3002 AND activity = 'logon' "
                "AND status = 'failure' AND src_ip IS NOT NULL "
                "AND api_operation <> 'invalid_user' AND status_code <> 'repeated_attempt'"
            )
        ]
        con.close()
    return attempts, result.detections, seconds


def _names(ips: set[str]) -> str:
    return ", ".join(sorted(ips)) or "none"


def main() -> None:
    """Both tools over both corpora, one after the other in this run."""
    print(f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, side by side in one run.\n")
    for name, year in CORPORA.items():
        path = LINUX / name
        attempts, detections, seconds = _labwarden(path, year)
        peer = _fail2ban(path)
        mine = _flagged(attempts, THRESHOLD, WINDOW_S)
        print(f"### {name}\n")
        print("| | labwarden | fail2ban-regex, stock sshd filter |")
        print("|---|---|---|")
        if peer is None:
            print("| fail2ban | - | not installed (apt-get install fail2ban) |")
        else:
            failures, wall, cpu = peer
            print(f"| failures counted | {len(attempts)} attempts | {len(failures)} lines |")
            print(
                f"| addresses at 20 in 1 h | {_names(mine)} | "
                f"{_names(_flagged(failures, THRESHOLD, WINDOW_S))} |"
            )
            print(
                f"| addresses at fail2ban's default jail (5 in 10 min) | "
                f"{_names(_flagged(attempts, F2B_RETRY, F2B_FIND_S))} | "
                f"{_names(_flagged(failures, F2B_RETRY, F2B_FIND_S))} |"
            )
            peer_time = f"{wall:.2f} (CPU {cpu:.2f})"
            print(f"| seconds (wall) | {seconds:.2f} (ingest + the pack) | {peer_time} |")
        _ranking([d for d in detections if d.rule.path.endswith("lw_linux_auth.yml")])


def _ranking(detections: list[Detection]) -> None:
    rows = sorted(
        (
            (
                int(risk_parts(d.rule.level, None)["risk"]),
                d.rule.level,
                d.rule.title,
                str(d.group.get("src_ip") or d.group.get("actor_user") or "-"),
                d.count,
            )
            for d in detections
        ),
        key=lambda r: (-r[0], r[2], r[3]),
    )
    print("\n| rank | risk | severity | rule | source or user | events |")
    print("|---|---|---|---|---|---|")
    for rank, (risk, level, title, who, count) in enumerate(rows, 1):
        print(f"| {rank} | {risk} | {level} | {title} | {who} | {count} |")
    print()


if __name__ == "__main__":
    main()
