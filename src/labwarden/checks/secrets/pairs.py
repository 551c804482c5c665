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
    r"(?:setdefault|putenv|getenv|environ\.get)\(\s*[\"'](?P<name>[\w.\-]{1,80})[\"']\s*,\s*"
    r"[rbuRBU]?(?P<q>[\"'])(?P<value>[^\"'\n]{1,400})(?P=q)"
)
_FIELD = re.compile(
    r"(?m)^[ \t]*(?P<name>[A-Za-z_][\w]{0,80})[ \t]*:[^=\n]{1,60}=[ \t]*"
    r"(?:Field|field|SecretStr|attr\.ib|Option)\(\s*(?:default\s*=\s*)?"
    r"[rbuRBU]?(?P<q>[\"'])(?P<value>[^\"'\n]{1,400})(?P=q)"
)
_SECRET_SET = re.compile(
    r"\b(?:gh|glab)\s+(?:secret|variable)\s+set\s+(?P<name>[\w.\-]{1,80})\b[^\n]*?"
    r"\s(?:--body|-b)[ =](?P<q>[\"']?)(?P<value>[^\s\"']{1,400})(?P=q)"
)
_FORMS: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...] = (
    (("- name:", "-name:"), _ENV_LIST),
    (('"name"', "'name'"), _NAME_VALUE),
    (("setdefault(", "putenv(", "getenv(", "environ.get("), _CALL),
    (("field(", "secretstr(", "attr.ib(", "option("), _FIELD),
    (("secret set", "variable set"), _SECRET_SET),
)
"""Each form with the lower-case literals that must occur on its line: the expression runs only
on the lines (and the line after, for ``env`` lists) holding one."""
MARKERS = tuple(sorted({m for markers, _ in _FORMS for m in markers}))
"""Every marker, for the scanner's keyword pass to find in the same sweep as the keywords."""


MAX_PAIRS = 5000
"""Pairs judged per text: a generated file of thousands of pairs is not a settings file, and
each pair costs a small scan."""


def pairs(text: str, at: dict[str, list[int]]) -> Iterator[tuple[str, str, int]]:
    """``(name, value, value offset)`` for the pairs written apart in ``text``, given where
    each marker occurs in its lower-cased form (at most :data:`MAX_PAIRS`)."""
    if not any(marker in at for marker in MARKERS):
        return
    count = 0
    for markers, pattern in _FORMS:
        seen: set[int] = set()
        positions = sorted(p for m in markers for p in at.get(m, ()))
        for start, end in _windows(text, positions):
            for match in pattern.finditer(text, start, end):
                if match.start("value") in seen:
                    continue
                seen.add(match.start("value"))
                yield match.group("name"), match.group("value"), match.start("value")
                count += 1
                if count >= MAX_PAIRS:
                    return


def _windows(text: str, positions: list[int]) -> Iterator[tuple[int, int]]:
    """The line of each sorted position and the line after it, in order, without repeats."""
    last_end = -1
    for pos in positions:
        if pos < last_end:
            continue
        start = text.rfind("\n", 0, pos) + 1
        end = text.find("\n", pos)
        end = len(text) if end < 0 else text.find("\n", end + 1)
        last_end = len(text) if end < 0 else end
        yield start, last_end
