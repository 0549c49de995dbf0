"""Configuration from environment variables, parsed strictly.

Every setting is a row of ``SETTINGS`` below (the README's configuration table lists the
same rows; a test holds them equal): its variable, its kind and what it accepts. A setting
is read as ``CONSULT_<NAME>``; the few that deployments conventionally name without a
prefix (``SECRET_KEY``, ``DATABASE_URL``, ``REDIS_URL``, ``MAIL_*``) are read plainly too,
and gunicorn's (``GUNICORN_*``) by ``gunicorn.conf.py``. Booleans accept true/false, 1/0,
yes/no, on/off in any case and nothing else; numbers and choices likewise. A wrong value,
an unknown ``CONSULT_`` variable or a setting production requires and lacks raises
``SettingError``: one line naming the variable and what it accepts, which ``flask``,
``wsgi.py`` and ``gunicorn.conf.py`` print instead of a traceback.
"""

from __future__ import annotations

import difflib
import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import click
from limits import parse_many
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from consult.operator_locale import gettext as _

DEV_SECRET_KEY = "dev-only-not-secret"
DEV_SITE_URL = "http://127.0.0.1:5000"


class Config:
    ENV_NAME = "development"
    SECRET_KEY = DEV_SECRET_KEY
    SQLALCHEMY_DATABASE_URI = ""  # filled from DATABASE_URL or the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {}
    REDIS_URL: str | None = None
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute"
    REGISTER_RATE_LIMIT = "5 per minute"
    REGISTER_CHECK_RATE_LIMIT = "60 per minute"  # the sign-up form's field-by-field checks
    RESET_RATE_LIMIT = "5 per minute"
    RECEIPT_RATE_LIMIT = "10 per minute; 50 per day"  # the public receipt lookup
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    # E-mail: printed to the log unless MAIL_SERVER is set (see create_app).
    MAIL_BACKEND = "console"
    MAIL_SERVER: str | None = None
    MAIL_PORT = 587
    MAIL_USE_TLS = True
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "consult <no-reply@localhost>"
    # Account tokens (verification, password reset)
    VERIFY_TOKEN_MAX_AGE = 3 * 24 * 3600
    RESET_TOKEN_MAX_AGE = 2 * 3600
    PASSWORD_MIN_LENGTH = 10
    PASSWORD_HASH_METHOD = "scrypt"  # werkzeug's default cost (n=2**15)
    PAGE_SIZE = 20
    UPLOAD_MAX_BYTES = 10 * 1024 * 1024  # consult.uploads: largest uploaded file
    PROXY_FIX_HOPS = 0  # set to the number of reverse proxies in front of consult
    FORCE_HTTPS = True  # production only: redirect plain http to https
    DB_POOL_SIZE = 5
    DB_MAX_OVERFLOW = 5
    WARM_UP = True  # wsgi.py: compile templates in the gunicorn master
    # Compiled templates kept on disk (consult.templating.TemplateCache): None is the
    # instance folder's template-cache, "" none.
    TEMPLATE_CACHE: str | None = None
    # Observability (consult/observability.py)
    LOG_FORMAT = "text"
    LOG_LEVEL = "INFO"
    ACCESS_LOG = False
    METRICS = True
    METRICS_ALLOW: tuple[str, ...] = ("127.0.0.1/32", "::1/128")
    METRICS_TOKEN: str | None = None
    # The public address of the site, for absolute links in e-mails: those sent outside
    # any request (``flask rounds tick``), and all others too, so that a forged Host
    # header can never put someone else's address into a reset or notification link.
    SITE_URL = DEV_SITE_URL
    # Who runs the site (主办单位) and how to reach them, for the footer and the contact,
    # privacy and accessibility pages; empty: the pages say so in the reader's language.
    SITE_OWNER = ""
    SITE_CONTACT_EMAIL = ""
    SITE_CONTACT_PHONE = ""
    SITE_CONTACT_ADDRESS = ""


class TestConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key"
    WTF_CSRF_ENABLED = False  # tests that check CSRF turn it back on
    RATELIMIT_ENABLED = False
    MAIL_BACKEND = "locmem"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SERVER_NAME = "localhost"
    SITE_URL = "http://localhost"
    # A cheap scrypt: the default costs about half a second per hash or check.
    PASSWORD_HASH_METHOD = "scrypt:2048:8:1"
    TEMPLATE_CACHE = ""  # each test's app compiles in memory: nothing written


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    LOG_FORMAT = "json"
    ACCESS_LOG = True


CONFIGS = {"development": Config, "testing": TestConfig, "production": ProductionConfig}


class SettingError(click.ClickException, RuntimeError):
    """A wrong, unknown or missing setting: one line for the operator, no traceback.

    A ``click.ClickException``, so ``flask`` prints ``Error: <the line>`` and exits 1;
    ``wsgi.py`` and ``gunicorn.conf.py`` print the same line themselves."""


def _shown(raw: str) -> str:
    raw = raw if len(raw) <= 60 else raw[:57] + "..."
    return repr(raw)


# ---------------------------------------------------------------- kinds of values

@dataclass(frozen=True)
class Kind:
    """How a setting's text is parsed. ``good``/``bad`` are examples the tests try."""

    good: tuple[tuple[str, Any], ...] = ()
    bad: tuple[str, ...] = ()

    @property
    def examples(self) -> tuple[tuple[str, Any], ...]:
        """(text, parsed value) pairs it accepts."""
        return self.good

    @property
    def counter_examples(self) -> tuple[str, ...]:
        """Texts it refuses."""
        return self.bad

    def parse(self, name: str, raw: str) -> Any:
        raise NotImplementedError


TRUE_WORDS = ("true", "1", "yes", "on")
FALSE_WORDS = ("false", "0", "no", "off")


@dataclass(frozen=True)
class Bool(Kind):
    good: tuple = (("true", True), ("off", False), ("YES", True), ("0", False))
    bad: tuple = ("of", "", "2", "enabled", "ture")

    def parse(self, name: str, raw: str) -> bool:
        word = raw.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise SettingError(_(
            "%(name)s must be true or false (accepted: true, false, 1, 0, yes, no, on, off), "
            "not %(value)s.", name=name, value=_shown(raw)))


@dataclass(frozen=True)
class Int(Kind):
    low: int = 0
    high: int | None = None

    @property
    def examples(self) -> tuple[tuple[str, Any], ...]:
        return ((str(self.low), self.low), (f" {self.low + 1} ", self.low + 1))

    @property
    def counter_examples(self) -> tuple[str, ...]:
        over = () if self.high is None else (str(self.high + 1),)
        return ("ten", "", "1.5", "1e3", str(self.low - 1), *over)

    def parse(self, name: str, raw: str) -> int:
        text = raw.strip()
        value = int(text) if re.fullmatch(r"[+-]?\d+", text) else None
        if value is None or value < self.low or (self.high is not None and value > self.high):
            if self.high is None:
                message = _("%(name)s must be a whole number of at least %(low)d, "
                            "not %(value)s.", name=name, low=self.low, value=_shown(raw))
            else:
                message = _("%(name)s must be a whole number from %(low)d to %(high)d, "
                            "not %(value)s.", name=name, low=self.low, high=self.high,
                            value=_shown(raw))
            raise SettingError(message)
        return value


@dataclass(frozen=True)
class Choice(Kind):
    choices: tuple[str, ...] = ()
    case_sensitive: bool = False

    @property
    def examples(self) -> tuple[tuple[str, Any], ...]:
        return tuple((c, c) for c in self.choices)

    @property
    def counter_examples(self) -> tuple[str, ...]:
        return ("", "none-of-these", self.choices[0] + "x")

    def parse(self, name: str, raw: str) -> str:
        text = raw.strip()
        for choice in self.choices:
            if text == choice or (not self.case_sensitive and text.lower() == choice.lower()):
                return choice
        raise SettingError(_("%(name)s must be one of %(accepted)s, not %(value)s.",
                             name=name, accepted=", ".join(self.choices), value=_shown(raw)))


