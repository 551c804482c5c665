"""The SQLite catalog: one workspace's ``catalog.db`` and the typed stores over its tables.

One writer at a time (``BEGIN IMMEDIATE``), any number of readers (WAL mode), so that the CLI and
the web server can share it. Writes happen in short transactions per batch: a scan that is killed
half-way leaves every committed batch intact and the next scan completes the rest.

Callers never see the connection: they use the stores (``catalog.assets``, ``catalog.files``,
``catalog.findings``, ``catalog.scans``, ``catalog.seals``, ``catalog.alerts``,
``catalog.incidents``, ``catalog.object_versions``, ``catalog.buckets``,
``catalog.alert_triage``, and the web server's ``users``, ``sessions``, ``audit`` and
``settings``), each of which writes atomically on its own, and :meth:`Catalog.transaction`
to make several writes one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Self

from labwarden.core.workspace import Workspace
from labwarden.store.alert_triage import AlertTriageStore
from labwarden.store.alerts import AlertStore
from labwarden.store.assets import AssetStore
from labwarden.store.audit import AuditStore
from labwarden.store.buckets import BucketStore
from labwarden.store.dashboard import DashboardStore
from labwarden.store.db import Database
from labwarden.store.files import FileStore
from labwarden.store.findings import FindingStore
from labwarden.store.incidents import IncidentStore
from labwarden.store.migrate import CATALOG
from labwarden.store.objects import ObjectVersionStore
from labwarden.store.scans import ScanStore
from labwarden.store.seals import SealStore
from labwarden.store.sessions import SessionStore
from labwarden.store.settings import SettingsStore
from labwarden.store.trace import CanaryStore, ShareStore
from labwarden.store.users import UserStore


class Catalog:
    """Access to one workspace's ``catalog.db`` through its typed stores."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.path: Path = db.path
        self.scans = ScanStore(db)
        self.files = FileStore(db)
        self.assets = AssetStore(db)
        self.findings = FindingStore(db)
        self.seals = SealStore(db, self.assets)
        self.alerts = AlertStore(db)
        self.alert_triage = AlertTriageStore(db)
        self.users = UserStore(db)
        self.sessions = SessionStore(db)
        self.audit = AuditStore(db)
        self.settings = SettingsStore(db)
        self.dashboard = DashboardStore(db)
        self.canaries = CanaryStore(db)
        self.shares = ShareStore(db)
        self.incidents = IncidentStore(db)
        self.object_versions = ObjectVersionStore(db)
        self.buckets = BucketStore(db)

    @classmethod
    def open(cls, workspace: Workspace, *, threads: bool = False) -> Catalog:
        """Open (creating and migrating if needed) the catalog of ``workspace``.

        ``threads`` lets another thread use the connection than the one that opened it (the web
        server's pool hands each connection to one request at a time).
        """
        workspace.ensure()
        return cls(Database.open(workspace.catalog_path, CATALOG, what="catalog", threads=threads))

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Make the store writes inside the block one transaction: committed when it ends,
        rolled back on any exception."""
        with self._db.transaction():
            yield

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Make the reads inside the block see one committed state of the catalog (a
        deferred read transaction: no lock on writers in WAL mode)."""
        with self._db.snapshot():
            yield

    @property
    def schema_version(self) -> int:
        """The migration the catalog is at."""
        return int(self._db.pragma("user_version"))

    @property
    def journal_mode(self) -> str:
        """SQLite's journal mode (``wal``)."""
        return str(self._db.pragma("journal_mode"))
