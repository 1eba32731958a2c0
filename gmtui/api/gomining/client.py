"""The GoMining Partner API client: how its calls are signed and parsed, and a typed
method for every operation of the catalogue.

A request is serialized once and the exact bytes that were signed are sent (POST:
``content=``; GET: the signed query string as is). Each method names its parameters,
converts them to their wire form and calls the catalogue row. ``*_c2s`` methods act
as the partner user ``user`` (a JWT obtained with auth/init); the others are partner
calls signed with the API secret.
"""

from __future__ import annotations

import time as clock_time
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, UTC
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import httpx
import pydantic
from pydantic import SecretStr

from gmtui.api import cache as cache_mod
from gmtui.api import wire
from gmtui.api.client import Client, field_path
from gmtui.api.errors import AuthError, NetworkError, RequestValidationError
from gmtui.api.gomining import models as m
from gmtui.api.gomining import paging, reconcile
from gmtui.api.gomining.catalogue import (
    API_KEY_HEADER,
    DEFAULT_RECV_WINDOW_MS,
    USER_AUTH_HEADER,
    USER_AUTH_SCHEME,
    Auth,
    Endpoint,
    endpoint,
)
from gmtui.api.gomining.parse import parse
from gmtui.api.gomining.tokens import TokenManager, TokenStore


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
    """Speaks the GoMining Partner API for one partner (API key and secret)."""

    def __init__(
        self,
        base_url: str,
        api_key: str | SecretStr,
        api_secret: str | SecretStr,
        *,
        recv_window_ms: int = DEFAULT_RECV_WINDOW_MS,
        token_store: TokenStore | None = None,
        clock: Callable[[], float] = clock_time.time,
        **core: Any,
    ):
        """``token_store`` persists user tokens; ``core``: see :class:`Client`."""
        super().__init__(base_url, clock=clock, **core)
        self._api_key = SecretStr(api_key) if isinstance(api_key, str) else api_key
        self._secret = SecretStr(api_secret) if isinstance(api_secret, str) else api_secret
        self.recv_window_ms = recv_window_ms
        self.tokens = TokenManager(self, token_store)

    # ---- how GoMining names, signs and parses its calls
    def secrets(self) -> list[str]:
        return [self._api_key.get_secret_value(), self._secret.get_secret_value(), *self.tokens.secrets()]

    def endpoint(self, name: str) -> Endpoint:
        return endpoint(name)

    def validate_request(self, ep: Endpoint, params: Mapping[str, Any] | None) -> dict[str, Any]:
        try:
            return ep.request.model_validate(dict(params or {})).to_wire()
        except pydantic.ValidationError as exc:
            err = exc.errors()[0]
            field = field_path(err["loc"])
            raise RequestValidationError(f"{field}: {err['msg']}", operation=ep.name, field=field) from None

    def needs_user(self, ep: Endpoint) -> bool:
        return ep.auth is Auth.USER_JWT

    def resignable(self, ep: Endpoint) -> bool:
        return ep.auth is Auth.SIGNED

    def build(self, ep: Endpoint, params: dict[str, Any], credential: str | None = None) -> httpx.Request:
        """The exact request for ``ep``; signed operations get a fresh timestamp;
        ``credential`` is the user's JWT."""
        headers: dict[str, str] = {}
        if ep.auth in (Auth.API_KEY, Auth.SIGNED):
            headers[API_KEY_HEADER] = self._api_key.get_secret_value()
        if ep.auth is Auth.USER_JWT and credential:
            headers[USER_AUTH_HEADER] = f"{USER_AUTH_SCHEME} {credential}"
        if ep.auth is Auth.SIGNED:
            params = {**params, "timestamp": self.now_ms(), "recvWindow": self.recv_window_ms}
        secret = self._secret.get_secret_value()
        if ep.method == "GET":
            query = wire.query_string(params.items())
            if ep.auth is Auth.SIGNED:
                query += ("&" if query else "") + "signature=" + wire.sign(secret, query)
            url = ep.url_path + ("?" + query if query else "")
            return self.request("GET", url, headers=headers)
        if ep.auth is Auth.SIGNED:
            params = {**params, "signature": wire.sign(secret, wire.dumps(params))}
        headers["Content-Type"] = "application/json"
        return self.request(ep.method, ep.url_path, headers=headers, content=wire.dumps(params).encode())

    def parse_answer(
        self, ep: Endpoint, status: int, content: bytes, retry_after: str | None, model: type[pydantic.BaseModel] | None
    ) -> Any:
        return parse(ep, status, content, retry_after, model, self.secrets)

    async def _attempt(
        self, ep: Endpoint, params: dict[str, Any], user: str | None, model: type[pydantic.BaseModel] | None
    ) -> tuple[Any, bytes]:
        """One signed exchange, with the user's JWT renewed once if it was refused."""
        if ep.auth is not Auth.USER_JWT:
            return await self._exchange(ep, params, None, model)
        assert user is not None
        jwt = await self.tokens.jwt(user)
        try:
            return await self._exchange(ep, params, jwt, model)
        except AuthError as exc:
            if exc.status != 401:
                raise
            # The JWT was refused (expired or revoked): renew once, then retry once.
            jwt = await self.tokens.renew(user, rejected=jwt)
            return await self._exchange(ep, params, jwt, model)

    async def fetch_all(
        self,
        operation: str,
        params: Mapping[str, Any] | None = None,
        *,
        user: str | None = None,
        page_size: int | None = None,
        concurrency: int = 4,
    ) -> list[Any]:
        """Every item of a paged operation, fetching up to ``concurrency`` pages at once.
        A server that ignores ``offset`` or ``limit`` (the same page again, or more items
        than asked) is stopped with an error instead of being read 100,000 times."""
        return await paging.fetch_all(self, endpoint(operation), params, user=user, page_size=page_size,
                                      concurrency=concurrency)

    async def read_fresh_all(self, operation: str, params: Mapping[str, Any] | None = None, *, user: str | None = None) -> list[Any]:
        """Every page, all of it from the server now (never from the cache)."""
        with cache_mod.tracking() as fresh:
            items = await self.fetch_all(operation, params, user=user)
        if fresh.from_cache:
            raise NetworkError("the server did not answer; only cached data is available", operation=operation, sent=False)
        return items

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
        await self.tokens.set(user, pair)  # the old refresh token is spent: never keep it
        return pair

    async def refresh_s2s(self, user: str, refresh_token: str) -> m.TokenPair:
        pair = await self.call("auth.refresh.s2s", {"refreshToken": refresh_token}, user=user)
        await self.tokens.set(user, pair)  # the old refresh token is spent: never keep it
        return pair

    async def auth_init(self, partner_user_id: str, email: str | None = None) -> m.TokenPair:
        pair = await self.call("auth.init", {"partnerUserId": partner_user_id, "email": email})
        await self.tokens.set(partner_user_id, pair)
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


def open_client(profile: Any, state_dir: Path, **core: Any) -> GoMiningClient:
    """The client of a GoMining profile (see platforms.Platform.open)."""
    return GoMiningClient(profile.base_url, profile.api_key.get_secret_value(), profile.secret(),
                          recv_window_ms=profile.recv_window_ms,
                          token_store=TokenStore(state_dir / f"tokens-{profile.name}.json") if state_dir else None,
                          **core)


async def check(client: GoMiningClient, profile: Any) -> None:
    """One signed call: the first user's stats, else a partner-wide read."""
    from gmtui.api.errors import NotFoundError

    if profile.users:
        await client.user_stats(profile.users[0])
        return
    try:
        await client.income_per_th()  # signed, no user needed (its path is assumed)
    except NotFoundError:
        await client.collections()  # checks the key only
