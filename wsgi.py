"""WSGI entry point: ``gunicorn -c gunicorn.conf.py wsgi:app`` (settings from the
environment; a wrong one stops start-up with one line, see consult.config)."""

import gc

# No garbage collection while the app is built: it makes hundreds of thousands of objects
# that live as long as the process (modules, mapped classes, URL rules, templates), and
# the collector would walk them again and again (a tenth of the start's CPU) to find
# next to nothing. Frozen below, so that the workers' collections skip them too, and do not
# write to (copy) the memory pages they share with the master (gunicorn preloads this
# module in the master): the pattern the gc module's documentation gives for fork().
gc.disable()

from consult.app import create_app, warm_up  # noqa: E402
from consult.config import SettingError  # noqa: E402

try:
    app = create_app(migrations=False)  # migrations run from the command line, not here
except SettingError as exc:
    raise SystemExit(f"Error: {exc.format_message()}") from None
# gunicorn.conf.py preloads this module in the master: templates compiled (and modules
# imported) here are shared by every worker, so no request pays for them
# (CONSULT_WARM_UP=0 skips it).
if app.config["WARM_UP"]:
    warm_up(app)
gc.freeze()
gc.enable()
