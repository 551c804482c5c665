"""The interface of every check, and what a check may use to read an asset's files.

Defined in :mod:`labwarden.core.check` (the inventory runs checks without importing this
package); each concern imports them from here.
"""

from __future__ import annotations

from labwarden.core.check import Check, CheckContext, os_path

__all__ = ["Check", "CheckContext", "os_path"]
