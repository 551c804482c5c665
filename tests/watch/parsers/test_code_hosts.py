"""GitHub and GitLab audit logs: normalization, detection of the export formats, and untrusted
bytes."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labwarden.watch.parsers.base import Issue, LogFile
from labwarden.watch.parsers.github import GitHubAuditParser, event_time
from labwarden.watch.parsers.gitlab import GitLabAuditParser
from labwarden.watch.parsers.registry import detect, get_parser
from tests.watch.parsers.code_hosts import START, github, gitlab, gitlab_api
from tests.watch.parsers.conftest import parse


def test_github_clone_is_a_read_of_a_repository(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    path.write_text(
        json.dumps(
            github(
                0,
                "git.clone",
                repo="acme-ai/docking-model",
                repository_public=False,
                transport_protocol_name="http",
                hashed_token="h4sh=",
                programmatic_access_type="Fine-grained personal access token",
            )
        )
        + "\n"
    )
    (event,), issues = parse(GitHubAuditParser(), path)
    assert issues == []
    assert event["time"] == START
    assert event["activity"] == "read"
    assert event["api_service"] == "github" and event["api_operation"] == "git.clone"
    assert event["actor_user"] == "mallory" and event["actor_uid"] == "4242"
    assert event["actor_type"] == "Fine-grained personal access token"
    assert event["access_key"] == "h4sh="
    assert event["src_ip"] == "203.0.113.50"
    assert event["resource_type"] == "repository"
    assert event["resource_uri"] == "github:acme-ai/docking-model"
    assert (event["resource_bucket"], event["resource_key"]) == ("acme-ai", "docking-model")
    assert event["cloud_account"] == "acme-enterprise"
    assert event["event_uid"].startswith("doc-git.clone")


def test_github_export_array_with_iso_and_ms_times(tmp_path: Path) -> None:
    records = [
        {
            "action": "org.add_member",
            "actor": "octocat",
            "created_at": millis_text(),
            "org": "acme-ai",
            "user": "newbie",
            "_document_id": "a",
        },
        {
            "action": "team.add_member",
            "actor": "octocat",
            "@timestamp": "2026-11-03T09:00:00Z",
            "org": "acme-ai",
            "team": "acme-ai/ml",
            "_document_id": "b",
        },
        {
            "action": "repo.create",
            "actor": "dependabot[bot]",
            "created_at": 1793696400000,
            "repo": "acme-ai/new",
            "_document_id": "c",
        },
        {"actor": "no-action", "created_at": 1},
        {"action": "repo.destroy", "actor": "x", "_document_id": "d"},
    ]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(records, indent=2))
    events, issues = parse(GitHubAuditParser(), path)
    assert [e["resource_type"] for e in events] == ["organization", "team", "repository"]
    assert [e["activity"] for e in events] == ["create", "create", "create"]
    assert events[2]["actor_type"] == "bot"
    assert [i.message.split(": ", 1)[1] for i in issues] == [
        "record has no action",
        "record has no @timestamp or created_at",
    ]


def millis_text() -> str:
    return str(int(START.timestamp() * 1000))


def test_github_times() -> None:
    assert event_time({"@timestamp": 1793696400000}) == event_time({"created_at": 1793696400})
    assert event_time({"created_at": "2026-11-03T09:00:00.000Z"}) == START


def test_github_external_fork_and_visibility(tmp_path: Path) -> None:
    path = tmp_path / "stream.jsonl.gz"
    lines = [
        github(1, "repo.access", repo="acme-ai/assays", visibility="public"),
        github(2, "repo.fork", repo="mallory-personal/assays", fork_source="acme-ai/assays"),
        github(3, "repo.fork", repo="acme-ai/assays-copy", fork_source="acme-ai/assays"),
        github(4, "git.push", repo="acme-ai/assays"),
    ]
    path.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in lines).encode()))
    events, _ = parse(GitHubAuditParser(), path)
    assert [(e["resource_type"], e["activity"]) for e in events] == [
        ("repository", "update"),
        ("external_fork", "other"),
        ("fork", "other"),
        ("repository", "write"),
    ]


def test_gitlab_streaming_events(tmp_path: Path) -> None:
    path = tmp_path / "gitlab.jsonl"
    lines = [
        gitlab(
            0, "repository_git_operation", details={"action": "git-upload-pack", "protocol": "ssh"}
        ),
        gitlab(1, "repository_download_operation"),
        gitlab(
            2,
            "project_visibility_level_updated",
            details={"change": "visibility_level", "from": "Private", "to": "Public"},
        ),
        gitlab(3, "deploy_key_added", entity_type="Project"),
        gitlab(
            4,
            "personal_access_token_created",
            entity_type="User",
            entity_path="eve",
            target_details="eve",
        ),
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in lines))
    events, issues = parse(GitLabAuditParser(), path)
    assert issues == []
    assert [(e["api_operation"], e["activity"]) for e in events] == [
        ("repository_git_operation:git-upload-pack", "read"),
        ("repository_download_operation", "read"),
        ("project_visibility_level_updated", "update"),
        ("deploy_key_added", "create"),
        ("personal_access_token_created", "create"),
    ]
    first = events[0]
    assert first["resource_uri"] == "gitlab:acme-ai/models/docking"
    assert (first["resource_bucket"], first["resource_key"]) == ("acme-ai", "models/docking")
    assert first["resource_type"] == "repository"
    assert first["actor_user"] == "Eve Example" and first["actor_uid"] == "17"
    assert first["src_ip"] == "198.51.100.23"
    assert events[4]["resource_type"] == "user"


def test_gitlab_api_events_and_forks(tmp_path: Path) -> None:
    path = tmp_path / "audit_events.json"
    records = [
        gitlab_api(0, {"change": "visibility", "from": "Private", "to": "Public"}),
        gitlab_api(1, {"add": "deploy_key", "as": "read-only"}),
        gitlab_api(2, {"custom_message": "Project archived"}),
        gitlab_api(
            3,
            {},
            event_name="project_fork_operation",
        ),
        gitlab(4, "project_fork_operation", target_details="eve-personal/docking"),
        {"id": 9, "entity_type": "Project", "created_at": "2026-11-03T09:05:00Z", "details": {}},
    ]
    path.write_text(json.dumps(records))
    events, issues = parse(GitLabAuditParser(), path)
    assert [e["api_operation"] for e in events] == [
        "change:visibility",
        "add:deploy_key",
        "Project archived",
        "project_fork_operation",
        "project_fork_operation",
    ]
    assert [e["resource_type"] for e in events[3:]] == ["fork", "external_fork"]
    assert events[0]["event_uid"] == "1"
    assert len(issues) == 1 and "saying what happened" in issues[0].message


def test_detection_picks_each_format(tmp_path: Path) -> None:
    gh = tmp_path / "gh.jsonl"
    gh.write_text(json.dumps(github(0, "repo.download_zip", repo="acme-ai/x")) + "\n")
    gl = tmp_path / "gl.json"
    gl.write_text(json.dumps([gitlab_api(0, {"add": "deploy_key"})], indent=2))
    assert detect(LogFile(gh)).name == "github_audit"
    assert detect(LogFile(gl)).name == "gitlab_audit"
    assert get_parser("github_audit").name == "github_audit"


def test_other_json_logs_are_not_taken(tmp_path: Path) -> None:
    ct = tmp_path / "ct.json"
    ct.write_text(
        json.dumps(
            {
                "Records": [
                    {
                        "eventVersion": "1.09",
                        "eventSource": "s3.amazonaws.com",
                        "eventName": "GetObject",
                    }
                ]
            }
        )
    )
    assert detect(LogFile(ct)).name == "cloudtrail"
    plain = tmp_path / "app.jsonl"
    plain.write_text(json.dumps({"action": "user.login", "time": "2026-01-01T00:00:00Z"}) + "\n")
    assert detect(LogFile(plain)).name == "jsonl"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=6)
    ),
    max_leaves=25,
)
field_names = st.sampled_from(
    [
        "action",
        "actor",
        "@timestamp",
        "created_at",
        "repo",
        "repository",
        "org",
        "fork_source",
        "entity_type",
        "entity_path",
        "event_type",
        "event_name",
        "details",
        "author_id",
        "target_details",
        "id",
        "outcome",
        "hashed_token",
    ]
)


@given(st.lists(st.dictionaries(field_names, json_values, max_size=10), max_size=6))
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_records_of_any_shape(tmp_path: Path, records: list[dict[str, object]]) -> None:
    """Hostile field values give events or reported issues, never an exception."""
    path = tmp_path / "fuzz.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    for parser in (GitHubAuditParser(), GitLabAuditParser()):
        issues: list[Issue] = []
        events = list(parser.parse(LogFile(path), issues.append))
        assert len(events) + len(issues) == len(records)


@given(st.binary(max_size=2000))
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_untrusted_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "bytes.log"
    path.write_bytes(data)
    for parser in (GitHubAuditParser(), GitLabAuditParser()):
        list(parser.parse(LogFile(path), lambda issue: None))
        parser.sniff(data.decode("utf-8", errors="replace"))
