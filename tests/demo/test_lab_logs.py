"""The demo lab's service and host logs: each is detected as its format and parses cleanly."""

from __future__ import annotations

from labwarden.demo.lab import Lab
from labwarden.watch.parsers.auditd import AuditdParser
from labwarden.watch.parsers.base import LogFile
from labwarden.watch.parsers.http import HttpAccessParser
from labwarden.watch.parsers.registry import detect
from tests.watch.parsers.conftest import parse


def test_demo_registry_log_is_detected_as_http(demo_lab: Lab) -> None:
    assert detect(LogFile(demo_lab.root / "logs/registry/access.log")).name == "http"


def test_demo_registry_logs(demo_lab: Lab) -> None:
    events, issues = parse(HttpAccessParser(), demo_lab.root / "logs/registry/access.log.1.gz")
    assert issues == [] and len(events) == 40


def test_demo_audit_log(demo_lab: Lab) -> None:
    events, issues = parse(AuditdParser(), demo_lab.root / "logs/hosts/gpu-node-3/audit.log")
    assert issues == [] and events
