"""The stock entries of Debian, Ubuntu and RHEL hosts (``known.toml``)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class Known:
    """What raises nothing when no package database decides."""

    cron: frozenset[str]
    profile: frozenset[str]
    setuid: frozenset[str]
    system_folders: tuple[str, ...]
    listeners: dict[str, str]
    packet_sockets: frozenset[str]
    sudo_principals: frozenset[str]

    def in_system_folder(self, path: str) -> bool:
        """Whether ``path`` is below a folder of the distribution."""
        return path.startswith(self.system_folders)


@cache
def known() -> Known:
    """The shipped lists."""
    text = resources.files("labwarden.respond.triage").joinpath("known.toml").read_text()
    data = tomllib.loads(text)
    return Known(
        cron=frozenset(data["cron"]),
        profile=frozenset(data["profile"]),
        setuid=frozenset(data["setuid"]),
        system_folders=tuple(data["system_folders"]),
        listeners=dict(data["listeners"]),
        packet_sockets=frozenset(data["packet_sockets"]),
        sudo_principals=frozenset(data["sudo_principals"]),
    )
