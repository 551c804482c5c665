import re

from hypothesis import given
from hypothesis import strategies as st

from labwarden.identity.matching import (
    UnknownVariable,
    action_matches,
    glob,
    prefix_covers,
    prefix_overlaps,
    substitute,
)

_ALPHABET = "ab/:*?"
_TEXT = "ab/:"


def _reference(pattern: str, value: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL) is not None


@given(st.text(_ALPHABET, max_size=8), st.text(_TEXT, max_size=8))
def test_glob_agrees_with_a_regex_reference(pattern: str, value: str) -> None:
    assert glob(pattern, value) == _reference(pattern, value)


@given(st.text(_ALPHABET, max_size=6), st.text(_TEXT, max_size=5), st.text(_TEXT, max_size=4))
def test_prefix_overlap_and_cover_agree_with_extensions(
    pattern: str, prefix: str, rest: str
) -> None:
    if _reference(pattern, prefix + rest):
        assert prefix_overlaps(pattern, prefix)
    if prefix_covers(pattern, prefix):
        assert _reference(pattern, prefix + rest)


def test_actions_match_in_any_case_and_with_wildcards() -> None:
    assert action_matches("s3:Get*", "S3:getobject")
    assert action_matches("*", "iam:PassRole")
    assert not action_matches("s3:Get*", "s3:PutObject")
    assert action_matches("iam:*Policy", "iam:AttachUserPolicy")


def test_resources_are_case_sensitive() -> None:
    assert not glob("arn:aws:s3:::Models/*", "arn:aws:s3:::models/a")


def test_policy_variables_are_substituted_or_unknown() -> None:
    values = {"aws:username": ("alice",)}
    assert substitute("arn:aws:s3:::home/${aws:username}/*", values) == "arn:aws:s3:::home/alice/*"
    assert substitute("${aws:PrincipalTag/team, 'none'}", values) == "none"
    try:
        substitute("${aws:SourceIp}", values)
    except UnknownVariable as exc:
        assert exc.name == "aws:SourceIp"
    else:
        raise AssertionError("an unknown variable must not be guessed")
