"""Flask extensions, created unbound and initialised in ``create_app`` (Flask-Migrate
too, but only for the commands: ``consult.app.init_migrations``)."""

from flask_babel import Babel
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_wtf.csrf import CSRFProtect

from consult.db import db

login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
htmx = HTMX()
mail = Mail()
limiter = Limiter(key_func=get_remote_address)

__all__ = ["db", "login_manager", "csrf", "babel", "htmx", "mail", "limiter"]
