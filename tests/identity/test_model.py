"""The access model's decisions, each against documents shaped as AWS exports them."""

from __future__ import annotations

from typing import Any

from labwarden.identity.account import parse_account
from labwarden.identity.model import AccessModel
from labwarden.identity.policy import parse_document
from labwarden.identity.tri import Tri
from tests.identity.builders import (
    ACCOUNT,
    ADMIN_ARN,
    allow,
    arn,
    deny,
    details,
    group,
    managed,
    policy,
    role,
    trust_principal,
    user,
)

BUCKET = "arn:aws:s3:::models"
OBJECT = "arn:aws:s3:::models/llm/weights.safetensors"
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/boundary"


def model(doc: dict[str, Any], bucket: dict[str, Any] | None = None, **kw: Any) -> AccessModel:
    policies = {"models": parse_document(bucket, "bucket policy", "resource")} if bucket else {}
    return AccessModel(parse_account(doc), policies, **kw)


def word(m: AccessModel, who: str, action: str, resource: str, **kw: Any) -> str:
    return m.may(who, action, resource, **kw).word


def test_explicit_deny_wins_over_any_allow() -> None:
    m = model(details([user("a", policy(allow("s3:*"), deny("s3:GetObject", OBJECT)))]))
    decision = m.may("a", "s3:GetObject", OBJECT)
    assert decision.word == "denied" and decision.explicit_deny
    assert "Deny by identity policy" in decision.reason()
    assert word(m, "a", "s3:GetObject", BUCKET + "/other") == "allowed"


def test_nothing_granted_is_an_implicit_deny_with_the_reason() -> None:
    m = model(details([user("a", policy(allow("s3:ListBucket", BUCKET)))]))
    decision = m.may("a", "s3:GetObject", OBJECT)
    assert decision.word == "implicitly denied"
    assert "no identity or resource policy allows s3:GetObject" in decision.reason()


def test_not_action_and_not_resource() -> None:
    m = model(
        details(
            [
                user(
                    "a", {"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}
                ),
                user(
                    "b",
                    {
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": "s3:*",
                                "NotResource": BUCKET + "/secret/*",
                            }
                        ]
                    },
                ),
            ]
        )
    )
    assert word(m, "a", "s3:DeleteBucket", BUCKET) == "allowed"
    assert word(m, "a", "iam:CreateUser", "*") == "implicitly denied"
    assert word(m, "b", "s3:GetObject", OBJECT) == "allowed"
    assert word(m, "b", "s3:GetObject", BUCKET + "/secret/key") == "implicitly denied"


def test_group_policies_and_policy_variables() -> None:
    home = allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")
    m = model(details([user("alice", groups=["staff"])], groups=[group("staff", policy(home))]))
    assert word(m, "alice", "s3:GetObject", "arn:aws:s3:::home/alice/x") == "allowed"
    assert word(m, "alice", "s3:GetObject", "arn:aws:s3:::home/bob/x") == "implicitly denied"


def test_conditions_we_cannot_evaluate_are_reported_not_assumed() -> None:
    grant = allow("s3:GetObject", OBJECT, Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})
    m = model(details([user("a", policy(grant))]))
    decision = m.may("a", "s3:GetObject", OBJECT)
    assert decision.outcome is Tri.MAYBE
    assert "IpAddress aws:SourceIp 10.0.0.0/8" in decision.reason()
    assert word(m, "a", "s3:GetObject", OBJECT, context={"aws:SourceIp": ["10.9.9.9"]}) == "allowed"
    assert word(m, "a", "s3:GetObject", OBJECT, context={"aws:SourceIp": ["8.8.8.8"]}) == (
        "implicitly denied"
    )


def test_permission_boundary_limits_identity_grants() -> None:
    doc = details(
        [user("a", policy(allow("*")), boundary=BOUNDARY)],
        policies=[managed(BOUNDARY, policy(allow("s3:*")))],
    )
    m = model(doc)
    assert word(m, "a", "s3:GetObject", OBJECT) == "allowed"
    decision = m.may("a", "iam:CreateUser", "*")
    assert decision.word == "implicitly denied"
    assert "no permissions boundary policy allows iam:CreateUser" in decision.reason()


def test_resource_policy_naming_a_user_passes_its_boundary_but_not_a_roles() -> None:
    bucket = policy(
        allow(
            "s3:GetObject", BUCKET + "/*", Principal={"AWS": [arn("user", "u"), arn("role", "r")]}
        )
    )
    doc = details(
        [user("u", boundary=BOUNDARY)],
        roles=[role("r", trust_principal(ACCOUNT), boundary=BOUNDARY)],
        policies=[managed(BOUNDARY, policy(allow("ec2:*")))],
    )
    m = model(doc, bucket)
    assert word(m, "u", "s3:GetObject", OBJECT) == "allowed"
    assert word(m, "r", "s3:GetObject", OBJECT) == "implicitly denied"


def test_bucket_policy_naming_the_account_needs_the_identity_policy_too() -> None:
    bucket = policy(allow("s3:GetObject", BUCKET + "/*", Principal={"AWS": ACCOUNT}))
    m = model(details([user("a"), user("b", policy(allow("s3:GetObject")))]), bucket)
    assert word(m, "a", "s3:GetObject", OBJECT) == "implicitly denied"
    assert word(m, "b", "s3:GetObject", OBJECT) == "allowed"


