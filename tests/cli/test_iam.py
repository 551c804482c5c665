import json
from pathlib import Path

from tests.cli.test_app import run
from tests.identity.builders import ADMIN_ARN, allow, arn, details, policy, user


def write_details(tmp_path: Path) -> Path:
    doc = details(
        [
            user("helpdesk", policy(allow("iam:CreateAccessKey", arn("user", "boss")))),
            user("boss", attached=[ADMIN_ARN]),
            user("reader", policy(allow("s3:GetObject", "arn:aws:s3:::models/*"))),
        ]
    )
    path = tmp_path / "auth.json"
    path.write_text(json.dumps(doc))
    return path


def test_may_explains(tmp_path: Path) -> None:
    path = write_details(tmp_path)
    ws = ["--workspace", str(tmp_path / "ws")]
    result = run(
        *[*ws, "iam", "may", str(path), "user/reader", "s3:GetObject", "arn:aws:s3:::models/x"]
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("allowed: user/reader s3:GetObject")
    assert "Allow by identity policy user/reader inline inline0#0" in result.stdout
    result = run(
        *[
            *ws,
            "iam",
            "may",
            str(path),
            "reader",
            "s3:PutObject",
            "arn:aws:s3:::models/x",
            "-f",
            "json",
        ],
    )
    assert json.loads(result.stdout)["decision"] == "implicitly denied"


def test_who_can_and_audit(tmp_path: Path) -> None:
    path = write_details(tmp_path)
    ws = ["--workspace", str(tmp_path / "ws")]
    result = run(
        *[*ws, "iam", "who-can", str(path), "s3://models", "--access", "read", "-f", "json"]
    )
    assert result.returncode == 0, result.stderr
    assert sorted(g["principal"] for g in json.loads(result.stdout)) == ["user/boss", "user/reader"]
    result = run(*[*ws, "iam", "audit", str(path), "-f", "json", "--fail-on", "high"])
    assert result.returncode == 1
    rules = {f["rule"] for f in json.loads(result.stdout)}
    assert {"privilege-escalation", "wildcard-admin"} <= rules
    result = run(*[*ws, "iam", "audit", str(path), "-f", "sarif"])
    assert json.loads(result.stdout)["runs"][0]["results"]


def test_bad_input_exits_2_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"Users": []}')
    result = run(*["--workspace", str(tmp_path / "ws"), "iam", "audit", str(bad)])
    assert result.returncode == 2
    assert "bad.json" in result.stderr and "Traceback" not in result.stderr
    result = run(*["iam", "may", str(write_details(tmp_path)), "user/nobody", "s3:GetObject", "*"])
    assert result.returncode == 2 and "no user or role named 'user/nobody'" in result.stderr
