"""``labwarden serve --tls-cert --tls-key``: HTTPS, Secure cookies and HSTS."""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx

from tests.web.certs import certificate
from tests.web.lab import PASSWORD, build, serve


def test_https_with_secure_cookies(tmp_path: Path) -> None:
    cert, key = certificate(tmp_path)
    lab = serve(
        build(tmp_path, extra_alerts=0),
        tmp_path / "serve.log",
        "--tls-cert",
        str(cert),
        "--tls-key",
        str(key),
        ca=cert,
    )
    try:
        assert lab.url.startswith("https://")
        with httpx.Client(
            base_url=lab.url, verify=ssl.create_default_context(cafile=cert), follow_redirects=False
        ) as client:
            form = client.get("/login")
            assert "max-age=" in form.headers["strict-transport-security"]
            assert "secure" in form.headers["set-cookie"].lower()
            token = form.text.split('name="login_csrf" value="')[1].split('"')[0]
            answer = client.post(
                "/login", data={"name": "admin", "password": PASSWORD, "login_csrf": token}
            )
            assert answer.status_code == 303
            cookie = answer.headers["set-cookie"].lower()
            assert "lw_session=" in cookie
            assert all(flag in cookie for flag in ("secure", "httponly", "samesite=strict"))
            assert client.get("/api/v1/me").json()["via"] == "session"
        plain = lab.url.replace("https://", "http://")
        try:
            refused = httpx.get(f"{plain}/healthz", timeout=5)
            assert refused.status_code >= 400
        except httpx.HTTPError:
            pass  # a TLS server may just drop plain HTTP
    finally:
        lab.stop()
