"""Population uniqueness from a sample: Pitman, Zayatz and SNB estimators, Dankar's rule.

All estimators work on the class-size histogram of the sample (``sizes``, ``counts``) and
return the estimated *number* of population uniques; divide by the population size for the
fraction. References: Hoshino 2001 (Pitman), Zayatz 1991, Chen & Keller-McNulty 1998 (SNB),
Dankar et al. 2012 (decision rule); the formulas follow ARX's implementation so results agree.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

_MAX_ITERATIONS = 100


@dataclass(frozen=True, slots=True)
class PopulationUniqueness:
    """Estimated population uniques (as fractions of the population) and Dankar's choice."""

    population_size: float
    pitman: float
    zayatz: float
    snb: float
    dankar: float
    dankar_model: str

    def to_dict(self) -> dict[str, float | str | None]:
        """A JSON-ready dictionary; an estimator that did not converge is ``None``."""
        return {
            "population_size": self.population_size,
            "pitman": _json(self.pitman),
            "zayatz": _json(self.zayatz),
            "snb": _json(self.snb),
            "dankar": _json(self.dankar),
            "dankar_model": self.dankar_model,
        }


def _json(value: float) -> float | None:
    return None if math.isnan(value) else value


def _valid(value: float) -> bool:
    return not math.isnan(value) and value != 0.0


def _pitman_domain(theta: float, alpha: float) -> bool:
    return 0 < alpha < 1 and theta > -alpha and math.isfinite(theta)


def pitman(sizes: np.ndarray, counts: np.ndarray, sample: int, population: float) -> float:
    """Pitman's estimate of the number of population uniques (maximum likelihood, Newton)."""
    from scipy import special  # type: ignore[import-untyped]  # slow to import: only when used

    c1 = float(counts[sizes == 1].sum())
    if c1 == 0:
        return 0.0
    c2 = float(counts[sizes == 2].sum()) or 1.0
    u = float(counts.sum())
    n = float(sample)
    c = c1 * (c1 - 1) / c2
    theta = (n * u * c - c1 * (n - 1) * (2 * u + c)) / ((2 * c1 * u + c1 * c) - n * c)
    alpha = (theta * (c1 - n) + (n - 1) * c1) / (n * u)
    big = sizes[sizes != 1].astype(np.float64)
    weight = counts[sizes != 1].astype(np.float64)
    x = np.array([theta, alpha], dtype=np.float64)
    for _ in range(_MAX_ITERATIONS):
        step = _pitman_step(special, float(x[0]), float(x[1]), u, n, big, weight)
        if step is None:
            return math.nan
        x, done = _damped(x, step)
        if done:
            break
    t, a = float(x[0]), float(x[1])
    if math.isnan(t) or math.isnan(a) or a == 0:
        return math.nan
    try:
        result = math.exp(
            special.gammaln(t + 1) - special.gammaln(t + a) + a * math.log(population)
        )
    except (OverflowError, ValueError):
        return math.nan
    return result if 0 <= result <= population else math.nan


def _pitman_step(
    special: Any, t: float, a: float, u: float, n: float, big: np.ndarray, weight: np.ndarray
) -> np.ndarray | None:
    """The Newton step at ``(theta, alpha) = (t, a)`` (``None`` outside the model's domain)."""
    if not (math.isfinite(t) and math.isfinite(a)) or a == 0 or not _pitman_domain(t, a):
        return None
    top = u - 1 + t / a + 1
    ps_top, ps_low = special.digamma(top), special.digamma(t / a + 1)
    tg_top, tg_low = special.polygamma(1, top), special.polygamma(1, t / a + 1)
    o1 = (ps_top - ps_low) / a
    o2 = special.digamma(n + t) - special.digamma(t + 1)
    o3 = (-t * ps_top + a * (u - 1) + t * ps_low) / (a * a)
    o4 = float(np.dot(weight, special.digamma(big - a) - special.digamma(1 - a)))
    d1 = (tg_low - tg_top) / (a * a)
    d5 = (a * ps_top + t * tg_top - a * ps_low - t * tg_low) / (a**3)
    d3 = (
        a * a * (u - 1) - t * t * tg_top + t * t * tg_low - 2 * a * t * ps_top + 2 * a * t * ps_low
    ) / (a**4)
    d2 = special.polygamma(1, t + 1) - special.polygamma(1, n + t)
    d4 = float(np.dot(weight, special.polygamma(1, 1 - a) - special.polygamma(1, big - a)))
    value = np.array([o1 - o2, o3 - o4])
    jacobian = np.array([[d2 - d1, -d5], [-d5, -d3 - d4]])
    try:
        step: np.ndarray = np.linalg.solve(jacobian, value)
    except np.linalg.LinAlgError:
        return None
    return step


