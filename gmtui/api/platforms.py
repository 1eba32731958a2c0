"""Every platform gmtui speaks, each described once: the rest looks it up here.

A platform's package (``gmtui/api/<name>/``) holds its catalogue (``catalogue.BY_NAME``:
operation name -> row, with ``label`` for money moves), models, client, money-move
rules and ``gmtui get`` resources (``resources.get``). Its ``platform.py`` describes it
in one :class:`Platform` without importing any of that, so the CLI's parser and the
dashboard's first frame stay light and a GoMining profile never loads another
platform's code. No platform's package imports another's (a test enforces it).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

# The profile's ``platform`` value -> the module that describes it.
_MODULES = {
    "gomining": "gmtui.api.gomining.platform",
    "webminepool": "gmtui.api.webminepool.platform",
    "mithril": "gmtui.api.mithril.platform",
}
NAMES: tuple[str, ...] = tuple(_MODULES)
DEFAULT = "gomining"


@dataclass(frozen=True)
class Query:
    """What ``gmtui get`` was asked, whatever the platform."""

    user: str = ""
    all_pages: bool = False
    start: date | None = None
    end: date | None = None
    limit: int | None = None
    offset: int | None = None
    id: str | None = None

    def range(self, last_day: date) -> tuple[date, date]:
        """--from/--to, or the 30 days to ``last_day`` (yesterday: the last whole day,
        as the dashboard shows them)."""
        end = self.end or last_day
        return self.start or end - timedelta(days=29), end


@dataclass(frozen=True)
class Platform:
    name: str  # the profile's ``platform`` value
    title: str  # what a person calls it
    package: str  # where its catalogue, client and resources live
    resources: Mapping[str, str]  # ``gmtui get`` resource -> what it shows
    needs_user: frozenset[str] = frozenset()  # resources that read one partner user
    sections: tuple[str, ...] = ()  # the dashboard's sections, in number-key order (see ui/sections.py)
    requires: Mapping[str, str] = field(default_factory=dict)  # profile fields it needs beyond base_url -> their name
    secret_label: str = "API secret"  # what the platform calls the secret (GMTUI_API_SECRET, the keyring)

    def operations(self) -> Mapping[str, Any]:
        """Operation name -> catalogue row."""
        by_name: Mapping[str, Any] = importlib.import_module(self.package + ".catalogue").BY_NAME
        return by_name

    def open(self, profile: Any, state_dir: Any, **core: Any) -> Any:
        """A client for ``profile`` (a config.Profile); ``state_dir`` keeps its files
        (tokens), ``core``: see api.client.Client."""
        return importlib.import_module(self.package + ".client").open_client(profile, state_dir, **core)

    async def check(self, client: Any, profile: Any) -> None:
        """The cheapest call that proves the profile's credentials (and first user) work."""
        await importlib.import_module(self.package + ".client").check(client, profile)

    async def reconcile(self, client: Any) -> list[Any]:
        """Settle the journal's unknown moves of ``client``'s account from the server's
        state, by this platform's rules (its ``reconcile`` module); ``Settled`` rows."""
        settled: list[Any] = await importlib.import_module(self.package + ".reconcile").reconcile(client)
        return settled

    async def get(self, client: Any, resource: str, query: Query) -> Any:
        """Resource ``resource`` as plain data with the API's own field names."""
        return await importlib.import_module(self.package + ".resources").get(client, resource, query)


def platform(name: str) -> Platform:
    """The platform named ``name`` (a profile's ``platform``); KeyError if unknown."""
    module = _MODULES.get(name)
    if module is None:
        raise KeyError(f"unknown platform {name!r}; known: {', '.join(NAMES)}")
    described: Platform = importlib.import_module(module).PLATFORM
    return described


def owner(operation: str) -> tuple[Platform, Any] | None:
    """The platform whose catalogue has ``operation``, and its row."""
    for name in NAMES:
        described = platform(name)
        row = described.operations().get(operation)
        if row is not None:
            return described, row
    return None


def label(operation: str) -> str:
    """What a person calls ``operation`` ("Fast withdrawal"); its name if none."""
    found = owner(operation)
    return str(getattr(found[1], "label", "") or operation) if found else operation


def unit(operation: str) -> str:
    """The unit of a move's ``amount`` parameter ("BTC" unless its row says)."""
    found = owner(operation)
    return str(getattr(found[1], "unit", "") or "BTC") if found else "BTC"
