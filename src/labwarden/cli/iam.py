"""``labwarden iam``: audit an account's identities, ask who may do what, find escalation paths."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from labwarden.cli.state import STATE, FailOn, FailOnOpt, output_stream, stderr
from labwarden.core.errors import ExitCode, InputError
from labwarden.identity.load import load_model, parse_bucket_option, parse_context, read_policy
from labwarden.identity.model import ACCESS_LEVELS, AccessModel
from labwarden.report.findings import FindingFormat, render_findings
from labwarden.report.tabular import OutputFormat, render_rows

app = typer.Typer(
    help="Cloud identities: audit, effective permissions, who can reach a bucket, escalation.",
    no_args_is_help=True,
)

Details = Annotated[
    Path,
    typer.Argument(
        help="`aws iam get-account-authorization-details` output (JSON).", show_default=False
    ),
]
BucketPolicies = Annotated[
    list[str] | None,
    typer.Option(
        "--bucket-policy", help="BUCKET=FILE: a bucket policy (get-bucket-policy output)."
    ),
]
Scps = Annotated[
    list[Path] | None,
    typer.Option("--scp", help="Service control policies of one level (root, OU, account)."),
]
Context = Annotated[
    list[str] | None,
    typer.Option("--context", help="KEY=VALUE request context (aws:SourceIp=10.0.0.1)."),
]


def _model(details: Path, bucket_policy: list[str] | None, scp: list[Path] | None) -> AccessModel:
    policies = dict(parse_bucket_option(b) for b in bucket_policy or [])
    stored, acls = _scanned(set(policies))
    return load_model(
        details,
        bucket_policies=policies,
        scps=scp or [],
        stored_policies=stored,
        stored_acls=acls,
    )


def _scanned(given: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Bucket policies and ACL grants to everyone the workspace's scans read (stderr says
    which are used, and which could not be read); none without a workspace."""
    from labwarden.identity.buckets import scanned_acls, scanned_policies

    workspace = STATE.resolve()
    if not workspace.catalog_path.exists():
        return {}, {}
    with STATE.catalog() as catalog:
        stored, unknown = scanned_policies(catalog)
        acls = scanned_acls(catalog)
    used = sorted(set(stored) - given)
    if used:
        stderr.print(
            f"bucket policies as scanned: {', '.join(used)} (--bucket-policy BUCKET=FILE "
            "overrides; rescan to refresh)",
            markup=False,
        )
    if unknown:
        stderr.print(
            f"bucket policies not known (the scan could not read them): {', '.join(unknown)}",
            markup=False,
        )
    if acls:
        stderr.print(f"bucket ACLs granting everyone: {', '.join(sorted(acls))}", markup=False)
    return stored, acls


@app.command("audit")
def audit_command(
    details: Details,
    bucket_policy: BucketPolicies = None,
    scp: Scps = None,
    bucket: Annotated[
        list[str] | None,
        typer.Option("--bucket", help="Also report who may reach this bucket (repeatable)."),
    ] = None,
    credential_report: Annotated[
        Path | None, typer.Option("--credential-report", help="`get-credential-report` CSV.")
    ] = None,
    fmt: Annotated[FindingFormat, typer.Option("--format", "-f", help="Output format.")] = (
        FindingFormat.TABLE
    ),
    fail_on: FailOnOpt = FailOn.NEVER,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here.")] = None,
) -> None:
    """Escalation paths, over-privileged principals, bucket reach and credential hygiene."""
    from labwarden.identity.audit import audit

    model = _model(details, bucket_policy, scp)
    buckets = list(bucket or []) + _catalog_buckets()
    report = audit(model, buckets=dict.fromkeys(buckets), credential_report=credential_report)
    with output_stream(output) as out:
        render_findings(report.findings, fmt, out, title="IAM findings")
    stderr.print(
        f"{len(model.account.principals)} principals, {len(report.paths)} escalation paths, "
        f"{len(report.findings)} findings",
        markup=False,
    )
    if fail_on.reached(f.severity for f in report.findings):
        raise typer.Exit(int(ExitCode.FINDINGS))


def _catalog_buckets() -> list[str]:
    """Buckets of the workspace's catalog holding assets, if there is a workspace."""
    from labwarden.identity.buckets import asset_buckets

    workspace = STATE.resolve()
    if not workspace.catalog_path.exists():
        return []
    with STATE.catalog() as catalog:
        return sorted(asset_buckets(catalog))


