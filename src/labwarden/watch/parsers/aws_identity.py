"""Who acted, for every kind of AWS principal, whichever AWS log names it.

CloudTrail describes the caller in ``userIdentity`` (its mapping is written as field expressions
in :mod:`labwarden.watch.parsers.cloudtrail`); S3 server access logs name it by an ARN only. Both
follow the same rules, kept here:

* an assumed-role session acts as its ``sourceIdentity`` when the identity provider set one, else
  as its role session name (a person, an e-mail, an instance ``i-...``), and the role is its peer
  group (``actor_role``);
* a session whose name an SDK or a service makes up per session (:data:`MACHINE_SESSION`), and
  every session of a service-linked role (:data:`SERVICE_LINKED_ROLE`, AWS operating the account),
  names no one: it acts as its role;
* an IAM user, a federated user (its peer group is the user that issued the token) and the root
  user act as themselves; an AWS service acts as its service name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MACHINE_SESSION = (
    r"(botocore-session-|aws-go-sdk-|aws-sdk-[a-z]+-|Mando[A-Za-z]*|AWS[A-Za-z]*-?)?"
    r"([0-9]{6,}|[0-9a-f]{20,}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
)
"""Role session names an SDK or a service makes up per session (a timestamp, a random number,
a task id): they name no one, so such a session acts as its role. A pattern that means the same
in Python's ``re`` and DuckDB's RE2, matched against the whole name."""

SERVICE_LINKED_ROLE = r"AWSServiceRoleFor[A-Za-z0-9+=,.@_-]*"
"""Service-linked roles: an AWS service (Trusted Advisor, Inspector, RDS...) acting in the
account, whatever it names its sessions (``TrustedAdvisor_<account>_<uuid>``)."""

_MACHINE = re.compile(MACHINE_SESSION)
_SERVICE_LINKED = re.compile(SERVICE_LINKED_ROLE)
_ARN = re.compile(r"arn:aws[a-z-]*:(?:iam|sts)::(?P<account>[0-9]*):(?P<resource>.+)")
_SERVICE = re.compile(r"svc:(?P<service>[a-z0-9.-]+)")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who acted (``actor_user``), through which role (``actor_role``), of which CloudTrail
    ``userIdentity.type``."""

    user: str | None
    role: str | None
    type: str | None


def session_actor(role: str, session: str) -> str:
    """Who a session of ``role`` named ``session`` is: the session, unless its name is made up
    per session or the role is service-linked (then the role)."""
    if _SERVICE_LINKED.fullmatch(role) or _MACHINE.fullmatch(session):
        return role
    return session


def principal_of(requester: str | None) -> Principal:
    """The principal an ARN, ``svc:`` service name or bare name (canonical user id, ``AmazonS3``)
    stands for, as S3 server access logs name requesters."""
    if not requester:
        return Principal(None, None, None)
    service = _SERVICE.fullmatch(requester)
    if service:
        return Principal(service["service"], None, "AWSService")
    arn = _ARN.fullmatch(requester)
    if arn is None:
        return Principal(requester, None, "AWSService" if requester == "AmazonS3" else None)
    resource = arn["resource"]
    kind, _, rest = resource.partition("/")
    if kind == "assumed-role" and "/" in rest:
        role, session = rest.rsplit("/", 1)
        role = role.rsplit("/", 1)[-1]
        return Principal(session_actor(role, session), role, "AssumedRole")
    if kind == "federated-user" and rest:
        return Principal(rest, None, "FederatedUser")
    if kind == "user" and rest:
        return Principal(rest.rsplit("/", 1)[-1], None, "IAMUser")
    if kind == "role" and rest:
        role = rest.rsplit("/", 1)[-1]
        return Principal(role, role, "Role")
    if resource == "root":
        return Principal("root", None, "Root")
    return Principal(requester, None, None)
