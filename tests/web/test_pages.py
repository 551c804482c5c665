"""The pages in a real browser: log in, look around, triage an alert, admin pages; screenshots
are kept as artifacts (``.artifacts/web/`` or ``$LABWARDEN_TEST_ARTIFACTS``)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.web.browser import browser, screenshot_path
from tests.web.lab import PASSWORD, Lab


def _login(page: Page, lab: Lab, role: str, target: str = "/") -> None:
    page.goto(lab.url + target)
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("User name").fill(role)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _shot(page: Page, name: str) -> None:
    path = screenshot_path(name)
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000


def test_analyst_logs_in_and_triages_an_alert(lab: Lab) -> None:
    with browser() as context:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        _login(page, lab, "analyst")
        expect(page.get_by_role("heading", name="Overview")).to_be_visible()
        expect(page.get_by_role("heading", name="Look at these first")).to_be_visible()
        expect(page.locator("svg.bars").first).to_be_visible()
        _shot(page, "overview")

        page.get_by_role("link", name="Alerts", exact=True).click()
        expect(page.get_by_role("heading", name="Alerts")).to_be_visible()
        page.get_by_role("link", name="Logging Disabled or Altered").click()
        expect(page.get_by_role("heading", name=re.compile("Logging Disabled"))).to_be_visible()
        evidence = page.locator("table.evidence tbody tr")
        expect(evidence).to_have_count(2)
        expect(evidence.first).to_contain_text("StopLogging")
        _shot(page, "alert-before")

        page.get_by_label("Assignee").select_option("analyst")
        page.get_by_label("Note").fill("mallory stopped the trail; checking with cloud team")
        page.get_by_role("button", name="Acknowledge").click()
        expect(page.locator("#alert-status")).to_have_text("acknowledged")
        expect(page.locator("ol.history")).to_contain_text("checking with cloud team")

        page.get_by_role("button", name="Close").click()  # no reason: refused, said why
        expect(page.get_by_role("alert")).to_contain_text("needs a reason")
        page.get_by_label("Reason (needed to close)").fill("confirmed: red-team exercise")
        page.get_by_role("button", name="Close").click()
        expect(page.locator("#alert-status")).to_have_text("closed")
        expect(page.locator("ol.history")).to_contain_text("red-team exercise")
        _shot(page, "alert-closed")
        assert not errors, errors

        page.goto(lab.url + "/admin/users")
        expect(page.get_by_role("heading", name="403 forbidden")).to_be_visible()


def test_viewer_reads_but_cannot_triage(lab: Lab) -> None:
    with browser() as context:
        page = context.new_page()
        _login(page, lab, "viewer", "/alerts")
        expect(page).to_have_url(lab.url + "/alerts")
        page.locator("table.alerts tbody a").first.click()
        expect(page.get_by_role("heading", name="Evidence", exact=False)).to_be_visible()
        expect(page.get_by_role("button", name="Acknowledge")).to_have_count(0)
        page.goto(lab.url + "/assets?sensitivity=restricted")
        page.get_by_role("link", name="trial_dm.csv").click()
        expect(page.get_by_role("heading", name=re.compile("Why it is restricted"))).to_be_visible()
        _shot(page, "asset")
        page.goto(lab.url + "/findings?check=secrets")
        page.goto(lab.url + "/privacy")
        expect(page.locator("main table").first).to_contain_text("trial_dm.csv")
        _shot(page, "privacy")


def test_admin_pages_and_keyboard_use(lab: Lab) -> None:
    with browser(width=1024, height=768) as context:
        page = context.new_page()
        _login(page, lab, "admin", "/admin/users")
        expect(page.get_by_role("heading", name="Users")).to_be_visible()
        page.get_by_label("User name").fill("dpo")
        page.get_by_label("Role", exact=True).select_option("viewer")
        page.get_by_role("button", name="Add user").click()
        token = page.get_by_label("API token (shown once)")
        expect(token).to_have_value(re.compile(r"^lw_"))
        page.goto(lab.url + "/admin/audit")
        expect(page.locator("main table")).to_contain_text("user.add")
        _shot(page, "audit")
        # Keyboard: the skip link is the first stop and moves focus to the content.
        page.goto(lab.url + "/")
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator("main")).to_be_focused()
        # Nothing spills sideways at laptop width.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        page.get_by_role("button", name="Log out").click()
        expect(page).to_have_url(re.compile(r"/login$"))


def test_analyst_reads_an_incident_and_triages_a_finding(lab: Lab) -> None:
    with browser() as context:
        page = context.new_page()
        _login(page, lab, "analyst", "/incidents")
        expect(page.get_by_role("heading", name="Incidents")).to_be_visible()
        page.get_by_role("link", name="Trail stopped").first.click()
        expect(page.get_by_role("heading", name=re.compile("Trail stopped"))).to_be_visible()
        expect(page.locator("dl.facts")).to_contain_text("principal=mallory")
        timeline = page.locator("table.timeline tbody tr")
        expect(timeline.first).to_contain_text("2026-11-20T02:00:00")
        expect(page.locator("table.timeline")).to_contain_text("StopLogging")
        expect(page.locator("table.scope").first).to_be_visible()
        _shot(page, "incident")
        page.get_by_role("link", name=re.compile("Breach report")).click()
        expect(
            page.get_by_role("heading", name=re.compile("Personal data breach notification"))
        ).to_be_visible()
        expect(page.locator("article.report")).to_contain_text("Art. 33")
        _shot(page, "breach-report")
        with page.expect_download() as download:
            page.get_by_role("link", name=re.compile("printable HTML")).click()
        saved = download.value.path()
        assert "<!DOCTYPE html>" in saved.read_text()
        page.go_back()
        page.get_by_label("Note, or resolution when closing").fill("trail restored at 03:10")
        page.get_by_role("button", name="Add note").click()
        expect(page.locator("ol.history")).to_contain_text("trail restored at 03:10")
        page.get_by_role("button", name="Mark contained").click()
        expect(page.locator("#incident-status")).to_have_text("contained")

        page.goto(lab.url + "/alerts/1")
        page.get_by_label("Incident title").fill("Second look at the trail")
        page.get_by_role("button", name="Open an incident from this alert").click()
        expect(page.get_by_role("heading", name=re.compile("Second look"))).to_be_visible()

        page.goto(lab.url + "/findings?check=permissions")
        page.locator("table.findings tbody a[href^='/findings/']").first.click()
        page.get_by_label("Reason (needed to accept)").fill("shared read-only lab disk")
        page.get_by_role("button", name="Accept the risk").click()
        expect(page.locator("#finding-status")).to_have_text("accepted")
        expect(page.locator("ol.history")).to_contain_text("shared read-only lab disk")
        _shot(page, "finding-accepted")
