"""The production entry point compiles every template before the workers fork."""

from __future__ import annotations

from pathlib import Path

from consult.app import warm_up


def test_every_template_compiles_ahead_and_stays_cached(app):
    root = Path(app.root_path)
    files = [p for p in root.rglob("templates/**/*") if p.suffix in (".html", ".txt")]
    assert warm_up(app) == len(files) > 100
    cached = app.jinja_env.cache
    assert cached is not None and len(cached) >= len(files)  # nothing compiled was evicted
    assert app.jinja_env.get_template("base.html") is app.jinja_env.get_template("base.html")


def test_wsgi_precompiles_unless_told_not_to(monkeypatch, tmp_path):
    import importlib
    import sys

    from consult import app as app_module
    calls = []
    monkeypatch.setattr(app_module, "warm_up", lambda app: calls.append(app) or 0)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("CONSULT_TEMPLATE_CACHE", str(tmp_path / "templates"))
    for setting, expected in (("1", 1), ("0", 0)):
        monkeypatch.setenv("CONSULT_WARM_UP", setting)
        calls.clear()
        sys.modules.pop("wsgi", None)
        importlib.import_module("wsgi")
        assert len(calls) == expected
    sys.modules.pop("wsgi", None)
