"""Errors a person can act on. None of them ever carries a secret.

Classification relies on the HTTP status first and on the words of the server's
message second (never on codes only our sandbox uses), so it works against any
server that implements the documents.
"""

from __future__ import annotations

import re
from typing import Any

from gmtui.api.text import clean


class GmtuiError(Exception):
    """Base of every error gmtui raises on purpose."""

    hint = ""  # what to do next, in command-line words

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message

    @property
    def message(self) -> str:
        """What happened, without the command-line advice (the dashboard gives its own)."""
        return str(self.args[0]) if self.args else self.__class__.__name__


class ConfigError(GmtuiError):
    """Missing or invalid configuration."""


class ApiError(GmtuiError):
    """The server answered with an error."""

    def __init__(
        self,
        message: str,
        *,
        operation: str = "",
        status: int | None = None,
        code: str | None = None,
        field: str | None = None,
    ):
        prefix = f"{operation}: " if operation else ""
        status_text = f"HTTP {status}: " if status else ""
        super().__init__(f"{prefix}{status_text}{message}")
        self.operation = operation
        self.status = status
        self.server_message = message
        self.code = code
        self.field = field

    def __repr__(self) -> str:
        return f"{type(self).__name__}(operation={self.operation!r}, status={self.status!r}, code={self.code!r}, message={self.server_message!r})"


class AuthError(ApiError):
    hint = "check the API key, or log the user in again"


class SignatureError(ApiError):
    hint = "the API secret does not match the API key"


class TimestampError(ApiError):
    hint = "the computer's clock differs from the server's; check the system time"


class RequestValidationError(ApiError):
    hint = "a parameter was refused"


class NotFoundError(ApiError):
    pass


class ConflictError(ApiError):
    pass


class RateLimitError(ApiError):
    hint = "too many requests; wait and retry"

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any):
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ServerError(ApiError):
    hint = "the server failed; try again later"


class NetworkError(GmtuiError):
    """The server could not be reached, or the connection broke."""

    def __init__(self, message: str, *, operation: str = "", sent: bool | None = None):
        super().__init__(f"{operation}: {message}" if operation else message)
        self.operation = operation
        # False: failed before the request left; True/None: it may have arrived.
        self.sent = sent
        self.hint = "check the base URL and the network" if sent is False else "the connection broke after the request left"


class UnexpectedResponse(GmtuiError):
    """The server answered 2xx with a body that does not match the documents."""

    def __init__(self, message: str, *, operation: str = "", field: str | None = None, status: int | None = None):
        where = f" (field {field})" if field else ""
        super().__init__(f"{operation}: unexpected response{where}: {message}")
        self.operation = operation
        self.field = field
        self.status = status


class NotCached(GmtuiError):
    """Offline, and nothing cached for this read."""

    hint = "run the same command once while online"


class OutcomeUnknown(GmtuiError):
    """A money move may or may not have happened (the answer was lost)."""

    def __init__(self, message: str, *, operation: str = "", entry: int | None = None):
        super().__init__(f"{operation}: {message}" if operation else message)
        self.operation = operation
        self.entry = entry

    hint = "do not repeat it; run `gmtui reconcile` to learn what happened"


class InUse(GmtuiError):
    """A local file another gmtui holds (the token file): waited for, then given up."""


class InputError(GmtuiError):
    """What a person typed is not a valid value (an amount, an id, a date)."""


class MoveRefused(GmtuiError):
    """A money move that fails a check before anything is sent."""


class ReadOnly(MoveRefused):
    hint = "the profile or the command line asks for read-only mode"


class PendingMoveError(MoveRefused):
    """An identical money move has an unknown outcome: a new one is refused."""

    def __init__(self, message: str, *, entry: int):
        super().__init__(message)
        self.entry = entry

    hint = "run `gmtui reconcile` first; it checks the server and settles the entry"


class JournalUnavailable(MoveRefused):
    """The journal cannot be trusted (unreadable, damaged, or in use): money moves are
    refused until it is, reads go on."""


def error_message(body: Any, text: str, secrets: tuple[str, ...] = ()) -> tuple[str, str | None, str | None]:
    """(message, code, field) from any error body: ours, NestJS-style, or plain text;
    the server's words scrubbed of ``secrets`` (before clipping, so that no part of one
    is left), clipped and made plain (see text.clean)."""
    message, code, field = _error_parts(body, text)
    for secret in secrets:
        if secret:
            message = message.replace(secret, "***")
    return clean(message, limit=MESSAGE_LIMIT), _short(code), _short(field)


MESSAGE_LIMIT = 300


def _error_parts(body: Any, text: str) -> tuple[str, Any, Any]:
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict):
            msg = err.get("message") or err.get("code") or "error"
            return str(msg), err.get("code"), err.get("field")
        msg = body.get("message")
        if isinstance(msg, list):
            msg = "; ".join(str(x) for x in msg[:10])
        if msg:
            return str(msg), err if err is not None else body.get("code"), body.get("field")
        if isinstance(err, str):
            return err, None, None
        return "no message from the server", None, None
    clean_text = " ".join(text[: MESSAGE_LIMIT * 4].split())
    return (clean_text or "no message"), None, None


def _short(value: Any) -> str | None:
    return clean(value, limit=80) if value not in (None, "") and isinstance(value, (str, int)) else None


_SIG = re.compile(r"signature", re.I)
_TIME = re.compile(r"timestamp|recv_?window|clock", re.I)


def classify(
    status: int,
    body: Any,
    text: str,
    *,
    operation: str,
    signed: bool = True,
    retry_after: float | None = None,
    secrets: tuple[str, ...] = (),
) -> ApiError:
    """Turn an HTTP error answer into the right ApiError subclass. Signature and
    timestamp errors are about our HMAC signing, so only ``signed`` calls get them."""
    message, code, field = error_message(body, text, secrets)
    words = f"{code or ''} {message}"
    kw: dict[str, Any] = dict(operation=operation, status=status, code=code, field=field)
    if status == 429:
        return RateLimitError(message, retry_after=retry_after, **kw)
    if status >= 500:
        return ServerError(message, **kw)
    if status in (400, 401, 403):
        if signed and _TIME.search(words) and not _SIG.search(words):
            return TimestampError(message, **kw)
        if signed and _SIG.search(words):
            return SignatureError(message, **kw)
        if status in (401, 403):
            return AuthError(message, **kw)
        return RequestValidationError(message, **kw)
    if status == 404:
        return NotFoundError(message, **kw)
    if status == 409:
        return ConflictError(message, **kw)
    return ApiError(message, **kw)
