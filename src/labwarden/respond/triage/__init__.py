"""Host triage: the responder's first hour on a Linux server, collected, hashed and judged.

Artifacts are data (``artifacts.toml``); each kind has one small collector (``collectors/``);
what is collected is archived as read (``evidence``), read by pure parsers (``parsers/``) into
records (``model``), and judged by rules (``rules/``). :func:`run_triage` does all of it.
"""

from labwarden.respond.triage.options import TriageOptions, parse_since
from labwarden.respond.triage.run import TriageResult, run_triage

__all__ = ["TriageOptions", "TriageResult", "parse_since", "run_triage"]
