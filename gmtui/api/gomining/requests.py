"""Request parameters of each operation, with the seeds' constraints.

The client validates a request with these before anything is sent, and the sandbox
validates what it receives with the same models: one place for each rule. Fields are
in the order they are sent (the signed bytes depend on it). Query parameters are
strings on the wire, so GET models hold strings; the client's typed methods convert.
The authentication fields (``timestamp``, ``recvWindow``, ``signature``) are not part
of these models: the signer adds them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

UserId = Annotated[str, Field(min_length=1, max_length=255)]
Limit = Annotated[str, Field(pattern=r"^\d{1,3}$")]
Offset = Annotated[str, Field(pattern=r"^\d{1,5}$")]
TrueFalse = Annotated[str, Field(pattern=r"^(true|false)$")]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True, defer_build=True)

    def to_wire(self) -> dict[str, Any]:
        """Parameters in send order, by their API names, without unset optionals."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="python")


class NoParams(Request):
    pass


class GeneratePayload(Request):
    partnerId: str = Field(min_length=1)


class TonDevice(Request):
    platform: Literal["iphone", "ipad", "android", "windows", "mac", "linux", "browser"]
    appName: str
    appVersion: str
    maxProtocolVersion: int
    features: list[Any]


class TonAccount(Request):
    address: str = Field(min_length=1)
    chain: Literal["-239", "-3"]
    walletStateInit: str
    publicKey: str = Field(min_length=1)


class TonDomain(Request):
    lengthBytes: int = Field(ge=0)
    value: str


class TonProofBody(Request):
    domain: TonDomain
    payload: str = Field(min_length=1)
    signature: str = Field(min_length=1)
    timestamp: int = Field(ge=0)


class TonProofItem(Request):
    name: Literal["ton_proof"]
    proof: TonProofBody


class TonConnectItems(Request):
    tonProof: TonProofItem


class TonWallet(Request):
    device: TonDevice
    account: TonAccount
    provider: Literal["http", "injected"]
    connectItems: TonConnectItems


class CheckProof(Request):
    tonWallet: TonWallet


class Refresh(Request):
    refreshToken: str = Field(min_length=1)


class AuthInit(Request):
    partnerUserId: UserId
    email: str | None = Field(default=None, min_length=1, max_length=255)


class Page(Request):
    limit: Limit | None = None
    offset: Offset | None = None


class UserPage(Request):
    partnerUserId: UserId
    limit: Limit | None = None
    offset: Offset | None = None


class IncomePage(Page):
    groupByDays: TrueFalse | None = None


class ForUser(Request):
    partnerUserId: UserId


class IncomeByDates(Request):
    partnerUserId: UserId
    startDate: str = Field(min_length=10, max_length=40)
    endDate: str = Field(min_length=10, max_length=40)
    limit: Limit | None = None
    offset: Offset | None = None
    includeIncomesByNfts: TrueFalse | None = None


class Transfer(Request):
    partnerUserId: UserId
    nftId: int = Field(ge=1)
    toPartnerUserId: str = Field(min_length=1, max_length=255)


class PaymentInit(Request):
    userId: int = Field(ge=1)
    nftCollectionId: int = Field(ge=1)
    externalId: str = Field(min_length=1, max_length=255)


class PaymentSuccess(Request):
    userId: int = Field(ge=1)
    externalId: str = Field(min_length=1, max_length=255)


class BindWallet(Request):
    address: str = Field(min_length=1, max_length=255)


class BindWalletForUser(Request):
    partnerUserId: UserId
    address: str = Field(min_length=1, max_length=255)


class Withdraw(Request):
    partnerUserId: UserId
    walletAddress: str = Field(min_length=1, max_length=255)
    amount: Decimal = Field(ge=0)


class EfficiencyUpgrade(Request):
    type: Literal["nftEnergyEfficiencyUpgrade"] = "nftEnergyEfficiencyUpgrade"
    nftId: int = Field(ge=1)
    fromEnergyEfficiency: Decimal = Field(gt=0)
    toEnergyEfficiency: Decimal = Field(gt=0)


class PowerUpgrade(Request):
    # Field names for power upgrades are not printed in the seeds (assumed).
    type: Literal["nftPowerUpgrade"] = "nftPowerUpgrade"
    nftId: int = Field(ge=1)
    fromPower: Decimal = Field(gt=0)
    toPower: Decimal = Field(gt=0)


UpgradeKind = Literal["nftEnergyEfficiencyUpgrade", "nftPowerUpgrade"]


class UpgradeCreate(Request):
    data: Annotated[EfficiencyUpgrade | PowerUpgrade, Field(discriminator="type")]


class UpgradePrice(Request):
    type: UpgradeKind
    nftId: str = Field(pattern=r"^\d{1,12}$")
    from_: str = Field(alias="from", pattern=r"^\d+(\.\d+)?$")
    to: str = Field(pattern=r"^\d+(\.\d+)?$")
