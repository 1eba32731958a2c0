"""Every section of the dashboard, whatever its platform: name -> title and a factory.

A platform lists its sections by name, in number-key order (``Platform.sections`` in
``gmtui/api/<platform>/platform.py``); the app's modes are all of them, and the keys,
the section bar, the palette and help show the active profile's platform's only.
Sections are imported on first visit (the chart library alone costs ~120 ms), but the
overview, which the first frame shows.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from textual.binding import Binding
from textual.screen import Screen

from gmtui.api.platforms import NAMES, platform
from gmtui.ui.screens.overview import OverviewScreen

Factory = Callable[[], Screen[Any]]


def _lazy(module: str, name: str) -> Factory:
    """The section ``name`` of ``gmtui.ui.screens.<module>``, imported when first shown."""

    def make() -> Screen[Any]:
        screen: Screen[Any] = getattr(importlib.import_module(f"gmtui.ui.screens.{module}"), name)()
        return screen

    return make


SECTIONS: dict[str, tuple[str, Factory]] = {
    "overview": ("Overview", OverviewScreen),
    "miners": ("Miners", _lazy("miners", "MinersScreen")),
    "earnings": ("Earnings", _lazy("earnings", "EarningsScreen")),
    "wallets": ("Wallets", _lazy("wallets", "WalletsScreen")),
    "withdraw": ("Withdraw", _lazy("withdraw", "WithdrawScreen")),
    "upgrades": ("Upgrades", _lazy("upgrades", "UpgradesScreen")),
    "shop": ("Shop", _lazy("shop", "ShopScreen")),
    "journal": ("Journal", _lazy("journal", "JournalScreen")),
    "pool-users": ("Users", _lazy("pool_users", "PoolUsersScreen")),
    "pool-account": ("Account", _lazy("pool_account", "PoolAccountScreen")),
    "pool-tokens": ("Tokens", _lazy("pool_tokens", "PoolTokensScreen")),
    "vault-users": ("Users", _lazy("vault_users", "VaultUsersScreen")),
    "vault-activities": ("Activities", _lazy("vault_activities", "VaultActivitiesScreen")),
    "vault-capital": ("Capital", _lazy("vault_capital", "VaultCapitalScreen")),
    "partner": ("Partner", _lazy("partner", "PartnerScreen")),
}
EVERYWHERE = {"partner": "0"}  # sections of every profile, whatever its platform -> their key


def title(name: str) -> str:
    return SECTIONS[name][0]


def factory(name: str) -> Factory:
    return SECTIONS[name][1]


def number_keys() -> list[Binding]:
    """1..9 of every platform, each to the i-th section of that platform (the app lets
    a key act, and shows it in help, only while a profile of its platform is active);
    then the keys of the sections every platform shows (``EVERYWHERE``: 0, Partner)."""
    keys, ids = [], set()
    for name in NAMES:
        for i, section in enumerate(platform(name).sections, start=1):
            bid = f"section.{section}" if f"section.{section}" not in ids else f"section.{name}.{section}"
            ids.add(bid)
            keys.append(Binding(str(i), f"section('{section}', '{name}')", title(section), id=bid, show=False))
    keys += [Binding(key, f"section('{section}')", title(section), id=f"section.{section}", show=False)
             for section, key in EVERYWHERE.items()]
    return keys
