"""The one catalogue of Mithril Vault API operations (seed 003, a Postman collection).

Every call is signed (see signing.py) with ``client_id``, ``timestamp`` and ``nonce``;
user calls also send ``Authorization: <the user's access token>``. A row names the
operation, its method and path, the parameters it signs besides those three, whether
it needs a user's token, its answer model, and whether it changes the server (a move:
planned, confirmed, journaled before it leaves, sent once). What the seed leaves open
and gmtui assumed is in ``assumed`` and ``ASSUMPTIONS``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from gmtui.api.mithril import models as m

ASSUMPTIONS = (
    "The activity list's shape is not printed: a bare array, or an object holding the array under one key "
    "(results, data, activities, items or records) with an optional next_id, are both read.",
    "An activity's fields are those the prose names: uuid, reward (weight), amount (mined), status, happened_at, "
    "updated_at; unknown extra fields are kept.",
    "The timestamp window and nonce reuse are not stated, and a timestamp refusal has no code of its own: a "
    "refusal naming the timestamp, or any 403 while the local clock is more than 30 s off the server's Date, "
    "syncs the clock from Date and signs once more with a fresh nonce; nothing else is resent.",
    "A 401 or 403 on a user call (FORBIDDEN_ERROR, USER_NOT_REGISTERED_ERROR) is read as the binding gone: "
    "gmtui says so and how to bind again; it does not forget the token until an unbinding is proven.",
    "No call lists bindings: gmtui keeps the users it bound, with their tokens, in a 0600 file per profile.",
    "A reward whose outcome is unknown is resent only with its own uuid (Vault takes a uuid once); a 409 "
    "CONFLICT_ERROR on that resend proves the first one arrived.",
    "Error bodies are not printed: the code is read from `error`/`code` and the words from `message`.",
    "user-info's sample is a Python dict: JSON is expected; balance = amount + staked_amount is not checked.",
    "DELETE /mining's sample lacks Authorization while the prose requires it: it is sent.",
    "The authorize URL follows the NOTE ({web}/#/oauth/authorize?client_id&state[&user_id]), not the prose's "
    "extra timestamp and nonce.",
    "A grant code's lifetime is not stated: it is exchanged at once.",
    "A reward is paid (the activity MINED) from the application's capital: capital is checked against the "
    "reward plus the rewards still pending before one is sent.",
    "The documents' hosts (2019-hackathon.*) are examples: a base URL and a web URL are required.",
)


@dataclass(frozen=True)
class Op:
    name: str
    method: str
    path: str
    params: tuple[str, ...]  # signed besides client_id, timestamp and nonce
    response: type[BaseModel] | None  # None: no body (204) or `null` (201)
    user: bool = False  # sends the user's access token
    moves_money: bool = False
    label: str = ""
    unit: str = ""
    optional: tuple[str, ...] = ()  # params that may be left out
    assumed: str = ""
    volatile: tuple[str, ...] = ()  # params that differ between attempts at the same move (see api/entries.py)

    @property
    def cacheable(self) -> bool:
        return not self.moves_money and self.name != "vault.oauth.token"


O = Op
CATALOGUE: tuple[Op, ...] = (
    O("vault.oauth.token", "POST", "/oauth/token", ("state", "grant_code"), m.Token,
      label="Binding (token exchange)", assumed="the grant code is exchanged at once"),
    O("vault.oauth.unbind", "DELETE", "/oauth/token", (), None, user=True, moves_money=True, label="Unbinding"),
    O("vault.oauth.user_info", "GET", "/oauth/user-info", (), m.UserInfo, user=True),
    O("vault.oauth.balance", "GET", "/oauth/balance", (), m.AppBalances),
    O("vault.mining.list", "GET", "/mining", ("mining_key", "uuid", "next_id"), m.Activities, user=True,
      optional=("uuid", "next_id"), assumed="the list's shape (see ASSUMPTIONS)"),
    O("vault.mining.submit", "POST", "/mining", ("mining_key", "uuid", "reward", "happened_at"), None, user=True,
      moves_money=True, label="Mining reward", unit="MITH", volatile=("uuid", "happened_at")),
    O("vault.mining.delete", "DELETE", "/mining", ("mining_key", "uuid"), None, user=True, moves_money=True,
      label="Reward cancellation", assumed="Authorization is sent although the sample lacks it"),
)

BY_NAME: dict[str, Op] = {o.name: o for o in CATALOGUE}

STATUSES = ("PENDING", "MINING", "MINED", "DELETED", "REJECTED", "ERROR")
DONATE_MIN_MITH = 20
