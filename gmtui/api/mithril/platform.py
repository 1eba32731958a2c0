"""Mithril Vault's API (seed 003), as the rest of gmtui looks it up (see api/platforms.py)."""

from gmtui.api.platforms import Platform

PLATFORM = Platform(
    name="mithril",
    title="Mithril Vault",
    package="gmtui.api.mithril",
    resources={
        "user-info": "a bound user's Vault levels and balance (--user ID)",
        "app-balance": "the application's capital per currency",
        "activities": "a bound user's mining activities, newest first (--user ID, --uuid ID, --all)",
        "bindings": "the users bound in this profile, and bindings waiting for Vault's redirect (local)",
    },
    needs_user=frozenset({"user-info", "activities"}),
    requires={"api_key": "Client ID", "mining_key": "Mining key", "web_url": "Web URL"},
    secret_label="client key",
    sections=("vault-users", "vault-activities", "vault-capital", "journal"),
)
