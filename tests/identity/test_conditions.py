import pytest

from labwarden.identity.conditions import RequestContext, evaluate_clause, evaluate_conditions
from labwarden.identity.policy import ConditionClause
from labwarden.identity.tri import Tri

KNOWN = RequestContext(
    {
        "aws:sourceip": ("10.1.2.3",),
        "aws:principaltag/team": ("vision",),
        "aws:tagkeys": ("team", "owner"),
        "aws:currenttime": ("2026-12-05T08:00:00Z",),
        "s3:max-keys": ("50",),
        "aws:multifactorauthpresent": ("true",),
    },
    absent=frozenset({"aws:sourcevpce"}),
)


def clause(op: str, key: str, *values: str) -> ConditionClause:
    return ConditionClause(op, key, values)


@pytest.mark.parametrize(
    ("op", "key", "values", "expected"),
    [
        ("IpAddress", "aws:SourceIp", ("10.0.0.0/8",), Tri.YES),
        ("NotIpAddress", "aws:SourceIp", ("10.0.0.0/8",), Tri.NO),
        ("StringEquals", "aws:PrincipalTag/team", ("vision",), Tri.YES),
        ("StringNotEquals", "aws:PrincipalTag/team", ("vision",), Tri.NO),
        ("StringLike", "aws:PrincipalTag/team", ("vis*",), Tri.YES),
        ("StringEqualsIgnoreCase", "aws:PrincipalTag/team", ("VISION",), Tri.YES),
        ("NumericLessThan", "s3:max-keys", ("100",), Tri.YES),
        ("NumericGreaterThan", "s3:max-keys", ("100",), Tri.NO),
        ("DateLessThan", "aws:CurrentTime", ("2027-01-01T00:00:00Z",), Tri.YES),
        ("Bool", "aws:MultiFactorAuthPresent", ("false",), Tri.NO),
        ("ForAllValues:StringEquals", "aws:TagKeys", ("team", "owner", "x"), Tri.YES),
        ("ForAllValues:StringEquals", "aws:TagKeys", ("team",), Tri.NO),
        ("ForAnyValue:StringEquals", "aws:TagKeys", ("owner",), Tri.YES),
        # A key known to be absent: positive operators fail, negated ones and IfExists hold.
        ("StringEquals", "aws:SourceVpce", ("vpce-1",), Tri.NO),
        ("StringNotEquals", "aws:SourceVpce", ("vpce-1",), Tri.YES),
        ("StringEqualsIfExists", "aws:SourceVpce", ("vpce-1",), Tri.YES),
        ("Null", "aws:SourceVpce", ("true",), Tri.YES),
        ("ForAnyValue:StringNotEquals", "aws:SourceVpce", ("vpce-1",), Tri.NO),
        ("ForAllValues:StringEquals", "aws:SourceVpce", ("vpce-1",), Tri.YES),
        ("Null", "aws:SourceIp", ("true",), Tri.NO),
        # Unknown keys and operators are undecided, never guessed.
        ("StringEquals", "aws:PrincipalOrgID", ("o-1",), Tri.MAYBE),
        ("StringNotEquals", "aws:PrincipalOrgID", ("o-1",), Tri.MAYBE),
        ("FancyNewOperator", "aws:SourceIp", ("x",), Tri.MAYBE),
        ("StringLike", "aws:PrincipalTag/team", ("${aws:username}",), Tri.MAYBE),
    ],
)
def test_operators(op: str, key: str, values: tuple[str, ...], expected: Tri) -> None:
    assert evaluate_clause(clause(op, key, *values), KNOWN) is expected


def test_a_failing_clause_decides_even_when_another_is_unknown() -> None:
    result, undecided = evaluate_conditions(
        [
            clause("StringEquals", "aws:PrincipalOrgID", "o-1"),
            clause("Bool", "aws:MultiFactorAuthPresent", "false"),
        ],
        KNOWN,
    )
    assert result is Tri.NO and undecided == ()
    result, undecided = evaluate_conditions(
        [
            clause("StringEquals", "aws:PrincipalOrgID", "o-1"),
            clause("Bool", "aws:MultiFactorAuthPresent", "true"),
        ],
        KNOWN,
    )
    assert result is Tri.MAYBE and [str(c) for c in undecided] == [
        "StringEquals aws:PrincipalOrgID o-1"
    ]


def test_a_complete_context_knows_every_other_key_is_absent() -> None:
    complete = RequestContext({}, complete=True)
    assert evaluate_clause(clause("StringEquals", "aws:PrincipalOrgID", "o-1"), complete) is Tri.NO