def _damped(x: np.ndarray, step: np.ndarray) -> tuple[np.ndarray, bool]:
    """``x`` after ``step``, halved until theta > -alpha and 0 < alpha < 1 where the model is
    defined (an undamped step can jump to negative polygamma arguments); whether it converged."""
    for _ in range(60):
        if _pitman_domain(float(x[0] - step[0]), float(x[1] - step[1])):
            break
        step = step / 2
    x = x - step
    return x, bool(np.all(np.abs(step) <= 1e-13 * np.maximum(1.0, np.abs(x))))


def zayatz(sizes: np.ndarray, counts: np.ndarray, sample: int, population: float) -> float:
    """Zayatz's estimate of the number of population uniques."""
    from scipy import stats  # slow import: only when used

    c1 = float(counts[sizes == 1].sum())
    if c1 == 0:
        return 0.0
    u = float(counts.sum())
    total = round(population)
    draws = int(sample)
    p_size = stats.hypergeom.pmf(1, total, sizes.astype(np.int64), draws)
    temp = float(np.dot(counts / u, p_size))
    p_one = float(stats.hypergeom.pmf(1, total, 1, draws))
    if temp == 0:
        return math.nan
    conditional = (c1 / u) * p_one / temp
    return c1 * conditional / (sample / population)


def _shlosser(sizes: np.ndarray, counts: np.ndarray, classes: float, c1: float, f: float) -> float:
    """Estimated number of non-empty classes in the population (as ARX computes it)."""
    s = sizes.astype(np.float64)
    v = counts.astype(np.float64)
    f2 = f * f
    var1 = float(np.sum(s * f2 * np.power(1 - f2, s - 1) * v))
    part = np.power(1 - f, s) * v
    var2 = float(np.sum(part * np.power(1 + f, s) - 1))
    var3 = float(np.sum(part))
    var4 = float(np.sum(s * f * np.power(1 - f, s - 1) * v))
    return classes + c1 * (var1 / var2) * (var3 / var4) ** 2


def snb(sizes: np.ndarray, counts: np.ndarray, sample: int, population: float) -> float:
    """The SNB (slide negative binomial) estimate of the number of population uniques."""
    from scipy import optimize  # slow import: only when used

    c1 = float(counts[sizes == 1].sum())
    if c1 == 0:
        return 0.0
    c2 = float(counts[sizes == 2].sum())
    f = sample / population
    if f >= 1:
        return c1
    with np.errstate(all="ignore"):
        k = _shlosser(sizes, counts, float(counts.sum()), c1, f)
    if not math.isfinite(k) or k <= 0:
        return math.nan

    def equations(x: np.ndarray) -> np.ndarray:
        a, b = float(x[0]), float(x[1])
        if not (a > 0 and 0 < b < 1):
            return np.array([1e6, 1e6])
        d = (1 - f) * (1 - b)
        e1 = k * f * (b / (1 - d)) ** a * ((a * d) / (1 - d) + 1) - c1
        e2 = k * a * b**a * f * f * (1 - b) / (2 * (1 - d) ** (a + 2)) * (2 - (1 - a) * d) - c2
        return np.array([e1 / c1, e2 / max(c2, 1.0)])

    for start in ((0.5, 0.5), (1.0, 0.1), (0.1, 0.9), (2.0, 0.01), (0.01, 0.5)):
        with np.errstate(all="ignore"):
            solution = optimize.root(equations, np.array(start), method="hybr")
        a, b = (float(v) for v in solution.x)
        if solution.success and a > 0 and 0 < b < 1:
            result = float(k * b**a)
            if 0 <= result <= population:
                return result
    log.debug("SNB did not converge (k=%s, c1=%s, c2=%s)", k, c1, c2)
    return math.nan


def estimate(
    sizes: np.ndarray, counts: np.ndarray, sample: int, population: float
) -> PopulationUniqueness:
    """All estimators and Dankar's decision rule, as fractions of the population."""
    if sample == 0:
        return PopulationUniqueness(population, 0.0, 0.0, 0.0, 0.0, "none")
    f = sample / population
    p = pitman(sizes, counts, sample, population) if f <= 0.1 else math.nan
    z = zayatz(sizes, counts, sample, population)
    s = snb(sizes, counts, sample, population) if f > 0.1 else math.nan
    if float(counts[sizes == 1].sum()) == 0:
        model, chosen = "none", 0.0
    elif f <= 0.1:
        model, chosen = ("pitman", p) if _valid(p) else ("zayatz", z)
    elif _valid(s):
        model, chosen = ("zayatz", z) if z < s else ("snb", s)
    else:
        model, chosen = "zayatz", z

    def frac(value: float) -> float:
        return value / population if _valid(value) else 0.0 if value == 0 else math.nan

    if f > 0.1 and math.isnan(p):
        p = pitman(sizes, counts, sample, population)
    if f <= 0.1 and math.isnan(s):
        s = snb(sizes, counts, sample, population)
    return PopulationUniqueness(population, frac(p), frac(z), frac(s), frac(chosen), model)
