"""consult: a participatory policy-consultation platform."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter


class BoundedIntConverter(IntegerConverter):
    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def create_app(config: type | dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    # Ids beyond a 32-bit integer cannot exist: 404 instead of a database overflow error.
    app.url_map.converters["int"] = BoundedIntConverter

    from consult import config as config_module
    config_module.load(app, config)

    from consult import i18n
    from consult.extensions import (
        babel,
        csrf,
        db,
        htmx,
        limiter,
        login_manager,
        mail,
        migrate,
    )

    db.init_app(app)
    app.teardown_request(lambda exc: db.session.remove())  # see consult.db._session_scope
    migrate.init_app(app, db, directory=str(app.config.get("MIGRATIONS_DIR") or _migrations()))
    csrf.init_app(app)
    htmx.init_app(app)
    mail.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale,
                   timezone_selector=i18n.select_timezone)
    babel.domain_instance = i18n.CatalogDomain()
    _init_login(app, login_manager)
    from consult.security.headers import init_security
    init_security(app)
    from consult import static_files
    static_files.init_app(app)  # brotli/gzip, fingerprinted static URLs with long caching

    from consult import (
        models,  # noqa: F401 - register every model and permission rule
        pagecache,
    )
    pagecache.init_app(app)  # cached public fragments, invalidated by round content versions
    from consult.errors import register_error_handlers
    register_error_handlers(app)
    i18n.register_template_helpers(app)
    _register_blueprints(app)
    _register_template_globals(app)

    from consult import cli
    cli.register(app)
    return app


def warm_up(app: Flask) -> int:
    """Do now what each worker would otherwise do on its first requests: compile every
    template (≈ 1 s; the first dashboard request of a worker spent 120 ms compiling) and
    import the chart library (pygal, 175 ms, imported lazily elsewhere).

    The production entry point (wsgi.py, preloaded by gunicorn in the master) calls this,
    so the workers inherit the result. Returns how many templates were compiled."""
    env = app.jinja_env
    names = [name for name in env.list_templates() if name.endswith((".html", ".txt"))]
    if env.cache is not None and env.cache.capacity < 2 * len(names):
        from jinja2.utils import LRUCache
        env.cache = LRUCache(2 * len(names))  # room for all of them, and for growth
    for name in names:
        env.get_template(name)
    from consult.charts import chart_library
    chart_library()
    return len(names)


def _migrations() -> str:
    import os
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "migrations")


def _init_login(app: Flask, login_manager) -> None:
    from flask_babel import lazy_gettext as _l

    from consult.accounts.services import load_user

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)


def _register_blueprints(app: Flask) -> None:
    from consult.accounts.views import bp as accounts_bp
    from consult.admin.views import bp as admin_bp
    from consult.consultations.views import bp as consultations_bp
    from consult.main.views import bp as main_bp
    from consult.notifications.views import bp as notifications_bp
    from consult.participation.views import bp as participation_bp
    from consult.questionnaires.views import bp as questionnaires_bp
    from consult.rounds.views import bp as rounds_bp
    from consult.voting.views import bp as voting_bp

    for bp in (main_bp, accounts_bp, admin_bp, consultations_bp, rounds_bp, participation_bp,
               questionnaires_bp, voting_bp):
        app.register_blueprint(bp)
    app.register_blueprint(notifications_bp)
    from consult.suggestions.views import bp as suggestions_bp
    app.register_blueprint(suggestions_bp)
    from consult.responses.views import bp as responses_bp
    app.register_blueprint(responses_bp)
    from consult.surveys.views import bp as surveys_bp
    app.register_blueprint(surveys_bp)
    from consult.moderation.views import bp as moderation_bp
    app.register_blueprint(moderation_bp)
    from consult.evaluation.views import bp as evaluation_bp
    app.register_blueprint(evaluation_bp)
    from consult.api.views import bp as api_bp
    app.register_blueprint(api_bp)
    from consult.analytics.opinions.views import bp as analysis_bp
    app.register_blueprint(analysis_bp)


def _register_template_globals(app: Flask) -> None:
    from flask_login import current_user
    from flask_wtf.csrf import generate_csrf

    from consult.accounts.forms import LocaleForm
    from consult.i18n import current_locale
    from consult.security.permissions import check

    def can(name: str, obj: Any = None) -> bool:
        return check(current_user, name, obj)

    app.jinja_env.globals.update(
        can=can,
        get_locale=current_locale,
        locale_form=lambda: LocaleForm(formdata=None),
        csrf_token=generate_csrf,
    )
    app.jinja_env.add_extension("jinja2.ext.loopcontrols")
