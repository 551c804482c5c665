"""Code: how training code loads models and data, what it pulls from hubs, what it depends on
(with known vulnerabilities from an offline OSV database), and the images it runs in."""

from labwarden.checks.code.check import CodeCheck, dependencies, vulnerable

__all__ = ["CodeCheck", "dependencies", "vulnerable"]
