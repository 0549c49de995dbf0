"""Abuse limits: rate limits on posting, supporting, voting and the API, the login
slow-down and the new-account cool-down.

One mechanism for every action: a ``before_request`` hook looks the request's endpoint
up in ``LIMITED_ENDPOINTS`` (a category per endpoint, POST only; every ``/api/`` route
is in the "api" category for all methods) and counts it against the category's limit
(``POST_RATE_LIMIT``, ``SUPPORT_RATE_LIMIT``, ``VOTE_RATE_LIMIT``, ``API_RATE_LIMIT``),
keyed by the user (or the address of a visitor). Domain views need no edits; a new
posting endpoint is one line in the table below (or in the ``LIMITED_ENDPOINTS``
setting, which extends it).

The counters live in the rate-limit storage (``RATELIMIT_STORAGE_URI``: Redis when
``REDIS_URL`` is set, memory otherwise), not in a table: they expire by themselves,
are shared by every worker through Redis, and cost no migration. A restart with the
memory storage forgets them, which for limits and lockouts is acceptable.

Everything here is off when ``RATELIMIT_ENABLED`` is false (the test default); the
tests of these limits turn it on.
"""

from __future__ import annotations

import math
import time
from datetime import timedelta
from typing import Any

from flask import Flask, current_app, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from consult.clock import now
from consult.errors import render_error

DEFAULTS: dict[str, Any] = {
    "POST_RATE_LIMIT": "10 per minute;60 per hour",
    "SUPPORT_RATE_LIMIT": "60 per minute;600 per hour",
    "VOTE_RATE_LIMIT": "20 per minute",
    "API_RATE_LIMIT": "120 per minute",
    "LOGIN_LOCKOUT_FAILURES": 5,           # per account
    "LOGIN_LOCKOUT_ADDRESS_FAILURES": 20,  # per address (offices share one address)
    "LOGIN_LOCKOUT_WINDOW_MINUTES": 15,
    "LOGIN_LOCKOUT_MINUTES": 15,
    "LOGIN_DELAY_SECONDS": 30,
    "NEW_ACCOUNT_COOLDOWN_MINUTES": 10,
    "LIMITED_ENDPOINTS": {},
}

# endpoint -> category. POST requests only.
LIMITED_ENDPOINTS: dict[str, str] = {
    "participation.post_comment": "post",        # comments and replies
    "participation.edit_comment": "post",
    "participation.ask_question": "post",
    "participation.answer_question": "post",
    "suggestions.new": "post",
    "suggestions.comment": "post",
    "participation.support_comment": "support",
    "participation.support_question": "support",
    "suggestions.support": "support",
    "suggestions.rate": "support",
    "voting.vote": "vote",
    "surveys.survey": "vote",
}
CATEGORY_SETTINGS = {"post": "POST_RATE_LIMIT", "support": "SUPPORT_RATE_LIMIT",
                     "vote": "VOTE_RATE_LIMIT", "api": "API_RATE_LIMIT"}
# Posting waits out the new-account cool-down.
COOLDOWN_CATEGORIES = {"post"}


def init_limits(app: Flask) -> None:
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.extensions["consult_limits"] = _Limits(app)
    app.before_request(_check_request)


class _Limits:
    """A storage and a moving-window strategy of this app's own (the global Limiter
    object is shared by every app a test process creates)."""

    def __init__(self, app: Flask) -> None:
        self.uri = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
        self._strategy: MovingWindowRateLimiter | None = None

    @property
    def strategy(self) -> MovingWindowRateLimiter:
        if self._strategy is None:
            self._strategy = MovingWindowRateLimiter(storage_from_string(self.uri))
        return self._strategy

    def reset(self) -> None:
        if self._strategy is not None:
            self._strategy.storage.reset()


def _state() -> _Limits:
    return current_app.extensions["consult_limits"]


def enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED"))


def reset() -> None:
    """Forget every counter (tests)."""
    _state().reset()


def client_key() -> str:
    user = current_user
    if user is not None and getattr(user, "is_authenticated", False):
        return f"user:{user.id}"
    return f"addr:{request.remote_addr or 'unknown'}"


# ---------------------------------------------------------------- request limits

def category_of(endpoint: str | None, method: str, path: str) -> str | None:
    if path.startswith("/api/"):
        return "api"
    if method != "POST" or endpoint is None:
        return None
    table = {**LIMITED_ENDPOINTS, **(current_app.config.get("LIMITED_ENDPOINTS") or {})}
    return table.get(endpoint)


def hit(category: str, key: str) -> int | None:
    """Count one action; the seconds to wait when a limit is exceeded, else None."""
    strategy = _state().strategy
    items = parse_many(current_app.config[CATEGORY_SETTINGS[category]])
    wait = None
    for item in items:
        if not strategy.hit(item, "consult", category, key):
            reset_at = strategy.get_window_stats(item, "consult", category, key).reset_time
            seconds = max(1, math.ceil(reset_at - time.time()))
            wait = max(wait or 0, seconds)
    return wait


