"""Re-identification risk of restricted tabular datasets (trial data), measured by
:mod:`labwarden.privacy` on the quasi-identifier columns the inventory already read."""

from labwarden.checks.privacy.check import ReidentificationCheck

__all__ = ["ReidentificationCheck"]
