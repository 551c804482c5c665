"""The escalation benchmark set: small accounts as authorization-details JSON, with labels.

Each case is one account (so cases cannot reach each other) and names its subject principals
with the truth: can it become an administrator? The set covers every method of
``methods.yaml``, paths that need several policies or several hops, exploitable and harmless
resource and condition constraints, ``NotAction``, and denies and boundaries that neutralize
allows. It was written by the same people who wrote the evaluator: a development set.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tests.identity.builders import (
    ACCOUNT,
    ADMIN_ARN,
    admin_policy,
    allow,
    arn,
    deny,
    details,
    group,
    managed,
    policy,
    role,
    trust_principal,
    trust_service,
    user,
)

Doc = dict[str, Any]
CUSTOM = f"arn:aws:iam::{ACCOUNT}:policy/team"
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/boundary"


@dataclass(frozen=True)
class Case:
    """One account and the truth about its subjects."""

    name: str
    family: str
    document: Doc
    truth: dict[str, bool]
    """``user/NAME`` or ``role/NAME`` -> whether it can escalate to admin."""


def _admin_role(name: str, service: str, profile: bool = False) -> Doc:
    return role(name, trust_service(service), attached=[ADMIN_ARN], instance_profile=profile)


PASS_ROLE = {
    "lambda": ("lambda.amazonaws.com", ["lambda:CreateFunction", "lambda:InvokeFunction"], False),
    "lambda-esm": (
        "lambda.amazonaws.com",
        ["lambda:CreateFunction", "lambda:CreateEventSourceMapping"],
        False,
    ),
    "glue": ("glue.amazonaws.com", ["glue:CreateDevEndpoint"], False),
    "cloudformation": ("cloudformation.amazonaws.com", ["cloudformation:CreateStack"], False),
    "datapipeline": (
        "datapipeline.amazonaws.com",
        [
            "datapipeline:CreatePipeline",
            "datapipeline:PutPipelineDefinition",
            "datapipeline:ActivatePipeline",
        ],
        False,
    ),
    "ec2": ("ec2.amazonaws.com", ["ec2:RunInstances"], True),
    "ecs": ("ecs-tasks.amazonaws.com", ["ecs:RegisterTaskDefinition", "ecs:RunTask"], False),
    "ecs-service": (
        "ecs-tasks.amazonaws.com",
        ["ecs:RegisterTaskDefinition", "ecs:CreateService"],
        False,
    ),
    "codebuild": (
        "codebuild.amazonaws.com",
        ["codebuild:CreateProject", "codebuild:StartBuild"],
        False,
    ),
    "sagemaker-notebook": (
        "sagemaker.amazonaws.com",
        ["sagemaker:CreateNotebookInstance", "sagemaker:CreatePresignedNotebookInstanceUrl"],
        False,
    ),
    "sagemaker-training": ("sagemaker.amazonaws.com", ["sagemaker:CreateTrainingJob"], False),
    "sagemaker-processing": ("sagemaker.amazonaws.com", ["sagemaker:CreateProcessingJob"], False),
}
EXISTING = {
    "lambda-update-code": ("lambda.amazonaws.com", "lambda:UpdateFunctionCode", False),
    "glue-update-endpoint": ("glue.amazonaws.com", "glue:UpdateDevEndpoint", False),
    "codebuild-start-build": ("codebuild.amazonaws.com", "codebuild:StartBuild", False),
    "sagemaker-notebook-url": (
        "sagemaker.amazonaws.com",
        "sagemaker:CreatePresignedNotebookInstanceUrl",
        False,
    ),
    "ssm-send-command": ("ec2.amazonaws.com", "ssm:SendCommand", True),
    "ssm-start-session": ("ec2.amazonaws.com", "ssm:StartSession", True),
    "ec2-instance-connect": ("ec2.amazonaws.com", "ec2-instance-connect:SendSSHPublicKey", True),
}
SELF = {
    "attach-user-policy": "iam:AttachUserPolicy",
    "put-user-policy": "iam:PutUserPolicy",
}


def _single_method() -> Iterator[Case]:
    for name, (service, actions, profile) in PASS_ROLE.items():
        doc = details(
            [user("dev", policy(allow(["iam:PassRole", *actions])))],
            roles=[_admin_role("svc", service, profile)],
        )
        yield Case(f"passrole-{name}", "method", doc, {"user/dev": True})
    for name, (service, action, profile) in EXISTING.items():
        doc = details(
            [user("ops", policy(allow(action)))], roles=[_admin_role("svc", service, profile)]
        )
        yield Case(f"existing-{name}", "method", doc, {"user/ops": True})
    for name, action in SELF.items():
        yield Case(
            name, "method", details([user("dev", policy(allow(action)))]), {"user/dev": True}
        )
    for name, action in {
        "attach-role-policy": "iam:AttachRolePolicy",
        "put-role-policy": "iam:PutRolePolicy",
    }.items():
        doc = details(roles=[role("ci", trust_service("ec2.amazonaws.com"), policy(allow(action)))])
        yield Case(name, "method", doc, {"role/ci": True})
    for name, action in {
        "attach-group-policy": "iam:AttachGroupPolicy",
        "put-group-policy": "iam:PutGroupPolicy",
    }.items():
        doc = details([user("dev", groups=["devs"])], groups=[group("devs", policy(allow(action)))])
        yield Case(name, "method", doc, {"user/dev": True})
    doc = details(
        [user("dev", policy(allow("iam:AddUserToGroup")))],
        groups=[group("admins", attached=[ADMIN_ARN])],
    )
    yield Case("add-user-to-group", "method", doc, {"user/dev": True})
    for name, action in {
        "create-access-key": "iam:CreateAccessKey",
        "create-login-profile": "iam:CreateLoginProfile",
        "update-login-profile": "iam:UpdateLoginProfile",
    }.items():
        doc = details([user("helpdesk", policy(allow(action))), user("boss", attached=[ADMIN_ARN])])
        yield Case(name, "method", doc, {"user/helpdesk": True})
    doc = details(
        [user("dev", policy(allow("iam:CreatePolicyVersion")), attached=[CUSTOM])],
        policies=[admin_policy(), managed(CUSTOM, policy(allow("s3:GetObject")))],
    )
    yield Case("create-policy-version", "method", doc, {"user/dev": True})
    doc = details(
        [user("dev", policy(allow("iam:SetDefaultPolicyVersion")), attached=[CUSTOM])],
        policies=[
            admin_policy(),
            managed(CUSTOM, policy(allow("*")), policy(allow("s3:GetObject")), default=1),
        ],
    )
    yield Case("set-default-policy-version", "method", doc, {"user/dev": True})
    doc = details(
        [user("dev", policy(allow(["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"])))],
        roles=[_admin_role("adm", "ec2.amazonaws.com")],
    )
    yield Case("update-assume-role-policy", "method", doc, {"user/dev": True})
    doc = details(
        [user("dev", policy(allow("sts:AssumeRole")))],
        roles=[role("adm", trust_principal(ACCOUNT), attached=[ADMIN_ARN])],
    )
    yield Case("assume-admin-role", "method", doc, {"user/dev": True})


def _combinations() -> Iterator[Case]:
    # Several policies: each grants part of what a method needs.
    doc = details(
        [user("dev", policy(allow("iam:PassRole")), groups=["builders"])],
        groups=[
            group("builders", policy(allow(["lambda:CreateFunction", "lambda:InvokeFunction"])))
        ],
        roles=[_admin_role("fn", "lambda.amazonaws.com")],
    )
    yield Case("multi-policy-user-and-group", "multi-policy", doc, {"user/dev": True})
    doc = details(
        [user("dev", policy(allow("iam:PassRole")), policy(allow("glue:CreateDevEndpoint")))],
        roles=[_admin_role("glue", "glue.amazonaws.com")],
    )
    yield Case("multi-policy-two-inline", "multi-policy", doc, {"user/dev": True})
    doc = details(
        [user("dev", policy(allow("iam:PassRole")), attached=[CUSTOM])],
        roles=[_admin_role("cfn", "cloudformation.amazonaws.com")],
        policies=[admin_policy(), managed(CUSTOM, policy(allow("cloudformation:CreateStack")))],
    )
    yield Case("multi-policy-inline-and-managed", "multi-policy", doc, {"user/dev": True})
    doc = details(
        [user("dev", policy(allow("iam:AddUserToGroup", arn("group", "ops"))))],
        groups=[group("ops", policy(allow("iam:PutUserPolicy")))],
    )
    yield Case("multi-policy-join-group-then-self", "multi-policy", doc, {"user/dev": True})
    # Several hops.
    doc = details(
        [user("dev", policy(allow("sts:AssumeRole", arn("role", "ci"))))],
        roles=[
            role(
                "ci",
                trust_principal(ACCOUNT),
                policy(allow(["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"])),
            ),
            _admin_role("fn", "lambda.amazonaws.com"),
        ],
    )
    yield Case(
        "multi-hop-assume-then-passrole", "multi-hop", doc, {"user/dev": True, "role/ci": True}
    )
    doc = details(
        [
            user("helpdesk", policy(allow("iam:CreateAccessKey", arn("user", "ops")))),
            user("ops", policy(allow("iam:AttachUserPolicy", arn("user", "ops")))),
        ]
    )
    yield Case(
        "multi-hop-keys-then-self", "multi-hop", doc, {"user/helpdesk": True, "user/ops": True}
    )
    doc = details(
        [user("dev", policy(allow("sts:AssumeRole", arn("role", "a"))))],
        roles=[
            role("a", trust_principal(ACCOUNT), policy(allow("sts:AssumeRole", arn("role", "b")))),
            role(
                "b",
                trust_principal(arn("role", "a")),
                policy(allow("iam:AttachRolePolicy", arn("role", "b"))),
            ),
        ],
    )
    yield Case(
        "multi-hop-three-roles",
        "multi-hop",
        doc,
        {"user/dev": True, "role/a": True, "role/b": True},
    )


def _constraints() -> Iterator[Case]:
    # Resource constraints that still allow escalation.
    doc = details(
        [
            user("helpdesk", policy(allow("iam:CreateAccessKey", arn("user", "boss")))),
            user("boss", attached=[ADMIN_ARN]),
        ]
    )
    yield Case("resource-keys-of-admin", "resource-exploitable", doc, {"user/helpdesk": True})
    doc = details(
        [user("dev", policy(allow("iam:AttachUserPolicy", "arn:aws:iam::*:user/${aws:username}")))]
    )
    yield Case("resource-self-by-variable", "resource-exploitable", doc, {"user/dev": True})
    doc = details(
        [
            user(
                "dev",
                policy(
                    allow(["lambda:CreateFunction", "lambda:InvokeFunction"]),
                    allow("iam:PassRole", arn("role", "fn-admin")),
                ),
            )
        ],
        roles=[_admin_role("fn-admin", "lambda.amazonaws.com")],
    )
    yield Case("resource-passrole-admin-role", "resource-exploitable", doc, {"user/dev": True})
    # Resource constraints that do not.
    doc = details(
        [
            user("helpdesk", policy(allow("iam:CreateAccessKey", arn("user", "intern")))),
            user("intern"),
            user("boss", attached=[ADMIN_ARN]),
        ]
    )
    yield Case("resource-keys-of-harmless-user", "resource-harmless", doc, {"user/helpdesk": False})
    doc = details(
        [
            user(
                "dev",
                policy(
                    allow(["lambda:CreateFunction", "lambda:InvokeFunction"]),
                    allow("iam:PassRole", arn("role", "fn-logs")),
                ),
            )
        ],
        roles=[
            role("fn-logs", trust_service("lambda.amazonaws.com"), policy(allow("logs:*"))),
            _admin_role("fn-admin", "lambda.amazonaws.com"),
        ],
    )
    yield Case("resource-passrole-harmless-role", "resource-harmless", doc, {"user/dev": False})
    doc = details(
        [user("dev", policy(allow("iam:AttachUserPolicy", arn("user", "intern")))), user("intern")]
    )
    yield Case("resource-attach-to-other-user", "resource-harmless", doc, {"user/dev": False})
    doc = details(
        [
            user(
                "dev",
                policy(
                    allow(["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"], arn("role", "readonly"))
                ),
            )
        ],
        roles=[
            role("readonly", trust_service("ec2.amazonaws.com"), policy(allow("s3:GetObject"))),
            _admin_role("adm", "ec2.amazonaws.com"),
        ],
    )
    yield Case("resource-trust-edit-harmless-role", "resource-harmless", doc, {"user/dev": False})
    # Conditions we can evaluate.
    doc = details(
        [
            user(
                "dev",
                policy(
                    allow(["lambda:CreateFunction", "lambda:InvokeFunction"]),
                    allow(
                        "iam:PassRole",
                        Condition={"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
                    ),
                ),
            )
        ],
        roles=[_admin_role("fn", "lambda.amazonaws.com")],
    )
    yield Case("condition-passrole-other-service", "condition-harmless", doc, {"user/dev": False})
    doc = details(
        [
            user(
                "dev",
                policy(
                    allow(
                        "iam:AttachUserPolicy",
                        Condition={"StringEquals": {"aws:PrincipalTag/role": "admin"}},
                    )
                ),
                tags={"role": "analyst"},
            )
        ]
    )
    yield Case("condition-principal-tag", "condition-harmless", doc, {"user/dev": False})
    doc = details(
        [
            user(
                "dev",
                policy(
                    allow(
                        "iam:AttachUserPolicy",
                        Condition={"StringEquals": {"aws:PrincipalTag/role": "admin"}},
                    )
                ),
                tags={"role": "admin"},
            )
        ]
    )
    yield Case("condition-principal-tag-met", "condition-exploitable", doc, {"user/dev": True})


def _neutralized() -> Iterator[Case]:
    not_iam = {"Statement": [{"Effect": "Allow", "NotAction": ["iam:*", "sts:*"], "Resource": "*"}]}
    # Everything but IAM and STS: no PassRole, but the code of a function running as an admin
    # role can be replaced (the set's convention: existing compute runs as such roles).
    doc = details([user("power", not_iam)], roles=[_admin_role("fn", "lambda.amazonaws.com")])
    yield Case("notaction-power-user", "notaction", doc, {"user/power": True})
    doc = details([user("power", not_iam)], roles=[_admin_role("box", "ec2.amazonaws.com")])
    yield Case("notaction-power-user-no-compute", "notaction", doc, {"user/power": False})
    not_s3 = {"Statement": [{"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}]}
    yield Case(
        "notaction-everything-but-s3",
        "notaction",
        details([user("dev", not_s3)]),
        {"user/dev": True},
    )
    doc = details(
        [
            user(
                "dev",
                policy(
                    allow("iam:*"),
                    deny(
                        [
                            "iam:Attach*",
                            "iam:Put*",
                            "iam:Create*",
                            "iam:Update*",
                            "iam:Set*",
                            "iam:AddUserToGroup",
                            "iam:PassRole",
                        ]
                    ),
                ),
            )
        ]
    )
    yield Case("deny-neutralizes-iam-star", "deny", doc, {"user/dev": False})
    doc = details(
        [
            user(
                "dev",
                policy(
                    allow(["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]),
                    deny("iam:PassRole"),
                ),
            )
        ],
        roles=[_admin_role("fn", "lambda.amazonaws.com")],
    )
    yield Case("deny-passrole", "deny", doc, {"user/dev": False})
    doc = details(
        [
            user("dev", policy(allow("iam:CreateAccessKey")), boundary=BOUNDARY),
            user("boss", attached=[ADMIN_ARN]),
        ],
        policies=[admin_policy(), managed(BOUNDARY, policy(allow("s3:*")))],
    )
    yield Case("boundary-neutralizes", "deny", doc, {"user/dev": False})
    doc = details(
        [
            user(
                "dev",
                policy(allow(["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"])),
            )
        ],
        roles=[_admin_role("box", "ec2.amazonaws.com")],
    )
    yield Case("passrole-no-role-trusts-lambda", "no-target", doc, {"user/dev": False})
    doc = details(
        [
            user("helpdesk", policy(allow("iam:CreateAccessKey"))),
            user("intern"),
            user("reader", policy(allow("s3:GetObject"))),
        ]
    )
    yield Case("keys-of-harmless-users-only", "no-target", doc, {"user/helpdesk": False})
    doc = details(
        [user("dev", policy(allow("sts:AssumeRole")))],
        roles=[
            role("adm", trust_principal("arn:aws:iam::999999999999:root"), attached=[ADMIN_ARN])
        ],
    )
    yield Case("assume-role-not-trusted", "no-target", doc, {"user/dev": False})
    doc = details(
        [user("dev", policy(allow(["iam:PassRole", "ec2:RunInstances"])))],
        roles=[_admin_role("box", "ec2.amazonaws.com", profile=False)],
    )
    yield Case("passrole-ec2-no-instance-profile", "no-target", doc, {"user/dev": False})
    doc = details(
        [user("ops", policy(allow("ssm:SendCommand")))],
        roles=[_admin_role("fn", "lambda.amazonaws.com")],
    )
    yield Case("ssm-no-instance-role", "no-target", doc, {"user/ops": False})
    doc = details(
        [user("dev", policy(allow("iam:CreatePolicyVersion", CUSTOM)))],
        policies=[admin_policy(), managed(CUSTOM, policy(allow("s3:GetObject")))],
    )
    yield Case("policy-version-of-unattached-policy", "resource-harmless", doc, {"user/dev": False})
    doc = details(
        [user("dev", policy(allow("iam:AttachGroupPolicy", arn("group", "others"))))],
        groups=[group("others")],
    )
    yield Case("attach-policy-to-a-group-not-joined", "resource-harmless", doc, {"user/dev": False})
    doc = details(
        [user("dev", policy(allow("lambda:UpdateFunctionCode")))],
        roles=[_admin_role("box", "ec2.amazonaws.com")],
    )
    yield Case("update-code-no-lambda-role", "no-target", doc, {"user/dev": False})
    doc = details(
        [user("dev", policy(allow("iam:SetDefaultPolicyVersion")), attached=[CUSTOM])],
        policies=[
            admin_policy(),
            managed(CUSTOM, policy(allow("s3:GetObject")), policy(allow("s3:ListBucket"))),
        ],
    )
    yield Case("set-default-to-narrower-version", "resource-harmless", doc, {"user/dev": False})


def cases() -> list[Case]:
    """Every case of the set."""
    return [*_single_method(), *_combinations(), *_constraints(), *_neutralized()]
