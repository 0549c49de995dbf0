"""How the accounts domain joins the app: sign-in (Flask-Login), its pages, its command."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from consult.accounts.cli import create_admin
from consult.accounts.privacy_views import bp as privacy_bp
from consult.accounts.services import load_user
from consult.accounts.views import bp
from consult.extensions import login_manager


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
    app.register_blueprint(bp)
    app.register_blueprint(privacy_bp)
    app.cli.add_command(create_admin)
