"""Response models of the GoMining Partner API 2.0.

Field names are Python-style; the API's own names are the aliases (``by_alias``
dumps give the API's JSON back). Every amount is a ``Decimal`` (responses are parsed
with ``wire.loads``, so no float is ever involved). Unknown extra fields are kept.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
)
from pydantic.alias_generators import to_camel

from gmtui.api.numbers import Dec, Fraction, NonNegative, Positive  # noqa: F401 (the models' vocabulary)


class ApiModel(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        alias_generator=to_camel,
        populate_by_name=True,
        frozen=True,
        defer_build=True,
    )

    def to_api(self) -> dict[str, Any]:
        """The model as the API's JSON object (its own field names, exact decimals)."""
        return self.model_dump(by_alias=True, mode="python")


def _empty_object_is_none(value: Any) -> Any:
    # The seeds print several numeric fields as `{ }` (an unknown serialised type).
    if isinstance(value, dict) and not value:
        return None
    return value


LooseDecimal = Annotated[Dec | None, BeforeValidator(_empty_object_is_none)]


_TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]{1,8192}=*")  # RFC 6750 token68: what a header can carry


def _token(value: Any) -> Any:
    # A token with a space, CR/LF or a control character cannot travel in a header; its
    # value is never repeated in the message (it is a secret).
    raw = value.get_secret_value() if isinstance(value, SecretStr) else value
    if isinstance(raw, str) and not _TOKEN.fullmatch(raw):
        raise ValueError("not a token a header can carry (letters, digits and -._~+/= only)")
    return value


Token = Annotated[SecretStr, BeforeValidator(_token)]


class TokenPair(ApiModel):
    """A user's JWT and refresh token (never printed, logged or cached)."""

    jwt_token: Token
    refresh_token: Token


class AuthPayload(ApiModel):
    payload: str


class Miner(ApiModel):
    """A miner NFT: power in TH/s, energy efficiency in W/TH."""

    id: int
    created_at: datetime
    name: str
    power: NonNegative
    energy_efficiency: NonNegative
    image_url: str | None = None
    small_image_url: str | None = None


class Collection(ApiModel):
    """A generative collection a miner can be bought from."""

    id: int
    power: Dec
    energy_efficiency: Dec
    value: Dec
    annual_roi: Dec = Field(alias="annualROI")
    pool_reward: Dec
    electricity_cost: Dec
    service_cost: Dec
    level_discount: Fraction


class PaymentInit(ApiModel):
    value: Dec
    external_id: str


class IncomePerTh(ApiModel):
    income_per_th: Dec
    btc_rate: Positive
    gomining_rate: Dec
    # The current build calls it kWh, the older one kwt.
    kwh: Dec = Field(alias="kWh", validation_alias=AliasChoices("kWh", "kwt"))
    service_cost: Dec


class MinerTotal(ApiModel):
    total_value: Dec
    nft_id: int


class IncomeTotals(ApiModel):
    array: list[MinerTotal]
    total_income: Dec
    last_income: dict[str, Any] | None = None
    withdrawn_amount: Dec
    on_balance_amount: Dec


class IncomeRecord(ApiModel):
    """One miner's income for one day (BTC). c1..c4 are the API's components."""

    created_at: datetime
    value: Dec
    c1_value: Dec | None = None
    c2_value: Dec | None = None
    c3_value: Dec | None = None
    c4_value: Dec | None = None
    nft_id: int


class IncomeDay(ApiModel):
    """A day of grouped income records (groupByDays=true; shape assumed)."""

    created_at: datetime
    value: Dec
    records: list[IncomeRecord] = []


class DailyIncome(ApiModel):
    """One day of a user's income (find-by-user-and-date-range)."""

    created_at: datetime
    reward: Dec
    pool_reward: Dec
    total_power: Dec
    avg_energy_efficiency: Dec
    service_fee: Dec
    total_discount: Dec
    to_address: dict[str, Any] | None = None
    status: str
    incomes: Any = None


class DatedPage(ApiModel):
    """The date-range list: ``{"data": [...], "totalCount": N}``."""

    data: list[DailyIncome]
    total_count: int


class Wallet(ApiModel):
    id: int
    created_at: datetime
    address: str
    type: str


class Balance(ApiModel):
    """A balance in the c2s shape: one currency each."""

    id: int
    created_at: datetime | None = None
    currency: str
    balance: Dec


class WalletBalance(ApiModel):
    """A balance in the s2s shape: decimal strings synced at a date."""

    id: int
    gmt_value_at_sync_date_numeric: LooseDecimal = None
    time_locked_value_at_sync_date_numeric: LooseDecimal = None
    flexible_staking_value_at_sync_date_numeric: LooseDecimal = None
    freezed_value_numeric_at_sync_date: LooseDecimal = None
    value_numeric_at_sync_date: Dec


class Commission(ApiModel):
    """Fast-withdrawal terms: minimum amount (BTC) and commission rate (fraction)."""

    income_withdraw_min_value: NonNegative
    income_withdraw_commission: Annotated[Dec, Field(ge=0, lt=1)]


class Incentives(ApiModel):
    """Cashback rules by VIP level; the seeds print no fields, all are kept as extras."""


class Rate(ApiModel):
    symbol: str
    price: Dec


class PartnerUser(ApiModel):
    id: int
    partner_user_id: str
    created_at: datetime
    email: str | None = None


class Stats(ApiModel):
    wallets_count: int
    nfts_count: int
    total_power_th: Dec = Field(alias="totalPowerTH")
    avg_energy_efficiency: Dec
    total_income: Dec
    discount: Fraction


class UserStats(ApiModel):
    user: PartnerUser
    stats: Stats


class UpgradeCreated(ApiModel):
    id: str

    @field_validator("id", mode="before")
    @classmethod
    def _int_id(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class UpgradePrice(ApiModel):
    price: Dec
