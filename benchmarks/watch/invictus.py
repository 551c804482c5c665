"""Which Stratus Red Team techniques in the invictus CloudTrail corpus are detected, by which rules.

Run: .venv/bin/python -m benchmarks.watch.invictus  (prints a Markdown table)
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from labwarden.engines.duckdb import connect, create_events_view
from labwarden.store.lake import Lake
from labwarden.watch.detect.run import run_rules
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


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        lake = Lake(Path(tmp) / "lake")
        started = time.perf_counter()
        ingested = ingest([CORPUS / "logs" / "cloudtrail-invictus"], lake, Resolver.empty())
        ingest_s = time.perf_counter() - started
        rules = load([CORPUS / "sigma" / "cloud" / "aws" / "cloudtrail", bundled_rules_dir()])
        con = connect()
        create_events_view(con, lake.root)
        result = run_rules(con, rules.rules)
        stratus = {
            uid: op
            for uid, op in con.rows(
                "SELECT event_uid, api_operation FROM events "
                "WHERE user_agent LIKE '%stratus-red-team%'"
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
    detected = present = 0
    for technique, operations in TECHNIQUES.items():
        uids = [u for u, op in stratus.items() if op in operations]
        if not uids:
            continue
        present += 1
        titles = sorted({t for u in uids for t in by_uid.get(u, set())})
        detected += bool(titles)
        print(f"| {technique} | {len(uids)} events | {'; '.join(titles) or '**not detected**'} |")
    print(f"\n{detected} of {present} techniques present in the corpus are detected.")


if __name__ == "__main__":
    main()
