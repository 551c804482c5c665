"""Allow ``python -m labwarden``."""

from labwarden.cli import run

run()
