"""The secret rules: loaded once from the data files in ``data/`` (see :mod:`.catalog`).

Prefixed tokens run where their literal prefix occurs (that makes the search fast); rules that
need a key name next to the value are keyword-driven and run only on lines holding one.
"""

from __future__ import annotations

from labwarden.checks.secrets.catalog import load_catalog
from labwarden.checks.secrets.interface import Rule

RULES: tuple[Rule, ...] = load_catalog()
"""Every rule with a fixed shape; the keyword-driven generic rules live in :mod:`.generic`."""

RULES_BY_ID = {rule.id: rule for rule in RULES}