@dataclass(frozen=True)
class Text(Kind):
    """Free text; ``secret`` values are never repeated in a message."""

    min_length: int = 0
    secret: bool = False
    good: tuple = (("some text", "some text"),)

    @property
    def counter_examples(self) -> tuple[str, ...]:
        return ("",) if self.min_length else ()

    def parse(self, name: str, raw: str) -> str:
        if len(raw) < self.min_length:
            if self.min_length == 1:
                raise SettingError(_("%(name)s must not be empty.", name=name))
            raise SettingError(_("%(name)s must be at least %(length)d characters long.",
                                 name=name, length=self.min_length))
        return raw


@dataclass(frozen=True)
class Url(Kind):
    schemes: tuple[str, ...] = ("http", "https")
    example: str = "https://consult.example.gov.cn"

    @property
    def examples(self) -> tuple[tuple[str, Any], ...]:
        return ((self.example, self.example),)

    @property
    def counter_examples(self) -> tuple[str, ...]:
        return ("", "consult.example.gov.cn", "ftp://x.example/")

    def parse(self, name: str, raw: str) -> str:
        text = raw.strip()
        parts = urlsplit(text)
        if parts.scheme not in self.schemes or not (parts.netloc or parts.path):
            # The value is not repeated: it may hold a password.
            raise SettingError(_("%(name)s must be a URL starting with %(schemes)s, "
                                 "e.g. %(example)s.", name=name,
                                 schemes=" or ".join(f"{s}://" for s in self.schemes),
                                 example=self.example))
        if parts.scheme in ("http", "https") and not parts.netloc:
            raise SettingError(_("%(name)s must be a URL starting with %(schemes)s, "
                                 "e.g. %(example)s.", name=name,
                                 schemes=" or ".join(f"{s}://" for s in self.schemes),
                                 example=self.example))
        return text


DATABASE_EXAMPLE = "postgresql+psycopg://consult:PASSWORD@127.0.0.1:5432/consult"


@dataclass(frozen=True)
class DatabaseUrl(Kind):
    good: tuple = (("sqlite:////var/lib/consult/consult.sqlite3",
                    "sqlite:////var/lib/consult/consult.sqlite3"),
                   (DATABASE_EXAMPLE, DATABASE_EXAMPLE))
    bad: tuple = ("", "consult.sqlite3", "mysql://u@h/db", "postgresql+psycopg://u@h:port/db")

    def parse(self, name: str, raw: str) -> str:
        text = raw.strip()
        try:
            url = make_url(text)
            url.port  # noqa: B018 - a port that is not a number raises here
            backend = url.get_backend_name()
        except (ArgumentError, ValueError):
            backend = None
        if backend not in ("sqlite", "postgresql"):
            raise SettingError(_("%(name)s must be an SQLite or PostgreSQL URL, e.g. "
                                 "%(example)s or sqlite:////var/lib/consult/consult.sqlite3.",
                                 name=name, example=DATABASE_EXAMPLE))
        return text


@dataclass(frozen=True)
class RateLimit(Kind):
    good: tuple = (("10 per minute;60 per hour", "10 per minute;60 per hour"),)
    bad: tuple = ("", "ten per minute", "5 per fortnight", "fast")

    def parse(self, name: str, raw: str) -> str:
        try:
            parse_many(raw)
        except ValueError:
            raise SettingError(_("%(name)s must be rate limits such as "
                                 "\"10 per minute;60 per hour\", not %(value)s.",
                                 name=name, value=_shown(raw))) from None
        return raw


@dataclass(frozen=True)
class HashMethod(Kind):
    good: tuple = (("scrypt", "scrypt"), ("scrypt:32768:8:1", "scrypt:32768:8:1"),
                   ("pbkdf2:sha256:600000", "pbkdf2:sha256:600000"))
    bad: tuple = ("", "md5", "scrypt:a:b:c", "plain")
    PATTERN = re.compile(r"scrypt(:\d+:\d+:\d+)?|pbkdf2(:sha(256|512)(:\d+)?)?")

    def parse(self, name: str, raw: str) -> str:
        if not self.PATTERN.fullmatch(raw.strip()):
            raise SettingError(_("%(name)s must be a password hash method such as scrypt, "
                                 "scrypt:32768:8:1 or pbkdf2:sha256:600000, not %(value)s.",
                                 name=name, value=_shown(raw)))
        return raw.strip()


