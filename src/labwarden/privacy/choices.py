"""The named choices and defaults of the privacy engine, importable without numpy.

The CLI builds its options from these at start-up; the engine modules re-export them.
"""

from __future__ import annotations

from enum import Enum

DEFAULT_THRESHOLD = 0.09
"""Highest acceptable risk commonly used for EMA Policy 0070 and Health Canada publication."""

DEFAULT_COMBINATIONS = 255
"""How many quasi-identifier combinations distinction and separation are computed for."""


class Diversity(str, Enum):
    """Which l-diversity."""

    DISTINCT = "distinct"
    ENTROPY = "entropy"
    RECURSIVE = "recursive"


class Distance(str, Enum):
    """Ground distance of t-closeness."""

    EQUAL = "equal"
    HIERARCHICAL = "hierarchical"


class Metric(str, Enum):
    """What the anonymization minimizes."""

    ENTROPY = "entropy"
    LOSS = "loss"
    PRECISION = "precision"
    HEIGHT = "height"