def _check_request():
    if not enabled() or request.method == "OPTIONS":
        return None
    category = category_of(request.endpoint, request.method, request.path)
    if category is None:
        return None

    if category in COOLDOWN_CATEGORIES:
        remaining = cooldown_remaining(current_user)
        if remaining:
            return render_error(429, cooldown_message(remaining),
                                headers={"Retry-After": str(remaining)})
    wait = hit(category, client_key())
    if wait:
        return render_error(
            429, _l("You have done this too often. Please wait a little and try again."),
            headers={"Retry-After": str(wait)})
    return None


# ---------------------------------------------------------------- new-account cool-down

def cooldown_remaining(user: Any) -> int:
    """Seconds a new account still waits before it may post (0 when it may).

    The one shared check for posting: the request hook applies it to every "post"
    endpoint; domain rules may call it too. Staff (any role) are exempt.
    """
    if not enabled() or user is None or not getattr(user, "is_authenticated", False):
        return 0
    minutes = int(current_app.config.get("NEW_ACCOUNT_COOLDOWN_MINUTES") or 0)
    created = getattr(user, "created_at", None)
    if minutes <= 0 or created is None or getattr(user, "roles", None):
        return 0
    left = (created + timedelta(minutes=minutes) - now()).total_seconds()
    return max(0, math.ceil(left))


def cooldown_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext("New accounts can post a few minutes after registering. "
                    "Please try again in %(num)d minute.",
                    "New accounts can post a few minutes after registering. "
                    "Please try again in %(num)d minutes.", minutes)


# ---------------------------------------------------------------- login slow-down

# Failed logins are counted per account *and address* pair: a stranger guessing from
# elsewhere slows down only their own tries, never the owner's. From the
# LOGIN_LOCKOUT_FAILURES-th failure of a pair within the window, that pair waits
# LOGIN_DELAY_SECONDS, doubling with each further failure, at most LOGIN_LOCKOUT_MINUTES.
# An address failing on many accounts (LOGIN_LOCKOUT_ADDRESS_FAILURES) waits the
# longest delay: it is guessing, not forgetting. The right password clears the pair.
# The client address is ``request.remote_addr``: behind a reverse proxy it is right only
# with CONSULT_PROXY_FIX_HOPS set to the number of proxies.

def _storage():
    return _state().strategy.storage


def _address() -> str:
    return request.remote_addr or "unknown"


def _pair(email: str) -> str:
    return f"{(email or '').strip().lower()[:254]}|{_address()}"


def _window() -> int:
    return 60 * int(current_app.config["LOGIN_LOCKOUT_WINDOW_MINUTES"])


def _longest() -> int:
    return 60 * int(current_app.config["LOGIN_LOCKOUT_MINUTES"])


def _wait_of(key: str) -> int:
    storage = _storage()
    if not storage.get(key):
        return 0
    return max(1, math.ceil(storage.get_expiry(key) - time.time()))


def login_locked(email: str) -> int:
    """Seconds this account-and-address pair (or this address) must wait (0: none)."""
    if not enabled():
        return 0
    return max(_wait_of(f"login-wait/{_pair(email)}"),
               _wait_of(f"login-wait/addr:{_address()}"))


def _wait(key: str, seconds: int) -> None:
    storage = _storage()
    storage.clear(key)
    storage.incr(key, seconds)


def login_failed(email: str) -> bool:
    """Count a failed login; True when the pair (or the address) now has to wait. The
    first wait of a pair is the moment to tell the account's owner (``first_wait``)."""
    if not enabled():
        return False
    config, storage = current_app.config, _storage()
    failures = storage.incr(f"login-failures/{_pair(email)}", _window())
    from_address = storage.incr(f"login-failures/addr:{_address()}", _window())
    waits = False
    threshold = int(config["LOGIN_LOCKOUT_FAILURES"])
    if failures >= threshold:
        delay = int(config["LOGIN_DELAY_SECONDS"]) * 2 ** min(failures - threshold, 20)
        _wait(f"login-wait/{_pair(email)}", min(delay, _longest()))
        waits = True
    if from_address >= int(config["LOGIN_LOCKOUT_ADDRESS_FAILURES"]):
        _wait(f"login-wait/addr:{_address()}", _longest())
        storage.clear(f"login-failures/addr:{_address()}")
        waits = True
    return waits


def first_wait(email: str) -> bool:
    """Whether the owner of ``email`` should hear of failed logins now: once per window
    per account, when a pair first has to wait."""
    if not enabled():
        return False
    key = f"login-told/{(email or '').strip().lower()[:254]}"
    return _storage().incr(key, _window()) == 1


def login_succeeded(email: str) -> None:
    """A right password clears the pair's failures (not the address's)."""
    if enabled():
        _storage().clear(f"login-failures/{_pair(email)}")


def lockout_message() -> str:
    return _("The e-mail address or password is not right. "
             "There were too many attempts: try again later.")
