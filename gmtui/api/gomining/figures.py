"""Figures an operator reads at a glance, computed from API data (no UI here).

Daily estimate with GoMining's formula, for the user's current fleet:
  gross       = income per TH (BTC) x TH
  electricity = W/TH x TH x 24 / 1000 x $/kWh           (USD)
  service     = TH x service $/TH/day                  (USD)
  net         = gross - (electricity + service) x (1 - discount), fees converted at the BTC rate
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gmtui.api.gomining.models import IncomePerTh, Stats

SAT = Decimal("0.00000001")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class DailyEstimate:
    power_th: Decimal
    efficiency: Decimal
    gross_btc: Decimal
    electricity_usd: Decimal
    service_usd: Decimal
    discount: Decimal
    fees_btc: Decimal  # after the discount
    net_btc: Decimal
    btc_usd: Decimal

    @property
    def gross_usd(self) -> Decimal:
        return (self.gross_btc * self.btc_usd).quantize(CENT)

    @property
    def net_usd(self) -> Decimal:
        return (self.net_btc * self.btc_usd).quantize(CENT)

    @property
    def fees_usd(self) -> Decimal:
        return ((self.electricity_usd + self.service_usd) * (1 - self.discount)).quantize(CENT)


def daily_estimate(stats: Stats, per_th: IncomePerTh) -> DailyEstimate:
    power, efficiency = stats.total_power_th, stats.avg_energy_efficiency
    gross = (per_th.income_per_th * power).quantize(SAT)
    electricity = efficiency * power * 24 / 1000 * per_th.kwh
    service = power * per_th.service_cost
    fees_usd = (electricity + service) * (1 - stats.discount)
    fees_btc = (fees_usd / per_th.btc_rate).quantize(SAT) if per_th.btc_rate else Decimal(0)
    return DailyEstimate(
        power_th=power,
        efficiency=efficiency,
        gross_btc=gross,
        electricity_usd=electricity.quantize(CENT),
        service_usd=service.quantize(CENT),
        discount=stats.discount,
        fees_btc=fees_btc,
        net_btc=gross - fees_btc,
        btc_usd=per_th.btc_rate,
    )


def count(n: int, thing: str) -> str:
    """"1 money move", "3 money moves"."""
    return f"{n:,} {thing}{'' if n == 1 else 's'}"


def exact(value: Decimal) -> str:
    """An amount exactly as the API gives it, with thousands separators: ``6,310.39``."""
    return f"{value:,f}"


def btc(value: Decimal) -> str:
    """A BTC amount with 8 decimals, e.g. ``0.00012345``."""
    return f"{value.quantize(SAT):,.8f}"


def usd(value: Decimal) -> str:
    return f"${value.quantize(CENT):,.2f}"
