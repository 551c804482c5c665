"""Every kind of AWS principal is the same identity whichever log names it: a CloudTrail
``userIdentity`` read per record or by the bulk SQL, and an S3 server access log's requester."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labwarden.engines.duckdb import connect
from labwarden.watch.parsers.aws_identity import Principal, principal_of
from labwarden.watch.parsers.cloudtrail import bulk_sql, normalize
from labwarden.watch.parsers.s3access import S3AccessParser
from tests.conftest import corpora_path
from tests.watch.parsers.conftest import parse

ENGINE = connect(threads=1)


def _session(role: str, name: str, **context: Any) -> dict[str, Any]:
    return {
        "type": "AssumedRole",
        "principalId": f"AROAEXAMPLE:{name}",
        "arn": f"arn:aws:sts::111122223333:assumed-role/{role}/{name}",
        "accessKeyId": "ASIAEXAMPLE",
        "sessionContext": {
            "sessionIssuer": {"type": "Role", "userName": role},
            **context,
        },
    }


# (userIdentity, actor_user, actor_role): one of each principal type CloudTrail writes.
IDENTITIES: list[tuple[str, dict[str, Any], str | None, str | None]] = [
    ("named role session", _session("ml-researcher", "r17"), "r17", "ml-researcher"),
    (
        "IAM Identity Center permission set",
        _session("AWSReservedSSO_Researcher_0a1b2c3d", "alice@lab.example"),
        "alice@lab.example",
        "AWSReservedSSO_Researcher_0a1b2c3d",
    ),
    (
        "source identity through role chaining",
        _session("ci-runner", "gha-1700000000", sourceIdentity="bob"),
        "bob",
        "ci-runner",
    ),
    (
        "web identity (EKS pod, made-up session name)",
        _session(
            "eks-trainer",
            "botocore-session-1700000000",
            webIdFederationData={"federatedProvider": "arn:aws:iam::1:oidc-provider/oidc.eks"},
        ),
        "eks-trainer",
        "eks-trainer",
    ),
    (
        "instance profile",
        _session("gpu-node", "i-0dbc91f429e48eeed"),
        "i-0dbc91f429e48eeed",
        "gpu-node",
    ),
    (
        "ECS task (task id as session name)",
        _session("ecsTaskRole", "4f0c1d2e3b4a59687766554433221100"),
        "ecsTaskRole",
        "ecsTaskRole",
    ),
    (
        "service-linked role (Trusted Advisor)",
        _session(
            "AWSServiceRoleForTrustedAdvisor",
            "TrustedAdvisor_627959692251_784ab70b-8cc9-4d37-a2ec-2ff4d0c08af9",
        ),
        "AWSServiceRoleForTrustedAdvisor",
        "AWSServiceRoleForTrustedAdvisor",
    ),
    (
        "IAM user with a long-term key",
        {
            "type": "IAMUser",
            "principalId": "AIDAEXAMPLE",
            "arn": "arn:aws:iam::111122223333:user/research/dave",
            "userName": "dave",
            "accessKeyId": "AKIAEXAMPLE",
        },
        "dave",
        None,
    ),
    (
        "federated user (GetFederationToken)",
        {
            "type": "FederatedUser",
            "principalId": "111122223333:carol",
            "arn": "arn:aws:sts::111122223333:federated-user/carol",
            "sessionContext": {"sessionIssuer": {"type": "IAMUser", "userName": "broker"}},
        },
        "carol",
        "broker",
    ),
    (
        "root",
        {"type": "Root", "principalId": "111122223333", "arn": "arn:aws:iam::111122223333:root"},
        "root",
        None,
    ),
    (
        "SAML user (AssumeRoleWithSAML call)",
        {
            "type": "SAMLUser",
            "principalId": "SampleUkh1i4+ExampleuL8B2YnrEz1ua4I=:erin@lab.example",
            "userName": "erin@lab.example",
            "identityProvider": "SampleUkh1i4+ExampleuL8B2YnrEz1ua4I=",
        },
        "erin@lab.example",
        None,
    ),
    (
        "web identity user (AssumeRoleWithWebIdentity call)",
        {
            "type": "WebIdentityUser",
            "principalId": "accounts.google.com:1234567890",
            "userName": "1234567890",
            "identityProvider": "accounts.google.com",
        },
        "1234567890",
        None,
    ),
    (
        "IAM Identity Center user",
        {
            "type": "IdentityCenterUser",
            "accountId": "111122223333",
            "onBehalfOf": {
                "userId": "906744e8-3061-7048-a8bd-0fd6a4b0f3c1",
                "identityStoreArn": "arn:aws:identitystore::111122223333:identitystore/d-1",
            },
            "credentialId": "EXAMPLEVHULjJdTUdPJfofVa1sufHDoj7aYcOYcxFVllWR_Whr1fEXAMPLE",
        },
        "906744e8-3061-7048-a8bd-0fd6a4b0f3c1",
        None,
    ),
    (
        "AWS service",
        {"type": "AWSService", "invokedBy": "cloudtrail.amazonaws.com"},
        "cloudtrail.amazonaws.com",
        None,
    ),
    (
        "another account",
        {"type": "AWSAccount", "principalId": "AIDAOTHER", "accountId": "444455556666"},
        "AIDAOTHER",
        None,
    ),
]


def _record(identity: dict[str, Any]) -> dict[str, Any]:
    return {
        "eventVersion": "1.09",
        "eventTime": "2026-10-01T08:00:00Z",
        "eventSource": "s3.amazonaws.com",
        "eventName": "GetObject",
        "userIdentity": identity,
    }


def _both_readings(record: dict[str, Any]) -> list[tuple[Any, ...]]:
    event = normalize(record, json.dumps(record))
    parsed = (event["actor_user"], event["actor_role"], event["actor_type"])
    table = pa.table({"raw": [json.dumps(record)], "origin_file": ["f"], "origin_line": [1]})
    with ENGINE.registered("recs", table):
        rows = ENGINE.rows(f"SELECT actor_user, actor_role, actor_type FROM ({bulk_sql('recs')})")
    return [parsed, rows[0]]


@pytest.mark.parametrize(
    ("identity", "user", "role"),
    [pytest.param(i, u, r, id=name) for name, i, u, r in IDENTITIES],
)
def test_every_principal_type_of_cloudtrail(
    identity: dict[str, Any], user: str, role: str | None
) -> None:
    expected = (user, role, identity["type"])
    assert _both_readings(_record(identity)) == [expected, expected]


@pytest.mark.parametrize(
    ("identity", "user", "role"),
    [pytest.param(i, u, r, id=name) for name, i, u, r in IDENTITIES if "arn" in i],
)
def test_an_arn_names_the_same_principal_as_its_identity(
    identity: dict[str, Any], user: str, role: str | None
) -> None:
    """What S3 server access logs know (the ARN) gives the CloudTrail identity, unless
    CloudTrail says more (a source identity, or the user a federation token was issued to)."""
    found = principal_of(identity["arn"])
    context = identity.get("sessionContext", {})
    if "sourceIdentity" in context:
        user = found.user or ""  # only CloudTrail carries the source identity
    if identity["type"] == "FederatedUser":
        role = None  # nor the user that issued the federation token
    assert found == Principal(user, role, identity["type"])


_NAME = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+=,.@_-",
    min_size=2,
    max_size=64,
)


@settings(max_examples=150, deadline=None)
@given(role=_NAME, session=_NAME)
def test_sessions_read_alike_from_an_arn_and_from_cloudtrail(role: str, session: str) -> None:
    identity = _session(role, session)
    (parsed, bulk) = _both_readings(_record(identity))
    assert parsed == bulk
    assert principal_of(identity["arn"]) == Principal(parsed[0], parsed[1], parsed[2])


def test_access_log_requesters_are_principals_with_their_roles() -> None:
    events, issues = parse(
        S3AccessParser(), corpora_path("logs", "s3-server-access", "elastic-fixture.log")
    )
    assert issues == []
    who = [(e["actor_user"], e.get("actor_role"), e["actor_type"]) for e in events]
    advisor = "AWSServiceRoleForTrustedAdvisor"
    assert who[:4] == [(advisor, advisor, "AssumedRole")] * 4
    assert who[4] == ("test@elastic.co", None, "IAMUser")
    assert who[6] == ("delivery.logs.amazonaws.com", None, "AWSService")
    assert who[-1] == ("AmazonS3", None, "AWSService")


def test_access_log_session_of_a_shared_role(tmp_path: Any) -> None:
    line = (
        "owner acme-trial-sdtm [01/Oct/2026:08:00:00 +0000] 10.1.2.3 "
        "arn:aws:sts::111122223333:assumed-role/ml-researcher/r17 REQ1 REST.GET.OBJECT "
        'team03/sdtm/dm.xpt "GET /team03/sdtm/dm.xpt HTTP/1.1" 200 - 1024 1024 10 9 "-" '
        '"aws-cli/2.15" -\n'
    )
    path = tmp_path / "access.log"
    path.write_text(line)
    events, issues = parse(S3AccessParser(), path)
    assert issues == []
    assert (events[0]["actor_user"], events[0]["actor_role"]) == ("r17", "ml-researcher")
