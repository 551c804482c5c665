"""A bucket ACL's grants to everyone are judged with the bucket's policy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labwarden.core.errors import InputError
from labwarden.identity.acl import ACTIONS, acl_statements
from labwarden.identity.load import load_model
from labwarden.identity.model import AccessModel
from labwarden.identity.tri import Tri
from tests.identity.builders import allow, deny, details, policy, user

BUCKET = "lab-public"


def _model(tmp_path: Path, acls: dict[str, str], *users: dict[str, object]) -> AccessModel:
    auth = tmp_path / "auth.json"
    auth.write_text(json.dumps(details(list(users) or [user("intern")])))
    return load_model(auth, stored_acls=acls)


def _grants(*pairs: tuple[str, str]) -> str:
    return json.dumps([{"grantee": g, "permission": p} for g, p in pairs])


def test_a_public_read_acl_grants_listing_but_not_reading_objects(tmp_path: Path) -> None:
    model = _model(tmp_path, {BUCKET: _grants(("AllUsers", "READ"))})
    listing = model.may("user/intern", "s3:ListBucket", f"arn:aws:s3:::{BUCKET}")
    assert listing.outcome is Tri.YES
    assert f"bucket ACL of {BUCKET} (as scanned)#AllUsers READ" in listing.reason()
    # A bucket ACL's READ lists the bucket; reading an object needs that object's ACL.
    read = model.may("user/intern", "s3:GetObject", f"arn:aws:s3:::{BUCKET}/a.csv")
    assert read.outcome is Tri.NO
    other = model.may("user/intern", "s3:ListBucket", "arn:aws:s3:::lab-private")
    assert other.outcome is Tri.NO


def test_write_and_full_control_grant_writes_and_deletes(tmp_path: Path) -> None:
    model = _model(
        tmp_path,
        {
            BUCKET: _grants(("AuthenticatedUsers", "WRITE")),
            "lab-open": _grants(("AllUsers", "FULL_CONTROL")),
        },
    )
    for action in ("s3:PutObject", "s3:DeleteObject"):
        assert model.may("user/intern", action, f"arn:aws:s3:::{BUCKET}/x").outcome is Tri.YES
    assert model.may("user/intern", "s3:PutBucketAcl", f"arn:aws:s3:::{BUCKET}").outcome is Tri.NO
    for action in ACTIONS["FULL_CONTROL"]:
        resource = "arn:aws:s3:::lab-open" + ("/x" if "Object" in action else "")
        assert model.may("user/intern", action, resource).outcome is Tri.YES, action


def test_an_explicit_deny_still_wins_over_an_acl(tmp_path: Path) -> None:
    denied = user("intern", policy(deny("s3:PutObject", f"arn:aws:s3:::{BUCKET}/*")))
    model = _model(tmp_path, {BUCKET: _grants(("AllUsers", "WRITE"))}, denied)
    assert model.may("user/intern", "s3:PutObject", f"arn:aws:s3:::{BUCKET}/x").outcome is Tri.NO


def test_acl_statements_join_the_bucket_policy(tmp_path: Path) -> None:
    auth = tmp_path / "auth.json"
    auth.write_text(json.dumps(details([user("intern")])))
    bucket_policy = json.dumps(
        {"Statement": [allow("s3:GetObject", f"arn:aws:s3:::{BUCKET}/*", Principal="*")]}
    )
    model = load_model(
        auth,
        stored_policies={BUCKET: bucket_policy},
        stored_acls={BUCKET: _grants(("AllUsers", "READ"))},
    )
    resource = f"arn:aws:s3:::{BUCKET}"
    assert model.may("user/intern", "s3:GetObject", resource + "/a").outcome is Tri.YES
    assert model.may("user/intern", "s3:ListBucket", resource).outcome is Tri.YES


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not JSON"),
        ('{"a": 1}', "expected a list of grants"),
        ("[1]", "a grant must be an object"),
        ('[{"grantee": "AllUsers", "permission": "ALL"}]', "unknown permission 'ALL'"),
    ],
)
def test_bad_stored_grants_name_the_bucket(text: str, message: str) -> None:
    with pytest.raises(InputError, match=f"bucket ACL of {BUCKET} \\(as scanned\\): {message}"):
        acl_statements(BUCKET, text)
