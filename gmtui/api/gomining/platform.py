"""GoMining's Partner API 2.0, as the rest of gmtui looks it up (see api/platforms.py)."""

from gmtui.api.platforms import Platform

_USER_RESOURCES = {
    "overview": "stats, totals, income per TH, rates and balances of one user",
    "stats": "the user's miners, TH/s and W/TH",
    "miners": "the user's miners (NFTs)",
    "earnings": "the user's income records",
    "daily": "the user's income per day (--from/--to; default the 30 days to yesterday)",
    "totals": "the user's lifetime income, on balance and withdrawn",
    "wallets": "the user's bound wallets",
    "balances": "the user's balances per currency",
    "income-per-th": "income per TH/s per day",
    "rates": "exchange rates",
    "commission": "withdrawal fees and minimums",
    "incentives": "the user's discounts",
}

PLATFORM = Platform(
    name="gomining",
    title="GoMining",
    package="gmtui.api.gomining",
    resources={**_USER_RESOURCES, "collections": "miners for sale"},
    needs_user=frozenset(_USER_RESOURCES),
    requires={"api_key": "API key"},
    sections=("overview", "miners", "earnings", "wallets", "withdraw", "upgrades", "shop", "journal"),
)
