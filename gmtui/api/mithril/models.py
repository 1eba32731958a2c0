"""Answers of the Mithril Vault API (seed 003), read within bounds.

Amounts are exact decimals (MITH); times are the documents' ``YYYY-MM-DDTHH:MM:SS``
in UTC, kept as text. Unknown extra fields are kept. The activity list's shape is not
printed, so ``Activities`` reads a bare array or an object holding it under one key.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, RootModel, model_validator

from gmtui.api.numbers import Dec, NonNegative

_TEXT = 255
LIST_KEYS = ("results", "data", "activities", "items", "records")


class Answer(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, defer_build=True)


class Token(Answer):
    token: str = Field(min_length=1, max_length=1024, pattern=r"^[\x21-\x7e]+$")

    def __repr__(self) -> str:
        return "Token(token=<hidden>)"


class UserInfo(Answer):
    kyc_level: int = Field(ge=0, le=1000)
    stake_level: int = Field(ge=0, le=1000)
    balance: NonNegative
    amount: NonNegative
    staked_amount: NonNegative


class AppBalance(Answer):
    currency: str = Field(max_length=32)
    balance: Dec
    updated_at: str = Field(default="", max_length=64)


class AppBalances(RootModel[list[AppBalance]]):
    model_config = ConfigDict(frozen=True, defer_build=True)


class Activity(Answer):
    uuid: str = Field(min_length=1, max_length=_TEXT)
    reward: NonNegative | None = None
    weight: NonNegative | None = None
    amount: NonNegative | None = None  # mined
    status: str = Field(max_length=32)
    happened_at: str = Field(default="", max_length=64)
    updated_at: str = Field(default="", max_length=64)

    @property
    def value(self) -> Any:
        """The reward asked for (``reward``, else ``weight``, which the prose uses for it)."""
        return self.reward if self.reward is not None else self.weight


class Activities(Answer):
    items: list[Activity] = Field(max_length=100_000)
    next_id: str | None = Field(default=None, max_length=_TEXT)

    @model_validator(mode="before")
    @classmethod
    def _shape(cls, value: Any) -> Any:
        if isinstance(value, list):
            return {"items": value}
        if isinstance(value, dict):
            found = [k for k in LIST_KEYS if isinstance(value.get(k), list)]
            if len(found) != 1:
                raise ValueError(f"an activity list: a bare array, or an object with one of {', '.join(LIST_KEYS)}")
            cursor = value.get("next_id")
            return {"items": value[found[0]], "next_id": None if cursor in (None, "") else str(cursor)}
        raise ValueError("an activity list: a bare array or an object")
