"""Checks: each takes an asset and returns findings, never executing what it reads."""
