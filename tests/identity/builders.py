"""Authorization-details documents built in tests, the shape `aws iam` returns."""

from __future__ import annotations

from typing import Any

ACCOUNT = "123456789012"
ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
CREATED = "2026-01-05T10:00:00Z"

Doc = dict[str, Any]


def policy(*statements: Doc) -> Doc:
    """A policy document."""
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> Doc:
    """An Allow statement."""
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> Doc:
    """A Deny statement."""
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def arn(kind: str, name: str) -> str:
    """An IAM ARN of the test account."""
    return f"arn:aws:iam::{ACCOUNT}:{kind}/{name}"


def _attached(arns: list[str]) -> list[Doc]:
    return [{"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a} for a in arns]


def _inline(docs: list[Doc]) -> list[Doc]:
    return [{"PolicyName": f"inline{i}", "PolicyDocument": d} for i, d in enumerate(docs)]


def user(
    name: str,
    *inline: Doc,
    attached: list[str] | None = None,
    groups: list[str] | None = None,
    boundary: str | None = None,
    tags: dict[str, str] | None = None,
) -> Doc:
    """A UserDetailList entry."""
    doc: Doc = {
        "Path": "/",
        "CreateDate": CREATED,
        "UserName": name,
        "UserId": f"AIDA{name.upper()}",
        "Arn": arn("user", name),
        "GroupList": groups or [],
        "UserPolicyList": _inline(list(inline)),
        "AttachedManagedPolicies": _attached(attached or []),
        "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()],
    }
    if boundary:
        doc["PermissionsBoundary"] = {
            "PermissionsBoundaryType": "Policy",
            "PermissionsBoundaryArn": boundary,
        }
    return doc


def group(name: str, *inline: Doc, attached: list[str] | None = None) -> Doc:
    """A GroupDetailList entry."""
    return {
        "Path": "/",
        "CreateDate": CREATED,
        "GroupName": name,
        "GroupId": f"AGPA{name.upper()}",
        "Arn": arn("group", name),
        "GroupPolicyList": _inline(list(inline)),
        "AttachedManagedPolicies": _attached(attached or []),
    }


def trust_service(service: str) -> Doc:
    """A trust policy letting one service assume the role."""
    return policy(
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    )


def trust_principal(principal: str) -> Doc:
    """A trust policy letting one AWS principal (ARN or account) assume the role."""
    return policy({"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"})


def role(
    name: str,
    trust: Doc,
    *inline: Doc,
    attached: list[str] | None = None,
    instance_profile: bool = False,
    boundary: str | None = None,
) -> Doc:
    """A RoleDetailList entry."""
    doc: Doc = {
        "Path": "/",
        "CreateDate": CREATED,
        "RoleLastUsed": {},
        "Tags": [],
        "RoleName": name,
        "RoleId": f"AROA{name.upper()}",
        "Arn": arn("role", name),
        "AssumeRolePolicyDocument": trust,
        "RolePolicyList": _inline(list(inline)),
        "AttachedManagedPolicies": _attached(attached or []),
        "InstanceProfileList": (
            [{"Arn": arn("instance-profile", name)}] if instance_profile else []
        ),
    }
    if boundary:
        doc["PermissionsBoundary"] = {
            "PermissionsBoundaryType": "Policy",
            "PermissionsBoundaryArn": boundary,
        }
    return doc


def managed(policy_arn: str, *versions: Doc, default: int = 0) -> Doc:
    """A Policies entry with its versions (``default`` is the index of the default one)."""
    return {
        "PolicyName": policy_arn.rsplit("/", 1)[-1],
        "PolicyId": "ANPA" + policy_arn.rsplit("/", 1)[-1].upper().replace("-", ""),
        "Arn": policy_arn,
        "Path": "/",
        "CreateDate": CREATED,
        "UpdateDate": CREATED,
        "AttachmentCount": 1,
        "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True,
        "DefaultVersionId": f"v{default + 1}",
        "PolicyVersionList": [
            {
                "VersionId": f"v{i + 1}",
                "IsDefaultVersion": i == default,
                "Document": d,
                "CreateDate": CREATED,
            }
            for i, d in enumerate(versions)
        ],
    }


def admin_policy() -> Doc:
    """AWS's AdministratorAccess as the file carries it."""
    return managed(ADMIN_ARN, policy(allow("*")))


def details(
    users: list[Doc] | None = None,
    groups: list[Doc] | None = None,
    roles: list[Doc] | None = None,
    policies: list[Doc] | None = None,
) -> Doc:
    """An authorization-details document."""
    return {
        "UserDetailList": users or [],
        "GroupDetailList": groups or [],
        "RoleDetailList": roles or [],
        "Policies": policies if policies is not None else [admin_policy()],
    }
