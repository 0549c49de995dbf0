"""Production serving: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Every setting comes from the environment (``GUNICORN_*``, the README's configuration table
lists them with their defaults), parsed strictly like the app's own: a wrong value, or a
wrong or missing setting of the app, stops gunicorn before it starts with one line naming
the setting. Sizing: ``workers`` processes x ``threads`` threads serve requests at once;
each thread holds at most one database connection during a request, so give every worker a
SQLAlchemy pool of ``threads`` connections (CONSULT_DB_POOL_SIZE, set below unless given)
and make sure PostgreSQL's ``max_connections`` exceeds ``workers x threads`` summed over
all app servers (plus psql, RQ workers and migrations). See the README's "Performance".

Logs: gunicorn's own lines are JSON like the app's (consult.observability); the app writes
one access record per request itself, so gunicorn's access log is off unless
GUNICORN_ACCESSLOG names a file (or ``-``). Metrics: every worker writes its counters to
PROMETHEUS_MULTIPROC_DIR (a new temporary folder unless given, emptied at start), which
/metrics adds up.
"""

import gc
import multiprocessing
import os
import shutil
import sys
import tempfile

# No garbage collection while the master builds the app at its start: wsgi.py freezes what
# it made and turns the collector back on (see there); when_ready does too, in case the app
# is not preloaded, and every worker at its fork. (A reload reads this file again, with the
# app already built: nothing to do then.)
if "wsgi" not in sys.modules:
    gc.disable()

from consult.config import SettingError, gunicorn_settings

try:
    _settings = gunicorn_settings()
except SettingError as _exc:
    sys.exit(f"Error: {_exc.format_message()}")

bind = _settings.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = _settings.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
worker_class = "gthread"
threads = _settings.get("GUNICORN_THREADS", 4)
# A request that takes longer is a bug or an attack: the worker is killed and replaced.
timeout = _settings.get("GUNICORN_TIMEOUT", 30)
graceful_timeout = _settings.get("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _settings.get("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then (bounded memory growth), jittered so they do not all go at once.
max_requests = _settings.get("GUNICORN_MAX_REQUESTS", 10000)
max_requests_jitter = _settings.get("GUNICORN_MAX_REQUESTS_JITTER", 1000)
# Import the app once in the master: faster start, shared read-only memory (copy-on-write).
# Database connections are opened lazily, per worker, after the fork (see post_fork).
preload_app = _settings.get("GUNICORN_PRELOAD", True)
# X-Forwarded-Proto is trusted from these addresses (the proxy); the app's ProxyFix
# (CONSULT_PROXY_FIX_HOPS=1 behind one nginx) reads the client address and scheme.
forwarded_allow_ips = _settings.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
limit_request_line = 8190
# gunicorn's own access log, off by default: the app writes one JSON record per request
# (logger consult.access, with the request id). "-" for stdout or a file to have both.
accesslog = _settings.get("GUNICORN_ACCESSLOG") or None
# Client, time, request line, status, size, duration (microseconds), user agent.
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(B)s %(D)sus "%(a)s"'
errorlog = "-"
loglevel = _settings.get("GUNICORN_LOGLEVEL", "info")
_json = {"formatter": "json"}
_access_handlers = {
    None: {},
    "-": {"access": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", **_json}},
}.get(accesslog, {"access": {"class": "logging.FileHandler", "filename": accesslog, **_json}})
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "consult.observability.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                            **_json}, **_access_handlers},
    # The app puts its own handler on the root logger (consult.observability).
    "root": {"level": "INFO", "handlers": []},
    "loggers": {
        "gunicorn.error": {"handlers": ["stderr"], "level": loglevel.upper(),
                           "propagate": False},
        "gunicorn.access": {"handlers": list(_access_handlers),
                            "level": "INFO" if accesslog else "WARNING", "propagate": False},
    },
}
# gunicorn 25.1+ opens a control socket in $HOME (shared by every gunicorn of the user,
# and read-only under systemd's ProtectHome); consult does not use gunicornc.
control_socket_disable = True
os.environ.setdefault("CONSULT_DB_POOL_SIZE", str(threads))
os.environ.setdefault("CONSULT_DB_MAX_OVERFLOW", "2")

# Prometheus's multiprocess mode: set before the app (and prometheus_client) is imported,
# and emptied, so that counting starts from zero (files of an earlier run would be added).
# A reload reads this file again and keeps the folder.
_metrics = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(
    prefix="consult-metrics-")
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics
os.makedirs(_metrics, exist_ok=True)
for _name in os.listdir(_metrics):
    if _name.endswith(".db"):
        os.remove(os.path.join(_metrics, _name))
# A temporary folder of our own (not one the operator named) goes when gunicorn stops.
_own_metrics_dir = (os.path.dirname(_metrics) == tempfile.gettempdir()
                    and os.path.basename(_metrics).startswith("consult-metrics-"))


def when_ready(server):
    gc.enable()


def on_exit(server):
    if _own_metrics_dir:
        shutil.rmtree(_metrics, ignore_errors=True)


def post_fork(server, worker):
    """Never share a connection opened in the master (preload) across processes."""
    gc.enable()
    app = sys.modules.get("wsgi") and sys.modules["wsgi"].app
    if app is None:
        return
    from consult.extensions import db

    with app.app_context():
        db.engine.dispose(close=False)


def child_exit(server, worker):
    """A dead worker's gauges (its pool) no longer count."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
