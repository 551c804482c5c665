"""Severities and sensitivities compare by rank, never alphabetically as their str base would."""

from __future__ import annotations

import pytest

from labwarden.core.values import Sensitivity, Severity


def test_severity_order() -> None:
    assert Severity.HIGH < Severity.CRITICAL
    assert Severity.CRITICAL > Severity.HIGH
    assert Severity.HIGH >= Severity.MEDIUM
    assert not Severity.HIGH >= Severity.CRITICAL  # alphabetically "high" >= "critical"
    assert Severity.LOW <= Severity.LOW
    assert max(Severity.MEDIUM, Severity.CRITICAL, Severity.HIGH) is Severity.CRITICAL
    assert sorted([Severity.INFO, Severity.CRITICAL, Severity.LOW])[-1] is Severity.CRITICAL


def test_sensitivity_order() -> None:
    assert max(Sensitivity.PUBLIC, Sensitivity.INTERNAL) is Sensitivity.INTERNAL
    assert Sensitivity.RESTRICTED > Sensitivity.CONFIDENTIAL > Sensitivity.INTERNAL
    assert Sensitivity.PUBLIC < Sensitivity.INTERNAL


def test_parse_is_case_insensitive_and_names_the_choices() -> None:
    assert Severity.parse(" High ") is Severity.HIGH
    with pytest.raises(ValueError, match="info, low, medium, high, critical"):
        Severity.parse("severe")


def test_comparing_different_enums_is_an_error() -> None:
    with pytest.raises(TypeError):
        _ = Severity.HIGH < Sensitivity.PUBLIC
