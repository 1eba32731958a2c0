"""The one catalogue of WebMinePool HTTP API operations (seed 004).

Every call is ``GET {base}/api/{secret_key}/{path}/{param1}/{param2?}``: the secret
key travels in the URL path, so no URL is ever logged, cached or shown. A row names
the operation, its path, its parameters in path order (trailing optional ones are
dropped when absent) and its answer model. What the seed leaves open and gmtui
assumed is in ``assumed`` and in ``ASSUMPTIONS``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from gmtui.api.webminepool import models as m

ASSUMPTIONS = (
    "The HTTP method is not stated: every call is a GET.",
    "The prose says `status`/`error`, the samples `success`/`message`: `success` decides, the text "
    "comes from `message` or `error`, and the HTTP status is not trusted to tell failures apart.",
    "get_token's prose says `status`, its sample `state`: `state` is read, `status` as a fallback.",
    "The value of `unset` is not stated: gmtui sends `1`.",
    "The rate methods' defaults contradict each other (1 or 1,000,000): gmtui always sends the amount.",
    "/users lists only users who mined within 3 days: gmtui keeps its own roster of users.",
    "The username charset is not stated: gmtui allows letters, digits and _ . @ - (1 to 64).",
    "A withdrawal's amount is a positive whole number of hashes, at most the user's balance.",
    "The documents' host (mail.webminepool.com) is only an example: a base URL is required.",
    "Every call that changes the server (users, tokens, withdrawals, resets) is a move: planned, "
    "confirmed, journaled before it leaves and never resent; 'internal error' on one leaves it unknown.",
    "Redirects are never followed: a redirect would carry the secret key to another place.",
)


@dataclass(frozen=True)
class Op:
    name: str
    path: str  # the method's path segment
    params: tuple[str, ...]  # parameter names, in path order
    response: type[BaseModel]
    optional: int = 0  # how many trailing parameters may be left out
    moves_money: bool = False  # changes the server: planned, confirmed, journaled first, sent once
    label: str = ""  # what a person calls it (dialogs, journal, notifications)
    unit: str = ""  # the unit of its amount (the journal's currency column)
    assumed: str = ""
    method: str = "GET"

    @property
    def cacheable(self) -> bool:
        """A read worth keeping: not a move, not a token check (its state is what the
        caller wants to know now)."""
        return not (self.moves_money or self.name.startswith("wmp.get_token"))


O = Op
CATALOGUE: tuple[Op, ...] = (
    O("wmp.set_token", "set_token", ("hashes", "username"), m.TokenCreated, optional=1, moves_money=True,
      label="Token creation", unit="hashes"),
    O("wmp.get_token", "get_token", ("token_id",), m.TokenState),
    O("wmp.get_token.unset", "get_token", ("token_id", "unset"), m.TokenState, moves_money=True,
      label="Token check and delete", assumed="unset is sent as 1; deletes the token and its user once verified"),
    O("wmp.users", "users", (), m.Users, assumed="lists only users who mined within the last 3 days"),
    O("wmp.create_user", "create_user", ("username", "referral"), m.Message, optional=1, moves_money=True,
      label="User creation"),
    O("wmp.delete_user", "delete_user", ("username",), m.Message, moves_money=True, label="User deletion"),
    O("wmp.user_hashes", "user_hashes", ("username",), m.Hashes),
    O("wmp.withdraw", "withdraw", ("username", "amount"), m.Message, moves_money=True, label="Hash withdrawal",
      unit="hashes"),
    O("wmp.reset_user_hashes", "reset_user_hashes", ("username",), m.Message, moves_money=True, label="User reset"),
    O("wmp.reset_all_user_hashes", "reset_all_user_hashes", (), m.Message, moves_money=True, label="Reset of every user"),
    O("wmp.balance", "balance", (), m.Balance),
    O("wmp.hashes", "hashes", (), m.Hashes, assumed="unpaid hashes of the account"),
    O("wmp.wmc_rate", "wmc_rate", ("amount",), m.Satoshi, assumed="the amount is always sent"),
    O("wmp.hash_rate", "hash_rate", ("amount",), m.Satoshi, assumed="web mining; the amount is always sent"),
    O("wmp.hash_rate_cli", "hash_rate_cli", ("amount",), m.Satoshi, assumed="CLI mining; the amount is always sent"),
)

BY_NAME: dict[str, Op] = {o.name: o for o in CATALOGUE}


def op(name: str) -> Op:
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"no WebMinePool operation named {name!r}") from None
