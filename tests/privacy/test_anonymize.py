from __future__ import annotations

from pathlib import Path

import pytest

from labwarden.core.errors import InputError
from labwarden.privacy import models
from labwarden.privacy.anonymize import anonymize, percent
from labwarden.privacy.choices import Distance, Diversity
from labwarden.privacy.criteria import Criteria
from labwarden.privacy.encoding import encode_table
from labwarden.privacy.io import read_table
from labwarden.privacy.risk import assess, sensitive_values


def _trial(tmp_path: Path) -> Path:
    import random

    rng = random.Random(7)
    lines = ["USUBJID,AGE,SEX,SITEID,BRTHDTC,DIAG"]
    for n in range(400):
        age = rng.randint(18, 85)
        lines.append(
            f"S-{n:04d},{age},{rng.choice('FM')},{rng.choice(['101', '102', '201', '202'])},"
            f"{2025 - age}-{rng.randint(1, 12):02d},{rng.choice(['I10', 'E11', 'J45', 'F32'])}"
        )
    path = tmp_path / "dm.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


HIER = {
    "AGE": "interval:5,10,20",
    "SITEID": "mask:1,2",
    "BRTHDTC": "date:year,5years,decade",
    "SEX": "suppress",
}


def test_anonymize_meets_max_risk_and_writes_output(tmp_path: Path) -> None:
    source = _trial(tmp_path)
    output = tmp_path / "out.parquet"
    qis = ["AGE", "SEX", "SITEID", "BRTHDTC"]
    result = anonymize(
        source,
        qis,
        Criteria(max_risk=0.09, max_suppression=0.05),
        hierarchies=HIER,
        drop=["USUBJID"],
        output=output,
    )
    assert result.initial.prosecutor.highest == 1.0
    assert result.residual.prosecutor.highest <= 0.09
    assert result.suppressed <= 20
    table = read_table(output)
    assert "USUBJID" not in table.column_names
    assert table.num_rows == 400
    # Re-measuring the written file (suppressed rows are starred) gives the residual risk.
    starred = [all(v == "*" for v in row.values()) for row in table.select(qis).to_pylist()]
    assert sum(starred) >= result.suppressed
    kept = table.filter([not s for s in starred])
    again = assess(encode_table(kept, qis), threshold=0.09, combinations=0)
    assert again.prosecutor.highest == pytest.approx(result.residual.prosecutor.highest)
    assert result.loss["precision"] > 0


def test_l_diversity_and_t_closeness_hold_in_output(tmp_path: Path) -> None:
    source = _trial(tmp_path)
    hierarchy = tmp_path / "diag.csv"
    hierarchy.write_text(
        "I10;circulatory;*\nE11;metabolic;*\nJ45;respiratory;*\nF32;mental;*\n", encoding="utf-8"
    )
    criteria = Criteria(
        k=3,
        l_value=2,
        diversity=Diversity.ENTROPY,
        t=0.3,
        distance=Distance.HIERARCHICAL,
        max_suppression=0.1,
    )
    result = anonymize(
        source,
        ["AGE", "SEX", "SITEID"],
        criteria,
        hierarchies={"AGE": HIER["AGE"], "SITEID": HIER["SITEID"], "DIAG": str(hierarchy)},
        sensitive=["DIAG"],
    )
    assert result.table is not None
    diversity = result.residual.diversity[0]
    assert diversity.entropy_l >= 2 - 1e-9
    assert diversity.t_hierarchical is not None
    assert diversity.t_hierarchical <= 0.3 + 1e-9
    assert result.residual.smallest_class >= 3


def test_bad_input_is_reported(tmp_path: Path) -> None:
    source = _trial(tmp_path)
    with pytest.raises(InputError, match="unknown column AGEX"):
        anonymize(source, ["AGEX"], Criteria(k=2))
    with pytest.raises(InputError, match="neither a --qi nor a --sensitive"):
        anonymize(source, ["AGE"], Criteria(k=2), hierarchies={"SEX": "suppress"})
    with pytest.raises(InputError, match="need --sensitive"):
        anonymize(source, ["AGE"], Criteria(k=2, l_value=2))
    with pytest.raises(InputError, match="no generalization meets"):
        anonymize(source, ["AGE"], Criteria(k=500))
    with pytest.raises(InputError, match="--k must be at least 1"):
        Criteria(k=0)
    assert percent("5%") == pytest.approx(0.05)
    assert percent("0.04") == pytest.approx(0.04)
    with pytest.raises(InputError):
        percent("lots")


def test_sensitive_values_helper_counts_rows() -> None:
    import pyarrow as pa

    column = encode_table(pa.table({"d": ["a", "b", "a"]}), ["d"])[0]
    values = sensitive_values(column)
    assert values.distribution.tolist() == pytest.approx([2 / 3, 1 / 3])
    assert models.distinct_l(models.class_values(values, values.unit * 0, 1)).tolist() == [2]


def test_subject_column_makes_k_count_people(tmp_path: Path) -> None:
    import random

    rng = random.Random(3)
    lines = ["USUBJID,AGE,SEX,VISIT"]
    for subject in range(60):
        age, sex = rng.randint(20, 79), rng.choice("FM")
        lines += [f"S{subject},{age},{sex},{visit}" for visit in range(5)]
    source = tmp_path / "vs.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    hierarchies = {"AGE": "interval:5,10,20", "SEX": "suppress"}
    by_rows = anonymize(source, ["AGE", "SEX"], Criteria(k=5), hierarchies=hierarchies)
    by_people = anonymize(
        source,
        ["AGE", "SEX"],
        Criteria(k=5),
        hierarchies=hierarchies,
        subject="USUBJID",
        drop=["USUBJID"],
    )
    assert by_rows.levels == (0, 0)  # five rows per subject: trivially "5-anonymous"
    assert by_people.initial.smallest_class == 1
    assert by_people.residual.smallest_class >= 5
    assert by_people.residual.subject_column == "USUBJID"
    assert by_people.table is not None and "USUBJID" not in by_people.table.column_names
