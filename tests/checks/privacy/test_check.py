from __future__ import annotations

from pathlib import Path

from labwarden.checks.interface import CheckContext
from labwarden.checks.privacy import ReidentificationCheck
from labwarden.checks.registry import all_checks
from labwarden.core.asset import Asset, FileRecord
from labwarden.core.values import AssetKind, Sensitivity
from labwarden.inventory.columns import read_columns


def _asset(path: Path, fmt: str, sensitivity: Sensitivity = Sensitivity.RESTRICTED) -> Asset:
    with path.open("rb") as handle:
        columns = read_columns(fmt, handle, path.stat().st_size)
    record = FileRecord(
        str(path),
        path.stat().st_size,
        0,
        0,
        0o640,
        0,
        "me",
        AssetKind.DATASET,
        fmt,
        columns=columns,
    )
    return Asset(
        str(path.parent), path.parent.name, AssetKind.DATASET, [record], sensitivity=sensitivity
    )


def test_registered_in_scan() -> None:
    assert any(isinstance(c, ReidentificationCheck) for c in all_checks())


def test_safe_table_and_unrestricted_assets_are_quiet(tmp_path: Path) -> None:
    path = tmp_path / "safe.csv"
    path.write_text(
        "SEX,COUNTRY,value\n" + "".join(f"{'FM'[i % 2]},DNK,{i}\n" for i in range(100)),
        encoding="utf-8",
    )
    check = ReidentificationCheck()
    assert list(check.run(_asset(path, "csv"), CheckContext())) == []
    assert not check.applies_to(_asset(path, "csv", Sensitivity.INTERNAL))


def test_longitudinal_rows_are_sized_in_subjects(tmp_path: Path) -> None:
    path = tmp_path / "vs.csv"
    lines = ["USUBJID,AGE,SEX,VSORRES"]
    for subject in range(20):
        for visit in range(15):  # 15 rows per subject: 15 >= 1/0.09 rows, but one person
            lines.append(f"S{subject},{30 + subject},M,{visit}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    findings = list(ReidentificationCheck().run(_asset(path, "csv"), CheckContext()))
    assert len(findings) == 1
    assert findings[0].evidence["subject_column"] == "USUBJID"
    assert findings[0].evidence["k_anonymity"] == 1
