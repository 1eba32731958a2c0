"""A typed method for every GoMining operation of the catalogue.

Each method names its parameters, converts them to their wire form and calls the
catalogue row. ``*_c2s`` methods act as the partner user ``user`` (a JWT obtained
with auth/init); the others are partner calls signed with the API secret.
"""

from __future__ import annotations

from datetime import date, datetime, time, UTC
from decimal import Decimal
from typing import Any, Literal

from gmtui.api import models as m
from gmtui.api import reconcile, wire
from gmtui.api.client import Client


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


def _bool(value: bool | None) -> str | None:
    return None if value is None else ("true" if value else "false")


def instant(value: date | datetime | str, end: bool = False) -> str:
    if isinstance(value, str):
        return value
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.max if end else time.min, tzinfo=UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class GoMiningClient(Client):
    # ---- what the journal keeps of a money move (see reconcile.py)
    def subject(self, operation: str, params: dict[str, Any], user: str | None) -> str:
        return reconcile.who(operation, params, user)

    async def before_move(self, operation: str, params: dict[str, Any], user: str) -> dict[str, Any]:
        return await reconcile.snapshot(self, operation, params, user)

    # ---- authentication
    async def generate_payload(self, partner_id: str) -> m.AuthPayload:
        return await self.call("auth.generate_payload", {"partnerId": partner_id})

    async def check_proof(self, ton_wallet: dict[str, Any]) -> m.TokenPair:
        return await self.call("auth.check_proof", {"tonWallet": ton_wallet})

    async def refresh_c2s(self, user: str, refresh_token: str) -> m.TokenPair:
        pair = await self.call("auth.refresh.c2s", {"refreshToken": refresh_token}, user=user)
        self.tokens.set(user, pair)  # the old refresh token is spent: never keep it
        return pair

    async def refresh_s2s(self, user: str, refresh_token: str) -> m.TokenPair:
        pair = await self.call("auth.refresh.s2s", {"refreshToken": refresh_token}, user=user)
        self.tokens.set(user, pair)  # the old refresh token is spent: never keep it
        return pair

    async def auth_init(self, partner_user_id: str, email: str | None = None) -> m.TokenPair:
        pair = await self.call("auth.init", {"partnerUserId": partner_user_id, "email": email})
        self.tokens.set(partner_user_id, pair)
        return pair

    # ---- miners
    async def miners_c2s(self, user: str, limit: int | None = None, offset: int | None = None) -> list[m.Miner]:
        return await self.call("nft.get_my.c2s", {"limit": _opt(limit), "offset": _opt(offset)}, user=user)

    async def miners(self, user: str, limit: int | None = None, offset: int | None = None) -> list[m.Miner]:
        return await self.call(
            "nft.get_my.s2s", {"partnerUserId": user, "limit": _opt(limit), "offset": _opt(offset)}
        )

    async def transfer(self, user: str, nft_id: int, to_user: str) -> bool:
        return await self.call("nft.transfer", {"partnerUserId": user, "nftId": nft_id, "toPartnerUserId": to_user})

    # ---- collections and purchases
    async def collections_c2s(self, user: str) -> list[m.Collection]:
        return await self.call("collections.c2s", user=user)

    async def collections(self) -> list[m.Collection]:
        return await self.call("collections.s2s")

    async def payment_init(self, user_id: int, collection_id: int, external_id: str, user: str | None = None) -> m.PaymentInit:
        """``user``: the partner user id, for the journal (the API takes the numeric id)."""
        return await self.call(
            "payment.init", {"userId": user_id, "nftCollectionId": collection_id, "externalId": external_id}, user=user
        )

    async def payment_success(self, user_id: int, external_id: str, user: str | None = None) -> bool:
        return await self.call("payment.success", {"userId": user_id, "externalId": external_id}, user=user)

    async def buy(self, user_id: int, collection_id: int, external_id: str, user: str | None = None) -> m.PaymentInit:
        """A purchase: the payment, then its confirmation, both with the same externalId."""
        payment = await self.payment_init(user_id, collection_id, external_id, user)
        await self.payment_success(user_id, external_id, user)
        return payment

    # ---- income
    async def income_per_th_c2s(self, user: str) -> m.IncomePerTh:
        return await self.call("income_per_th.c2s", user=user)

    async def income_per_th(self) -> m.IncomePerTh:
        return await self.call("income_per_th.s2s")

    async def income_totals(self, user: str) -> m.IncomeTotals:
        return await self.call("income.total.c2s", user=user)

    async def income_records_c2s(
        self, user: str, limit: int | None = None, offset: int | None = None, group_by_days: bool | None = None
    ) -> list[m.IncomeRecord]:
        return await self.call(
            "income.list.c2s",
            {"limit": _opt(limit), "offset": _opt(offset), "groupByDays": _bool(group_by_days)},
            user=user,
        )

    async def income_days_c2s(self, user: str, limit: int | None = None, offset: int | None = None) -> list[m.IncomeDay]:
        """Income grouped by day (groupByDays=true; the item shape is assumed)."""
        return await self.call(
            "income.list.c2s",
            {"limit": _opt(limit), "offset": _opt(offset), "groupByDays": "true"},
            user=user,
            model=m.IncomeDay,
        )

    async def income_records(self, user: str, limit: int | None = None, offset: int | None = None) -> list[m.IncomeRecord]:
        return await self.call(
            "income.list.s2s", {"partnerUserId": user, "limit": _opt(limit), "offset": _opt(offset)}
        )

    async def income_by_dates(
        self,
        user: str,
        start: date | datetime | str,
        end: date | datetime | str,
        limit: int | None = None,
        offset: int | None = None,
        by_miner: bool | None = None,
    ) -> m.DatedPage:
        return await self.call(
            "income.by_dates",
            {
                "partnerUserId": user,
                "startDate": instant(start),
                "endDate": instant(end, end=True),
                "limit": _opt(limit),
                "offset": _opt(offset),
                "includeIncomesByNfts": _bool(by_miner),
            },
        )

    # ---- wallets and balances
    async def bind_wallet_c2s(self, user: str, address: str) -> bool:
        return await self.call("wallet.bind.c2s", {"address": address}, user=user)

    async def wallets_c2s(self, user: str, limit: int | None = None, offset: int | None = None) -> list[m.Wallet]:
        return await self.call("wallet.list.c2s", {"limit": _opt(limit), "offset": _opt(offset)}, user=user)

    async def bind_wallet(self, user: str, address: str) -> bool:
        return await self.call("wallet.bind.s2s", {"partnerUserId": user, "address": address})

    async def wallets(self, user: str, limit: int | None = None, offset: int | None = None) -> list[m.Wallet]:
        return await self.call(
            "wallet.list.s2s", {"partnerUserId": user, "limit": _opt(limit), "offset": _opt(offset)}
        )

    async def balances_c2s(self, user: str, limit: int | None = None, offset: int | None = None) -> list[m.Balance]:
        return await self.call("balances.c2s", {"limit": _opt(limit), "offset": _opt(offset)}, user=user)

    async def balances(self, user: str, limit: int | None = None, offset: int | None = None) -> list[m.WalletBalance]:
        return await self.call(
            "balances.s2s", {"partnerUserId": user, "limit": _opt(limit), "offset": _opt(offset)}
        )

    # ---- withdrawals
    async def withdraw(self, user: str, address: str, amount: Decimal, *, fast: bool = False) -> bool:
        op = "withdraw.create_fast" if fast else "withdraw.create_24h"
        return await self.call(op, {"partnerUserId": user, "walletAddress": address, "amount": amount})

    async def commission(self, user: str) -> m.Commission:
        return await self.call("withdraw.commission", {"partnerUserId": user})

    # ---- incentives, rates, users
    async def incentives(self, user: str) -> m.Incentives:
        return await self.call("incentives", user=user)

    async def rates(self, user: str) -> list[m.Rate]:
        return await self.call("rates", user=user)

    async def user_stats(self, user: str) -> m.UserStats:
        return await self.call("user.stats", {"partnerUserId": user})

    # ---- upgrades
    async def upgrade_price(
        self, kind: Literal["power", "efficiency"], nft_id: int, from_value: Decimal, to_value: Decimal
    ) -> m.UpgradePrice:
        return await self.call(
            "upgrade.price",
            {"type": _UPGRADE[kind], "nftId": str(nft_id), "from": wire.decimal_literal(from_value),
             "to": wire.decimal_literal(to_value)},
        )

    async def upgrade_create(
        self, kind: Literal["power", "efficiency"], nft_id: int, from_value: Decimal, to_value: Decimal,
        user: str | None = None,
    ) -> m.UpgradeCreated:
        """``user``: the miner's partner user, for the journal and reconcile (not sent)."""
        if kind == "power":
            data = {"type": _UPGRADE[kind], "nftId": nft_id, "fromPower": from_value, "toPower": to_value}
        else:
            data = {
                "type": _UPGRADE[kind],
                "nftId": nft_id,
                "fromEnergyEfficiency": from_value,
                "toEnergyEfficiency": to_value,
            }
        return await self.call("upgrade.create", {"data": data}, user=user)


_UPGRADE = {"power": "nftPowerUpgrade", "efficiency": "nftEnergyEfficiencyUpgrade"}
