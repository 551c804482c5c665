"""The one console maker prints user text as it is."""

from __future__ import annotations

import io

from labwarden.report.console import plain_console


def test_emoji_codes_in_user_text_are_printed_as_they_are() -> None:
    out = io.StringIO()
    plain_console(file=out, markup=False, highlight=False).print("/data/:a:/:smile: x")
    assert out.getvalue() == "/data/:a:/:smile: x\n"
