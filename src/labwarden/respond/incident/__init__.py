"""Incidents: open one from alerts and selectors, then its timeline, scope and breach report.

The incident itself lives in the catalog (``catalog.incidents``,
:mod:`labwarden.store.incidents`); this package builds on it: :mod:`.cases` opens and widens
incidents (deriving their scope from alerts), and says who acts.
"""

from labwarden.respond.incident.cases import (
    IncidentRequest,
    current_actor,
    open_incident,
    widen_incident,
)

__all__ = ["IncidentRequest", "current_actor", "open_incident", "widen_incident"]
