"""Vault's authorize page, for ``gmtui sandbox``: ``GET {prefix}/web/`` serves one
self-contained page whose script reads ``#/oauth/authorize?client_id&state[&user_id]``
(the fragment never reaches a server) into a form listing the unbound Vault accounts;
Approve posts to ``{prefix}/web/approve``, Deny to ``{prefix}/web/deny``, and both
answer 302 to the application's registered redirect URI (:meth:`State.approve` and
:meth:`State.deny`), or an error page when Vault refuses (as the seed says Vault does
when the application names no failure URI). Everything written into the page is escaped.
"""

from __future__ import annotations

import base64
import hashlib
from email.utils import formatdate
from html import escape
from urllib.parse import parse_qsl

from gmtui.sandbox.answer import Answer
from gmtui.sandbox.mithril.state import NEW_USER_MITH, Refused, State

STYLE = """
body { font-family: system-ui, sans-serif; background: #f4f1ea; color: #222; margin: 0; }
main { max-width: 32rem; margin: 3rem auto; background: #fff; padding: 1.5rem 2rem; border-radius: 8px;
       box-shadow: 0 1px 4px rgba(0, 0, 0, .15); }
h1 { font-size: 1.3rem; margin-top: 0; } h1 small { color: #b5651d; font-weight: normal; }
fieldset { border: 1px solid #ddd; border-radius: 6px; margin: 1rem 0; }
label { display: block; padding: .25rem 0; } .muted { color: #777; }
button { font-size: 1rem; padding: .4rem 1.2rem; margin-right: .5rem; }
.error { color: #a40000; }
"""

SCRIPT = """
(function () {
  var hash = location.hash.replace(/^#/, "");
  var at = hash.indexOf("?");
  var route = at < 0 ? hash : hash.slice(0, at);
  var params = new URLSearchParams(at < 0 ? "" : hash.slice(at + 1));
  var ask = document.getElementById("ask");
  ["client_id", "state", "user_id"].forEach(function (name) {
    document.getElementById(name).value = params.get(name) || "";
  });
  if (route !== "/oauth/authorize" || !params.get("client_id") || !params.get("state")) {
    ask.textContent = "This page expects #/oauth/authorize?client_id=...&state=...[&user_id=...] in its address.";
    ask.className = "error";
    document.getElementById("approve").disabled = true;
    document.getElementById("deny").disabled = true;
    return;
  }
  var user = params.get("user_id");
  ask.textContent = "The application " + params.get("client_id") + " asks to bind a Vault account" +
    (user ? " to its user " + user : "") + ". Its rewards will be paid to the account you choose.";
})();
"""


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


_POLICY = (f"default-src 'none'; style-src {_hash(STYLE)}; script-src {_hash(SCRIPT)}; base-uri 'none'; "
           "frame-ancestors 'none'")


def _page(title: str, content: str, status: int, now: float) -> Answer:
    text = (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<style>{STYLE}</style></head>\n<body><main>\n{content}\n</main></body></html>\n")
    return Answer(status, text.encode(), {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store",
                                          "Content-Security-Policy": _POLICY, "X-Frame-Options": "DENY",
                                          "Date": formatdate(now, usegmt=True)})


def authorize_page(state: State, prefix: str, now: float) -> Answer:
    choices = [f'<label><input type="radio" name="account" value="{a.index}"{" checked" if i == 0 else ""}> '
               f'{escape(a.name)} <span class="muted">(KYC {a.kyc_level}, stake level {a.stake_level}, '
               f"{escape(str(a.balance))} MITH)</span></label>"
               for i, a in enumerate(state.unbound())]
    if not choices:
        choices = ['<input type="hidden" name="account" value="">'
                   f"<p>Every Vault account is bound: approving registers a new one ({NEW_USER_MITH} MITH).</p>"]
    base = escape(prefix)
    content = (f"<h1>Mithril Vault <small>sandbox</small></h1>\n<p id=\"ask\"></p>\n"
               f'<form method="post" action="{base}/web/approve">\n'
               '<input type="hidden" name="client_id" id="client_id">'
               '<input type="hidden" name="state" id="state"><input type="hidden" name="user_id" id="user_id">\n'
               f"<fieldset><legend>Sign in as</legend>\n{chr(10).join(choices)}\n</fieldset>\n"
               '<button type="submit" id="approve">Approve</button>'
               f'<button type="submit" id="deny" formaction="{base}/web/deny">Deny</button>\n</form>\n'
               f"<script>{SCRIPT}</script>")
    return _page("Mithril Vault (sandbox): authorize", content, 200, now)


def error_page(exc: Refused, now: float) -> Answer:
    content = (f"<h1>Mithril Vault <small>sandbox</small></h1>\n<p class=\"error\">The binding failed: "
               f"<strong>{escape(exc.code)}</strong>.</p>\n<p>{escape(exc.message)}</p>")
    return _page("Mithril Vault (sandbox): binding failed", content, exc.status, now)


def _decide(state: State, route: str, form: dict[str, str]) -> str:
    if form.get("client_id") != state.client_id:
        raise Refused(403, "FORBIDDEN_ERROR", "application not found (client_id)")
    state_param = form.get("state", "")
    if route == "/web/deny":
        return state.deny(state_param)
    chosen = form.get("account", "")
    if chosen and not (chosen.isascii() and chosen.isdigit() and len(chosen) < 6):
        raise Refused(400, "INPUT_FIELD_INVALID_ERROR", "no such Vault account")
    return state.approve(state_param, form.get("user_id", ""), int(chosen) if chosen else None)


def answer(state: State, prefix: str, method: str, route: str, raw: bytes, now: float) -> Answer:
    """The page, or a decision's 302 to the application (or an error page)."""
    if route.rstrip("/") == "/web":  # also {web}/ + "/#/oauth/..." when a client joins with a slash
        if method not in ("GET", "HEAD"):
            return error_page(Refused(405, "METHOD_NOT_ALLOWED_ERROR", "use GET"), now)
        return authorize_page(state, prefix, now)
    if route not in ("/web/approve", "/web/deny"):
        return error_page(Refused(404, "NOT_FOUND_ERROR", "no such page"), now)
    if method != "POST":
        return error_page(Refused(405, "METHOD_NOT_ALLOWED_ERROR", "use POST"), now)
    form = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    try:
        location = _decide(state, route, form)
    except Refused as exc:
        return error_page(exc, now)
    return Answer(302, b"", {"Location": location, "Cache-Control": "no-store", "Date": formatdate(now, usegmt=True)})
