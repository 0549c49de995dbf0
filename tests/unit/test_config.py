"""Configuration comes from the environment; production refuses the development key."""

from __future__ import annotations

import pytest

from consult.app import create_app
from consult.config import DEV_SECRET_KEY, ProductionConfig


@pytest.fixture
def env(monkeypatch):
    """A clean environment: no consult settings leak in from the shell running the tests."""
    import os

    for name in list(os.environ):
        if name.startswith(("CONSULT_", "MAIL_")) or name in (
            "SECRET_KEY", "DATABASE_URL", "REDIS_URL"
        ):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    return monkeypatch


def test_production_refuses_the_default_secret_key(env):
    env.setenv("CONSULT_ENV", "production")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_production_refuses_an_empty_secret_key(env):
    env.setenv("CONSULT_ENV", "production")
    env.setenv("SECRET_KEY", "")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_production_config_class_refuses_the_default_secret_key(env):
    assert ProductionConfig.SECRET_KEY == DEV_SECRET_KEY
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


def test_production_refuses_the_default_site_url(env):
    # E-mailed links would all point at 127.0.0.1.
    env.setenv("CONSULT_ENV", "production")
    env.setenv("SECRET_KEY", "a-long-random-value-from-the-operator-0123456789")
    with pytest.raises(RuntimeError, match="CONSULT_SITE_URL"):
        create_app()


def test_production_starts_with_a_real_secret_key_and_secure_cookies(env):
    env.setenv("CONSULT_ENV", "production")
    env.setenv("SECRET_KEY", "a-long-random-value-from-the-operator-0123456789")
    env.setenv("CONSULT_SITE_URL", "https://consult.example.org")
    app = create_app()
    assert app.config["ENV_NAME"] == "production"
    assert app.config["SECRET_KEY"] == "a-long-random-value-from-the-operator-0123456789"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_development_is_the_default_and_accepts_the_dev_key(env):
    app = create_app()
    assert app.config["ENV_NAME"] == "development"
    assert app.config["SECRET_KEY"] == DEV_SECRET_KEY


def test_unknown_environment_name_is_refused(env):
    env.setenv("CONSULT_ENV", "staging")
    with pytest.raises(RuntimeError, match="CONSULT_ENV"):
        create_app()


def test_plain_postgresql_urls_use_psycopg(env):
    env.setenv("DATABASE_URL", "postgresql://u:p@db.example:5432/consult")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://u:p@db.example:5432/consult")
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True


def test_sqlite_under_instance_is_the_default_database(env, tmp_path):
    env.delenv("DATABASE_URL")
    app = create_app()
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    assert uri.startswith("sqlite:///") and uri.endswith("instance/consult.sqlite3")


def test_redis_url_keeps_the_rate_limits(env):
    env.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    app = create_app()
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"


def test_mail_server_switches_to_smtp(env):
    app = create_app()
    assert app.config["MAIL_BACKEND"] == "console"
    env.setenv("MAIL_SERVER", "smtp.example.org")
    env.setenv("MAIL_PORT", "465")
    env.setenv("MAIL_USE_SSL", "true")
    env.setenv("MAIL_USE_TLS", "false")
    app = create_app()
    assert app.config["MAIL_BACKEND"] == "smtp"
    assert app.config["MAIL_PORT"] == 465
    assert app.config["MAIL_USE_SSL"] is True and app.config["MAIL_USE_TLS"] is False


def test_prefixed_settings_are_read_and_parsed(env):
    env.setenv("CONSULT_PAGE_SIZE", "50")
    env.setenv("CONSULT_MAX_CONTENT_LENGTH", "1024")
    env.setenv("CONSULT_LOGIN_RATE_LIMIT", "3 per minute")
    app = create_app()
    assert app.config["PAGE_SIZE"] == 50
    assert app.config["MAX_CONTENT_LENGTH"] == 1024
    assert app.config["LOGIN_RATE_LIMIT"] == "3 per minute"


def test_defaults_are_chinese_and_shanghai(env):
    app = create_app()
    assert app.config["BABEL_DEFAULT_LOCALE"] == "zh_CN"
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Asia/Shanghai"
    assert set(app.config["LANGUAGES"]) == {"zh_CN", "en"}


def test_passwords_use_the_full_scrypt_cost_outside_tests(env):
    app = create_app()
    assert app.config["PASSWORD_HASH_METHOD"] == "scrypt"
