"""Escalation paths: one exploitable and one constrained case per family, and chains."""

from __future__ import annotations

from typing import Any

import pytest

from labwarden.identity.account import parse_account
from labwarden.identity.escalation.methods import KINDS, all_methods
from labwarden.identity.escalation.paths import PathFinder
from labwarden.identity.model import AccessModel
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
    trust_service,
    user,
)

CUSTOM = f"arn:aws:iam::{ACCOUNT}:policy/team"


def paths(doc: dict[str, Any]) -> dict[str, str]:
    model = AccessModel(parse_account(doc))
    return {p.principal: p.summary for p in PathFinder(model).all_paths()}


def admin_role(name: str, trust: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return role(name, trust, attached=[ADMIN_ARN], **kw)


PASS_ROLE = [
    ("passrole-lambda", "lambda.amazonaws.com", ["lambda:CreateFunction", "lambda:InvokeFunction"]),
    ("passrole-glue-dev-endpoint", "glue.amazonaws.com", ["glue:CreateDevEndpoint"]),
    ("passrole-cloudformation", "cloudformation.amazonaws.com", ["cloudformation:CreateStack"]),
    (
        "passrole-datapipeline",
        "datapipeline.amazonaws.com",
        [
            "datapipeline:CreatePipeline",
            "datapipeline:PutPipelineDefinition",
            "datapipeline:ActivatePipeline",
        ],
    ),
    ("passrole-ecs", "ecs-tasks.amazonaws.com", ["ecs:RegisterTaskDefinition", "ecs:RunTask"]),
    (
        "passrole-codebuild",
        "codebuild.amazonaws.com",
        ["codebuild:CreateProject", "codebuild:StartBuild"],
    ),
    (
        "passrole-sagemaker-notebook",
        "sagemaker.amazonaws.com",
        ["sagemaker:CreateNotebookInstance", "sagemaker:CreatePresignedNotebookInstanceUrl"],
    ),
    ("passrole-sagemaker-training", "sagemaker.amazonaws.com", ["sagemaker:CreateTrainingJob"]),
    ("passrole-sagemaker-processing", "sagemaker.amazonaws.com", ["sagemaker:CreateProcessingJob"]),
]


@pytest.mark.parametrize(("method", "service", "actions"), PASS_ROLE)
def test_pass_role_to_compute(method: str, service: str, actions: list[str]) -> None:
    doc = details(
        [
            user("dev", policy(allow(["iam:PassRole", *actions]))),
            # The role it could pass, but one action short.
            user("short", policy(allow(["iam:PassRole", *actions[:-1]]))),
            # PassRole only for another service.
            user(
                "other-service",
                policy(
                    allow(actions),
                    allow(
                        "iam:PassRole",
                        Condition={
                            "StringEquals": {"iam:PassedToService": "nothing.amazonaws.com"}
                        },
                    ),
                ),
            ),
        ],
        roles=[admin_role("svc", trust_service(service))],
    )
    found = paths(doc)
    assert found["user/dev"] == f"user/dev -[{method}]-> role/svc"
    # Without the pass-role step (an existing-compute path may remain for some services).
    assert f"-[{method}]->" not in found.get("user/other-service", "")
    if len(actions) > 1:
        assert f"-[{method}]->" not in found.get("user/short", "")


def test_pass_role_needs_a_role_the_service_trusts() -> None:
    doc = details(
        [
            user(
                "dev",
                policy(allow(["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"])),
            )
        ],
        roles=[admin_role("ec2-only", trust_service("ec2.amazonaws.com"))],
    )
    assert paths(doc) == {}


def test_pass_role_scoped_to_a_harmless_role() -> None:
    doc = details(
        [
            user(
                "dev",
                policy(
                    allow(["lambda:CreateFunction", "lambda:InvokeFunction"]),
                    allow("iam:PassRole", arn("role", "harmless")),
                ),
            )
        ],
        roles=[
            admin_role("admin-fn", trust_service("lambda.amazonaws.com")),
            role("harmless", trust_service("lambda.amazonaws.com"), policy(allow("logs:*"))),
        ],
    )
    assert paths(doc) == {}


def test_ec2_needs_an_instance_profile() -> None:
    dev = user("dev", policy(allow(["iam:PassRole", "ec2:RunInstances"])))
    with_profile = details(
        [dev], roles=[admin_role("box", trust_service("ec2.amazonaws.com"), instance_profile=True)]
    )
    without = details([dev], roles=[admin_role("box", trust_service("ec2.amazonaws.com"))])
    assert paths(with_profile) == {"user/dev": "user/dev -[passrole-ec2]-> role/box"}
    assert paths(without) == {}


@pytest.mark.parametrize(
    ("method", "action", "service", "profile"),
    [
        ("lambda-update-function-code", "lambda:UpdateFunctionCode", "lambda.amazonaws.com", False),
        ("glue-update-dev-endpoint", "glue:UpdateDevEndpoint", "glue.amazonaws.com", False),
        (
            "codebuild-start-build-override",
            "codebuild:StartBuild",
            "codebuild.amazonaws.com",
            False,
        ),
        (
            "sagemaker-presigned-notebook-url",
            "sagemaker:CreatePresignedNotebookInstanceUrl",
            "sagemaker.amazonaws.com",
            False,
        ),
        ("ssm-send-command", "ssm:SendCommand", "ec2.amazonaws.com", True),
        ("ssm-start-session", "ssm:StartSession", "ec2.amazonaws.com", True),
        (
            "ec2-instance-connect",
            "ec2-instance-connect:SendSSHPublicKey",
            "ec2.amazonaws.com",
            True,
        ),
    ],
)
def test_existing_compute(method: str, action: str, service: str, profile: bool) -> None:
    doc = details(
        [user("ops", policy(allow(action)))],
        roles=[admin_role("runner", trust_service(service), instance_profile=profile)],
    )
    assert paths(doc) == {"user/ops": f"user/ops -[{method}]-> role/runner"}


@pytest.mark.parametrize(
    ("method", "action"),
    [
        ("iam-attach-user-policy", "iam:AttachUserPolicy"),
        ("iam-put-user-policy", "iam:PutUserPolicy"),
    ],
)
def test_self_user(method: str, action: str) -> None:
    doc = details(
        [
            user("me", policy(allow(action, arn("user", "me")))),
            user("others-only", policy(allow(action, arn("user", "me")))),
        ]
    )
    assert paths(doc) == {"user/me": f"user/me -[{method}]-> admin"}


@pytest.mark.parametrize(
    ("method", "action"),
    [
        ("iam-attach-role-policy", "iam:AttachRolePolicy"),
        ("iam-put-role-policy", "iam:PutRolePolicy"),
    ],
)
def test_self_role_reached_by_assuming_it(method: str, action: str) -> None:
    doc = details(
        [user("dev", policy(allow("sts:AssumeRole", arn("role", "ci"))))],
        roles=[role("ci", trust_principal(ACCOUNT), policy(allow(action, arn("role", "ci"))))],
    )
    found = paths(doc)
    assert found["role/ci"] == f"role/ci -[{method}]-> admin"
    assert found["user/dev"] == f"user/dev -[sts-assume-role]-> role/ci -[{method}]-> admin"


@pytest.mark.parametrize(
    ("method", "action"),
    [
        ("iam-attach-group-policy", "iam:AttachGroupPolicy"),
        ("iam-put-group-policy", "iam:PutGroupPolicy"),
    ],
)
def test_own_group(method: str, action: str) -> None:
    doc = details(
        [user("dev", groups=["devs"])],
        groups=[group("devs", policy(allow(action, arn("group", "devs"))))],
    )
    assert paths(doc) == {"user/dev": f"user/dev -[{method}]-> admin"}


def test_join_group_combines_policies() -> None:
    doc = details(
        [user("dev", policy(allow("iam:AddUserToGroup", arn("group", "ops"))))],
        groups=[
            group("ops", policy(allow("iam:AttachUserPolicy"))),
            group("admins", attached=[ADMIN_ARN]),
        ],
    )
    found = paths(doc)
    # Joining ops adds AttachUserPolicy on itself: a multi-policy path.
    assert found["user/dev"] == (
        "user/dev -[iam-add-user-to-group]-> user/dev in group/ops"
        " -[iam-attach-user-policy]-> admin"
    )


def test_policy_version_methods() -> None:
    broad = policy(allow("*"))
    narrow = policy(allow("s3:GetObject"))
    doc = details(
        [
            user("writer", policy(allow("iam:CreatePolicyVersion", CUSTOM)), attached=[CUSTOM]),
            user(
                "rollback", policy(allow("iam:SetDefaultPolicyVersion", CUSTOM)), attached=[CUSTOM]
            ),
            user("unattached", policy(allow("iam:CreatePolicyVersion", CUSTOM))),
        ],
        policies=[managed(ADMIN_ARN, broad), managed(CUSTOM, broad, narrow, default=1)],
    )
    found = paths(doc)
    assert found["user/writer"] == "user/writer -[iam-create-policy-version]-> admin"
    assert found["user/rollback"] == "user/rollback -[iam-set-default-policy-version]-> admin"
    assert "user/unattached" not in found


@pytest.mark.parametrize(
    ("method", "action"),
    [
        ("iam-create-access-key", "iam:CreateAccessKey"),
        ("iam-create-login-profile", "iam:CreateLoginProfile"),
        ("iam-update-login-profile", "iam:UpdateLoginProfile"),
    ],
)
def test_other_users_credentials(method: str, action: str) -> None:
    doc = details(
        [
            user("helpdesk", policy(allow(action, arn("user", "boss")))),
            user("scoped", policy(allow(action, arn("user", "intern")))),
            user("boss", attached=[ADMIN_ARN]),
            user("intern"),
        ]
    )
    assert paths(doc) == {"user/helpdesk": f"user/helpdesk -[{method}]-> user/boss"}


def test_trust_policy_edit() -> None:
    doc = details(
        [
            user(
                "dev",
                policy(allow(["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"], arn("role", "adm"))),
            ),
            user("blocked", policy(allow("iam:UpdateAssumeRolePolicy"), deny("sts:AssumeRole"))),
        ],
        roles=[admin_role("adm", trust_service("ec2.amazonaws.com"))],
    )
    assert paths(doc) == {"user/dev": "user/dev -[iam-update-assume-role-policy]-> role/adm"}


def test_multi_hop_through_roles() -> None:
    doc = details(
        [user("dev", policy(allow("sts:AssumeRole", arn("role", "ci"))))],
        roles=[
            role(
                "ci",
                trust_principal(ACCOUNT),
                policy(allow(["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"])),
            ),
            admin_role("fn", trust_service("lambda.amazonaws.com")),
        ],
    )
    assert paths(doc)["user/dev"] == (
        "user/dev -[sts-assume-role]-> role/ci -[passrole-lambda]-> role/fn"
    )


def test_denies_and_boundaries_neutralize() -> None:
    boundary = f"arn:aws:iam::{ACCOUNT}:policy/no-iam"
    doc = details(
        [
            user("denied", policy(allow("iam:AttachUserPolicy"), deny("iam:Attach*"))),
            user("bounded", policy(allow("iam:AttachUserPolicy")), boundary=boundary),
            user(
                "not-action",
                {
                    "Statement": [
                        {"Effect": "Allow", "NotAction": ["iam:*", "sts:*"], "Resource": "*"}
                    ]
                },
            ),
        ],
        policies=[managed(ADMIN_ARN, policy(allow("*"))), managed(boundary, policy(allow("s3:*")))],
    )
    assert paths(doc) == {}


def test_conditions_make_a_path_conditional() -> None:
    doc = details(
        [
            user(
                "dev",
                policy(
                    allow(
                        "iam:AttachUserPolicy",
                        arn("user", "dev"),
                        Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}},
                    )
                ),
            )
        ]
    )
    (path,) = PathFinder(AccessModel(parse_account(doc))).all_paths()
    assert path.outcome is Tri.MAYBE
    assert path.steps[0].conditions == ("Bool aws:MultiFactorAuthPresent true",)
    assert "aws iam attach-user-policy --user-name dev" in path.steps[0].commands[0]


