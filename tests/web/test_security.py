"""Authentication, roles, CSRF and audit on every route of the application, found by walking the
application (``tests/web/routes.py``), against a real ``labwarden serve``:

- anonymous callers get 401 (API) or a redirect to the login page (pages) on every route but the
  login page and the health check, and change nothing;
- viewers get 403 on every route that changes something (through a token and through a page
  session with a valid CSRF token, so the role is what refuses), and on every admin route;
  analysts get 403 on every admin route;
- with a session, every change without the session's CSRF token, or from another origin, is
  refused and changes nothing; every form of every page carries the token;
- every change, made through every changing route, is in the audit log under who made it.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from tests.web.lab import PASSWORD, Lab
from tests.web.routes import ANY_USER_CHANGES, PUBLIC, Route, app_routes

VALUES = {
    "asset_id": "1",
    "alert_id": "2",
    "incident_id": "1",
    "ref": "1",
    "name": "audited",
    "key": "lab_name",
    "fmt": "html",
}
"""A sample value for every path parameter."""

# Every changing route, in an order where each succeeds for an admin, with its JSON body (API) or
# form (pages, the CSRF field added by the test), and the audit action it must record.
CHANGES: list[tuple[str, str, dict[str, Any] | None, str]] = [
    ("PATCH", "/api/v1/alerts/{alert_id}", {"note": "audited note"}, "alert.update"),
    ("POST", "/alerts/{alert_id}", {"action": "note", "note": "page note"}, "alert.update"),
    (
        "PATCH",
        "/api/v1/findings/{ref}",
        {"status": "accepted", "reason": "audited"},
        "finding.triage",
    ),
    ("POST", "/findings/{ref}", {"action": "reopen"}, "finding.triage"),
    ("POST", "/api/v1/incidents", {"title": "audited", "alerts": [1]}, "incident.open"),
    ("PATCH", "/api/v1/incidents/{incident_id}", {"note": "audited"}, "incident.update"),
    ("POST", "/incidents", {"title": "audited page", "alert": "1"}, "incident.open"),
    ("POST", "/incidents/{incident_id}", {"action": "note", "text": "page"}, "incident.update"),
    ("POST", "/api/v1/users", {"name": "audited", "role": "viewer"}, "user.add"),
    ("PATCH", "/api/v1/users/{name}", {"role": "analyst"}, "user.role"),
    ("POST", "/api/v1/users/{name}/token", None, "user.token"),
    ("DELETE", "/api/v1/users/{name}", None, "user.remove"),
    ("POST", "/admin/users", {"action": "add", "name": "audited2"}, "user.add"),
    ("PUT", "/api/v1/settings/{key}", {"value": "Audited lab"}, "settings.set"),
    ("POST", "/admin/settings", {"key": "lab_name", "value": "Audited lab 2"}, "settings.set"),
    ("POST", "/login", None, "login"),
    ("POST", "/logout", {}, "logout"),
]
BODIES = {(m, p): body for m, p, body, _ in CHANGES}


@pytest.fixture(scope="module")
def routes(lab: Lab) -> list[Route]:
    """Every route of the served application."""
    found = app_routes(lab.workspace)
    assert len(found) >= 40, found  # the walk found the routers' routes, not just the app's
    return found


def _session(lab: Lab, role: str) -> tuple[httpx.Client, str]:
    """A client logged in through the login page, and its CSRF token."""
    client = httpx.Client(base_url=lab.url, follow_redirects=False, timeout=60)
    form = client.get("/login")
    token = form.text.split('name="login_csrf" value="')[1].split('"')[0]
    answer = client.post("/login", data={"name": role, "password": PASSWORD, "login_csrf": token})
    assert answer.status_code == 303, answer.text
    csrf = client.get("/").text.split('name="csrf" value="')[1].split('"')[0]
    return client, csrf


def _send(
    client: httpx.Client, route: Route, csrf: str | None = None, **headers: str
) -> httpx.Response:
    """``route`` with its sample body: JSON for the API, a form (with ``csrf``) for pages."""
    body = BODIES.get((route.method, route.path))
    url = route.url(VALUES)
    if route.api:
        if csrf is not None:
            headers["X-CSRF-Token"] = csrf
        return client.request(route.method, url, json=body, headers=headers)
    form = {k: str(v) for k, v in (body or {}).items()}
    if csrf is not None:
        form["csrf"] = csrf
    return client.request(route.method, url, data=form if route.changes else None, headers=headers)


def _newest_audit(lab: Lab) -> dict[str, Any]:
    with lab.client("admin") as admin:
        items = admin.get("/api/v1/audit", params={"limit": 1}).json()["items"]
    return dict(items[0]) if items else {"id": 0}


def test_every_changing_route_has_an_audited_sample(routes: list[Route]) -> None:
    changing = {(r.method, r.path) for r in routes if r.changes}
    assert changing == set(BODIES), "add the new route to CHANGES (and audit it)"


def test_anonymous_callers_get_401_or_the_login_page_everywhere(
    lab: Lab, routes: list[Route]
) -> None:
    before = _newest_audit(lab)
    wrong = []
    with httpx.Client(base_url=lab.url, follow_redirects=False, timeout=60) as client:
        for route in routes:
            if (route.method, route.path) in PUBLIC:
                continue
            for headers in ({}, {"Authorization": "Bearer lw_forged"}, {"Cookie": "lw_session=x"}):
                answer = _send(client, route, **headers)
                if route.api:
                    ok = answer.status_code == 401 and (
                        answer.json()["error"]["code"] == "unauthorized"
                        and answer.headers["www-authenticate"].startswith("Bearer")
                    )
                else:
                    ok = answer.status_code == 303 and answer.headers["location"].startswith(
                        "/login?next="
                    )
                if not ok:
                    wrong.append(f"{route} {headers}: {answer.status_code} {answer.text[:100]}")
    assert wrong == []
    assert _newest_audit(lab)["id"] == before["id"], "an anonymous call changed something"


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_each_role_is_refused_every_route_above_it(
    lab: Lab, routes: list[Route], role: str
) -> None:
    rank = ["viewer", "analyst", "admin"]
    above = [r for r in routes if r.least_role and rank.index(r.least_role) > rank.index(role)]
    sure = {"/admin/users"} | ({"/alerts/{alert_id}"} if role == "viewer" else set())
    assert {r.path for r in above if r.changes} >= sure
    session, csrf = _session(lab, role)
    wrong = []
    try:
        with lab.client(role) as token:
            for route in above:
                doors = [(session, csrf)] + ([(token, None)] if route.api else [])
                for client, secret in doors:
                    answer = _send(client, route, secret)
                    refused = answer.status_code == 403 and (
                        not route.api or answer.json()["error"]["code"] == "forbidden"
                    )
                    if not refused:
                        wrong.append(f"{route}: {answer.status_code} {answer.text[:100]}")
        assert session.get("/api/v1/me").json()["role"] == role  # still logged in
    finally:
        session.close()
    assert wrong == []


def test_viewers_read_every_page_and_endpoint(lab: Lab, routes: list[Route]) -> None:
    readable = [r for r in routes if r.least_role == "viewer" and not r.changes]
    session, _ = _session(lab, "viewer")
    try:
        with lab.client("viewer") as token:
            wrong = [
                f"{route}: {answer.status_code}"
                for route in readable
                for answer in [_send(token if route.api else session, route)]
                if answer.status_code != 200
            ]
    finally:
        session.close()
    assert wrong == []


def test_every_change_with_a_session_needs_the_csrf_token_and_this_origin(
    lab: Lab, routes: list[Route]
) -> None:
    session, csrf = _session(lab, "admin")
    before = _newest_audit(lab)  # after the login, which is audited
    wrong = []
    try:
        for route in routes:
            if not route.changes or (route.method, route.path) in PUBLIC:
                continue
            for secret, headers in [
                (None, {}),
                ("x" * 43, {}),
                (csrf, {"Origin": "https://evil.example"}),
                (csrf, {"Origin": "null"}),
            ]:
                answer = _send(session, route, secret, **headers)
                if answer.status_code != 403:
                    wrong.append(f"{route} {secret and secret[:3]} {headers}: {answer.status_code}")
        assert session.get("/api/v1/me").status_code == 200  # logout was refused too
    finally:
        session.close()
    assert wrong == []
    assert _newest_audit(lab)["id"] == before["id"], "a refused change was made anyway"


class _Forms(HTMLParser):
    """The POST forms of a page: (action, names of their fields)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, set[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form" and (found.get("method") or "get").lower() == "post":
            self.forms.append((found.get("action") or "", set()))
        elif tag in ("input", "button", "select", "textarea") and self.forms:
            self.forms[-1][1].add(found.get("name") or "")


def test_every_form_of_every_page_carries_the_csrf_token(lab: Lab, routes: list[Route]) -> None:
    session, csrf = _session(lab, "admin")
    seen = 0
    try:
        for route in routes:
            if route.api or route.changes or route.path.endswith("{fmt}"):
                continue
            public = (route.method, route.path) in PUBLIC
            page = (httpx if public else session).get(lab.url + route.url(VALUES))
            assert page.status_code == 200, route
            parser = _Forms()
            parser.feed(page.text)
            field = "login_csrf" if public else "csrf"
            for action, names in parser.forms:
                seen += 1
                assert field in names, f"{route}: the form posting to {action!r} has no {field}"
            if parser.forms and not public:
                assert f'name="csrf" value="{csrf}"' in page.text
    finally:
        session.close()
    assert seen >= 8  # triage, incident, finding, admin and logout forms


def test_every_change_is_audited_with_who_made_it(lab: Lab) -> None:
    session, csrf = _session(lab, "admin")
    wrong = []
    try:
        for method, path, _body, action in CHANGES:
            route = Route(method, path)
            before = _newest_audit(lab)
            if path == "/login":
                with httpx.Client(base_url=lab.url, timeout=60) as fresh:
                    form = fresh.get("/login").text
                    login_csrf = form.split('name="login_csrf" value="')[1].split('"')[0]
                    data = {"name": "admin", "password": PASSWORD, "login_csrf": login_csrf}
                    answer = fresh.post("/login", data=data, follow_redirects=False)
            elif route.api:
                with lab.client("admin") as token:
                    answer = _send(token, route)
            else:
                answer = _send(session, route, csrf)
            entry = _newest_audit(lab)
            if answer.status_code not in (200, 201, 204, 303):
                wrong.append(f"{route}: {answer.status_code} {answer.text[:200]}")
            elif entry["id"] == before["id"]:
                wrong.append(f"{route}: answered {answer.status_code} but audited nothing")
            elif (entry["actor"], entry["action"]) != ("admin", action):
                wrong.append(f"{route}: audited as {entry['actor']} {entry['action']}")
    finally:
        session.close()
    assert wrong == []
    with lab.client("admin") as admin:
        entries = admin.get("/api/v1/audit", params={"limit": 100}).json()["items"]
    assert all(e["at"] and e["via"] in ("api", "page") and e["address"] for e in entries[:10])


def test_only_changes_any_user_may_make_are_below_analyst(routes: list[Route]) -> None:
    below = {(r.method, r.path) for r in routes if r.changes and r.least_role == "viewer"}
    assert below == ANY_USER_CHANGES


def test_viewers_never_see_what_a_secret_looked_like(lab: Lab, routes: list[Route]) -> None:
    with lab.client("analyst") as analyst:
        found = analyst.get("/api/v1/findings", params={"check": "secrets", "status": "all"})
        evidence = [f["evidence"] for f in found.json()["items"]]
    marks = {e["hash"] for e in evidence} | {e["secret"] for e in evidence}
    assert len(marks) >= 2, evidence  # the lab has a secret, and analysts see its evidence
    readable = [r for r in routes if r.least_role == "viewer" and not r.changes]
    session, _ = _session(lab, "viewer")
    wrong = []
    try:
        with lab.client("viewer") as token:
            for route in readable:
                answer = _send(token if route.api else session, route)
                text = json.dumps(answer.json(), ensure_ascii=False) if route.api else answer.text
                wrong += [f"{route}: {m}" for m in marks if m in text]
    finally:
        session.close()
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1:{port}", True),
        ("localhost:{port}", True),
        ("LOCALHOST", True),
        ("[::1]:{port}", True),
        ("127.1.2.3", True),
        ("evil.example:{port}", False),
        ("127.0.0.1.evil.example", False),
        ("localhost.evil.example:{port}", False),
        ("", False),
    ],
)
def test_a_loopback_server_answers_to_loopback_names_only(
    lab: Lab, host: str, allowed: bool
) -> None:
    """A page that rebinds its own name to 127.0.0.1 (DNS rebinding) is refused everywhere."""
    port = lab.url.rsplit(":", 1)[1]
    headers = {"Host": host.format(port=port)}
    for path in ("/healthz", "/login", "/api/v1/me"):
        answer = httpx.get(lab.url + path, headers=headers)
        if allowed:
            assert answer.status_code in (200, 401), (host, path)
        else:
            assert answer.status_code == 421, (host, path, answer.status_code)
            assert answer.json()["error"]["code"] == "wrong_host"
