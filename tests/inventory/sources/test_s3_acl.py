"""A bucket ACL's grants to everyone, read from a real S3 API (moto's server)."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from labwarden.core.workspace import Workspace
from labwarden.inventory.policy import default_policy
from labwarden.inventory.scan import run_scan
from labwarden.inventory.sources.choose import after_scan, choose_source
from labwarden.inventory.sources.s3_acl import GROUPS, PERMISSIONS, public_grants, read_acl
from labwarden.store.catalog import Catalog
from tests.inventory.sources.test_s3 import bucket

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


def test_a_public_read_acl_is_kept(s3_endpoint: str) -> None:
    s3, name = bucket(s3_endpoint)
    s3.put_bucket_acl(Bucket=name, ACL="public-read")
    acl = read_acl(s3, name)
    assert (acl.state, acl.grants) == ("present", (("AllUsers", "READ"),))
    assert json.loads(acl.to_json()) == [{"grantee": "AllUsers", "permission": "READ"}]


def test_a_private_acl_grants_no_one(s3_endpoint: str) -> None:
    s3, name = bucket(s3_endpoint)
    acl = read_acl(s3, name)
    assert (acl.state, acl.grants) == ("present", ())


def test_authenticated_users_write_is_kept(s3_endpoint: str) -> None:
    s3, name = bucket(s3_endpoint)
    s3.put_bucket_acl(Bucket=name, ACL="authenticated-read")
    assert read_acl(s3, name).grants == (("AuthenticatedUsers", "READ"),)


def test_ignore_public_acls_voids_the_grants(s3_endpoint: str) -> None:
    s3, name = bucket(s3_endpoint)
    s3.put_bucket_acl(Bucket=name, ACL="public-read-write")
    s3.put_public_access_block(
        Bucket=name, PublicAccessBlockConfiguration={"IgnorePublicAcls": True}
    )
    acl = read_acl(s3, name)
    assert acl.grants == ()
    assert acl.detail.startswith("public grants ignored (IgnorePublicAcls): AllUsers READ")


def test_bucket_owner_enforced_disables_acls(s3_endpoint: str) -> None:
    s3, name = bucket(s3_endpoint)
    s3.put_bucket_acl(Bucket=name, ACL="public-read")
    s3.put_bucket_ownership_controls(
        Bucket=name, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )
    acl = read_acl(s3, name)
    assert (acl.state, acl.grants) == ("disabled", ())


def test_an_unreadable_acl_is_unknown(s3_endpoint: str) -> None:
    s3, _ = bucket(s3_endpoint)
    acl = read_acl(s3, "no-such-bucket-for-acl")
    assert acl.state == "unknown" and acl.detail == "NoSuchBucket"


def test_a_scan_keeps_the_acl_in_the_catalog(s3_endpoint: str, workspace: Workspace) -> None:
    s3, name = bucket(s3_endpoint)
    s3.put_bucket_acl(Bucket=name, ACL="public-read")
    s3.put_object(Bucket=name, Key="models/config.json", Body=b"{}")
    with Catalog.open(workspace) as catalog:
        source = choose_source([f"s3://{name}"], endpoint_url=s3_endpoint)
        after_scan(catalog, source, run_scan(catalog, source, default_policy()).scan_id)
        stored = catalog.buckets.get(name)
    assert stored is not None and stored.acl_state == "present"
    assert json.loads(stored.acl) == [{"grantee": "AllUsers", "permission": "READ"}]


_GRANTEE = st.one_of(
    st.fixed_dictionaries({"URI": st.sampled_from([*GROUPS, "http://example/other", ""])}),
    st.fixed_dictionaries({"ID": st.text(max_size=8), "Type": st.just("CanonicalUser")}),
    st.none(),
    st.text(max_size=4),
)


@given(
    st.lists(
        st.fixed_dictionaries(
            {"Grantee": _GRANTEE, "Permission": st.sampled_from([*PERMISSIONS, "BOGUS", ""])}
        ),
        max_size=8,
    )
)
def test_public_grants_keep_only_groups_and_known_permissions(raw: list[dict[str, object]]) -> None:
    found = public_grants(raw)
    assert list(found) == sorted(set(found))
    assert all(g in GROUPS.values() and p in PERMISSIONS for g, p in found)
    expected = {
        (GROUPS[g["URI"]], str(r["Permission"]))
        for r in raw
        if isinstance(g := r["Grantee"], dict) and g.get("URI") in GROUPS
        if r["Permission"] in PERMISSIONS
    }
    assert set(found) == expected
