"""Which Stratus Red Team techniques in the invictus CloudTrail corpus are detected, by which rules,
and how the alerts rank.

A technique's events are the Stratus runner's calls (its user agent) of the technique's API calls,
plus every call of the sessions of the role Stratus made for it (``stratus-red-team-<name>-role``;
the instance credentials it stole or enumerated with). The corpus has no ``resources.toml``: the
sensitivity of what was touched is inferred from names, as it would be on a first run.

Run: .venv/bin/python -m benchmarks.watch.invictus  (prints Markdown tables)
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from labwarden.engines.duckdb import connect, create_events_view
from labwarden.inventory.policy import default_policy
from labwarden.store.lake import Lake
from labwarden.watch.alerting import risk_parts, role_of, top_sensitivity
from labwarden.watch.detect.run import Detection, run_rules
from labwarden.watch.detect.sigma.rules import bundled_rules_dir, load
from labwarden.watch.ingest import ingest
from labwarden.watch.resources import Resolver

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpora"

# Stratus Red Team techniques and the API calls that carry them (from the technique docs).
TECHNIQUES: dict[str, tuple[str, ...]] = {
    "aws.credential-access.ec2-get-password-data": ("GetPasswordData",),
    "aws.credential-access.ec2-steal-instance-credentials": ("SendCommand",),
    "aws.credential-access.secretsmanager-retrieve-secrets": ("GetSecretValue",),
    "aws.credential-access.ssm-retrieve-securestring-parameters": ("GetParameter", "GetParameters"),
    "aws.defense-evasion.cloudtrail-delete": ("DeleteTrail",),
    "aws.defense-evasion.cloudtrail-event-selectors": ("PutEventSelectors",),
    "aws.defense-evasion.cloudtrail-lifecycle-rule": ("PutBucketLifecycle",),
    "aws.defense-evasion.cloudtrail-stop": ("StopLogging",),
    "aws.defense-evasion.organizations-leave": ("LeaveOrganization",),
    "aws.defense-evasion.vpc-remove-flow-logs": ("DeleteFlowLogs",),
    "aws.discovery.ec2-enumerate-from-instance": ("DescribeInstances", "GetCallerIdentity"),
    "aws.exfiltration.ec2-security-group-open-port-22-ingress": ("AuthorizeSecurityGroupIngress",),
    "aws.exfiltration.ec2-share-ami": ("ModifyImageAttribute",),
    "aws.exfiltration.ec2-share-ebs-snapshot": ("ModifySnapshotAttribute",),
    "aws.exfiltration.rds-share-snapshot": ("ModifyDBSnapshotAttribute",),
    "aws.exfiltration.s3-backdoor-bucket-policy": ("PutBucketPolicy",),
    "aws.execution.ec2-launch-unusual-instances": ("RunInstances",),
    "aws.initial-access.console-login-without-mfa": ("ConsoleLogin",),
    "aws.persistence.iam-backdoor-role": ("UpdateAssumeRolePolicy",),
    "aws.persistence.iam-backdoor-user": ("CreateAccessKey",),
    "aws.persistence.iam-create-admin-user": ("CreateUser", "AttachUserPolicy"),
    "aws.persistence.iam-create-user-login-profile": ("CreateLoginProfile",),
    "aws.persistence.lambda-backdoor-function": ("AddPermission20150331v2",),
    "aws.persistence.lambda-overwrite-code": ("UpdateFunctionCode20150331v2",),
    "aws.persistence.rolesanywhere-create-trust-anchor": ("CreateTrustAnchor",),
    "aws.privilege-escalation.iam-update-user-login-profile": ("UpdateLoginProfile",),
}


GENERIC = "AWS STS AssumeRole Misuse"
ROLES = {
    "aws.credential-access.ec2-steal-instance-credentials": "ec2-steal-credentials-role",
    "aws.discovery.ec2-enumerate-from-instance": "ec2-enumerate-role",
}
"""Techniques whose work is done with a role's (instance) credentials: the role's name part."""


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        lake = Lake(Path(tmp) / "lake")
        started = time.perf_counter()
        ingested = ingest(
            [CORPUS / "logs" / "cloudtrail-invictus"],
            lake,
            Resolver([], {}, [], default_policy()),
        )
        ingest_s = time.perf_counter() - started
        rules = load([CORPUS / "sigma" / "cloud" / "aws" / "cloudtrail", bundled_rules_dir()])
        con = connect()
        create_events_view(con, lake.root)
        result = run_rules(con, rules.rules)
        stratus = {
            uid: (op, role or "")
            for uid, op, role in con.rows(
                "SELECT event_uid, api_operation, actor_role FROM events "
                "WHERE user_agent LIKE '%stratus-red-team%' OR actor_role LIKE 'stratus-red-team%'"
            )
        }
    by_uid: dict[str, set[str]] = {}
    for detection in result.detections:
        for event in detection.evidence:
            by_uid.setdefault(str(event["event_uid"]), set()).add(detection.rule.title)
    print(
        f"invictus: {ingested.events} events ingested in {ingest_s:.2f}s; "
        f"{len(rules.rules)} rules ({len(rules.problems)} skipped) ran in {result.seconds:.2f}s, "
        f"{len(result.detections)} detections\n"
    )
    print("| Stratus technique | in corpus | detected by |")
    print("|---|---|---|")
    detected = present = specific = 0
    for technique, operations in TECHNIQUES.items():
        role = ROLES.get(technique)
        uids = [
            u
            for u, (op, actor_role) in stratus.items()
            if (role is not None and role in actor_role)
            or (
                role is None
                and op in operations
                and not any(r in actor_role for r in ROLES.values())
            )
        ]
        if not uids:
            continue
        present += 1
        titles = sorted({t for u in uids for t in by_uid.get(u, set())})
        detected += bool(titles)
        specific += bool(set(titles) - {GENERIC})
        print(f"| {technique} | {len(uids)} events | {'; '.join(titles) or '**not detected**'} |")
    print(
        f"\n{detected} of {present} techniques present in the corpus are detected; {specific} by a "
        f"rule other than {GENERIC!r} (which matches every call made with a role's credentials)."
    )
    _ranking(result.detections)


def _ranking(detections: list[Detection]) -> None:
    """The alerts as `labwarden alerts` would rank them (risk banded by severity)."""
    rows = []
    for detection in detections:
        sensitivity = top_sensitivity(detection.evidence)
        parts = risk_parts(detection.rule.level, sensitivity)
        who = str(detection.group.get("actor_user") or detection.group.get("actor_uid") or "-")
        role = role_of(detection.evidence)
        rows.append(
            (
                int(parts["risk"]),
                detection.rule.level,
                detection.rule.title,
                f"{who} ({role})" if role else who,
                detection.count,
                sensitivity.value if sensitivity else "-",
            )
        )
    rows.sort(key=lambda r: (-r[0], r[2]))
    print("\n| rank | risk | severity | rule | principal (role) | events | most sensitive asset |")
    print("|---|---|---|---|---|---|---|")
    for rank, (risk, level, title, who, count, top) in enumerate(rows, 1):
        print(f"| {rank} | {risk} | {level} | {title} | {who} | {count} | {top} |")


if __name__ == "__main__":
    main()
