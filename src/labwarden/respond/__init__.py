"""Incident response: host triage (collection and findings) and incidents (timeline, scope,
breach report)."""
