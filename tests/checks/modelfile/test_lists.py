"""The import policy: allowlist first, denylist, normalization, attribute chains, user files."""

from __future__ import annotations

from pathlib import Path

import pytest

from labwarden.checks.modelfile.lists import load_policy, normalize
from labwarden.core.errors import InputError
from labwarden.core.values import Severity


def test_normalization_of_python2_and_os_aliases() -> None:
    assert normalize("__builtin__", "eval") == ("builtins", "eval")
    assert normalize("copy_reg", "_reconstructor") == ("copyreg", "_reconstructor")
    assert normalize("posix", "system") == ("os", "system")
    assert normalize("nt", "system") == ("os", "system")


@pytest.mark.parametrize(
    ("module", "name", "kind"),
    [
        ("torch._utils", "_rebuild_tensor_v2", "allow"),
        ("collections", "OrderedDict", "allow"),
        ("numpy.core.multiarray", "_reconstruct", "allow"),
        ("sklearn.linear_model._logistic", "LogisticRegression", "allow"),
        ("torch.nn.modules.linear", "Linear", "allow"),
        ("torch.nn.modules.linear", "os.system", "deny"),
        ("sklearn.utils", "__builtins__", "chain"),
        ("os", "system", "deny"),
        ("os.path", "join", "deny"),
        ("mylab.model", "Net", "unknown"),
    ],
)
def test_verdicts(module: str, name: str, kind: str) -> None:
    verdict = load_policy().judge(module, name)
    assert verdict.kind == kind or (kind == "deny" and verdict.kind == "chain"), verdict
    if kind in ("deny", "chain"):
        assert verdict.severity is Severity.CRITICAL


def test_wildcards_never_allow_dunders_or_chains() -> None:
    policy = load_policy()
    assert policy.judge("sklearn.base", "__dict__").kind == "chain"
    assert policy.judge("sklearn.base", "os").kind != "allow"


def test_user_lists_extend_and_bad_files_are_input_errors(tmp_path: Path) -> None:
    allow = tmp_path / "allow.toml"
    allow.write_text('[lab]\nnames = ["mylab.*", "other.mod.Thing"]\n')
    deny = tmp_path / "deny.toml"
    deny.write_text(
        '[lab]\nreason = "is forbidden"\nseverity = "high"\nnames = ["numpy.ndarray"]\n'
    )
    policy = load_policy([allow], [deny])
    assert policy.judge("mylab.model", "Net").kind == "allow"
    assert policy.judge("other.mod", "Thing").kind == "allow"
    verdict = policy.judge("numpy", "ndarray")
    assert verdict.kind == "deny" and verdict.severity is Severity.HIGH
    broken = tmp_path / "broken.toml"
    broken.write_text("[x]\nnames = 3\n")
    with pytest.raises(InputError, match=r"broken\.toml"):
        load_policy([broken])
