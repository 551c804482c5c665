"""The access model for the incident scope: who could read which catalog assets, and why.

:class:`ModelAccess` meets :class:`labwarden.respond.incident.scope.AccessProvider`: given the
principals an incident's events name (ARNs, assumed-role sessions, user names), it lists the
object-store assets of the catalog each may read, with the statements that allow it; and given
the affected assets, every principal of the account that could read them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from labwarden.core.errors import InputError
from labwarden.identity.account import Principal
from labwarden.identity.evaluate import Decision
from labwarden.identity.load import load_model, parse_bucket_option
from labwarden.identity.model import AccessModel
from labwarden.identity.tri import Tri
from labwarden.respond.incident.scope import Reachable
from labwarden.store.catalog import Catalog
from labwarden.watch.resources import load_resolver

READ = "s3:GetObject"


@dataclass(frozen=True, slots=True)
class _Asset:
    id: int
    arn: str
    """The ARN prefix of the asset's objects."""


def _s3_assets(catalog: Catalog, asset_ids: Iterable[int] | None = None) -> list[_Asset]:
    """Catalog assets in object stores: scanned ``s3://`` assets, and assets that the
    workspace's ``resources.toml`` maps ``s3://`` prefixes to."""
    wanted = set(asset_ids) if asset_ids is not None else None
    prefixes = [(a.id, uri) for uri, a in catalog.assets.under(["s3://"]).items()]
    resolver = load_resolver(catalog.path.parent, catalog)
    prefixes += [
        (r.asset.asset_id, r.match)
        for r in resolver.rules
        if r.match.startswith("s3://") and r.asset.asset_id is not None
    ]
    found = []
    for asset_id, uri in prefixes:
        if wanted is not None and asset_id not in wanted:
            continue
        path = uri.removeprefix("s3://")
        found.append(_Asset(asset_id, f"arn:aws:s3:::{path if '/' in path else path + '/'}"))
    return found


def _how(decision: Decision) -> str:
    grants = "; ".join(sorted({m.statement.origin for m in decision.allows}))
    if decision.outcome is Tri.MAYBE:
        undecided = sorted({u for m in (*decision.allows, *decision.denies) for u in m.undecided})
        return f"{grants} (if {'; '.join(undecided)})"
    return grants


class ModelAccess:
    """An incident :class:`AccessProvider` backed by an :class:`AccessModel`."""

    def __init__(self, model: AccessModel) -> None:
        self.model = model

    def resolve(self, name: str) -> Principal | None:
        """The account's user or role a principal's ARN or name stands for, or ``None``
        (another account's principal, the root user, not in the file): the same resolution as
        :meth:`resolve_actor`, which says why."""
        if name.startswith("arn:"):
            return self.resolve_actor(name, None, None)[0]
        return self.resolve_actor(None, None, name)[0]

    def resolve_actor(
        self, uid: str | None, role: str | None, user: str | None
    ) -> tuple[Principal | None, str]:
        """The account's identity behind a lake event, from its ARN (``actor_uid``), else its
        role, else its user name: a role session is its role, never a user of the session's
        name. Without one, why: another account, the root user, a service, or not in the file.
        """
        account = self.model.account
        if uid and uid.startswith("arn:"):
            parts = uid.split(":", 5)
            owner = parts[4] if len(parts) > 5 else ""
            if owner and account.id and owner != account.id:
                return None, f"a principal of another account ({owner})"
            path = parts[5] if len(parts) > 5 else ""
            if path == "root":
                return None, "the account's root user (its policies do not apply)"
            if path.startswith("assumed-role/"):
                role = path.split("/")[1]
            elif path.startswith("user/"):
                return self._named(uid, f"user/{path.rsplit('/', 1)[-1]}")
        if role:
            return self._named(None, f"role/{role}")
        if user and not (uid and uid.startswith("arn:")):
            return self._named(None, user)
        return None, "neither a user nor a role"

    def _named(self, arn: str | None, name: str) -> tuple[Principal | None, str]:
        account = self.model.account
        if arn and arn in account.principals:
            return account.principals[arn], ""
        try:
            return account.find(name), ""
        except InputError:
            return None, f"{name} is not in the authorization details"

    def _reach(self, principal: Principal, asset: _Asset) -> Decision:
        return self.model.may(principal, READ, asset.arn, prefix=True)

    def readable_assets(self, principals: Sequence[str], catalog: Catalog) -> list[Reachable]:
        """Object-store assets of the catalog each principal may read, by the identity each
        resolves to (the sessions of one role are that role once)."""
        assets = _s3_assets(catalog)
        identities = {p.arn: p for p in map(self.resolve, principals) if p is not None}
        found = []
        for principal in identities.values():
            for asset in assets:
                decision = self._reach(principal, asset)
                if decision.outcome is not Tri.NO:
                    found.append(Reachable(asset.id, principal.label, _how(decision)))
        return found

    def readers(self, asset_ids: Iterable[int], catalog: Catalog) -> list[Reachable]:
        """Every user and role of the account that may read the given assets."""
        found = []
        for asset in _s3_assets(catalog, asset_ids):
            for principal in self.model.account.principals.values():
                decision = self._reach(principal, asset)
                if decision.outcome is not Tri.NO:
                    found.append(Reachable(asset.id, principal.label, _how(decision)))
        return found


def access_provider(
    details: Path,
    bucket_policies: Sequence[str] = (),
    stored: Mapping[str, str] | None = None,
    acls: Mapping[str, str] | None = None,
) -> ModelAccess:
    """The incident scope's provider from an authorization-details file, ``BUCKET=FILE``s,
    the bucket policies scans read (``stored``; a file given for a bucket wins) and the ACL
    grants to everyone they found (``acls``)."""
    policies = dict(parse_bucket_option(b) for b in bucket_policies)
    model = load_model(details, bucket_policies=policies, stored_policies=stored, stored_acls=acls)
    return ModelAccess(model)