@dataclass(frozen=True)
class Addresses(Kind):
    """Comma-separated IP addresses or networks, kept as normalised network strings."""

    good: tuple = (("127.0.0.1, 10.0.0.0/8 ,::1", ("127.0.0.1/32", "10.0.0.0/8", "::1/128")),
                   ("", ()))
    bad: tuple = ("localhost", "127.0.0.1;10.0.0.1", "10.0.0.0/33")

    def parse(self, name: str, raw: str) -> tuple[str, ...]:
        items = [item.strip() for item in raw.split(",") if item.strip()]
        try:
            return tuple(str(ipaddress.ip_network(item, strict=False)) for item in items)
        except ValueError:
            raise SettingError(_("%(name)s must be a comma-separated list of IP addresses "
                                 "or networks (e.g. 127.0.0.1, 10.0.0.0/8), not %(value)s.",
                                 name=name, value=_shown(raw))) from None


@dataclass(frozen=True)
class Bind(Kind):
    good: tuple = (("127.0.0.1:8000", "127.0.0.1:8000"), ("unix:/run/consult/web.sock",
                                                          "unix:/run/consult/web.sock"),
                   ("[::1]:8000", "[::1]:8000"))
    bad: tuple = ("", "8000", "127.0.0.1", "127.0.0.1:http", "127.0.0.1:70000")

    def parse(self, name: str, raw: str) -> str:
        text = raw.strip()
        match = re.fullmatch(r"(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d+)", text)
        if (text.startswith("unix:") and len(text) > 5) or (
                match and 0 < int(match.group(2)) < 65536):
            return text
        raise SettingError(_("%(name)s must be HOST:PORT or unix:PATH "
                             "(e.g. 127.0.0.1:8000), not %(value)s.",
                             name=name, value=_shown(raw)))


# ---------------------------------------------------------------- the settings table

@dataclass(frozen=True)
class Setting:
    """One setting: the ``app.config`` key, its kind, the environment variables that set it
    (the last one present wins) and where it is read: "app" (create_app), "process" (once,
    by a module outside the app) or "gunicorn" (gunicorn.conf.py)."""

    key: str
    kind: Kind
    variables: tuple[str, ...]
    scope: str = "app"

    @property
    def name(self) -> str:
        """The variable named in messages and in the README."""
        return self.variables[0]

    def examples(self) -> tuple[tuple[tuple[str, Any], ...], tuple[str, ...]]:
        return self.kind.examples, self.kind.counter_examples


def app_setting(key: str, kind: Kind, scope: str = "app") -> Setting:
    return Setting(key, kind, (f"CONSULT_{key}",), scope)


def plain_setting(key: str, kind: Kind) -> Setting:
    """Read as KEY and as CONSULT_KEY (the latter wins)."""
    return Setting(key, kind, (key, f"CONSULT_{key}"))


def gunicorn_setting(name: str, kind: Kind) -> Setting:
    return Setting(name, kind, (name,), "gunicorn")


BOOL = Bool()
REDIS = ("redis", "rediss", "unix")

