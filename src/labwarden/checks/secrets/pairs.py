"""Key/value pairs written apart: the name on one side of a call or a line, the value elsewhere.

``- name: HF_TOKEN`` / ``value: hf_...`` (Kubernetes and Compose ``env`` lists), ``{"name":
"WANDB_API_KEY", "value": "..."}`` (ECS task definitions, Terraform, Helm values),
``os.environ.setdefault("KEY", "...")``, ``os.getenv("KEY", "...")`` defaults, settings classes
(``hf_token: str = Field(default="...")``), ``gh secret set KEY --body "..."``: each pair is
judged as if it were written ``NAME=value``, so every keyword rule and the generic rule apply to
it exactly as they do to an assignment, and the finding points at the value where it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_ENV_LIST = re.compile(
    r"(?m)^[ \t]*-[ \t]*name:[ \t]*[\"']?(?P<name>[\w.\-]{1,80})[\"']?[ \t]*\r?\n"
    r"[ \t]*value:[ \t]*(?P<q>[\"']?)(?P<value>[^\s\"'#|>][^\"'\n]{0,400}?)(?P=q)[ \t]*(?:#.*)?$"
)
_NAME_VALUE = re.compile(
    r"[\"']name[\"']\s*:\s*[\"'](?P<name>[\w.\-]{1,80})[\"']\s*,\s*"
    r"[\"']value[\"']\s*:\s*(?P<q>[\"'])(?P<value>[^\"'\n]{1,400})(?P=q)"
)
_CALL = re.compile(
    r"\b(?:setdefault|putenv|getenv|get)\(\s*[\"'](?P<name>[\w.\-]{1,80})[\"']\s*,\s*"
    r"[rbuRBU]?(?P<q>[\"'])(?P<value>[^\"'\n]{1,400})(?P=q)"
)
_FIELD = re.compile(
    r"(?m)^[ \t]*(?P<name>[A-Za-z_][\w]{0,80})[ \t]*:[^=\n]{1,60}=[ \t]*"
    r"(?:Field|field|Secret|SecretStr|attr\.ib|Option)\(\s*(?:default\s*=\s*)?"
    r"[rbuRBU]?(?P<q>[\"'])(?P<value>[^\"'\n]{1,400})(?P=q)"
)
_SECRET_SET = re.compile(
    r"\b(?:gh|glab)\s+(?:secret|variable)\s+set\s+(?P<name>[\w.\-]{1,80})\b[^\n]*?"
    r"\s(?:--body|-b)[ =](?P<q>[\"']?)(?P<value>[^\s\"']{1,400})(?P=q)"
)
_FORMS = (
    ("name:", _ENV_LIST),
    ('name"', _NAME_VALUE),
    ("name'", _NAME_VALUE),
    ("(", _CALL),
    ("(", _FIELD),
    ("secret set", _SECRET_SET),
    ("variable set", _SECRET_SET),
)


MAX_PAIRS = 5000
"""Pairs judged per text: a generated file of thousands of pairs is not a settings file, and
each pair costs a small scan."""


def pairs(text: str) -> Iterator[tuple[str, str, int]]:
    """``(name, value, value offset)`` for the pairs written apart in ``text`` (at most
    :data:`MAX_PAIRS`)."""
    count = 0
    for marker, pattern in _FORMS:
        if marker not in text:
            continue
        for match in pattern.finditer(text):
            yield match.group("name"), match.group("value"), match.start("value")
            count += 1
            if count >= MAX_PAIRS:
                return
