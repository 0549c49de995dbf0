"""WSGI entry point: ``gunicorn wsgi:app`` (configuration from the environment)."""

import os

from consult.app import create_app, warm_up

app = create_app()
# gunicorn.conf.py preloads this module in the master: templates compiled (and modules
# imported) here are shared by every worker, so no request pays for them
# (CONSULT_WARM_UP=0 skips it).
if os.environ.get("CONSULT_WARM_UP", "1") == "1":
    warm_up(app)