SETTINGS: tuple[Setting, ...] = (
    Setting("ENV_NAME", Choice(choices=("development", "testing", "production"),
                               case_sensitive=True), ("CONSULT_ENV",)),
    plain_setting("SECRET_KEY", Text(min_length=1, secret=True, good=(("x" * 40, "x" * 40),))),
    plain_setting("DATABASE_URL", DatabaseUrl()),
    plain_setting("REDIS_URL", Url(schemes=REDIS, example="redis://127.0.0.1:6379/0")),
    plain_setting("MAIL_SERVER", Text(min_length=1)),
    plain_setting("MAIL_PORT", Int(low=1, high=65535)),
    plain_setting("MAIL_USERNAME", Text()),
    plain_setting("MAIL_PASSWORD", Text(secret=True)),
    plain_setting("MAIL_USE_TLS", BOOL),
    plain_setting("MAIL_USE_SSL", BOOL),
    plain_setting("MAIL_DEFAULT_SENDER", Text(min_length=3)),
    app_setting("MAX_CONTENT_LENGTH", Int(low=1024)),
    app_setting("UPLOAD_MAX_BYTES", Int(low=1024, high=100 * 1024 * 1024)),
    app_setting("LOGIN_RATE_LIMIT", RateLimit()),
    app_setting("REGISTER_RATE_LIMIT", RateLimit()),
    app_setting("REGISTER_CHECK_RATE_LIMIT", RateLimit()),
    app_setting("RESET_RATE_LIMIT", RateLimit()),
    app_setting("RECEIPT_RATE_LIMIT", RateLimit()),
    app_setting("PASSWORD_MIN_LENGTH", Int(low=8, high=128)),
    app_setting("PASSWORD_HASH_METHOD", HashMethod()),
    app_setting("DB_POOL_SIZE", Int(low=1, high=1000)),
    app_setting("DB_MAX_OVERFLOW", Int(low=0, high=1000)),
    app_setting("SITE_URL", Url()),
    app_setting("SITE_OWNER", Text()),
    app_setting("SITE_CONTACT_EMAIL", Text()),
    app_setting("SITE_CONTACT_PHONE", Text()),
    app_setting("SITE_CONTACT_ADDRESS", Text()),
    app_setting("PAGE_SIZE", Int(low=1, high=500)),
    app_setting("PAGE_CACHE", BOOL),
    app_setting("PAGE_CACHE_SECONDS", Int(low=1, high=86400)),
    app_setting("CACHE_TYPE", Choice(choices=("RedisCache", "SimpleCache", "NullCache"))),
    app_setting("CACHE_REDIS_URL", Url(schemes=REDIS, example="redis://127.0.0.1:6379/1")),
    app_setting("POST_RATE_LIMIT", RateLimit()),
    app_setting("SUPPORT_RATE_LIMIT", RateLimit()),
    app_setting("VOTE_RATE_LIMIT", RateLimit()),
    app_setting("API_RATE_LIMIT", RateLimit()),
    app_setting("RATELIMIT_ENABLED", BOOL),
    app_setting("LOGIN_LOCKOUT_FAILURES", Int(low=1, high=1000)),
    app_setting("LOGIN_LOCKOUT_ADDRESS_FAILURES", Int(low=1, high=100000)),
    app_setting("LOGIN_LOCKOUT_WINDOW_MINUTES", Int(low=1, high=10080)),
    app_setting("LOGIN_LOCKOUT_MINUTES", Int(low=1, high=10080)),
    app_setting("LOGIN_DELAY_SECONDS", Int(low=1, high=3600)),
    app_setting("NEW_ACCOUNT_COOLDOWN_MINUTES", Int(low=0, high=10080)),
    app_setting("COMMENT_EDIT_MINUTES", Int(low=0, high=10080)),
    app_setting("SUGGESTION_REPLY_DAYS", Int(low=1, high=365)),
    app_setting("RECTIFICATION_DAYS", Int(low=1, high=60)),
    app_setting("QUESTION_ANSWER_DAYS", Int(low=1, high=90)),
    app_setting("CLOSING_SOON_HOURS", Int(low=1, high=720)),
    app_setting("WORKSPACE_DIGEST_HOUR", Int(low=0, high=23)),
    app_setting("WORKSPACE_CLOSING_REMINDER_HOURS", Int(low=1, high=720)),
    app_setting("ANALYSIS_MODE", Choice(choices=("rq", "thread", "inline"))),
    app_setting("JIEBA_CACHE", Text(min_length=1), scope="process"),
    app_setting("PROXY_FIX_HOPS", Int(low=0, high=5)),
    app_setting("FORCE_HTTPS", BOOL),
    app_setting("COMPRESS_REGISTER", BOOL),
    app_setting("WARM_UP", BOOL),
    app_setting("TEMPLATE_CACHE", Text()),
    app_setting("LOG_FORMAT", Choice(choices=("json", "text"))),
    app_setting("LOG_LEVEL", Choice(choices=("DEBUG", "INFO", "WARNING", "ERROR"))),
    app_setting("ACCESS_LOG", BOOL),
    app_setting("METRICS", BOOL),
    app_setting("METRICS_ALLOW", Addresses()),
    app_setting("METRICS_TOKEN", Text(min_length=16, secret=True, good=(("t" * 32, "t" * 32),))),
    gunicorn_setting("GUNICORN_BIND", Bind()),
    gunicorn_setting("GUNICORN_WORKERS", Int(low=1, high=256)),
    gunicorn_setting("GUNICORN_THREADS", Int(low=1, high=256)),
    gunicorn_setting("GUNICORN_TIMEOUT", Int(low=1, high=3600)),
    gunicorn_setting("GUNICORN_GRACEFUL_TIMEOUT", Int(low=1, high=3600)),
    gunicorn_setting("GUNICORN_KEEPALIVE", Int(low=0, high=3600)),
    gunicorn_setting("GUNICORN_MAX_REQUESTS", Int(low=0)),
    gunicorn_setting("GUNICORN_MAX_REQUESTS_JITTER", Int(low=0)),
    gunicorn_setting("GUNICORN_PRELOAD", BOOL),
    gunicorn_setting("GUNICORN_ACCESSLOG", Text()),
    gunicorn_setting("GUNICORN_LOGLEVEL", Choice(choices=("debug", "info", "warning", "error"))),
    gunicorn_setting("FORWARDED_ALLOW_IPS", Text(min_length=1)),
    gunicorn_setting("PROMETHEUS_MULTIPROC_DIR", Text(min_length=1)),
)

