from __future__ import annotations

from pathlib import Path

from labwarden.core.workspace import Workspace
from labwarden.demo.lab import Lab
from labwarden.demo.run import DemoContext, _steps
from labwarden.demo.steps.privacy import privacy_step
from labwarden.inventory.scan import ScanResult
from labwarden.store.catalog import Catalog


def test_demo_step_is_registered() -> None:
    assert privacy_step in _steps()


def test_demo_assesses_and_anonymizes_the_trial_table(demo_lab: Lab, tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "ws").ensure()
    with Catalog.open(workspace) as catalog:
        context = DemoContext(demo_lab, workspace, catalog, ScanResult(0))
        privacy_step(context)
    section = next(s for s in context.sections if s.title.startswith("Trial data"))
    rows = {r["measure"]: r for r in section.rows}
    assert rows["highest risk"]["initial"] == "1.000"
    assert float(rows["highest risk"]["anonymized"]) <= 0.09
    assert rows["records at risk > 0.09"]["anonymized"] == "0.0%"
    assert (workspace.root / "privacy" / "subjects_anonymized.parquet").is_file()
    assert any("privacy anonymize" in c for c in context.next_commands)


def test_anonymized_parquet_keeps_other_column_types(demo_lab: Lab, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    from labwarden.privacy.anonymize import anonymize
    from labwarden.privacy.criteria import Criteria

    out = tmp_path / "out.parquet"
    anonymize(
        demo_lab.root / demo_lab.facts["trial_table"],
        ["AGE", "SEX"],
        Criteria(k=2),
        hierarchies={"AGE": "interval:10"},
        drop=["subject_pseudonym"],
        output=out,
    )
    schema = pq.read_schema(out)
    assert str(schema.field("weight_kg").type) == "double"
    assert str(schema.field("AGE").type) == "string"
    assert "subject_pseudonym" not in schema.names
