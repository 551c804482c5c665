import json
from pathlib import Path

from labwarden.identity.audit import audit
from labwarden.identity.load import load_model
from tests.identity.builders import ADMIN_ARN, allow, arn, details, policy, user


def test_audit_reports_paths_admins_wildcards_and_bucket_reach(tmp_path: Path) -> None:
    doc = details(
        [
            user("helpdesk", policy(allow("iam:CreateAccessKey", arn("user", "boss")))),
            user("boss", attached=[ADMIN_ARN]),
            user("data", policy(allow("s3:*"))),
        ]
    )
    (tmp_path / "auth.json").write_text(json.dumps(doc))
    partner = policy(
        allow("s3:GetObject", "arn:aws:s3:::trial-data/*", Principal={"AWS": "999999999999"}),
    )
    public = policy(allow("s3:GetObject", "arn:aws:s3:::open/*", Principal="*"))
    # As `aws s3api get-bucket-policy` prints it, and as the bare document.
    (tmp_path / "partner.json").write_text(json.dumps({"Policy": json.dumps(partner)}))
    (tmp_path / "public.json").write_text(json.dumps(public))
    model = load_model(
        tmp_path / "auth.json",
        bucket_policies={"trial-data": tmp_path / "partner.json", "open": tmp_path / "public.json"},
    )
    report = audit(model, buckets=["trial-data", "open"])
    by_rule: dict[str, list[str]] = {}
    for f in report.findings:
        by_rule.setdefault(f.rule, []).append(f.location.member or "")
    assert by_rule["privilege-escalation"] == ["user/helpdesk"]
    assert by_rule["wildcard-admin"] == ["user/boss"]
    assert by_rule["s3-wildcard"] == ["user/data"]
    assert by_rule["bucket-cross-account"] == ["s3://trial-data"]
    assert by_rule["bucket-public"] == ["s3://open"]
    access = {f.location.member: f.evidence for f in report.findings if f.rule == "bucket-access"}
    partner_reach = access["s3://trial-data"]
    assert partner_reach["principals"]["read"] == ["999999999999", "user/boss", "user/data"]
    assert partner_reach["through_escalation"] == ["user/helpdesk"]
    # A public grant reaches every insider too.
    assert "user/helpdesk" in access["s3://open"]["principals"]["read"]


def test_roles_trusted_from_outside(tmp_path: Path) -> None:
    from tests.identity.builders import role, trust_principal

    anyone = policy({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})
    vendor = policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "x"}},
        }
    )
    doc = details(
        roles=[
            role("open", anyone),
            role("vendor", vendor),
            role("inside", trust_principal("123456789012")),
        ]
    )
    (tmp_path / "auth.json").write_text(json.dumps(doc))
    found = {
        (f.rule, f.location.member, f.severity.value)
        for f in audit(load_model(tmp_path / "auth.json")).findings
        if f.rule.startswith("role-trusts")
    }
    assert found == {
        ("role-trusts-anyone", "role/open", "critical"),
        ("role-trusts-other-account", "role/vendor", "low"),
    }