BY_KEY = {s.key: s for s in SETTINGS}
# Variables with the prefix that are not settings of this table: none. GUNICORN_CMD_ARGS
# is gunicorn's own command-line shortcut.
NOT_SETTINGS = ("GUNICORN_CMD_ARGS",)


def _variables(scopes: tuple[str, ...]) -> dict[str, Setting]:
    return {name: s for s in SETTINGS if s.scope in scopes for name in s.variables}


def read_environment(environ: Mapping[str, str], scopes: tuple[str, ...] = ("app", "process")
                     ) -> dict[str, Any]:
    """Every setting of ``scopes`` found in ``environ``, parsed: {config key: value}.
    Raises SettingError for a wrong value or an unknown ``CONSULT_`` variable (and an
    unknown ``GUNICORN_`` one when reading gunicorn's)."""
    known = _variables(scopes)
    every = _variables(("app", "process", "gunicorn"))
    prefixes = ("CONSULT_", "GUNICORN_") if "gunicorn" in scopes else ("CONSULT_",)
    for name in sorted(environ):
        if name.startswith(prefixes) and name not in every and name not in NOT_SETTINGS:
            close = difflib.get_close_matches(name, list(every), n=1)
            if close:
                raise SettingError(_("Unknown setting %(name)s (did you mean %(suggestion)s?): "
                                     "the README's configuration table lists every setting.",
                                     name=name, suggestion=close[0]))
            raise SettingError(_("Unknown setting %(name)s: the README's configuration table "
                                 "lists every setting.", name=name))
    values: dict[str, Any] = {}
    for name, setting in known.items():  # in table order: a prefixed name after the plain one
        if name in environ:
            values[setting.key] = setting.kind.parse(name, environ[name])
    if values.get("MAIL_USE_SSL") and "MAIL_USE_TLS" not in values:
        values["MAIL_USE_TLS"] = False  # SSL chosen: STARTTLS (the default) goes
    return values


