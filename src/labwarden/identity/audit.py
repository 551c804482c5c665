"""``iam audit``: the findings of one account's access model.

Escalation paths, wildcard administrators and ``s3:*`` holders, who may reach each bucket that
holds assets (outsiders and the public above all), policies the file references but lacks, and
the credential report's findings when one is given.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from labwarden.core.finding import Finding, Location
from labwarden.core.values import Severity
from labwarden.identity.credentials import credential_findings, login_profiles
from labwarden.identity.escalation.paths import EscalationPath, PathFinder
from labwarden.identity.matching import any_action_matches
from labwarden.identity.model import AccessModel, BucketGrant
from labwarden.identity.tri import Tri

CHECK = "iam"
_S3_PROBE = "s3:LabwardenProbeAction"


@dataclass(slots=True)
class AuditReport:
    """What an audit found: its findings, and the paths and grants behind them."""

    findings: list[Finding] = field(default_factory=list)
    paths: list[EscalationPath] = field(default_factory=list)
    grants: dict[str, list[BucketGrant]] = field(default_factory=dict)


def audit(
    model: AccessModel,
    *,
    buckets: Iterable[str] = (),
    credential_report: Path | None = None,
) -> AuditReport:
    """Audit ``model``: escalation, over-privilege, bucket reach and credentials."""
    where = model.account.source
    report = AuditReport()
    if credential_report is not None:
        model.login_profiles = login_profiles(credential_report)
    report.paths = PathFinder(model).all_paths()
    report.findings += [_path_finding(where, p) for p in report.paths]
    report.findings += list(_privilege_findings(model, where))
    report.findings += list(_trust_findings(model, where))
    escalating = {p.principal for p in report.paths}
    for bucket in buckets:
        grants = model.who_can(bucket)
        report.grants[bucket] = grants
        report.findings += list(_bucket_findings(where, bucket, grants, escalating))
    report.findings += [
        Finding(
            CHECK,
            "unknown-policy",
            Severity.LOW,
            Location(where),
            note,
            "Export the authorization details with every policy (no --filter).",
        )
        for note in model.account.notes
    ]
    if credential_report is not None:
        report.findings += credential_findings(credential_report)
    return report


def _path_finding(where: str, path: EscalationPath) -> Finding:
    certain = path.outcome is Tri.YES
    methods = sorted({s.method for s in path.steps})
    message = f"{path.principal} can become an administrator: {path.summary}"
    if not certain:
        message += " (if conditions we could not evaluate hold)"
    return Finding(
        CHECK,
        "privilege-escalation",
        Severity.HIGH if certain else Severity.MEDIUM,
        Location(where, member=path.principal),
        message,
        "Remove or scope the permissions the first step uses "
        f"({', '.join(methods)}): name exact resources, add iam:PassedToService conditions, "
        "or set a permissions boundary.",
        path.to_dict(),
    )


def _privilege_findings(model: AccessModel, where: str) -> Iterable[Finding]:
    for principal in model.account.principals.values():
        if model.is_admin(principal) is Tri.YES:
            yield Finding(
                CHECK,
                "wildcard-admin",
                Severity.MEDIUM,
                Location(where, member=principal.label),
                f"{principal.label} may do every action on every resource",
                "Keep full administrators few, behind MFA and a break-glass process; give "
                "everyone else only the actions they use.",
                {"arn": principal.arn},
            )
        elif model.may_somewhere(principal, _S3_PROBE).outcome is Tri.YES:
            yield Finding(
                CHECK,
                "s3-wildcard",
                Severity.MEDIUM,
                Location(where, member=principal.label),
                f"{principal.label} may do every S3 action (s3:*) on some or all buckets",
                "Grant the S3 actions it needs on the buckets it needs.",
                {"arn": principal.arn},
            )


def _trust_findings(model: AccessModel, where: str) -> Iterable[Finding]:
    """Roles whose trust policy lets anyone, or another account, assume them."""
    for role in model.account.roles():
        if role.trust is None:
            continue
        for statement in role.trust.statements:
            if statement.effect != "Allow" or statement.principals is None:
                continue
            if not any_action_matches(statement.actions, "sts:AssumeRole"):
                continue
            named = statement.principals.get("AWS", ()) + statement.principals.get("*", ())
            outside = sorted(n for n in named if n != "*" and model.account.id not in n)
            conditions = [str(c) for c in statement.conditions]
            if "*" in named:
                rule, severity = (
                    "role-trusts-anyone",
                    (Severity.HIGH if conditions else Severity.CRITICAL),
                )
                who = "anyone"
            elif outside:
                rule, severity = (
                    "role-trusts-other-account",
                    (Severity.LOW if conditions else Severity.MEDIUM),
                )
                who = ", ".join(outside)
            else:
                continue
            yield Finding(
                CHECK,
                rule,
                severity,
                Location(where, member=role.label),
                f"{role.label} may be assumed by {who}"
                + (f" if {'; '.join(conditions)}" if conditions else ""),
                "Name the exact principals that need the role, and require sts:ExternalId or "
                "aws:PrincipalOrgID for other accounts.",
                {
                    "statement": statement.origin,
                    "principals": list(named),
                    "conditions": conditions,
                },
            )


def _bucket_findings(
    where: str, bucket: str, grants: Sequence[BucketGrant], escalating: set[str]
) -> Iterable[Finding]:
    location = Location(where, member=f"s3://{bucket}")
    for grant in grants:
        if not grant.external or (grant.access == "list" and grant.principal != "* (anyone)"):
            continue
        public = grant.principal == "* (anyone)"
        yield Finding(
            CHECK,
            "bucket-public" if public else "bucket-cross-account",
            Severity.CRITICAL if public and grant.outcome is Tri.YES else Severity.HIGH,
            location,
            f"{grant.principal} may {grant.access} s3://{bucket}"
            + ("" if grant.outcome is Tri.YES else f" if {'; '.join(grant.conditions)}"),
            "Remove the bucket policy statement, or limit it to the principals that need it "
            "(aws:PrincipalOrgID, exact role ARNs).",
            grant.to_dict(),
        )
    by_level: dict[str, list[str]] = {}
    for grant in grants:
        by_level.setdefault(grant.access, []).append(grant.principal)
    reach = {level: sorted(names) for level, names in by_level.items()}
    extra = sorted(escalating - {g.principal for g in grants})
    message = f"s3://{bucket}: " + "; ".join(f"{k}: {len(v)}" for k, v in reach.items())
    if extra:
        message += f"; {len(extra)} more through privilege escalation"
    yield Finding(
        CHECK,
        "bucket-access",
        Severity.INFO,
        location,
        message,
        "Review who may reach the bucket; remove grants nobody uses (`labwarden iam uses`).",
        {"principals": reach, "through_escalation": extra},
    )
