"""Jinja2 chat templates (tokenizer configs, GGUF metadata, standalone .jinja files) and the
string values of model configs.

Templates are analyzed as text, never parsed by or rendered with Jinja2. Hugging Face renders chat
templates in a sandbox, but llama-cpp-python rendered them without one (CVE-2024-34359); what
matters is whether a template reaches for the primitives of a sandbox escape: dunder attributes,
the globals of Jinja's helper objects, names built from character codes or escapes, and direct
calls into os/subprocess/eval.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from labwarden.checks.modelfile.interface import Blob, ScanContext
from labwarden.checks.modelfile.payloads import scan_text, snippet
from labwarden.core import safejson
from labwarden.core.values import Severity

_UNESCAPE = re.compile(r"\\x([0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})|\\([0-7]{3})")
_DUNDER = re.compile(
    r"__(globals|builtins|subclasses|mro|class|base|bases|import|init|getattribute|dict|code|"
    r"func|self|closure|reduce|reduce_ex|loader|spec|module|qualname|getitem|call|new|"
    r"defaults|kwdefaults|traceback|frame|f_globals|func_globals)__"
)
_HELPER_GLOBALS = re.compile(
    r"\b(cycler|joiner|lipsum|namespace|range|dict|self|config|request|url_for|"
    r"get_flashed_messages|_TemplateReference__context)\s*(\.|\[|\|\s*attr)"
)
_REQUEST = re.compile(r"\brequest\s*(\.|\[)\s*['\"]?(application|environ|args|form|files)")
_CALLS = re.compile(
    r"\b(os\s*\.\s*(system|popen|exec\w*|spawn\w*|environ|remove|unlink)|subprocess|"
    r"__import__|eval\s*\(|exec\s*\(|compile\s*\(|popen\s*\(|importlib|"
    r"open\s*\(|b64decode|getattr\s*\(|setattr\s*\()"
)
_CHR_BUILD = re.compile(r"\bchr\s*\(\s*\d+\s*\)|%c|\|\s*format\s*\(\s*\d|\\x5f|\\u005f|\\137")
_ATTR_FILTER = re.compile(r"\|\s*attr\s*\(")
_FORMAT_TRICK = re.compile(r"['\"][^'\"]*\{\}[^'\"]*['\"]\s*\.\s*format\s*\(")
_KEYS = re.compile(r"template", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class TemplateIssue:
    """One sandbox-escape primitive found in a template."""

    rule: str
    severity: Severity
    message: str


def unescape(text: str) -> str:
    """Resolve ``\\x5f``-style escapes that hide names from naive matching."""

    def repl(match: re.Match[str]) -> str:
        code = match.group(1) or match.group(2)
        value = int(code, 16) if code else int(match.group(3), 8)
        return chr(value)

    return _UNESCAPE.sub(repl, text)


def analyze_template(template: str) -> list[TemplateIssue]:
    """Sandbox-escape primitives in one Jinja2 template source."""
    issues: list[TemplateIssue] = []
    plain = unescape(template)
    # Only what Jinja evaluates matters: expressions and statements, not literal text.
    code = " ".join(re.findall(r"\{\{.*?\}\}|\{%.*?%\}", plain, re.DOTALL)) or (
        plain if ("{{" in plain or "{%" in plain) else ""
    )
    if not code:
        return issues
    dunder = _DUNDER.search(code)
    if dunder:
        issues.append(
            TemplateIssue(
                "template-sandbox-escape",
                Severity.CRITICAL,
                f"the template reaches the dunder attribute {dunder.group(0)}, the first step "
                "of a Jinja2 sandbox escape (CVE-2024-34359 class)",
            )
        )
    calls = _CALLS.search(code)
    if calls:
        issues.append(
            TemplateIssue(
                "template-code-execution",
                Severity.CRITICAL,
                f"the template calls {calls.group(0).strip()}, which runs commands or code or "
                "reads files when rendered outside a sandbox",
            )
        )
    request = _REQUEST.search(code)
    if request:
        issues.append(
            TemplateIssue(
                "template-sandbox-escape",
                Severity.CRITICAL,
                f"the template walks {request.group(0)}, a web-framework object used to reach "
                "the interpreter",
            )
        )
    if _CHR_BUILD.search(template) or _CHR_BUILD.search(code):
        issues.append(
            TemplateIssue(
                "template-obfuscation",
                Severity.HIGH,
                "the template builds names from character codes or escapes, which hides "
                "attribute names from review",
            )
        )
    helper = _HELPER_GLOBALS.search(code)
    if helper and (dunder or _ATTR_FILTER.search(code)):
        issues.append(
            TemplateIssue(
                "template-sandbox-escape",
                Severity.CRITICAL,
                f"the template reaches into the Jinja helper object {helper.group(1)!r}, "
                "whose globals lead to the os module",
            )
        )
    attr = _ATTR_FILTER.search(code)
    if attr and not dunder:
        issues.append(
            TemplateIssue(
                "template-sandbox-escape",
                Severity.HIGH,
                "the template uses the attr() filter to fetch attributes by computed name",
            )
        )
    if _FORMAT_TRICK.search(code) and (dunder or calls):
        issues.append(
            TemplateIssue(
                "template-sandbox-escape",
                Severity.HIGH,
                "the template uses str.format inside an expression that reaches the interpreter",
            )
        )
    return issues


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:100_000]):
            yield from _strings(item, f"{path}[{index}]")


def report_template(ctx: ScanContext, blob: Blob, where: str, template: str) -> None:
    """Analyze one template and add its findings."""
    for issue in analyze_template(template):
        ctx.add(
            blob,
            issue.rule,
            issue.severity,
            f"{where}: {issue.message}",
            "Do not use this model's chat template: render it only in Jinja2's "
            "ImmutableSandboxedEnvironment (as transformers does) or replace it.",
            evidence={"key": where, "template": snippet(template.encode(), 200)},
        )


def scan_text_file(ctx: ScanContext, blob: Blob) -> None:
    """JSON/YAML configs and standalone templates: templates and payloads in their strings."""
    if blob.size > ctx.limits.max_text_bytes:
        return
    text = bytes(blob.data).decode("utf-8", "replace")
    name = blob.name.lower()
    if name.endswith(".json"):
        _json_file(ctx, blob, text, name)
        return
    if "{{" in text or "{%" in text:
        report_template(ctx, blob, "file", text)
    if name.endswith((".yaml", ".yml")):
        _yaml_file(ctx, blob, text)


def _json_file(ctx: ScanContext, blob: Blob, text: str, name: str) -> None:
    try:
        document = safejson.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        if "{{" in text or "{%" in text:
            report_template(ctx, blob, "file", text)
        if "template" in name or "tokenizer" in name or "config" in name:
            ctx.add(
                blob,
                "malformed-config",
                Severity.LOW,
                f"the file is not valid JSON ({exc}); loaders may reject or misread it",
                "Check where the file came from.",
            )
        return
    for key, value in _strings(document):
        templated = "{{" in value or "{%" in value
        if templated:
            report_template(ctx, blob, key or "value", value)
        elif not _KEYS.search(key) and len(value) >= 8:
            _config_value(ctx, blob, key, value)


def _yaml_file(ctx: ScanContext, blob: Blob, text: str) -> None:
    for number, line in enumerate(text.splitlines()[:200_000], 1):
        if "{{" in line or "{%" in line:
            continue
        notable = [p for p in scan_text(line.encode("utf-8", "replace")) if p.notable]
        if notable:
            ctx.add(
                blob,
                "suspicious-config",
                Severity.MEDIUM,
                f"line {number} holds {notable[0].detail}",
                "Model configuration should not carry commands, code or unknown URLs; "
                "find out what reads this value.",
                line=number,
            )


_SECRET_KEY = re.compile(r"(api[_-]?key|secret|token|password|exfil)", re.IGNORECASE)
_SECRET_VALUE = re.compile(
    r"^(sk-[A-Za-z0-9]{8,}|AKIA[0-9A-Z]{16}|hf_[A-Za-z0-9]{20,}|ghp_\w{20,})"
)


def _config_value(ctx: ScanContext, blob: Blob, key: str, value: str) -> None:
    for payload in scan_text(value.encode("utf-8", "replace")):
        if not payload.notable:
            continue
        ctx.add(
            blob,
            "suspicious-config",
            Severity.MEDIUM,
            f"{key} holds {payload.detail}: {payload.snippet!r}",
            "Model configuration should not carry commands, code or unknown URLs; find out what "
            "reads this value.",
            evidence={"key": key, "kind": payload.kind},
        )
        return
    leaf = key.rsplit(".", 1)[-1]
    if _SECRET_KEY.search(leaf) and _SECRET_VALUE.match(value):
        ctx.add(
            blob,
            "suspicious-config",
            Severity.MEDIUM,
            f"{key} holds what looks like a credential",
            "Remove credentials from model files and rotate the key.",
            evidence={"key": key},
        )
