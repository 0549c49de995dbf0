"""WSGI entry point: ``gunicorn -c gunicorn.conf.py wsgi:app`` (settings from the
environment; a wrong one stops start-up with one line, see consult.config)."""

from consult.app import create_app, warm_up
from consult.config import SettingError

try:
    app = create_app(migrations=False)  # migrations run from the command line, not here
except SettingError as exc:
    raise SystemExit(f"Error: {exc.format_message()}") from None
# gunicorn.conf.py preloads this module in the master: templates compiled (and modules
# imported) here are shared by every worker, so no request pays for them
# (CONSULT_WARM_UP=0 skips it).
if app.config["WARM_UP"]:
    warm_up(app)