def test_bucket_policy_deny_applies_to_everyone_it_names() -> None:
    bucket = policy(
        deny(
            "s3:*",
            [BUCKET, BUCKET + "/*"],
            Principal="*",
            Condition={"Bool": {"aws:SecureTransport": "false"}},
        ),
        deny("s3:DeleteObject", BUCKET + "/*", Principal="*"),
    )
    m = model(details([user("admin", attached=[ADMIN_ARN])]), bucket)
    assert word(m, "admin", "s3:GetObject", OBJECT) == "allowed"  # TLS is assumed
    assert word(m, "admin", "s3:GetObject", OBJECT, context={"aws:SecureTransport": ["false"]}) == (
        "denied"
    )
    assert word(m, "admin", "s3:DeleteObject", OBJECT) == "denied"


def test_scp_levels_each_must_allow_and_their_denies_win() -> None:
    doc = details([user("admin", attached=[ADMIN_ARN])])
    root = [parse_document(policy(allow("*")), "FullAWSAccess", "scp")]
    ou = [parse_document(policy(allow(["s3:*", "ec2:*"]), deny("s3:DeleteBucket")), "ou", "scp")]
    m = model(doc, scps=[root, ou])
    assert word(m, "admin", "s3:GetObject", OBJECT) == "allowed"
    assert word(m, "admin", "iam:CreateUser", "*") == "implicitly denied"
    assert word(m, "admin", "s3:DeleteBucket", BUCKET) == "denied"
    assert (
        "no service control policy allows iam:CreateUser"
        in m.may("admin", "iam:CreateUser", "*").reason()
    )


def test_session_and_vpc_endpoint_policies_narrow_the_grant() -> None:
    m = model(details([user("admin", attached=[ADMIN_ARN])]))
    session = parse_document(policy(allow("s3:GetObject")), "session", "session")
    assert word(m, "admin", "s3:GetObject", OBJECT, session=session) == "allowed"
    assert word(m, "admin", "s3:PutObject", OBJECT, session=session) == "implicitly denied"
    endpoint = parse_document(
        policy(allow("s3:GetObject", "arn:aws:s3:::models/*", Principal="*")), "vpce", "endpoint"
    )
    assert word(m, "admin", "s3:GetObject", OBJECT, endpoint=endpoint) == "allowed"
    assert word(m, "admin", "s3:GetObject", "arn:aws:s3:::other/x", endpoint=endpoint) == (
        "implicitly denied"
    )


def test_assume_role_needs_the_trust_policy() -> None:
    doc = details(
        [user("a", policy(allow("sts:AssumeRole"))), user("b")],
        roles=[
            role("by-account", trust_principal(ACCOUNT)),
            role("by-arn", trust_principal(arn("user", "b"))),
            role("nobody", trust_principal("arn:aws:iam::999999999999:root")),
        ],
    )
    m = model(doc)
    assert word(m, "a", "sts:AssumeRole", arn("role", "by-account")) == "allowed"
    assert word(m, "b", "sts:AssumeRole", arn("role", "by-account")) == "implicitly denied"
    assert word(m, "b", "sts:AssumeRole", arn("role", "by-arn")) == "allowed"
    assert word(m, "a", "sts:AssumeRole", arn("role", "nobody")) == "implicitly denied"


def test_who_can_lists_insiders_outsiders_and_the_public() -> None:
    bucket = policy(
        allow("s3:GetObject", BUCKET + "/*", Principal={"AWS": "arn:aws:iam::999999999999:root"}),
        allow(
            "s3:ListBucket",
            BUCKET,
            Principal="*",
            Condition={"StringEquals": {"aws:PrincipalOrgID": "o-lab"}},
        ),
    )
    doc = details(
        [
            user("reader", policy(allow("s3:GetObject", BUCKET + "/public/*"))),
            user("other", policy(allow("s3:GetObject", "arn:aws:s3:::elsewhere/*"))),
            user("admin", attached=[ADMIN_ARN]),
        ]
    )
    grants = {(g.principal, g.access): g for g in model(doc, bucket).who_can("models")}
    assert ("user/reader", "read") in grants
    assert ("user/other", "read") not in grants
    assert {lvl for who, lvl in grants if who == "user/admin"} == {
        "list",
        "read",
        "write",
        "delete",
        "permissions",
    }
    outsider = grants[("arn:aws:iam::999999999999:root", "read")]
    assert outsider.external and outsider.outcome is Tri.YES
    public = grants[("* (anyone)", "list")]
    assert public.outcome is Tri.MAYBE
    assert public.conditions == ("StringEquals aws:PrincipalOrgID o-lab",)


def test_admin_and_service_wildcards() -> None:
    doc = details(
        [
            user("admin", attached=[ADMIN_ARN]),
            user(
                "power", {"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}
            ),
            user("s3", policy(allow("s3:*"))),
            user(
                "all-but-s3",
                {"Statement": [{"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}]},
            ),
            user("denied", policy(allow("*"), deny("iam:Attach*")), attached=[ADMIN_ARN]),
            user(
                "mfa",
                policy(allow("*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
            ),
        ]
    )
    m = model(doc)
    assert m.is_admin("admin") is Tri.YES
    assert m.is_admin("power") is Tri.NO
    assert m.is_admin("s3") is Tri.NO
    assert m.is_admin("all-but-s3") is Tri.NO
    assert m.is_admin("denied") is Tri.NO
    assert m.is_admin("mfa") is Tri.MAYBE


def test_unknown_policies_are_noted() -> None:
    doc = details([user("a", attached=[f"arn:aws:iam::{ACCOUNT}:policy/gone"])])
    assert any("policy/gone is not in the file" in n for n in parse_account(doc).notes)
