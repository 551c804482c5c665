"""Incident response: host triage (collection and findings)."""
