"""The demo step: assess the lab's pseudonymized trial table, then anonymize it to the threshold."""

from __future__ import annotations

from typing import Any

from labwarden.demo.context import DemoContext, Section, shell
from labwarden.privacy import risk
from labwarden.privacy.anonymize import anonymize
from labwarden.privacy.criteria import Criteria
from labwarden.privacy.io import read_columns

DEMO_HIERARCHIES = {
    "AGE": "interval:5,10,20",
    "BRTHDTC": "date:year,5years,decade",
    "SITEID": "mask:1,2",
    "COUNTRY": "suppress",
    "SEX": "suppress",
    "RACE": "suppress",
}


def privacy_step(context: DemoContext) -> None:
    """Show initial vs residual risk of the trial table anonymized to the EMA/HC threshold."""
    lab = context.lab
    relative = lab.facts.get("trial_table")
    qis = list(lab.facts.get("trial_quasi_identifiers", []))
    if not relative or not qis:
        return
    source = lab.root / relative
    out_dir = context.workspace.root / "privacy"
    out_dir.mkdir(parents=True, exist_ok=True)
    output = out_dir / "subjects_anonymized.parquet"
    threshold = risk.DEFAULT_THRESHOLD
    result = anonymize(
        source,
        qis,
        Criteria(max_risk=threshold, max_suppression=0.05),
        hierarchies={q: DEMO_HIERARCHIES[q] for q in qis if q in DEMO_HIERARCHIES},
        drop=["subject_pseudonym"] if "subject_pseudonym" in read_columns(source) else [],
        threshold=threshold,
        output=output,
    )
    before, after = result.initial, result.residual
    rows: list[dict[str, Any]] = [
        {"measure": "records", "initial": before.rows, "anonymized": after.rows},
        {"measure": "equivalence classes", "initial": before.classes, "anonymized": after.classes},
        {
            "measure": "k-anonymity",
            "initial": before.smallest_class,
            "anonymized": after.smallest_class,
        },
        {
            "measure": "sample uniques",
            "initial": f"{before.sample_uniqueness:.1%}",
            "anonymized": f"{after.sample_uniqueness:.1%}",
        },
        {
            "measure": "highest risk",
            "initial": f"{before.prosecutor.highest:.3f}",
            "anonymized": f"{after.prosecutor.highest:.3f}",
        },
        {
            "measure": "average risk",
            "initial": f"{before.prosecutor.average:.3f}",
            "anonymized": f"{after.prosecutor.average:.3f}",
        },
        {
            "measure": f"records at risk > {threshold:g}",
            "initial": f"{before.prosecutor.records_at_risk:.1%}",
            "anonymized": f"{after.prosecutor.records_at_risk:.1%}",
        },
    ]
    for item in result.generalization():
        rows.append(
            {
                "measure": f"{item['column']} generalized to",
                "initial": "original",
                "anonymized": f"level {item['level']}/{item['max_level']} ({item['hierarchy']})",
            }
        )
    rows.append({"measure": "suppressed records", "initial": 0, "anonymized": result.suppressed})
    context.sections.append(
        Section(
            f"Trial data re-identification risk ({relative}, threshold {threshold:g})",
            ["measure", "initial", "anonymized"],
            rows,
        )
    )
    hierarchy_args = " ".join(
        f"--hierarchy {q}={DEMO_HIERARCHIES[q]}" for q in qis if q in DEMO_HIERARCHIES
    )
    context.next_commands.append(
        f"labwarden privacy risk {shell(source)} --qi {','.join(qis)} --population-fraction 0.01"
    )
    context.next_commands.append(
        f"labwarden privacy anonymize {shell(source)} --qi {','.join(qis)} {hierarchy_args} "
        f"--max-risk {threshold:g} --max-suppression 5% --drop subject_pseudonym "
        f"--output anonymized.parquet"
    )
