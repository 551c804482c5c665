"""``labwarden serve --tls-cert --tls-key``: HTTPS, Secure cookies and HSTS."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.web.lab import PASSWORD, build, serve


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_https_with_secure_cookies(tmp_path: Path) -> None:
    cert, key = _certificate(tmp_path)
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
