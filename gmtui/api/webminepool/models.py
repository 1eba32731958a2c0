"""Answers of the WebMinePool HTTP API (seed 004), as the documents print them.

Every answer is an object with ``success``; these models read what comes with a
success. Hash counts are whole numbers; balances and satoshi values are exact
decimals. Unknown extra fields are kept (``to_api`` gives them back).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from gmtui.api.numbers import NonNegative

_TEXT = 255


class Answer(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, defer_build=True)

    def to_api(self) -> dict[str, Any]:
        """The answer as the API's JSON object, ``success`` included."""
        return {"success": True, **self.model_dump(mode="python")}


def _whole(value: Any) -> Any:
    # A hash count: a JSON integer, or a number with nothing after the point (1200.0).
    if isinstance(value, bool):
        raise ValueError("a whole number of hashes")
    if not isinstance(value, int):
        try:
            number = Decimal(str(value))
            if number != number.to_integral_value():
                raise ValueError("a whole number of hashes")
            value = int(number)
        except (InvalidOperation, ValueError, OverflowError):
            raise ValueError("a whole number of hashes") from None
    if not 0 <= value < 10**30:
        raise ValueError("a whole number of hashes, 0 or more")
    return value


Whole = Annotated[int, BeforeValidator(_whole)]


class Message(Answer):
    message: str = Field(default="", max_length=4096)


class TokenCreated(Answer):
    token_id: str = Field(min_length=1, max_length=_TEXT)
    message: str = Field(default="", max_length=4096)

    @field_validator("token_id", mode="before")
    @classmethod
    def _id(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class DoneAt(Answer):
    """PHP's DateTime as JSON: a local date-time text and its time zone."""

    date: str = Field(max_length=64)
    timezone_type: int | None = None
    timezone: str = Field(default="", max_length=64)


class TokenState(Answer):
    state: int = Field(validation_alias=AliasChoices("state", "status"), ge=0, le=1)
    end_hashes: Whole
    done_at: DoneAt | None = None

    @property
    def verified(self) -> bool:
        return self.state == 1


class User(Answer):
    api_key: str = Field(max_length=_TEXT)
    name: str = Field(max_length=_TEXT)
    hashes: Whole

    def to_api(self) -> dict[str, Any]:
        return self.model_dump(mode="python")


class Users(Answer):
    users: list[User] = Field(max_length=1_000_000)

    def to_api(self) -> dict[str, Any]:
        return {"success": True, "users": [u.to_api() for u in self.users]}


class Hashes(Answer):
    hashes: Whole


class Balance(Answer):
    balance: NonNegative  # WMC


class Satoshi(Answer):
    satoshi: NonNegative
