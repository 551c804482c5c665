"""Untrusted text the server reads: login redirect targets, If-Match, user names."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labwarden.core.errors import InputError
from labwarden.web.accounts import check_name
from labwarden.web.api.alerts import _expected
from labwarden.web.errors import ApiError
from labwarden.web.pages.render import safe_next


@given(st.text())
def test_login_never_redirects_off_site(target: str) -> None:
    result = safe_next(target)
    assert result.startswith("/") and not result.startswith("//")
    parts = urlsplit(result)
    assert not parts.scheme and not parts.netloc


@pytest.mark.parametrize(
    "target",
    ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", ""],
)
def test_login_redirect_attacks(target: str) -> None:
    assert safe_next(target) == "/"


def test_login_redirect_keeps_local_paths() -> None:
    assert safe_next("/alerts/3?status=open") == "/alerts/3?status=open"


@given(st.text(max_size=40))
def test_if_match_is_a_revision_or_refused(header: str) -> None:
    try:
        value = _expected(header)
    except ApiError as exc:
        assert exc.status == 400
        return
    assert value is None or value >= 0


@pytest.mark.parametrize("header", ['"r²"', "٣", "r-1", '"r 3"'])
def test_if_match_oddities_are_refused(header: str) -> None:
    with pytest.raises(ApiError):
        _expected(header)


@pytest.mark.parametrize(
    ("header", "revision"), [('"r3"', 3), ('W/"r12"', 12), ("7", 7), ("*", None), (None, None)]
)
def test_if_match_forms(header: str | None, revision: int | None) -> None:
    assert _expected(header) == revision


@given(st.text(max_size=80))
def test_user_names_are_plain(name: str) -> None:
    try:
        assert check_name(name) == name
    except InputError:
        return
    assert 1 <= len(name) <= 64
    assert all(c.isascii() and (c.isalnum() or c in "._@-") for c in name)


@pytest.mark.parametrize("name", ["alice\n", "al ice", "élise", "../x", "", "a" * 65])
def test_user_names_refused(name: str) -> None:
    with pytest.raises(InputError):
        check_name(name)