@app.command("may")
def may_command(
    details: Details,
    principal: Annotated[str, typer.Argument(help="user/NAME, role/NAME or an ARN.")],
    action: Annotated[str, typer.Argument(help="service:Action, e.g. s3:GetObject.")],
    resource: Annotated[str, typer.Argument(help="Resource ARN (or * for any).")],
    bucket_policy: BucketPolicies = None,
    scp: Scps = None,
    context: Context = None,
    session_policy: Annotated[
        Path | None, typer.Option("--session-policy", help="Session policy of the request.")
    ] = None,
    endpoint_policy: Annotated[
        Path | None, typer.Option("--endpoint-policy", help="VPC endpoint policy it goes through.")
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="table or json.")] = (
        OutputFormat.TABLE
    ),
) -> None:
    """May PRINCIPAL do ACTION on RESOURCE? With the statements that decide."""
    model = _model(details, bucket_policy, scp)
    session = read_policy(session_policy, "session") if session_policy else None
    endpoint = read_policy(endpoint_policy, "endpoint") if endpoint_policy else None
    decision = model.may(
        principal,
        action,
        "" if resource == "*" else resource,
        context=parse_context(context or []),
        session=session,
        endpoint=endpoint,
        prefix=resource == "*",
    )
    if fmt is OutputFormat.JSON:
        document = {
            "principal": model.principal(principal).arn,
            "action": action,
            "resource": resource,
            "decision": decision.word,
            "allows": [str(m) for m in decision.allows],
            "denies": [str(m) for m in decision.denies],
            "missing": list(decision.missing),
        }
        typer.echo(json.dumps(document, indent=2))
        return
    typer.echo(f"{decision.word}: {principal} {action} {resource}")
    reason = decision.reason()
    if reason:
        typer.echo(reason)


@app.command("who-can")
def who_can_command(
    details: Details,
    bucket: Annotated[str, typer.Argument(help="Bucket name (or s3://bucket).")],
    bucket_policy: BucketPolicies = None,
    scp: Scps = None,
    access: Annotated[
        list[str] | None,
        typer.Option("--access", help="list, read, write, delete or permissions (repeatable)."),
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = (
        OutputFormat.TABLE
    ),
) -> None:
    """Who may list, read, write, delete or re-permission BUCKET, and through what."""
    name = bucket.removeprefix("s3://").split("/", 1)[0]
    levels = access or list(ACCESS_LEVELS)
    unknown = sorted(set(levels) - set(ACCESS_LEVELS))
    if unknown:
        raise InputError(f"--access {', '.join(unknown)}: not one of {', '.join(ACCESS_LEVELS)}")
    model = _model(details, bucket_policy, scp)
    grants = model.who_can(name, levels)
    rows = []
    for grant in grants:
        row = grant.to_dict()
        row["actions"] = f"{len(grant.actions)}: {', '.join(grant.actions[:3])}" + (
            " ..." if len(grant.actions) > 3 else ""
        )
        row["via"] = "; ".join(grant.via)
        row["conditions"] = "; ".join(grant.conditions)
        rows.append(row)
    render_rows(
        rows,
        ["principal", "access", "allowed", "actions", "via", "conditions"],
        fmt,
        sys.stdout,
        title=f"who can reach s3://{name}",
        document=[g.to_dict() for g in grants],
    )


@app.command("uses")
def uses_command(
    details: Details,
    bucket_policy: BucketPolicies = None,
    verdict: Annotated[
        str | None,
        typer.Option("--verdict", help="Only: granted, undecided, never-granted, not-judged."),
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = (
        OutputFormat.TABLE
    ),
) -> None:
    """The lake's bucket uses against the access model: granted, undecided, never granted."""
    from labwarden.identity.reach import ModelAccess
    from labwarden.identity.uses import bucket_uses
    from labwarden.identity.verdicts import VERDICTS

    workspace = STATE.existing(catalog=False)
    model = _model(details, bucket_policy, None)
    found = bucket_uses(ModelAccess(model), workspace.lake_path)
    if verdict is not None:
        wanted = verdict.replace("-", " ")
        if wanted not in VERDICTS:
            shown = ", ".join(v.replace(" ", "-") for v in VERDICTS)
            raise InputError(f"--verdict {verdict}: not one of {shown}")
        found = [u for u in found if u.verdict == wanted]
    render_rows(
        [u.to_dict() for u in found],
        ["principal", "bucket", "operation", "events", "first", "last", "verdict", "why"],
        fmt,
        sys.stdout,
        title="bucket uses",
        document=[u.to_dict() for u in found],
    )
