"""Compiled templates are kept on disk (CONSULT_TEMPLATE_CACHE): the first start of a
release compiles every template and keeps it, later starts load them and compile none;
anything that changes the compiled code (a template, a compile setting, a filter's code)
compiles again; a folder that cannot be used only means compiling in memory. Checked by
counting compilations, never by timing (bench P4 measures the time)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import jinja2
import pytest

from consult.app import create_app, warm_up
from consult.config import TestConfig
from consult.templating import TemplateCache, template_cache


def make_app(folder):
    class Config(TestConfig):
        TEMPLATE_CACHE = None if folder is None else str(folder)

    return create_app(Config)


@pytest.fixture
def compiled(monkeypatch):
    """The names of the templates Jinja compiles from source."""
    names: list[str] = []
    real = jinja2.Environment.compile

    def compile_(self, source, name=None, filename=None, *args, **kwargs):
        names.append(name)
        return real(self, source, name, filename, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", compile_)
    return names


def kept(folder: Path) -> set[str]:
    return {p.name for p in folder.glob("*.cache")}


def test_the_first_start_compiles_and_keeps_every_template_later_starts_compile_none(
        tmp_path, compiled):
    folder = tmp_path / "templates"
    count = warm_up(make_app(folder))
    assert len(compiled) == count > 100
    assert len(kept(folder)) == count
    assert oct(folder.stat().st_mode & 0o777) == oct(0o700)  # the app's code: owner only

    compiled.clear()
    app = make_app(folder)
    assert warm_up(app) == count
    assert compiled == []
    # what was loaded renders like what was compiled (and escapes)
    html = app.jinja_env.get_template("errors/_message.html").render(title="<b>", message="m")
    assert "<strong>&lt;b&gt;</strong>" in html and "<p>m</p>" in html


def test_a_changed_template_or_compile_setting_is_compiled_again(tmp_path, compiled):
    folder = tmp_path / "templates"
    warm_up(make_app(folder))

    compiled.clear()
    app = make_app(folder)
    app.jinja_env.trim_blocks = True  # different code for every template
    warm_up(app)
    assert len(compiled) == len(kept(folder)) > 100

    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "t.html").write_text("one")

    def load() -> str:
        app = make_app(folder)
        app.jinja_env.loader = jinja2.FileSystemLoader(sources)
        return app.jinja_env.get_template("t.html").render()

    compiled.clear()
    assert (load(), load()) == ("one", "one")
    (sources / "t.html").write_text("two")
    assert load() == "two"
    assert compiled == ["t.html", "t.html"]  # the first start, and after the change


def test_a_changed_filter_is_a_different_compiled_template(tmp_path, compiled):
    """Jinja applies a filter to constants when compiling ({{ "x"|f }} keeps f's result),
    so the filters' code is part of the key."""
    folder = tmp_path / "templates"
    app = make_app(folder)
    app.jinja_env.filters["shout"] = str.upper
    app.jinja_env.loader = jinja2.DictLoader({"t.html": '{{ "x"|shout }}'})
    assert app.jinja_env.get_template("t.html").render() == "X"

    app = make_app(folder)
    app.jinja_env.filters["shout"] = logging.getLevelName  # another module's code
    app.jinja_env.loader = jinja2.DictLoader({"t.html": '{{ "x"|shout }}'})
    assert app.jinja_env.get_template("t.html").render() == "Level x"
    assert compiled == ["t.html", "t.html"]


def test_the_warm_up_removes_what_the_release_does_not_use(tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir(mode=0o700)
    (folder / "0123abcd.cache").write_bytes(b"an older release's template")
    (folder / "notes.txt").write_text("not ours")
    count = warm_up(make_app(folder))
    assert len(kept(folder)) == count
    assert not (folder / "0123abcd.cache").exists()
    assert (folder / "notes.txt").exists()


def test_the_folder_is_the_instance_folders_unless_set_and_none_when_empty(tmp_path):
    app = make_app(None)
    cache = template_cache(app)
    assert isinstance(cache, TemplateCache)
    assert cache.directory == os.path.join(app.instance_path, "template-cache")
    assert not os.path.exists(cache.directory) or cache.usable is None  # made when used
    assert template_cache(make_app("")) is None
    assert make_app("").jinja_env.bytecode_cache is None
    assert make_app(tmp_path / "x").jinja_env.bytecode_cache.directory == str(tmp_path / "x")


def test_the_setting_is_read_from_the_environment(tmp_path, monkeypatch):
    for name in list(os.environ):
        if name.startswith("CONSULT_") or name in ("SECRET_KEY", "REDIS_URL"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("CONSULT_TEMPLATE_CACHE", str(tmp_path / "compiled"))
    app = create_app()
    assert app.jinja_env.bytecode_cache.directory == str(tmp_path / "compiled")
    monkeypatch.setenv("CONSULT_TEMPLATE_CACHE", "")
    assert create_app().jinja_env.bytecode_cache is None


def test_a_folder_others_may_write_to_is_not_used(tmp_path, compiled, caplog):
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o777)
    with caplog.at_level(logging.WARNING, logger="consult.templating"):
        count = warm_up(make_app(folder))
        compiled.clear()
        warm_up(make_app(folder))
    assert len(compiled) == count  # compiled in memory at each start, nothing kept
    assert kept(folder) == set()
    assert "other users may write" in caplog.text


def test_a_folder_that_cannot_be_made_only_means_compiling_in_memory(tmp_path, caplog):
    (tmp_path / "a-file").write_text("")
    app = make_app(tmp_path / "a-file" / "templates")
    with caplog.at_level(logging.WARNING, logger="consult.templating"):
        assert warm_up(app) > 100
    assert "cannot be kept" in caplog.text
    assert "<p>m</p>" in app.jinja_env.get_template("errors/_message.html").render(message="m")
