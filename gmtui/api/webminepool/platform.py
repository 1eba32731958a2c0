"""WebMinePool's HTTP API (seed 004), as the rest of gmtui looks it up (see api/platforms.py)."""

from gmtui.api.platforms import Platform

PLATFORM = Platform(
    name="webminepool",
    title="WebMinePool",
    package="gmtui.api.webminepool",
    resources={
        "users": "users who mined in the last 3 days, with their hashes (the API's array)",
        "user-hashes": "one user's hashes (--user NAME)",
        "balance": "the account's balance in WMC",
        "hashes": "the account's unpaid hashes",
        "rates": "satoshi for 1 WMC and for 1,000,000 hashes of web and of CLI mining",
        "token": "a token's state (--id ID)",
    },
    needs_user=frozenset({"user-hashes"}),
    secret_label="secret key",
    sections=("pool-users", "pool-account", "pool-tokens", "journal"),
)
