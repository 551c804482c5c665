"""Run Cloudsplaining's analysis on each case file; print flagged principals and times (JSON).

Runs with the peer's Python (its own virtual environment), never labwarden's.
"""

import json
import sys
import time
from pathlib import Path
from typing import Any

from cloudsplaining.scan.authorization_details import AuthorizationDetails
from cloudsplaining.shared.exclusions import DEFAULT_EXCLUSIONS


def flagged(results: dict[str, Any], kind_key: object, principals: object) -> dict[str, bool]:
    policies: dict[str, bool] = {}
    for section in ("inline_policies", "customer_managed_policies", "aws_managed_policies"):
        for policy_id, policy in results.get(section, {}).items():
            policies[policy_id] = bool(policy.get("PrivilegeEscalation", {}).get("findings"))
    return policies


def principals_flagged(results: dict[str, Any]) -> set[str]:
    policies = flagged(results, None, None)
    groups = {
        g["name"]: any(
            policies.get(p)
            for s in ("inline_policies", "customer_managed_policies", "aws_managed_policies")
            for p in g.get(s, {})
        )
        for g in results.get("groups", {}).values()
    }
    out: set[str] = set()
    for kind, section in (("user", "users"), ("role", "roles")):
        for principal in results.get(section, {}).values():
            own = any(
                policies.get(p)
                for s in ("inline_policies", "customer_managed_policies", "aws_managed_policies")
                for p in principal.get(s, {})
            )
            via = any(groups.get(g) for g in principal.get("groups", {}) or {})
            if own or via:
                out.add(f"{kind}/{principal['name']}")
    return out


def main() -> None:
    folder = Path(sys.argv[1])
    all_risky = len(sys.argv) > 2 and sys.argv[2] == "all"
    report: dict[str, list[str]] = {}
    total = 0.0
    for path in sorted(folder.glob("*.json")):
        document = json.loads(path.read_text())
        start = time.perf_counter()
        details = AuthorizationDetails(
            document,
            exclusions=DEFAULT_EXCLUSIONS,
            flag_conditional_statements=all_risky,
            flag_resource_arn_statements=all_risky,
        )
        results = details.results
        total += time.perf_counter() - start
        report[path.stem] = sorted(principals_flagged(results))
    print(json.dumps({"seconds": total, "flagged": report}))


main()
