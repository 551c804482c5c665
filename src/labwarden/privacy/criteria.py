"""The privacy model an anonymization must meet, and its test on equivalence classes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from labwarden.core.errors import InputError
from labwarden.privacy import models
from labwarden.privacy.choices import Distance, Diversity
from labwarden.privacy.models import SensitiveValues


@dataclass(frozen=True, slots=True)
class Criteria:
    """k-anonymity, l-diversity and t-closeness of every released class, a highest re-
    identification risk, and how much of the table may be suppressed to get there."""

    k: int = 1
    l_value: int | None = None
    diversity: Diversity = Diversity.DISTINCT
    c: float = 3.0
    t: float | None = None
    distance: Distance = Distance.EQUAL
    max_risk: float | None = None
    max_suppression: float = 0.0

    def __post_init__(self) -> None:
        if self.k < 1:
            raise InputError(f"--k must be at least 1, not {self.k}")
        if self.l_value is not None and self.l_value < 1:
            raise InputError(f"--l must be at least 1, not {self.l_value}")
        if self.t is not None and not 0 <= self.t <= 1:
            raise InputError(f"--t must be between 0 and 1, not {self.t}")
        if self.max_risk is not None and not 0 < self.max_risk <= 1:
            raise InputError(f"--max-risk must be in (0, 1], not {self.max_risk}")
        if not 0 <= self.max_suppression <= 1:
            raise InputError(f"--max-suppression must be 0% to 100%, not {self.max_suppression}")
        if self.c <= 0:
            raise InputError(f"--c must be positive, not {self.c}")

    @property
    def effective_k(self) -> int:
        """``k`` raised so that no class has a risk above ``max_risk`` (1/size <= max_risk)."""
        if self.max_risk is None:
            return self.k
        return max(self.k, math.ceil(1.0 / self.max_risk - 1e-9))

    @property
    def monotonic(self) -> bool:
        """Whether a node passing implies every more general node passes.

        k-anonymity, the risk limit and distinct l-diversity are monotonic with suppression
        (a failing merged class is made of failing classes). Entropy and recursive
        l-diversity and t-closeness are only monotonic without suppression: a merged class
        can fail although some of its parts passed, and then more rows are suppressed.
        """
        if self.max_suppression == 0:
            return True
        distinct_only = self.l_value is None or self.diversity is Diversity.DISTINCT
        return distinct_only and self.t is None

    @property
    def needs_sensitive(self) -> bool:
        """Whether l-diversity or t-closeness is asked for."""
        return self.l_value is not None or self.t is not None

    def allowed_suppression(self, rows: int) -> int:
        """How many rows may be suppressed (rounded down, as ARX does)."""
        return math.floor(self.max_suppression * rows + 1e-9)

    def describe(self) -> str:
        """A one-line description, e.g. ``5-anonymity, distinct 2-diversity, <=4% suppressed``."""
        parts = [f"{self.effective_k}-anonymity"]
        if self.max_risk is not None:
            parts.append(f"highest risk <= {self.max_risk:g}")
        if self.l_value is not None:
            extra = f" (c={self.c:g})" if self.diversity is Diversity.RECURSIVE else ""
            parts.append(f"{self.diversity.value} {self.l_value}-diversity{extra}")
        if self.t is not None:
            parts.append(f"{self.t:g}-closeness ({self.distance.value} distance)")
        parts.append(f"<= {self.max_suppression:.2%} suppressed")
        return ", ".join(parts)

    def class_ok(
        self,
        sizes: np.ndarray,
        unit_class: np.ndarray,
        sensitive: Sequence[SensitiveValues],
        budget: float = math.inf,
        people: np.ndarray | None = None,
    ) -> np.ndarray:
        """Which classes meet the model; stops early once more than ``budget`` rows fail.

        ``people`` (distinct subjects per class) replaces the row count for k-anonymity and
        the risk limit when subjects have several rows.
        """
        ok = (sizes if people is None else people) >= self.effective_k
        if not self.needs_sensitive or float(sizes[~ok].sum()) > budget:
            return ok
        for attribute in sensitive:
            pairs = models.class_values(attribute, unit_class, sizes.size)
            if self.l_value is not None:
                if self.diversity is Diversity.DISTINCT:
                    ok &= models.distinct_l(pairs) >= self.l_value
                elif self.diversity is Diversity.ENTROPY:
                    ok &= models.entropy_l(pairs) >= self.l_value * (1 - 1e-12)
                else:
                    ok &= models.recursive_cl(pairs, self.c, self.l_value)
            if self.t is not None:
                reference = attribute.distribution
                if self.distance is Distance.HIERARCHICAL:
                    if attribute.hierarchy is None:
                        raise InputError(
                            f"hierarchical t-closeness needs a hierarchy for {attribute.name} "
                            f"(--hierarchy {attribute.name}=FILE)"
                        )
                    distance = models.t_hierarchical(pairs, reference, attribute.hierarchy)
                else:
                    distance = models.t_equal(pairs, reference)
                ok &= distance <= self.t + 1e-12
        return ok