def check_consistency(config: Mapping[str, Any]) -> None:
    """What production requires, and settings that contradict each other."""
    if config.get("ENV_NAME") == "production":
        if config.get("SECRET_KEY") in (DEV_SECRET_KEY, "", None):
            raise SettingError(_(
                "%(name)s is required in production: set it to a long random value, e.g. the "
                "output of python3 -c \"import secrets; print(secrets.token_hex(32))\".",
                name="SECRET_KEY"))
        if len(config["SECRET_KEY"]) < 32:
            raise SettingError(_("%(name)s must be at least %(length)d characters long.",
                                 name="SECRET_KEY", length=32))
        if config.get("SITE_URL") in (DEV_SITE_URL, "", None):
            # Every e-mailed link (verification, password reset, notifications) is built
            # from it: left at the default, they would all point at 127.0.0.1.
            raise SettingError(_(
                "%(name)s is required in production: set it to the public address of the "
                "site, e.g. https://consult.example.gov.cn.", name="CONSULT_SITE_URL"))
        if not (config.get("DATABASE_URL") or config.get("SQLALCHEMY_DATABASE_URI")):
            raise SettingError(_(
                "%(name)s is required in production: set it to the database, e.g. "
                "%(example)s.", name="DATABASE_URL", example=DATABASE_EXAMPLE))
    if config.get("MAIL_USE_TLS") and config.get("MAIL_USE_SSL"):
        raise SettingError(_("MAIL_USE_TLS and MAIL_USE_SSL cannot both be true: choose one "
                             "(STARTTLS on port 587 or SSL on port 465)."))
    if config.get("ANALYSIS_MODE") == "rq" and not config.get("REDIS_URL"):
        raise SettingError(_("CONSULT_ANALYSIS_MODE=rq needs REDIS_URL: set REDIS_URL or "
                             "choose thread."))


def check_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Check every setting the app will read, without building the app (gunicorn's master
    calls this before anything else); returns the app's values."""
    environ = os.environ if environ is None else environ
    env_name = BY_KEY["ENV_NAME"].kind.parse("CONSULT_ENV",
                                             environ.get("CONSULT_ENV", "development"))
    values = read_environment(environ)
    base = CONFIGS[env_name]
    config = {k: getattr(base, k) for k in dir(base) if k.isupper()}
    config.update(values)
    check_consistency(config)
    return values


def gunicorn_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """gunicorn.conf.py's settings from ``GUNICORN_*`` (and the app's, checked too)."""
    environ = os.environ if environ is None else environ
    check_environment(environ)
    return read_environment(environ, scopes=("gunicorn",))


def load(app, config: type | dict | None) -> None:
    """Apply the config class for CONSULT_ENV, then environment variables, then overrides."""
    if isinstance(config, type):
        app.config.from_object(config)
    else:
        values = read_environment(os.environ)
        app.config.from_object(CONFIGS[values.get("ENV_NAME", "development")])
        app.config.update(values)
        if isinstance(config, dict):
            app.config.update(config)
    check_consistency(app.config)

    if app.config.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        os.makedirs(app.instance_path, exist_ok=True)
        path = os.path.join(app.instance_path, "consult.sqlite3")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql") and not uri.startswith("postgresql+"):
        # Accept plain postgresql:// URLs; we drive PostgreSQL with psycopg 3.
        app.config["SQLALCHEMY_DATABASE_URI"] = uri.replace("postgresql", "postgresql+psycopg", 1)
    if uri.startswith("postgresql"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_pre_ping": True,
            "pool_size": int(app.config.get("DB_POOL_SIZE", 5)),
            "max_overflow": int(app.config.get("DB_MAX_OVERFLOW", 5)),
            # A database host that does not answer fails /readyz and requests in seconds,
            # not after the TCP timeout (libpq waits forever by default).
            "connect_args": {"connect_timeout": 5},
            **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
        }
    if app.config.get("REDIS_URL") and app.config["RATELIMIT_STORAGE_URI"] == "memory://":
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
    if app.config.get("MAIL_SERVER") and app.config["MAIL_BACKEND"] == "console":
        app.config["MAIL_BACKEND"] = "smtp"
