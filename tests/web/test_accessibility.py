"""Accessibility of every page, checked by axe-core (WCAG 2.1 A and AA rules) in chromium.

axe-core comes inside the ``axe-playwright-python`` wheel (no download at test time).
"""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe

from tests.web.browser import browser
from tests.web.lab import PASSWORD, Lab

PAGES = [
    "/",
    "/assets",
    "/assets/1",
    "/findings",
    "/alerts",
    "/alerts/1",
    "/incidents",
    "/incidents/1",
    "/incidents/1/report",
    "/privacy",
    "/admin/users",
    "/admin/audit",
    "/admin/settings",
]
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def _violations(response: dict[str, Any]) -> list[str]:
    assert response["passes"], "axe checked nothing"  # it ran on the page
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in response["violations"]
    ]


def test_pages_have_no_wcag_violations(lab: Lab) -> None:
    axe = Axe()
    found: dict[str, list[str]] = {}
    with browser() as context:
        page = context.new_page()
        page.goto(lab.url + "/login")
        login = _violations(axe.run(page, options=RULES).response)
        if login:
            found["/login"] = login
        page.get_by_label("User name").fill("admin")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lab.url + "/")
        for path in PAGES:
            page.goto(lab.url + path)
            problems = _violations(axe.run(page, options=RULES).response)
            if problems:
                found[path] = problems
    assert found == {}