def test_every_kind_of_method_is_used() -> None:
    assert {m.kind for m in all_methods()} == KINDS


@pytest.mark.parametrize(
    ("boss_has_password", "method"),
    [(True, "iam-update-login-profile"), (False, "iam-create-login-profile")],
)
def test_login_profile_methods_follow_the_credential_report(
    boss_has_password: bool, method: str
) -> None:
    """CreateLoginProfile fails for a user who has a console password, UpdateLoginProfile for
    one who has none: with a credential report only the method that works is a path."""
    doc = details(
        [
            user("helpdesk", policy(allow("iam:CreateLoginProfile", arn("user", "boss")))),
            user("support", policy(allow("iam:UpdateLoginProfile", arn("user", "boss")))),
            user("boss", attached=[ADMIN_ARN]),
        ]
    )
    unknown = AccessModel(parse_account(doc))
    assert set(p.principal for p in PathFinder(unknown).all_paths()) == {
        "user/helpdesk",
        "user/support",
    }
    known = AccessModel(parse_account(doc), login_profiles={arn("user", "boss"): boss_has_password})
    found = {p.principal: p.summary for p in PathFinder(known).all_paths()}
    who = "user/support" if boss_has_password else "user/helpdesk"
    assert found == {who: f"{who} -[{method}]-> user/boss"}
