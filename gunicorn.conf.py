"""Production serving: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Every setting can be overridden from the environment (GUNICORN_WORKERS, ...). Sizing:
``workers`` processes x ``threads`` threads serve requests at once; each thread holds at
most one database connection during a request, so give every worker a SQLAlchemy pool of
``threads`` connections (CONSULT_DB_POOL_SIZE, set below unless given) and make sure
PostgreSQL's ``max_connections`` exceeds ``workers x threads`` summed over all app
servers (plus psql, RQ workers and migrations). See the README's "Performance" section.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# A request that takes longer is a bug or an attack: the worker is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))
# Recycle workers now and then (bounded memory growth), jittered so they do not all go at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 10000))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", 1000))
# Import the app once in the master: faster start, shared read-only memory (copy-on-write).
# Database connections are opened lazily, per worker, after the fork (see post_fork).
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") == "1"
# Behind a reverse proxy (nginx) set FORWARDED_ALLOW_IPS and CONSULT_PROXY_FIX_HOPS=1.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
limit_request_line = 8190
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# Client, time, request line, status, size, duration (microseconds), user agent.
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(B)s %(D)sus "%(a)s"'
os.environ.setdefault("CONSULT_DB_POOL_SIZE", str(threads))
os.environ.setdefault("CONSULT_DB_MAX_OVERFLOW", "2")


def post_fork(server, worker):
    """Never share a connection opened in the master (preload) across processes."""
    try:
        from wsgi import app
    except ImportError:
        return
    from consult.extensions import db

    with app.app_context():
        db.engine.dispose(close=False)
