"""The REST API over real HTTP: who may call what, error shapes, triage, paging, OpenAPI."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.web.lab import PASSWORD, Lab

# (method, path, least role, JSON body): every endpoint of /api/v1.
ENDPOINTS: list[tuple[str, str, str, dict[str, Any] | None]] = [
    ("GET", "/api/v1/me", "viewer", None),
    ("GET", "/api/v1/overview", "viewer", None),
    ("GET", "/api/v1/assets", "viewer", None),
    ("GET", "/api/v1/assets/1", "viewer", None),
    ("GET", "/api/v1/findings", "viewer", None),
    ("GET", "/api/v1/findings/1", "viewer", None),
    ("PATCH", "/api/v1/findings/1", "analyst", {"status": "open"}),
    ("GET", "/api/v1/incidents", "viewer", None),
    ("POST", "/api/v1/incidents", "analyst", {"title": "matrix {role}", "alerts": [1]}),
    ("GET", "/api/v1/incidents/1", "viewer", None),
    ("PATCH", "/api/v1/incidents/1", "analyst", {"note": "matrix"}),
    ("GET", "/api/v1/incidents/1/report", "viewer", None),
    ("GET", "/api/v1/alerts", "viewer", None),
    ("GET", "/api/v1/alerts/1", "viewer", None),
    ("PATCH", "/api/v1/alerts/2", "analyst", {"note": "looking"}),
    ("GET", "/api/v1/events", "viewer", None),
    ("GET", "/api/v1/openapi.json", "viewer", None),
    ("GET", "/api/v1/users", "admin", None),
    ("POST", "/api/v1/users", "admin", {"name": "matrix-{role}", "role": "viewer"}),
    ("PATCH", "/api/v1/users/viewer", "admin", {"role": "viewer"}),
    ("GET", "/api/v1/audit", "admin", None),
    ("GET", "/api/v1/settings", "admin", None),
    ("PUT", "/api/v1/settings/lab_name", "admin", {"value": "Test lab"}),
]
RANKS = {None: -1, "viewer": 0, "analyst": 1, "admin": 2}


def _expected(least: str, role: str | None) -> int:
    if role is None:
        return 401
    return 200 if RANKS[role] >= RANKS[least] else 403


@pytest.mark.parametrize("role", [None, "viewer", "analyst", "admin"])
def test_every_endpoint_answers_each_role_as_its_rights_say(lab: Lab, role: str | None) -> None:
    with lab.client(role) as client:
        for method, path, least, template in ENDPOINTS:
            body = template
            for key in ("name", "title"):
                if body is not None and key in body:
                    body = {**body, key: str(body[key]).format(role=role or "anon")}
            answer = client.request(method, path, json=body)
            wanted = _expected(least, role)
            got = 200 if answer.status_code in (200, 201) else answer.status_code
            assert got == wanted, (method, path, role, answer.text)
            if wanted != 200:
                error = answer.json()["error"]
                assert error["status"] == wanted
                assert error["code"] == ("unauthorized" if wanted == 401 else "forbidden")
                assert error["message"]
            if wanted == 401:
                assert answer.headers["www-authenticate"].startswith("Bearer")


def test_only_health_and_login_are_reachable_anonymously(lab: Lab) -> None:
    with httpx.Client(base_url=lab.url, follow_redirects=False) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/login").status_code == 200
        for page in ("/", "/assets", "/alerts", "/alerts/1", "/findings", "/admin/users"):
            answer = client.get(page)
            assert answer.status_code == 303, page
            assert answer.headers["location"].startswith("/login?next=")


def test_errors_have_one_shape(lab: Lab) -> None:
    with lab.client("admin") as client:
        missing = client.get("/api/v1/assets/999999")
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "not_found"
        assert "999999" in missing.json()["error"]["message"]
        invalid = client.get("/api/v1/alerts", params={"limit": 0})
        assert invalid.status_code == 422
        error = invalid.json()["error"]
        assert error["code"] == "invalid" and error["details"][0]["where"] == "query.limit"
        wrong = client.patch("/api/v1/alerts/1", json={"status": "exploded"})
        assert wrong.status_code == 422 and "status" in wrong.json()["error"]["message"]
        for odd in ("²", "٣", "%00", "a" * 300, "../../etc"):
            weird = client.get(f"/api/v1/findings/{odd}")
            assert weird.status_code == 404, (odd, weird.text)
        weird_alert = client.patch(
            "/api/v1/alerts/1", json={"note": "x"}, headers={"If-Match": '"r-1"'}
        )
        assert weird_alert.status_code == 400
        unknown = client.get("/api/v1/nothing-here")
        assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    bogus = httpx.get(f"{lab.url}/api/v1/assets", headers={"Authorization": "Bearer lw_nope"})
    assert bogus.status_code == 401
    assert "not valid" in bogus.json()["error"]["message"]


def test_triage_an_alert_through_the_api_is_audited(lab: Lab) -> None:
    with lab.client("analyst") as client:
        listed = client.get("/api/v1/alerts", params={"status": "all", "limit": 2}).json()
        assert listed["total"] >= 7 and len(listed["items"]) == 2
        assert listed["next_offset"] == 2
        alert_id = listed["items"][0]["id"]
        seen = client.get(f"/api/v1/alerts/{alert_id}")
        tag = seen.headers["etag"]
        no_reason = client.patch(f"/api/v1/alerts/{alert_id}", json={"status": "closed"})
        assert no_reason.status_code == 422 and "reason" in no_reason.json()["error"]["message"]
        changed = client.patch(
            f"/api/v1/alerts/{alert_id}",
            json={"status": "acknowledged", "assignee": "analyst", "note": "on it"},
            headers={"If-Match": tag},
        )
        assert changed.status_code == 200, changed.text
        document = changed.json()
        assert document["status"] == "acknowledged" and document["assignee"] == "analyst"
        assert [n["kind"] for n in document["notes"]][-3:] == ["status", "assignee", "note"]
        assert changed.headers["etag"] != tag
        stale = client.patch(
            f"/api/v1/alerts/{alert_id}", json={"note": "late"}, headers={"If-Match": tag}
        )
        assert stale.status_code == 412
        assert stale.json()["error"]["code"] == "precondition_failed"
        closed = client.patch(
            f"/api/v1/alerts/{alert_id}",
            json={"status": "closed", "reason": "false positive: backup job"},
        )
        assert closed.json()["status"] == "closed"
        assert "false positive" in closed.json()["notes"][-1]["text"]
    with lab.client("admin") as admin:
        audit = admin.get("/api/v1/audit", params={"action": "alert"}).json()["items"]
    mine = [e for e in audit if e["target"] == f"alert:{alert_id}"]
    assert [e["detail"]["after"]["status"] for e in mine][:2] == ["closed", "acknowledged"]
    assert all(e["actor"] == "analyst" and e["role"] == "analyst" for e in mine)


def test_viewers_do_not_see_the_evidence_of_secrets(lab: Lab) -> None:
    def secrets(role: str) -> list[dict[str, Any]]:
        with lab.client(role) as client:
            items = client.get("/api/v1/findings", params={"check": "secrets"}).json()["items"]
        return [f for f in items if f["check"] == "secrets"]

    as_viewer, as_analyst = secrets("viewer"), secrets("analyst")
    assert as_viewer and len(as_viewer) == len(as_analyst)
    assert all("withheld" in f["evidence"] for f in as_viewer)
    assert all("withheld" not in f["evidence"] for f in as_analyst)
    asset_id = as_viewer[0]["asset_id"]
    with lab.client("viewer") as client:
        asset = client.get(f"/api/v1/assets/{asset_id}").json()
    assert all("withheld" in f["evidence"] for f in asset["findings"] if f["check"] == "secrets")


def test_assets_filters_and_detail(lab: Lab) -> None:
    with lab.client("viewer") as client:
        restricted = client.get("/api/v1/assets", params={"sensitivity": "restricted"}).json()
        assert restricted["total"] >= 1
        assert all(a["sensitivity"] == "restricted" for a in restricted["items"])
        found = client.get("/api/v1/assets", params={"q": "trial_dm"}).json()["items"]
        assert [a["name"] for a in found] == ["trial_dm.csv"]
        detail = client.get(f"/api/v1/assets/{found[0]['id']}").json()
        assert detail["files"][0]["format"] == "csv"
        assert any(r["sensitivity"] == "restricted" for r in detail["reasons"])
        assert {f["check"] for f in detail["findings"]} >= {"privacy"}
        assert detail["history"][0]["change"] == "added"
        bad = client.get("/api/v1/assets", params={"kind": "spaceship"})
        assert bad.status_code == 422


def test_events_filters_and_paging(lab: Lab) -> None:
    with lab.client("viewer") as client:
        first = client.get("/api/v1/events", params={"principal": "mallory", "limit": 15}).json()
        assert len(first["items"]) == 15 and first["next_offset"] == 15
        times = [e["time"] for e in first["items"]]
        assert times == sorted(times, reverse=True)
        rest = client.get(
            "/api/v1/events", params={"principal": "mallory", "limit": 100, "offset": 15}
        ).json()
        assert len(rest["items"]) == 40 - 15 and rest["next_offset"] is None
        stops = client.get("/api/v1/events", params={"action": "StopLogging"}).json()["items"]
        assert [e["api_operation"] for e in stops] == ["StopLogging"]
        window = client.get(
            "/api/v1/events",
            params={"since": "2026-11-20T02:10:00Z", "until": "2026-11-20T02:20:00Z"},
        ).json()["items"]
        assert len(window) == 10
        bad = client.get("/api/v1/events", params={"since": "yesterday-ish"})
        assert bad.status_code == 400 and "since" in bad.json()["error"]["message"]


def test_openapi_document_lists_every_endpoint(lab: Lab) -> None:
    with lab.client("viewer") as client:
        document = client.get("/api/v1/openapi.json").json()
    paths = document["paths"]
    for method, path, _, _ in ENDPOINTS:
        if path.endswith("openapi.json"):
            continue
        template = re.sub(r"/assets/\d+$", "/assets/{asset_id}", path)
        template = re.sub(r"/findings/\d+$", "/findings/{ref}", template)
        template = re.sub(r"/incidents/\d+", "/incidents/{incident_id}", template)
        template = re.sub(r"/alerts/\d+$", "/alerts/{alert_id}", template)
        template = template.replace("/users/viewer", "/users/{name}").replace(
            "/settings/lab_name", "/settings/{key}"
        )
        assert method.lower() in paths[template], template
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_token_rotation_revokes_the_old_token(lab: Lab) -> None:
    with lab.client("admin") as admin:
        created = admin.post("/api/v1/users", json={"name": "rotor", "role": "analyst"})
        assert created.status_code == 201
        old = created.json()["token"]
        assert (
            httpx.get(f"{lab.url}/api/v1/me", headers={"Authorization": f"Bearer {old}"}).json()[
                "name"
            ]
            == "rotor"
        )
        new = admin.post("/api/v1/users/rotor/token").json()["token"]
        assert new != old
        before = httpx.get(f"{lab.url}/api/v1/me", headers={"Authorization": f"Bearer {old}"})
        assert before.status_code == 401
        after = httpx.get(f"{lab.url}/api/v1/me", headers={"Authorization": f"Bearer {new}"})
        assert after.json() == {"name": "rotor", "role": "analyst", "via": "token"}
        assert admin.delete("/api/v1/users/rotor").status_code == 204
        gone = httpx.get(f"{lab.url}/api/v1/me", headers={"Authorization": f"Bearer {new}"})
        assert gone.status_code == 401
        last = admin.delete("/api/v1/users/admin")
        assert last.status_code == 409 and "last admin" in last.json()["error"]["message"]
        actions = [e["action"] for e in admin.get("/api/v1/audit").json()["items"]]
    assert {"user.add", "user.token", "user.remove"} <= set(actions)


def _session(lab: Lab, role: str) -> tuple[httpx.Client, str]:
    """A client logged in through the login page, and its CSRF token."""
    client = httpx.Client(base_url=lab.url, follow_redirects=False, timeout=60)
    form = client.get("/login")
    token = form.text.split('name="login_csrf" value="')[1].split('"')[0]
    answer = client.post(
        "/login", data={"name": role, "password": PASSWORD, "login_csrf": token, "next": "/"}
    )
    assert answer.status_code == 303, answer.text
    page = client.get("/")
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    return client, csrf


def test_session_changes_need_the_csrf_token(lab: Lab) -> None:
    client, csrf = _session(lab, "analyst")
    try:
        assert client.get("/api/v1/me").json()["via"] == "session"
        refused = client.patch("/api/v1/alerts/3", json={"note": "csrf?"})
        assert refused.status_code == 403 and "CSRF" in refused.json()["error"]["message"]
        forged = client.patch(
            "/api/v1/alerts/3",
            json={"note": "csrf?"},
            headers={"X-CSRF-Token": csrf, "Origin": "https://evil.example"},
        )
        assert forged.status_code == 403
        allowed = client.patch(
            "/api/v1/alerts/3", json={"note": "with csrf"}, headers={"X-CSRF-Token": csrf}
        )
        assert allowed.status_code == 200
        page_form = client.post("/alerts/3", data={"action": "acknowledge"})
        assert page_form.status_code == 403
        wrong = client.post("/alerts/3", data={"action": "acknowledge", "csrf": "x" * 43})
        assert wrong.status_code == 403
        ok = client.post("/alerts/3", data={"action": "acknowledge", "csrf": csrf})
        assert ok.status_code == 303
        assert client.get("/api/v1/alerts/3").json()["status"] == "acknowledged"
        assert client.post("/logout", data={"csrf": csrf}).status_code == 303
        assert client.get("/api/v1/me").status_code == 401
    finally:
        client.close()


def test_every_page_form_refuses_a_post_without_csrf(lab: Lab) -> None:
    client, _ = _session(lab, "admin")
    try:
        for path, form in [
            ("/alerts/4", {"action": "note", "note": "x"}),
            ("/admin/users", {"action": "add", "name": "nocsrf"}),
            ("/admin/settings", {"key": "lab_name", "value": "x"}),
            ("/logout", {}),
        ]:
            assert client.post(path, data=form).status_code == 403, path
        assert client.get("/api/v1/me").status_code == 200  # still logged in
    finally:
        client.close()


def test_login_is_rate_limited(lab: Lab) -> None:
    with httpx.Client(base_url=lab.url, follow_redirects=False) as client:
        statuses = []
        for _ in range(7):
            form = client.get("/login")
            token = form.text.split('name="login_csrf" value="')[1].split('"')[0]
            answer = client.post(
                "/login",
                data={"name": "viewer", "password": "wrong-password!", "login_csrf": token},
            )
            statuses.append(answer.status_code)
        assert statuses[:5] == [401] * 5
        assert statuses[5:] == [429, 429]
        assert int(answer.headers["retry-after"]) > 0
        form = client.get("/login")
        token = form.text.split('name="login_csrf" value="')[1].split('"')[0]
        right = client.post(
            "/login", data={"name": "viewer", "password": PASSWORD, "login_csrf": token}
        )
        assert right.status_code == 429  # even the right password waits
        no_cookie = httpx.post(
            f"{lab.url}/login", data={"name": "admin", "password": PASSWORD, "login_csrf": token}
        )
        assert no_cookie.status_code == 403


def test_triage_a_finding_through_the_api(lab: Lab) -> None:
    with lab.client("analyst") as client:
        finding = client.get("/api/v1/findings", params={"check": "privacy"}).json()["items"][0]
        ref = finding["fingerprint"][:10]
        refused = client.patch(f"/api/v1/findings/{ref}", json={"status": "accepted"})
        assert refused.status_code == 422 and "reason" in refused.json()["error"]["message"]
        accepted = client.patch(
            f"/api/v1/findings/{ref}",
            json={"status": "accepted", "reason": "synthetic test table", "expires": "2099-01-01"},
        )
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["status"] == "accepted"
        assert accepted.json()["history"][-1]["reason"] == "synthetic test table"
        still_open = client.get("/api/v1/findings", params={"check": "privacy"}).json()
        assert finding["fingerprint"] not in [f["fingerprint"] for f in still_open["items"]]
        listed = client.get(
            "/api/v1/findings", params={"check": "privacy", "status": "accepted"}
        ).json()["items"]
        assert [f["fingerprint"] for f in listed] == [finding["fingerprint"]]
        client.patch(f"/api/v1/findings/{ref}", json={"status": "open", "reason": "recheck"})
        missing = client.get("/api/v1/findings/ffffffffffff")
        assert missing.status_code == 404
    with lab.client("admin") as admin:
        audit = admin.get("/api/v1/audit", params={"action": "finding"}).json()["items"]
    assert [e["detail"]["after"] for e in audit[:2]] == ["open", "accepted"]


def test_open_and_read_an_incident_through_the_api(lab: Lab) -> None:
    with lab.client("analyst") as client:
        opened = client.post(
            "/api/v1/incidents",
            json={
                "title": "Trail stopped by mallory",
                "alerts": [1],
                "since": "2026-11-20T00:00:00Z",
                "until": "2026-11-21T00:00:00Z",
            },
        )
        assert opened.status_code == 201, opened.text
        incident = opened.json()
        assert incident["alerts"][0]["id"] == 1
        assert {"kind": "principal", "value": "mallory"} in [
            {"kind": s["kind"], "value": s["value"]} for s in incident["selectors"]
        ]
        shown = client.get(
            f"/api/v1/incidents/{incident['id']}", params={"timeline_limit": 5}
        ).json()
        timeline = shown["timeline"]
        assert timeline["total"] >= 40 and len(timeline["items"]) == 5
        assert timeline["next_offset"] == 5
        assert all({"message", "datetime", "timestamp_desc"} <= set(e) for e in timeline["items"])
        stamps = [e["datetime"] for e in timeline["items"]]
        assert stamps == sorted(stamps)
        assert "totals" in shown["scope"] and "personal_data" in shown["scope"]
        closing = client.patch(f"/api/v1/incidents/{incident['id']}", json={"status": "closed"})
        assert closing.status_code == 422 and "resolution" in closing.json()["error"]["message"]
        closed = client.patch(
            f"/api/v1/incidents/{incident['id']}",
            json={"status": "closed", "resolution": "keys rotated", "note": "done"},
        ).json()
        assert closed["status"] == "closed" and closed["resolution"] == "keys rotated"
        assert [n["text"] for n in closed["notes"]] == ["done"]
        assert {c["actor"] for c in closed["changes"]} == {"analyst"}
        assert client.get("/api/v1/incidents/9999").status_code == 404
        report = client.get(f"/api/v1/incidents/{incident['id']}/report").json()
        assert report["format"] == "labwarden-breach-report/1"
        assert report["incident"]["id"] == incident["id"]
        assert report["generated"]["by"] == "analyst"
        assert report["to_fill_in"]  # what nobody can know is left for a person
        assert client.get("/api/v1/incidents/9999/report").status_code == 404
        listed = client.get("/api/v1/incidents", params={"status": "closed"}).json()["items"]
        assert incident["id"] in [i["id"] for i in listed]
