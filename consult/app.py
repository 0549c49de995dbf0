"""The application factory: ``create_app`` builds the app from the core and every domain.

This is the composition root, the one module that knows every domain: core extensions
first, then each domain's ``wiring.init_app`` in layer order (its pages, commands, signal
receivers and page-cache registrations), then the app-wide template helpers.
``flask --app consult.app``, ``wsgi.py`` and the tests start here.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from jinja2.utils import LRUCache
from werkzeug.routing import IntegerConverter, Rule

from consult import (
    cli,
    config,
    health,
    i18n,
    models,  # noqa: F401 - every model and permission rule, registered
    observability,
    pagecache,
    static_files,
    templating,
    uploads,
)
from consult.accounts import wiring as accounts
from consult.admin import wiring as admin
from consult.analysis import wiring as analysis
from consult.api import wiring as api
from consult.channels import wiring as channels
from consult.consultations import wiring as consultations
from consult.errors import register_error_handlers
from consult.evaluation import wiring as evaluation
from consult.extensions import babel, csrf, db, htmx, limiter, mail
from consult.main import wiring as main
from consult.moderation import wiring as moderation
from consult.notifications import wiring as notifications
from consult.ops import wiring as ops
from consult.participation import wiring as participation
from consult.questionnaires import wiring as questionnaires
from consult.rectification import wiring as rectification
from consult.responses import wiring as responses
from consult.rounds import wiring as rounds
from consult.security.headers import init_security
from consult.statutory import wiring as statutory
from consult.suggestions import wiring as suggestions
from consult.surveys import wiring as surveys
from consult.voting import wiring as voting
from consult.workspace import wiring as workspace

# In layer order (lowest first): see docs/architecture.md.
DOMAINS = (accounts, consultations, rounds, questionnaires, participation, voting,
           responses, channels, statutory, surveys, suggestions, analysis, evaluation,
           notifications, moderation, rectification, admin, api, main, ops, workspace)


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` in every route: ids beyond a 32-bit integer cannot exist, so they are a
    404 instead of a database overflow error."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


class LazyBuilderRule(Rule):
    """A URL rule whose URL builders are compiled when ``url_for`` first needs them.

    Werkzeug compiles two builder functions for every rule as it is added (with ``ast`` and
    ``compile``): 80-100 ms of CPU for the app's ~200 rules at every start, most of them
    for endpoints a worker may never build a URL to. Here each builder is compiled on its
    first use (about 0.2 ms) and then replaces itself; routing (matching) is unchanged."""

    def _compile_builder(self, append_unknown: bool = True):
        name = "_build_unknown" if append_unknown else "_build"
        compile_builder = super()._compile_builder

        def build(rule: Rule, *args: Any, **kwargs: Any) -> tuple[str, str]:
            real = compile_builder(append_unknown).__get__(rule, None)
            setattr(rule, name, real)  # later calls go straight to the compiled builder
            return real(*args, **kwargs)

        return build


def create_app(settings: type | dict[str, Any] | None = None, *,
               migrations: bool = True) -> Flask:
    """The app. ``migrations=False`` (the web server's ``wsgi.py``) leaves out ``flask db``
    and Alembic, which the web server never uses (a tenth of its start-up)."""
    app = Flask("consult", instance_relative_config=True)
    # Posted text cleaned (security.input) and the upload views' body limit (uploads).
    app.request_class = uploads.Request
    app.url_rule_class = LazyBuilderRule
    app.url_map.converters["int"] = BoundedIntConverter
    config.load(app, settings)

    db.init_app(app)
    observability.init_app(app)  # request ids, JSON logs, /metrics (first: sees every response)
    app.teardown_request(lambda exc: db.session.remove())  # see consult.db._session_scope
    if migrations:
        init_migrations(app)
    csrf.init_app(app)
    htmx.init_app(app)
    mail.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale,
                   timezone_selector=i18n.select_timezone)
    babel.domain_instance = i18n.CatalogDomain()
    init_security(app)
    static_files.init_app(app)  # brotli/gzip, fingerprinted static URLs with long caching
    pagecache.init_app(app)  # cached public fragments, invalidated by round content versions
    register_error_handlers(app)
    app.register_blueprint(health.bp)  # /healthz, /readyz

    for domain in DOMAINS:
        domain.init_app(app)
    templating.init_app(app)
    app.cli.add_command(cli.seed_demo)
    app.cli.add_command(cli.translate)
    return app


def init_migrations(app: Flask) -> None:
    """``flask db …`` (Flask-Migrate) on the app's database and migrations folder."""
    from flask_migrate import Migrate  # noqa: PLC0415 - heavy (Alembic): not for the web server

    Migrate(app, db, directory=str(app.config.get("MIGRATIONS_DIR") or MIGRATIONS),
            render_as_batch=True, compare_type=True)


MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                          "migrations")


def warm_up(app: Flask) -> int:
    """Do now what each worker would otherwise do on its first requests: have every
    template compiled (the first dashboard request of a worker spent 120 ms compiling).
    The compiled code is kept on disk (``templating.TemplateCache``): the first start of a
    release compiles them (≈ 1 s), later starts load them (≈ 0.1 s), and the files of
    templates this release does not have go. The heavy libraries (pygal, scipy,
    scikit-learn, numpy, jieba, python-docx) are not imported here: only the requests and
    jobs that use them do (a chart, an analysis, a Word file), so a worker starts fast and
    small (bench P4; tests/unit/test_lean_start.py).

    The production entry point (wsgi.py, preloaded by gunicorn in the master) calls this,
    so the workers inherit the result. Returns how many templates were loaded."""
    env = app.jinja_env
    names = [name for name in env.list_templates() if name.endswith((".html", ".txt"))]
    if isinstance(env.cache, LRUCache):
        # A plain dict: every template stays (the app's templates are a fixed set of
        # files), and a page's dozen lookups cost nothing, where the LRU moved each key
        # in a queue of every template (a search through a few hundred keys each).
        env.cache = {}
    for name in names:
        env.get_template(name)
    if isinstance(env.bytecode_cache, templating.TemplateCache):
        env.bytecode_cache.prune()
    return len(names)
