"""Allow ``python -m labwarden``."""

from labwarden.cli.app import main

main()
