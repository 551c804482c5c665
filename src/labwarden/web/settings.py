"""Settings an admin changes from the server: their defaults, checks and meaning."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labwarden.core.errors import InputError
from labwarden.store.catalog import Catalog

if TYPE_CHECKING:
    from labwarden.web.auth import Principal


def _hours(text: str) -> str:
    try:
        hours = float(text)
    except ValueError:
        raise InputError(f"session_hours must be a number of hours, not {text!r}") from None
    if not 0.25 <= hours <= 168:
        raise InputError("session_hours must be between 0.25 and 168")
    return f"{hours:g}"


def _text(limit: int) -> Callable[[str], str]:
    def check(text: str) -> str:
        if len(text) > limit:
            raise InputError(f"at most {limit} characters")
        return text.strip()

    return check


@dataclass(frozen=True, slots=True)
class Setting:
    """One setting."""

    key: str
    default: str
    help: str
    check: Callable[[str], str]


SETTINGS = {
    s.key: s
    for s in (
        Setting("lab_name", "labwarden", "Name shown in the page header.", _text(80)),
        Setting(
            "contact",
            "",
            "Security contact shown on every page (who to call about a finding).",
            _text(200),
        ),
        Setting("session_hours", "12", "Hours a page login lasts.", _hours),
    )
}


def read_settings(catalog: Catalog) -> dict[str, Any]:
    """Every setting with its value, default and help."""
    stored = catalog.settings.all()
    return {
        key: {"value": stored.get(key, s.default), "default": s.default, "help": s.help}
        for key, s in SETTINGS.items()
    }


def value(catalog: Catalog, key: str) -> str:
    """The value of one setting."""
    return catalog.settings.all().get(key, SETTINGS[key].default)


def write_setting(catalog: Catalog, key: str, text: str, who: Principal, door: str = "api") -> None:
    """Check and store one setting, audited."""
    setting = SETTINGS[key]
    try:
        checked = setting.check(text)
    except InputError as exc:
        from labwarden.web.errors import ApiError

        raise ApiError(422, f"{key}: {exc.message}") from exc
    with catalog.transaction():
        before = value(catalog, key)
        catalog.settings.set(key, checked, who.name)
        who.record(catalog, door, "settings.set", key, before=before, after=checked)
