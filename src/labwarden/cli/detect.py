"""``labwarden detect``: run Sigma rules over the lake and store alerts."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from labwarden.cli.engine_options import EngineName, EngineOpt, SparkMasterOpt, query_engine
from labwarden.cli.state import STATE, FailOn, FailOnOpt, stderr
from labwarden.core.errors import ExitCode, InputError
from labwarden.report.tabular import OutputFormat, render_rows
from labwarden.store.catalog import Catalog
from labwarden.watch.alerting import severity_of

if TYPE_CHECKING:
    from labwarden.engines.interface import Engine
    from labwarden.identity.grant_check import GrantRun
    from labwarden.identity.reach import ModelAccess
    from labwarden.store.alerts import AlertRecord
    from labwarden.watch.analytics.service import AnalyticsRun
    from labwarden.watch.detect.run import DetectResult


def detect(
    rules: Annotated[
        list[Path] | None,
        typer.Option("--rules", "-r", help="Sigma rule files or folders (repeatable)."),
    ] = None,
    no_bundled: Annotated[
        bool, typer.Option("--no-bundled", help="Do not run labwarden's own rule pack.")
    ] = False,
    since: Annotated[
        str | None, typer.Option("--since", help="Only events from this time.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Only events before this time.")
    ] = None,
    list_rules: Annotated[
        bool, typer.Option("--list-rules", help="Show which rules convert (and why not) and stop.")
    ] = False,
    fail_on: FailOnOpt = FailOn.NEVER,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = (
        OutputFormat.TABLE
    ),
    analytics: Annotated[
        bool,
        typer.Option(
            "--analytics/--no-analytics", help="Also score behaviour (baselines, peers, risk)."
        ),
    ] = True,
    rescore: Annotated[
        bool,
        typer.Option("--rescore", help="Score every day in the lake again, not only new days."),
    ] = False,
    budget: Annotated[int, typer.Option("--budget", help="At most N analytics alerts a day.")] = 10,
    min_risk: Annotated[
        float, typer.Option("--min-risk", help="No analytics alert below this risk (0-100).")
    ] = 40.0,
    window: Annotated[int, typer.Option("--window", help="Baseline window in days.")] = 30,
    peers: Annotated[
        Path | None,
        typer.Option("--peers", help="Peer groups: CSV principal,group or TOML [groups]."),
    ] = None,
    engine: EngineOpt = EngineName.DUCKDB,
    spark_master: SparkMasterOpt = None,
    lake: Annotated[
        str | None,
        typer.Option(
            "--lake", help="Read this lake instead of the workspace's: a folder or s3a://..."
        ),
    ] = None,
    iam: Annotated[
        Path | None,
        typer.Option(
            "--iam",
            help="Authorization details (`aws iam get-account-authorization-details`): judge "
            "object-store accesses against the policies.",
        ),
    ] = None,
    bucket_policy: Annotated[
        list[str] | None,
        typer.Option("--bucket-policy", help="BUCKET=FILE, with --iam (scanned ones are used)."),
    ] = None,
) -> None:
    """Run Sigma rules (pySigma) and their correlations, and behaviour analytics; store alerts."""
    # pySigma and DuckDB take a while to import: only when this command runs.
    from labwarden.watch.analytics.engine import AnalyticsConfig
    from labwarden.watch.analytics.peers import load_mapping
    from labwarden.watch.analytics.service import lake_days, run_analytics
    from labwarden.watch.service import compile_rules, parse_time
    from labwarden.watch.service import detect as run_detect

    ruleset = compile_rules(
        rules or [],
        bundled=not no_bundled,
        since=parse_time(since, "--since"),
        until=parse_time(until, "--until"),
    )
    for problem in ruleset.problems:
        stderr.print(f"rule skipped: {problem}", markup=False)
    if list_rules:
        rows = [{**r.to_dict(), "status": "ok", "reason": ""} for r in ruleset.rules] + [
            {"path": p.path, "title": p.rule, "status": "skipped", "reason": p.reason}
            for p in ruleset.problems
        ]
        render_rows(
            rows,
            ["status", "kind", "level", "title", "path", "reason"],
            fmt,
            sys.stdout,
            title=f"{len(ruleset.rules)} rules ready, {len(ruleset.problems)} skipped",
        )
        return
    config = AnalyticsConfig(
        window_days=window,
        budget=budget,
        min_risk=min_risk,
        mapping=load_mapping(peers) if peers else None,
    )
    remote = lake is not None and "://" in lake
    if remote and engine is not EngineName.SPARK:
        raise InputError(f"--lake {lake}: only the Spark engine reads a lake by URL")
    lake_root: Path | str | None = lake if remote else (Path(lake) if lake else None)
    if remote and analytics:
        stderr.print("analytics skipped: they keep their aggregates beside a local lake")
        analytics = False
    with query_engine(engine, spark_master) as opened:
        workspace = STATE.existing()
        with Catalog.open(workspace) as catalog:
            # A bad authorization-details file fails before the rules run.
            access = _access(catalog, iam, bucket_policy or []) if iam is not None else None
            run = run_detect(workspace, catalog, ruleset, engine=opened, lake=lake_root)
            scored = (
                run_analytics(
                    workspace,
                    catalog,
                    config,
                    days=lake_days(workspace) if rescore else None,
                    engine=opened,
                    lake=lake_root if isinstance(lake_root, Path) else None,
                )
                if analytics
                else None
            )
            judged = lake_root or workspace.lake_path
            granted = (
                _grants(catalog, access, (run.result, scored), opened, judged)
                if access is not None
                else None
            )
    result = run.result
    for problem in result.problems:
        stderr.print(f"rule failed: {problem}", markup=False)
    _report(result, granted, fmt)
    stderr.print(
        f"ran {result.rules_run} rules in {result.seconds:.1f}s: {len(result.detections)} "
        f"detections, {run.new_alerts} new alerts, {run.updated_alerts} updated; "
        f"{len(run.routine)} routine volume detections left out; "
        f"{len(ruleset.problems)} rules skipped",
        markup=False,
    )
    if scored is not None:
        for alert in scored.alerts:  # stderr: stdout holds only the report (JSON parses)
            stderr.print(
                f"analytics {alert.day} risk {alert.risk:.0f}: {alert.title}", markup=False
            )
        stderr.print(
            f"analytics: aggregated {len(scored.aggregated)} days, scored {len(scored.scored)}: "
            f"{len(scored.alerts)} alerts ({scored.new_alerts} new)",
            markup=False,
        )
    if granted is not None:
        _grant_summary(granted)
    _exit(result, scored, fail_on, granted)


def _report(result: DetectResult, granted: GrantRun | None, fmt: OutputFormat) -> None:
    """The detections (and the never-granted accesses) on stdout."""
    rows: list[dict[str, object]] = [
        {
            "severity": severity_of(d.rule.level).value,
            "rule": d.rule.title,
            "kind": d.rule.kind,
            "principal": ", ".join(str(v) for v in d.group.values() if v) or "-",
            "first_seen": d.first_seen.isoformat(timespec="seconds"),
            "events": d.count,
            "assets": ", ".join(d.assets[:3]),
        }
        for d in sorted(
            result.detections, key=lambda d: (-severity_of(d.rule.level).rank, d.first_seen)
        )
    ]
    if granted is not None:
        rows += [_grant_row(a) for a in granted.alerts]
    render_rows(
        rows,
        ["severity", "rule", "kind", "principal", "first_seen", "events", "assets"],
        fmt,
        sys.stdout,
        title=f"{len(rows)} detections",
    )


def _access(catalog: Catalog, iam: Path, bucket_policy: list[str]) -> ModelAccess:
    """The access model: the authorization details, ``BUCKET=FILE`` policies, and the bucket
    policies and ACL grants to everyone scans read."""
    from labwarden.identity.buckets import scanned_acls, scanned_policies
    from labwarden.identity.reach import access_provider

    stored, unknown = scanned_policies(catalog)
    if unknown:
        stderr.print(f"bucket policies not known: {', '.join(unknown)}", markup=False)
    return access_provider(iam, bucket_policy, stored, scanned_acls(catalog))


def _grants(
    catalog: Catalog,
    access: ModelAccess,
    found: tuple[DetectResult, AnalyticsRun | None],
    engine: Engine | None,
    lake: Path | str,
) -> GrantRun:
    """Judge the lake's object-store accesses against the access model, on the run's engine."""
    from labwarden.identity.grant_check import check_grants, targets

    result, scored = found
    wanted = targets(result.detections, scored.alerts if scored is not None else [])
    return check_grants(lake, catalog, access, wanted, engine=engine)


def _grant_row(alert: AlertRecord) -> dict[str, object]:
    return {
        "severity": alert.severity.value,
        "rule": alert.rule_title,
        "kind": alert.kind,
        "principal": alert.principal or "-",
        "first_seen": alert.first_seen[:19],
        "events": alert.event_count,
        "assets": ", ".join(list(alert.assets)[:3]),
    }


def _grant_summary(run: GrantRun) -> None:
    """What the grant check found (stderr): never granted, undecided, not judged."""
    from labwarden.identity.verdicts import NOT_JUDGED, UNDECIDED

    for item in run.of(UNDECIDED):
        stderr.print(f"grant undecided: {item.sentence()}", markup=False)
    skipped = sorted({f"{a.principal} ({a.why})" for a in run.of(NOT_JUDGED)})
    if skipped:
        stderr.print(f"grants not judged for: {', '.join(skipped[:10])}", markup=False)
    firsts = sum(1 for a in run.accesses if a.first_use)
    stderr.print(
        f"grants: judged {len(run.accesses)} principal-bucket-days ({firsts} first uses): "
        f"{len(run.alerts)} never granted ({run.new_alerts} new alerts), "
        f"{len(run.of(UNDECIDED))} undecided, {len(skipped)} principals not judged; "
        f"grant context added to {run.annotated} alerts",
        markup=False,
    )


def _exit(
    result: DetectResult, scored: AnalyticsRun | None, fail_on: FailOn, granted: GrantRun | None
) -> None:
    """Exit 1 when a detection, an analytics or a grant alert reaches ``fail_on``."""
    from labwarden.watch.analytics.service import severity_of_risk

    failing = fail_on.reached(severity_of(d.rule.level) for d in result.detections)
    if granted is not None:
        failing = failing or fail_on.reached(a.severity for a in granted.alerts)
    if scored is not None:
        failing = failing or fail_on.reached(severity_of_risk(a.risk) for a in scored.alerts)
    if failing:
        raise typer.Exit(int(ExitCode.FINDINGS))
