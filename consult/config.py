"""Configuration from environment variables.

Every setting may be given as ``CONSULT_<NAME>`` (Flask's ``from_prefixed_env``);
the few that deployments conventionally name without a prefix (``SECRET_KEY``,
``DATABASE_URL``, ``REDIS_URL``, ``MAIL_*``) are read plainly too.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

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
    RESET_RATE_LIMIT = "5 per minute"
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
    PROXY_FIX_HOPS = 0  # set to the number of reverse proxies in front of consult
    # The public address of the site, for absolute links in e-mails: those sent outside
    # any request (``flask rounds tick``), and all others too, so that a forged Host
    # header can never put someone else's address into a reset or notification link.
    SITE_URL = DEV_SITE_URL


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


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


CONFIGS = {"development": Config, "testing": TestConfig, "production": ProductionConfig}

PLAIN_ENV = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "MAIL_SERVER", "MAIL_PORT",
             "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_DEFAULT_SENDER", "MAIL_USE_TLS",
             "MAIL_USE_SSL")


def load(app, config: type | dict | None) -> None:
    """Apply the config class for CONSULT_ENV, then environment variables, then overrides."""
    if isinstance(config, type):
        app.config.from_object(config)
    else:
        env_name = os.environ.get("CONSULT_ENV", "development")
        if env_name not in CONFIGS:
            raise RuntimeError(f"CONSULT_ENV must be one of {sorted(CONFIGS)}, not {env_name!r}")
        app.config.from_object(CONFIGS[env_name])
        for name in PLAIN_ENV:
            if name in os.environ:
                value: Any = os.environ[name]
                if name in ("MAIL_PORT",):
                    value = int(value)
                elif name in ("MAIL_USE_TLS", "MAIL_USE_SSL"):
                    value = value.lower() in ("1", "true", "yes", "on")
                app.config[name] = value
        app.config.from_prefixed_env("CONSULT")
        if isinstance(config, dict):
            app.config.update(config)

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
            **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
        }
    if app.config.get("REDIS_URL") and app.config["RATELIMIT_STORAGE_URI"] == "memory://":
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
    if app.config.get("MAIL_SERVER") and app.config["MAIL_BACKEND"] == "console":
        app.config["MAIL_BACKEND"] = "smtp"

    if app.config["ENV_NAME"] == "production" and app.config["SECRET_KEY"] in (
        DEV_SECRET_KEY, "", None
    ):
        raise RuntimeError(
            "Refusing to start in production with the development SECRET_KEY: "
            "set SECRET_KEY to a long random value."
        )
    if app.config["ENV_NAME"] == "production" and app.config.get("SITE_URL") in (
        DEV_SITE_URL, "", None
    ):
        # Every e-mailed link (verification, password reset, notifications) is built
        # from it: left at the default, they would all point at 127.0.0.1.
        raise RuntimeError(
            "Refusing to start in production without CONSULT_SITE_URL: set it to the "
            "public address of the site, e.g. https://consult.example.gov.cn."
        )
