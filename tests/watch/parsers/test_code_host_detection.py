"""Code-host logs end to end: ingested into the lake, the bundled rule pack raises each alert
it is for (and not the others), SigmaHQ's GitHub rules run on the same lake, and the analytics
single out a developer who copies every repository."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from labwarden.engines.duckdb import DuckDBEngine, connect, create_events_view
from labwarden.store.analytics import FeatureStore
from labwarden.store.lake import Lake
from labwarden.watch.analytics.engine import AnalyticsConfig, refresh, score
from labwarden.watch.detect.run import run_rules
from labwarden.watch.detect.sigma.rules import bundled_rules_dir, load
from labwarden.watch.ingest import ingest
from labwarden.watch.resources import Resolver
from tests.watch.detect.helpers import write_rule
from tests.watch.parsers.code_hosts import START, github, gitlab, gitlab_api

CLONES = 25


def lake_of(tmp_path: Path, files: dict[str, list[dict[str, Any]]]) -> DuckDBEngine:
    paths = []
    for name, records in files.items():
        path = tmp_path / name
        path.write_text("".join(json.dumps(r) + "\n" for r in records))
        paths.append(path)
    lake = Lake(tmp_path / "lake")
    result = ingest(paths, lake, Resolver.empty())
    assert not result.issues if hasattr(result, "issues") else True
    con = connect()
    create_events_view(con, lake.root)
    return con


def incident() -> dict[str, list[dict[str, Any]]]:
    """One morning at a lab: ordinary work, and an insider taking the code."""
    hub = [github(m, "git.clone", actor="dev", repo=f"acme-ai/repo-{m % 3}") for m in range(6)]
    hub += [
        github(10 + m, "git.clone", repo=f"acme-ai/repo-{m}") for m in range(CLONES)
    ]  # mallory, 25 distinct repositories in 25 minutes
    hub += [github(40 + m, "repo.download_zip", repo=f"acme-ai/repo-{m}") for m in range(12)]
    hub += [
        github(60, "repo.access", repo="acme-ai/assays", visibility="public"),
        github(61, "repo.access", repo="acme-ai/site", visibility="private", actor="dev"),
        github(62, "deploy_key.create", repo="acme-ai/assays"),
        github(63, "personal_access_token.access_granted"),
        github(64, "protected_branch.destroy", repo="acme-ai/trainer", branch="main"),
        github(65, "org.disable_saml"),
        github(66, "repo.transfer_outgoing", repo="acme-ai/docking"),
        github(67, "repo.fork", repo="mallory-personal/assays", fork_source="acme-ai/assays"),
        github(
            68, "repo.fork", repo="acme-ai/assays-v2", fork_source="acme-ai/assays", actor="dev"
        ),
    ]
    lab = [
        gitlab(5, "repository_git_operation", details={"action": "git-upload-pack"}),
        gitlab(
            70,
            "project_visibility_level_updated",
            details={"change": "visibility_level", "from": "Private", "to": "Public"},
        ),
        gitlab(71, "deploy_key_added"),
        gitlab(72, "project_access_token_created"),
        gitlab(73, "protected_branch_removed"),
        gitlab(74, "project_fork_operation", target_details="eve-personal/docking"),
    ]
    api = [gitlab_api(75, {"change": "visibility", "from": "Private", "to": "Public"})]
    return {"github.jsonl": hub, "gitlab.jsonl": lab, "gitlab-api.json": api}


@pytest.fixture(scope="module")
def alerts(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str | None, int]]:
    con = lake_of(tmp_path_factory.mktemp("code-host"), incident())
    rules = load([bundled_rules_dir()])
    assert [p for p in rules.problems if "lw_code_host" in p.path] == []
    result = run_rules(con, [r for r in rules.rules if "lw_code_host" in r.path])
    assert result.problems == []
    return sorted((d.rule.title, d.group.get("actor_user"), d.count) for d in result.detections)


def titles(alerts: list[tuple[str, str | None, int]]) -> dict[str, int]:
    """Events behind each single-event rule's alerts (alerts are grouped by actor)."""
    found: dict[str, int] = {}
    for title, _, count in alerts:
        if not title.startswith("Many"):
            found[title] = found.get(title, 0) + count
    return found


def test_mass_clone_and_archive_downloads(alerts: list[tuple[str, str | None, int]]) -> None:
    by_title = {t: (actor, count) for t, actor, count in alerts}
    assert by_title["Many Repositories Cloned by One Actor"] == ("mallory", CLONES)
    assert by_title["Many Repository Archives Downloaded by One Actor"] == ("mallory", 12)
    # The developer's six clones of three repositories raise nothing.
    assert all(actor != "dev" for t, actor, _ in alerts if t.startswith("Many"))


def test_each_opening_of_the_code(alerts: list[tuple[str, str | None, int]]) -> None:
    assert titles(alerts) == {
        "Repository Made Public": 3,  # GitHub, GitLab streaming, GitLab API
        "Deploy Key Added to a Repository": 2,
        "Personal or Project Access Token Created": 2,
        "Branch Protection Removed or Bypassed": 2,
        "Single Sign-On Disabled or Bypassed": 1,
        "Repository Transferred or Forked Outside the Organization": 3,
    }


def test_sigmahq_github_rules_run_on_the_lake(tmp_path: Path) -> None:
    """A rule in SigmaHQ's shape (product github, service audit, GitHub's field names)."""
    con = lake_of(tmp_path, incident())
    folder = tmp_path / "rules"
    write_rule(
        folder,
        "github_visibility.yml",
        "title: GitHub Repository Visibility Changed to Public\n"
        "id: 11111111-2222-4333-8444-555555555555\nstatus: test\n"
        "logsource:\n    product: github\n    service: audit\n"
        "detection:\n    selection:\n        action: 'repo.access'\n"
        "        visibility: 'public'\n    condition: selection\nlevel: high\n",
    )
    result = run_rules(con, load([folder]).rules)
    assert result.problems == []
    assert [(d.rule.title, d.count) for d in result.detections] == [
        ("GitHub Repository Visibility Changed to Public", 1)
    ]


def test_analytics_single_out_the_copier(tmp_path: Path) -> None:
    """Twelve days of a few clones and pushes a day per developer; then one of them clones 60
    repositories at night, from a new network with a new tool. The analytics see the code host
    like any other source: only that principal-day becomes an alert."""
    records = []
    for day in range(12):
        for dev in ("ana", "bo", "cy"):
            for n in range(3):
                minute = day * 1440 + 600 + n * 30
                repo = f"acme-ai/{dev}-repo-{n}"
                records.append(github(minute, "git.clone", actor=dev, repo=repo))
                records.append(github(minute + 5, "git.push", actor=dev, repo=repo))
    night = 12 * 1440 + 180
    records += [
        github(
            night + m,
            "git.clone",
            actor="bo",
            repo=f"acme-ai/repo-{m}",
            actor_ip="45.67.89.10",
            user_agent="JGit/6.8",
        )
        for m in range(60)
    ]
    lake_dir = tmp_path / "lake"
    path = tmp_path / "github.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    ingest([path], Lake(lake_dir), Resolver.empty())
    con = connect()
    create_events_view(con, lake_dir)
    store = FeatureStore(lake_dir)
    found = score(con, store, refresh(con, lake_dir, store), AnalyticsConfig())
    assert [(a.principal, a.day) for a in found] == [("bo", (START + timedelta(days=12)).date())]
    assert "objects" in [c[0] for c in found[0].components]
