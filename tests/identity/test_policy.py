import json
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labwarden.core.errors import InputError
from labwarden.identity.policy import parse_document

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
statement_keys = st.sampled_from(
    [
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Principal",
        "NotPrincipal",
        "Condition",
        "Sid",
    ]
)


@given(st.lists(st.dictionaries(statement_keys, json_values, max_size=6), max_size=3))
def test_any_statement_list_parses_or_is_an_input_error(statements: list[dict[str, Any]]) -> None:
    try:
        policy = parse_document({"Statement": statements}, "p.json", "inline")
    except InputError as exc:
        assert exc.message.startswith("p.json")
    else:
        assert len(policy.statements) == len(statements)


def test_strings_and_lists_and_url_encoded_documents() -> None:
    document = {
        "Statement": {
            "Sid": "Read",
            "Effect": "Allow",
            "NotAction": "iam:*",
            "Resource": ["arn:aws:s3:::a", "arn:aws:s3:::b"],
            "Condition": {"Bool": {"aws:SecureTransport": True}},
        }
    }
    policy = parse_document(quote(json.dumps(document)), "x", "managed")
    (statement,) = policy.statements
    assert statement.not_action and statement.actions == ("iam:*",)
    assert statement.resources == ("arn:aws:s3:::a", "arn:aws:s3:::b")
    assert str(statement.conditions[0]) == "Bool aws:SecureTransport true"
    assert statement.origin == "x#Read"


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ({"Effect": "Maybe", "Action": "*"}, "Effect must be Allow or Deny"),
        ({"Effect": "Allow"}, "needs Action or NotAction"),
        ({"Effect": "Allow", "Action": "*", "NotAction": "s3:*"}, "both Action and NotAction"),
        ({"Effect": "Allow", "Action": {"a": 1}}, "Action must be a string or a list"),
    ],
)
def test_malformed_statements_name_the_policy(statement: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        parse_document({"Statement": [statement]}, "bad.json", "inline")
    assert "bad.json" in caught.value.message


@given(json_values)
def test_any_document_parses_as_an_account_or_is_an_input_error(document: Any) -> None:
    from labwarden.identity.account import parse_account

    wrapped = {"UserDetailList": [document] if isinstance(document, dict) else document}
    try:
        parse_account(wrapped, "auth.json")
    except InputError as exc:
        assert "auth.json" in exc.message
