"""``labwarden watch DIR``: follow a log folder and raise alerts as events arrive."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from labwarden.cli.state import STATE, stderr
from labwarden.core.errors import InputError


def watch(
    folder: Annotated[Path, typer.Argument(help="The log folder to follow.")],
    interval: Annotated[
        float, typer.Option("--interval", help="Seconds between passes over the folder.")
    ] = 10.0,
    cycles: Annotated[
        int | None,
        typer.Option("--cycles", help="Stop after this many passes (default: until Ctrl-C)."),
    ] = None,
    rules: Annotated[
        list[Path] | None,
        typer.Option("--rules", "-r", help="More Sigma rule files or folders (repeatable)."),
    ] = None,
    no_rules: Annotated[bool, typer.Option("--no-rules", help="Run no Sigma rules.")] = False,
    analytics: Annotated[
        bool, typer.Option("--analytics/--no-analytics", help="Score behaviour as days fill.")
    ] = True,
    budget: Annotated[int, typer.Option("--budget", help="At most N analytics alerts a day.")] = 10,
    min_risk: Annotated[
        float, typer.Option("--min-risk", help="No analytics alert below this risk (0-100).")
    ] = 40.0,
    peers: Annotated[
        Path | None,
        typer.Option("--peers", help="Peer groups: CSV principal,group or TOML [groups]."),
    ] = None,
) -> None:
    """Ingest new and growing log files as they arrive, run rules and analytics, print alerts."""
    # pySigma and DuckDB take a while to import: only when this command runs.
    from labwarden.watch.analytics.engine import AnalyticsConfig
    from labwarden.watch.analytics.peers import load_mapping
    from labwarden.watch.follow import Cycle, Follower, follow
    from labwarden.watch.service import compile_rules

    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder")
    if interval <= 0:
        raise InputError(f"--interval {interval}: must be more than 0 seconds")
    ruleset = None if no_rules else compile_rules(rules or [])
    config = (
        AnalyticsConfig(
            budget=budget, min_risk=min_risk, mapping=load_mapping(peers) if peers else None
        )
        if analytics
        else None
    )
    follower = Follower(STATE.writable(), folder, ruleset, config)
    stderr.print(f"watching {folder} every {interval:g}s (Ctrl-C stops)", markup=False)

    def report(cycle: Cycle) -> None:
        if cycle.files:
            stderr.print(
                f"{len(cycle.files)} new or changed files, {cycle.events} events, "
                f"{cycle.failed} files not ingested (unknown format or unreadable), "
                f"{cycle.issues - cycle.failed} bad records",
                markup=False,
            )
        for alert in sorted(cycle.new_alerts, key=lambda a: -a.risk):
            who = alert.principal or "-"
            typer.echo(
                f"ALERT {alert.id} risk={alert.risk} {alert.severity.value} "
                f"{alert.rule_title} principal={who} first_seen={alert.first_seen}"
            )

    follow(follower, interval=interval, on_cycle=report, cycles=cycles)
