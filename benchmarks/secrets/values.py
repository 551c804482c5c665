"""The values the secrets evaluation set is made of: alphabets, the builder state and one maker
per kind of secret value (shared by the labelled set, its negatives, the held-out set and the
shape tests)."""

from __future__ import annotations

import base64
import json
import random
import string
import struct
import zlib
from dataclasses import dataclass, field

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@dataclass
class Candidate:
    """Lines to insert, whether they hold a secret, and what kind."""

    lines: list[str]
    label: int
    kind: str


@dataclass
class Build:
    rng: random.Random
    rows: list[tuple[str, int, int, int, str]] = field(default_factory=list)

    def r(self, alphabet: str, n: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))


def crc62(body: str) -> str:
    n = zlib.crc32(body.encode())
    out = ""
    while n:
        n, d = divmod(n, 62)
        out = BASE62[d] + out
    return out.rjust(6, "0")


def b64u(obj: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


# ---------------------------------------------------------------- secret values


def aws_pair(b: Build) -> tuple[str, str]:
    return "AKIA" + b.r(B32, 16), b.r(ALNUM + "+/", 40)


def github(b: Build) -> str:
    body = b.r(ALNUM, 30)
    return b.rng.choice(["ghp_", "gho_", "ghs_"]) + body + crc62(body)


def password(b: Build) -> str:
    words = ["Summer", "Winter", "Falcon", "Tr41n", "Kestrel", "Orion", "Lab", "Mango", "Pipeline"]
    style = b.rng.randrange(4)
    if style == 0:
        return b.rng.choice(words) + str(b.rng.randrange(10, 9999)) + b.rng.choice("!#$%&*?")
    if style == 1:
        return b.r(ALNUM + "!@#%^&*", b.rng.randrange(12, 24))
    if style == 2:
        w = b.rng.sample(words, 2)
        return f"{w[0]}-{w[1]}-{b.rng.randrange(100)}"
    return b.r(string.ascii_lowercase, 4) + b.r(string.digits, 3) + b.r(string.ascii_uppercase, 3)


def jwt(b: Build) -> str:
    header = {"alg": b.rng.choice(["HS256", "RS256"]), "typ": "JWT"}
    payload = {"sub": b.r(HEX, 12), "iat": 1760000000, "exp": 1790000000, "scope": "read:models"}
    return f"{b64u(header)}.{b64u(payload)}.{b.r(ALNUM + '-_', 43)}"


def rsa_pem(b: Build) -> list[str]:
    body = base64.b64encode(b"\x30\x82\x04\xa4\x02\x01\x00" + b.rng.randbytes(1190)).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return ["-----BEGIN RSA PRIVATE KEY-----", *lines, "-----END RSA PRIVATE KEY-----"]


def openssh_key(b: Build) -> list[str]:
    blob = b"openssh-key-v1\x00" + struct.pack(">I", 4) + b"none" + struct.pack(">I", 4)
    blob += b"none" + struct.pack(">I", 0) + struct.pack(">I", 1) + b.rng.randbytes(300)
    body = base64.b64encode(blob).decode()
    lines = [body[i : i + 70] for i in range(0, len(body), 70)]
    return ["-----BEGIN OPENSSH PRIVATE KEY-----", *lines, "-----END OPENSSH PRIVATE KEY-----"]


def npm(b: Build) -> str:
    body = b.r(ALNUM, 30)
    return body + crc62(body)
