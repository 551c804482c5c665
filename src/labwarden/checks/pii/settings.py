"""The PII check's settings from the workspace policy's ``[pii]`` table.

```toml
[pii]
regions = ["DK", "SE", "GB"]   # phone-number regions tried for numbers without a country code
min_confidence = 0.5           # spans below this are not reported
ner = "spacy:/models/da_core_news_md"   # optional: a spaCy or GLiNER model you installed
```
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from labwarden.checks.pii.interface import DEFAULT_REGIONS, Settings
from labwarden.core.errors import PolicyError


def parse_settings(table: dict[str, Any], where: str) -> Settings:
    """Settings from a ``[pii]`` table; :class:`PolicyError` names the bad field."""
    unknown = set(table) - {"regions", "min_confidence", "ner"}
    if unknown:
        raise PolicyError(f"{where}: the pii table has unknown key(s) {', '.join(sorted(unknown))}")
    regions = table.get("regions", list(DEFAULT_REGIONS))
    if not isinstance(regions, list) or not all(
        isinstance(r, str) and len(r) == 2 and r.isalpha() for r in regions
    ):
        raise PolicyError(f"{where}: pii.regions must be a list of two-letter country codes")
    threshold = table.get("min_confidence", 0.5)
    if not isinstance(threshold, int | float) or not 0 <= threshold <= 1:
        raise PolicyError(f"{where}: pii.min_confidence must be a number from 0 to 1")
    ner = table.get("ner")
    backend = None
    if ner is not None:
        from labwarden.checks.pii.ner import load_backend

        if not isinstance(ner, str):
            raise PolicyError(f"{where}: pii.ner must be a string such as 'spacy:MODEL'")
        backend = load_backend(ner)
    return Settings(tuple(r.upper() for r in regions), float(threshold), backend)


def workspace_settings(root: Path | None) -> Settings:
    """The settings of the workspace at ``root`` (defaults without one or without ``[pii]``)."""
    if root is None:
        return Settings()
    path = root / "policy.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(f"{path}: cannot read the policy: {exc}") from exc
    table = data.get("pii", {})
    if not isinstance(table, dict):
        raise PolicyError(f"{path}: pii must be a table")
    return parse_settings(table, str(path))
