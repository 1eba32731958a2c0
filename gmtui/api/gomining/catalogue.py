"""The one catalogue of GoMining Partner API 2.0 operations.

Every operation is one row: name, method, path, auth kind, whether it moves money,
request model and response model. The client, the sandbox's router and the docs are
driven from this table. Where the seeds do not print something (most paths of the
current build), the row says what is assumed in ``assumed``; a partner who learns the
real value changes that row and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel

from gmtui.api.gomining import models as m
from gmtui.api.gomining import requests as rq

PREFIX = "/api/partner"


class Auth(StrEnum):
    NONE = "none"
    API_KEY = "api-key"  # X-PARTNER-API-KEY header only
    SIGNED = "signed"  # API key + timestamp, recvWindow and HMAC signature
    USER_JWT = "user-jwt"  # the user's JWT (Authorization: Bearer, assumed)


class Shape(StrEnum):
    OBJECT = "object"  # {"data": {...}}
    ARRAY = "array"  # {"data": {"array": [...]}}
    DATED = "dated"  # {"data": [...], "totalCount": N}
    TRUE = "true"  # {"data": true}


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str
    auth: Auth
    request: type[rq.Request]
    response: type[BaseModel] | None
    shape: Shape
    moves_money: bool = False
    assumed: str = ""
    page_max: int = 999  # largest `limit` the operation takes
    label: str = ""  # what a person calls a money move (dialogs, journal, notifications)

    @property
    def url_path(self) -> str:
        return PREFIX + self.path

    @property
    def cacheable(self) -> bool:
        """A read whose answer holds no credential: safe to repeat and to store."""
        return not self.moves_money and not self.name.startswith("auth.")


_PATH = "path not printed in the current build; follows {c2s|s2s}/{resource}/{action}"

E = Endpoint
A = Auth
S = Shape

CATALOGUE: tuple[Endpoint, ...] = (
    # Authentication
    E("auth.generate_payload", "POST", "/c2s/auth/generate-payload", A.NONE,
      rq.GeneratePayload, m.AuthPayload, S.OBJECT),
    E("auth.check_proof", "POST", "/c2s/auth/check-proof", A.NONE,
      rq.CheckProof, m.TokenPair, S.OBJECT),
    E("auth.refresh.c2s", "POST", "/c2s/auth/refresh", A.USER_JWT,
      rq.Refresh, m.TokenPair, S.OBJECT),
    E("auth.refresh.s2s", "POST", "/s2s/auth/refresh", A.USER_JWT,
      rq.Refresh, m.TokenPair, S.OBJECT),
    E("auth.init", "POST", "/s2s/auth/init", A.SIGNED,
      rq.AuthInit, m.TokenPair, S.OBJECT),
    # Miners
    E("nft.get_my.c2s", "GET", "/c2s/nft/get-my", A.USER_JWT,
      rq.Page, m.Miner, S.ARRAY),
    E("nft.get_my.s2s", "GET", "/s2s/nft/get-my", A.SIGNED,
      rq.UserPage, m.Miner, S.ARRAY),
    E("nft.transfer", "POST", "/s2s/nft/transfer", A.SIGNED,
      rq.Transfer, None, S.TRUE, moves_money=True, assumed=_PATH, label="Miner transfer"),
    # Collections and purchases
    E("collections.c2s", "GET", "/c2s/nft-collection/find-all-generative", A.USER_JWT,
      rq.NoParams, m.Collection, S.ARRAY),
    E("collections.s2s", "GET", "/s2s/nft-collection/find-all-generative", A.API_KEY,
      rq.NoParams, m.Collection, S.ARRAY),
    E("payment.init", "POST", "/s2s/nft-payment/init", A.SIGNED,
      rq.PaymentInit, m.PaymentInit, S.OBJECT, moves_money=True, label="Purchase (payment)"),
    E("payment.success", "POST", "/s2s/nft-payment/success", A.SIGNED,
      rq.PaymentSuccess, None, S.TRUE, moves_money=True, label="Purchase (confirmation)"),
    # Income
    E("income_per_th.c2s", "GET", "/c2s/income-statistic/get-income-per-th", A.USER_JWT,
      rq.NoParams, m.IncomePerTh, S.OBJECT),
    E("income_per_th.s2s", "POST", "/s2s/income-statistic/get-income-per-th", A.SIGNED,
      rq.NoParams, m.IncomePerTh, S.OBJECT,
      assumed=_PATH + "; POST because the seed gives it a request body"),
    E("income.total.c2s", "GET", "/c2s/nft-income/find-total-by-user", A.USER_JWT,
      rq.NoParams, m.IncomeTotals, S.OBJECT),
    E("income.list.c2s", "GET", "/c2s/nft-income/find-by-user", A.USER_JWT,
      rq.IncomePage, m.IncomeRecord, S.ARRAY, page_max=100,
      assumed="grouped (groupByDays=true) item shape not printed: see models.IncomeDay"),
    E("income.list.s2s", "GET", "/s2s/nft-income/find-by-user", A.SIGNED,
      rq.UserPage, m.IncomeRecord, S.ARRAY, page_max=100),
    E("income.by_dates", "GET", "/s2s/nft-income/find-by-user-and-date-range", A.SIGNED,
      rq.IncomeByDates, m.DatedPage, S.DATED, page_max=100, assumed=_PATH),
    # Wallets and balances
    E("wallet.bind.c2s", "POST", "/c2s/wallet/create-btc", A.USER_JWT,
      rq.BindWallet, None, S.TRUE, moves_money=True, label="Wallet binding"),
    E("wallet.list.c2s", "GET", "/c2s/wallet/find-by-user", A.USER_JWT,
      rq.Page, m.Wallet, S.ARRAY),
    E("wallet.bind.s2s", "POST", "/s2s/wallet/create-btc", A.SIGNED,
      rq.BindWalletForUser, None, S.TRUE, moves_money=True, label="Wallet binding"),
    E("wallet.list.s2s", "GET", "/s2s/wallet/find-by-user", A.SIGNED,
      rq.UserPage, m.Wallet, S.ARRAY),
    E("balances.c2s", "GET", "/c2s/wallet-balance/find-by-user", A.USER_JWT,
      rq.Page, m.Balance, S.ARRAY, assumed=_PATH),
    E("balances.s2s", "GET", "/s2s/wallet-balance/find-by-user", A.SIGNED,
      rq.UserPage, m.WalletBalance, S.ARRAY, assumed=_PATH),
    # Withdrawals
    E("withdraw.create_24h", "POST", "/s2s/income-withdraw/create-24h", A.SIGNED,
      rq.Withdraw, None, S.TRUE, moves_money=True, assumed=_PATH, label="Withdrawal (24 h)"),
    E("withdraw.create_fast", "POST", "/s2s/income-withdraw/create-fast", A.SIGNED,
      rq.Withdraw, None, S.TRUE, moves_money=True, assumed=_PATH, label="Fast withdrawal"),
    E("withdraw.commission", "GET", "/s2s/income-withdraw/calculate-commission", A.SIGNED,
      rq.ForUser, m.Commission, S.OBJECT,
      assumed=_PATH + "; incomeWithdrawCommission read as a fraction of the amount"),
    # Incentives, rates, users
    E("incentives", "GET", "/c2s/incentive/get-config", A.USER_JWT,
      rq.NoParams, m.Incentives, S.OBJECT, assumed=_PATH),
    E("rates", "GET", "/c2s/rates/find-all", A.USER_JWT,
      rq.NoParams, m.Rate, S.ARRAY, assumed=_PATH),
    E("user.stats", "GET", "/s2s/user/get-stats", A.SIGNED,
      rq.ForUser, m.UserStats, S.OBJECT, assumed=_PATH),
    # Upgrades
    E("upgrade.create", "POST", "/s2s/nft-upgrade-request/create", A.SIGNED,
      rq.UpgradeCreate, m.UpgradeCreated, S.OBJECT, moves_money=True, label="Miner upgrade",
      assumed=_PATH + "; signed like every s2s call; power fields fromPower/toPower"),
    E("upgrade.price", "GET", "/s2s/nft-upgrade-request/calculate-price", A.SIGNED,
      rq.UpgradePrice, m.UpgradePrice, S.OBJECT,
      assumed=_PATH + "; signed like every s2s call"),
)

BY_NAME: dict[str, Endpoint] = {e.name: e for e in CATALOGUE}


def label(name: str) -> str:
    """What a person calls operation ``name`` ("Fast withdrawal"); its name if none."""
    found = BY_NAME.get(name)
    return found.label if found is not None and found.label else name


def endpoint(name: str) -> Endpoint:
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"no operation named {name!r} in the catalogue") from None


# The user JWT travels in this header (not printed by the seeds).
USER_AUTH_HEADER = "Authorization"
USER_AUTH_SCHEME = "Bearer"
API_KEY_HEADER = "X-PARTNER-API-KEY"
# The prose says recvWindow defaults to 5000 ms, the field docs say 60000 ms: gmtui
# always sends it explicitly.
DEFAULT_RECV_WINDOW_MS = 10_000
