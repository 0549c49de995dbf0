"""Strict settings: every row of consult.config.SETTINGS (the README's configuration
table) accepts what it documents and refuses anything else with one line naming the
variable; a wrong or missing setting stops flask, wsgi.py and gunicorn before they start,
with that one line and no traceback."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask

from consult import config as config_module
from consult.config import SETTINGS, SettingError, check_environment, gunicorn_settings

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# A production environment that starts (each test changes one thing).
PRODUCTION = {"CONSULT_ENV": "production", "SECRET_KEY": "s" * 48,
              "CONSULT_SITE_URL": "https://consult.example.gov.cn",
              "DATABASE_URL": "sqlite:////var/lib/consult/consult.sqlite3"}


def cases(kind_of_example: str):
    for setting in SETTINGS:
        good, bad = setting.examples()
        for variable in setting.variables:
            if kind_of_example == "good":
                for raw, value in good:
                    yield pytest.param(setting, variable, raw, value,
                                       id=f"{variable}={raw[:20]}")
            else:
                for raw in bad:
                    yield pytest.param(setting, variable, raw, id=f"{variable}={raw[:20]}")


# What a value needs beside it to start (production needs its settings; rq needs Redis).
CONTEXT = {("ENV_NAME", "production"): PRODUCTION,
           ("ANALYSIS_MODE", "rq"): {"REDIS_URL": "redis://127.0.0.1:6379/0"}}


def parse(setting, environ: dict) -> dict:
    for (key, raw), extra in CONTEXT.items():
        if setting.key == key and raw in environ.values():
            environ = {**extra, **environ}
    if setting.scope == "gunicorn":
        return gunicorn_settings(environ)
    return check_environment(environ)


@pytest.mark.parametrize(("setting", "variable", "raw", "value"), list(cases("good")))
def test_every_setting_accepts_what_it_documents(setting, variable, raw, value):
    assert parse(setting, {variable: raw})[setting.key] == value
    if setting.scope == "app":  # and create_app puts it into app.config
        app = Flask(__name__)
        # (an in-memory database: no instance folder is made)
        env = {"DATABASE_URL": "sqlite://", **CONTEXT.get((setting.key, raw), {}), variable: raw}
        with pytest.MonkeyPatch.context() as mp:
            for name in list(os.environ):
                if name.startswith(("CONSULT_", "MAIL_")) or name in (
                        "SECRET_KEY", "DATABASE_URL", "REDIS_URL"):
                    mp.delenv(name)
            for name, text in env.items():
                mp.setenv(name, text)
            config_module.load(app, None)
        assert app.config[setting.key] == value


@pytest.mark.parametrize(("setting", "variable", "raw"), list(cases("bad")))
def test_every_setting_refuses_anything_else_in_one_line_naming_it(setting, variable, raw):
    with pytest.raises(SettingError) as caught:
        parse(setting, {variable: raw})
    message = caught.value.format_message()
    assert variable in message
    assert "\n" not in message
    if not getattr(setting.kind, "secret", False) and raw and "URL" not in setting.key:
        assert repr(raw[:40])[1:-1] in message  # says what it got...
    if setting.kind.__class__.__name__ == "Bool":  # ... and what it accepts
        assert "true, false, 1, 0, yes, no, on, off" in message
    if setting.kind.__class__.__name__ == "Choice":
        assert ", ".join(setting.kind.choices) in message


def test_every_boolean_word_is_read_the_same_everywhere():
    for setting in SETTINGS:
        if setting.kind.__class__.__name__ != "Bool":
            continue
        for word, value in [("true", True), ("1", True), ("yes", True), ("on", True),
                            ("On", True), ("false", False), ("0", False), ("no", False),
                            ("off", False), ("OFF", False)]:
            assert parse(setting, {setting.name: word})[setting.key] is value


def test_secrets_are_never_repeated():
    with pytest.raises(SettingError) as caught:
        check_environment({"CONSULT_METRICS_TOKEN": "hunter2"})
    assert "hunter2" not in caught.value.format_message()
    with pytest.raises(SettingError) as caught:
        check_environment({"DATABASE_URL": "mysql://root:hunter2@db/consult"})
    assert "hunter2" not in caught.value.format_message()


def test_unknown_consult_variables_are_refused_with_a_suggestion():
    with pytest.raises(SettingError, match=r"CONSULT_FORCE_HTTP \(did you mean "
                                           r"CONSULT_FORCE_HTTPS\?\)"):
        check_environment({"CONSULT_FORCE_HTTP": "off"})
    with pytest.raises(SettingError, match="Unknown setting GUNICORN_WORKER "):
        gunicorn_settings({"GUNICORN_WORKER": "3"})
    assert gunicorn_settings({"GUNICORN_CMD_ARGS": "--reload"}) == {}


@pytest.mark.parametrize(("missing", "named"), [
    ("SECRET_KEY", "SECRET_KEY"), ("CONSULT_SITE_URL", "CONSULT_SITE_URL"),
    ("DATABASE_URL", "DATABASE_URL")])
def test_production_requires_its_settings(missing, named):
    environ = {k: v for k, v in PRODUCTION.items() if k != missing}
    with pytest.raises(SettingError, match=f"^{named} is required in production: "):
        check_environment(environ)
    assert check_environment(PRODUCTION)["ENV_NAME"] == "production"


def test_production_refuses_a_short_secret_key_and_contradictions():
    with pytest.raises(SettingError, match="SECRET_KEY must be at least 32 characters"):
        check_environment({**PRODUCTION, "SECRET_KEY": "short-but-not-empty"})
    with pytest.raises(SettingError, match="cannot both be true"):
        check_environment({"MAIL_USE_TLS": "on", "MAIL_USE_SSL": "yes"})
    with pytest.raises(SettingError, match="needs REDIS_URL"):
        check_environment({"CONSULT_ANALYSIS_MODE": "rq"})


def test_the_readme_lists_exactly_the_settings():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    documented = {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`",
                                                              row.split("|")[1])}
    # SECRET_KEY, DATABASE_URL, REDIS_URL and MAIL_* are documented by their plain names.
    assert documented == {setting.name for setting in SETTINGS}


# ---------------------------------------------------------------- one line, no traceback

def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("CONSULT_", "GUNICORN_", "MAIL_", "PROMETHEUS_"))
             and k not in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "FORWARDED_ALLOW_IPS",
                           "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    return subprocess.run(args, cwd=ROOT, env={**clean, **env}, capture_output=True, text=True,
                          timeout=60)


def one_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_flask_stops_with_one_line():
    line = one_line(run([str(BIN / "flask"), "--app", "consult.app", "rounds", "tick"],
                        CONSULT_FORCE_HTTPS="of"))
    assert line == ("Error: CONSULT_FORCE_HTTPS must be true or false (accepted: true, false, "
                    "1, 0, yes, no, on, off), not 'of'.")


def test_gunicorn_and_wsgi_stop_with_one_line():
    gunicorn = [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--check-config", "wsgi:app"]
    line = one_line(run(gunicorn, GUNICORN_WORKERS="many"))
    assert line == "Error: GUNICORN_WORKERS must be a whole number from 1 to 256, not 'many'."
    line = one_line(run(gunicorn, CONSULT_ENV="production", SECRET_KEY="s" * 48,
                        DATABASE_URL="sqlite://"))
    assert line.startswith("Error: CONSULT_SITE_URL is required in production: ")
    line = one_line(run([sys.executable, "-c", "import wsgi"], CONSULT_PAGE_SIZE="20 items"))
    assert line == "Error: CONSULT_PAGE_SIZE must be a whole number from 1 to 500, not '20 items'."


def test_the_line_is_in_the_operators_language():
    line = one_line(run([str(BIN / "flask"), "--app", "consult.app", "rounds", "tick"],
                        CONSULT_FORCE_HTTPS="of", LANG="zh_CN.UTF-8"))
    assert line == ("Error: CONSULT_FORCE_HTTPS 应为真或假（可用：true、false、1、0、yes、no、"
                    "on、off），而不是 'of'。")
