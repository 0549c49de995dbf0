"""Browser tests: Debian's Chromium driven by Playwright against a live server.

The server is the app from the factory on a temporary SQLite file (or on the
PostgreSQL test database with --db), served by werkzeug on a free port in a thread.
E-mail goes to the locmem outbox, where the tests read the links.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale, gettext
from sqlalchemy.pool import NullPool
from werkzeug.serving import make_server

from consult.extensions import db
from tests.conftest import make_app, prepare_schema

CHROMIUM = "/usr/lib/chromium/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Our people's browser: Simplified Chinese, Beijing time."""
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@dataclass
class LiveServer:
    app: Flask
    url: str

    @property
    def outbox(self) -> list:
        return self.app.extensions["mailman"].outbox

    def zh(self, message: str, **values) -> str:
        """A message as the Chinese interface shows it."""
        with self.app.app_context(), force_locale("zh_CN"):
            return gettext(message, **values)

    def clear(self) -> None:
        with self.app.app_context():
            with db.engine.begin() as conn:
                for table in reversed(db.metadata.sorted_tables):
                    conn.execute(table.delete())
        self.outbox.clear()


def _buffered(app: Flask):
    """The app with every response read whole and its iterable closed before werkzeug writes
    a byte.

    werkzeug's development server closes a response's iterable only after it has drained the
    request socket; when the browser drops a connection (Chromium cancels a favicon or a
    stylesheet it no longer needs), that drain raises and the iterable, an open static file,
    is never closed: a ResourceWarning that ``filterwarnings = error`` turned into a failure
    of whichever test was running. Pages and static files here are small, so buffering
    costs nothing and leaves no file open whatever the client does."""
    def application(environ, start_response):
        iterable = app(environ, start_response)
        try:
            body = b"".join(iterable)
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()
        return [body]
    return application


@contextmanager
def serving(pytestconfig, tmp_path_factory, name: str, **overrides) -> Iterator[LiveServer]:
    """A live server on a free port with the real forms (CSRF on), its own database and a
    mail outbox; ``overrides`` change its settings (a second server with rate limits on)."""
    settings = {
        "SERVER_NAME": None,  # any Host the browser uses is served
        "WTF_CSRF_ENABLED": True,  # the real forms, tokens included
        "MAIL_BACKEND": "locmem",
        **overrides,
    }
    if pytestconfig.consult_db_url is None:
        path = tmp_path_factory.mktemp(name) / "consult.sqlite3"
        settings["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "poolclass": NullPool, "connect_args": {"check_same_thread": False}}
    app = make_app(pytestconfig, **settings)
    app.extensions["mailman"].outbox = []
    with app.app_context():
        prepare_schema(pytestconfig)
    server = make_server("127.0.0.1", 0, _buffered(app), threaded=False)
    thread = threading.Thread(target=server.serve_forever, name=f"{name}-server", daemon=True)
    thread.start()
    live = LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    try:
        yield live
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()
        live.clear()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(pytestconfig, tmp_path_factory) -> Iterator[LiveServer]:
    with serving(pytestconfig, tmp_path_factory, "live") as live:
        live.app.config["SITE_URL"] = live.url  # e-mailed links point at this server
        yield live


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    return live_server.url


@pytest.fixture
def live(live_server) -> Iterator[LiveServer]:
    """The live server with an empty database, left empty for the tests that follow."""
    live_server.clear()
    yield live_server
    live_server.clear()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
