"""The sensitivity policy: defaults, rules with reasons, overrides and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from labwarden.core.asset import Asset, FileRecord
from labwarden.core.errors import PolicyError
from labwarden.core.values import AssetKind, Sensitivity
from labwarden.inventory.policy import load_policy, workspace_policy


def asset(kind: AssetKind, path: str, columns: list[str] | None = None) -> Asset:
    record = FileRecord(path, 1, 0, 0, 0o640, 0, "r", kind, "csv", columns=columns)
    return Asset(path, path.rsplit("/", 1)[-1], kind, [record])


def test_defaults_by_kind() -> None:
    policy = load_policy(None)
    assert policy.classify(asset(AssetKind.MODEL, "/m.pt"))[0] is Sensitivity.CONFIDENTIAL
    assert policy.classify(asset(AssetKind.CREDENTIALS, "/.env"))[0] is Sensitivity.RESTRICTED
    assert policy.classify(asset(AssetKind.LOG, "/a.log"))[0] is Sensitivity.CONFIDENTIAL
    level, reasons = policy.classify(asset(AssetKind.DATASET, "/x/compounds.csv", ["smiles"]))
    assert level is Sensitivity.INTERNAL
    assert [r.rule for r in reasons] == ["kind:dataset"]


def test_trial_columns_make_a_dataset_restricted_with_the_reason() -> None:
    policy = load_policy(None)
    level, reasons = policy.classify(
        asset(AssetKind.DATASET, "/d/export.csv", ["usubjid", "AGE", "SEX", "VSDTC", "weight"])
    )
    assert level is Sensitivity.RESTRICTED
    rule = next(r for r in reasons if r.rule == "clinical-trial-columns")
    assert "usubjid, AGE, SEX, VSDTC" in rule.reason


def test_cdisc_domain_name_and_public_override() -> None:
    policy = load_policy(None)
    assert policy.classify(asset(AssetKind.DATASET, "/s/ae.xpt"))[0] is Sensitivity.RESTRICTED
    level, _ = policy.classify(asset(AssetKind.DOCUMENT, "/docs/public/card.md"))
    assert level is Sensitivity.PUBLIC


def test_user_policy_rules(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(
        '[kinds]\ndataset = { sensitivity = "internal", reason = "d" }\n'
        '[[rules]]\nid = "genomics"\nsensitivity = "restricted"\nreason = "genomes"\n'
        'kinds = ["dataset"]\npath_glob = ["*/genomes/*"]\n'
    )
    policy = load_policy(path)
    level, reasons = policy.classify(asset(AssetKind.DATASET, "/lab/genomes/a.csv"))
    assert level is Sensitivity.RESTRICTED
    assert reasons[-1].reason == "genomes (path lab/genomes/a.csv)"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[kinds\n", "not valid TOML"),
        ('[[rules]]\nid = "x"\nsensitivity = "secret"\nreason = "r"\n', "'secret' is not one of"),
        ('[[rules]]\nid = "x"\nsensitivity = "public"\nreason = "r"\ncolour = 1\n', "unknown key"),
        ('[[rules]]\nid = "x"\nsensitivity = "public"\n', "missing `reason`"),
        (
            '[[rules]]\nid = "x"\nsensitivity = "public"\nreason = "r"\nname_regex = "("\n',
            "regular",
        ),
        ('[kinds]\nweights = { sensitivity = "public" }\n', "[kinds].weights"),
        ("version = 7\n", "unsupported policy version"),
    ],
)
def test_bad_policies_name_the_file_and_the_problem(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(text)
    with pytest.raises(PolicyError) as err:
        load_policy(path)
    assert str(path) in err.value.message
    assert message in err.value.message


def test_workspace_policy_is_written_once_from_the_defaults(tmp_path: Path) -> None:
    target = tmp_path / "policy.toml"
    workspace_policy(target)
    assert "clinical-trial-columns" in target.read_text()
    target.write_text(
        target.read_text().replace(
            'model = { sensitivity = "confidential"', 'model = { sensitivity = "restricted"'
        )
    )
    policy = workspace_policy(target)
    assert policy.classify(asset(AssetKind.MODEL, "/m.pt"))[0] is Sensitivity.RESTRICTED
