"""WSGI entry point: ``gunicorn wsgi:app`` (configuration from the environment)."""

import os

from consult import create_app, precompile_templates

app = create_app()
# gunicorn.conf.py preloads this module in the master: templates compiled here are shared
# by every worker, so no request pays for compiling one (CONSULT_PRECOMPILE_TEMPLATES=0 skips).
if os.environ.get("CONSULT_PRECOMPILE_TEMPLATES", "1") == "1":
    precompile_templates(app)
