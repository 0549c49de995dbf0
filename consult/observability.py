"""Request ids, structured logs and Prometheus metrics.

* **Request id.** Every request has one: the ``X-Request-ID`` header nginx sets
  (``$request_id``; 8 to 128 letters, digits, ``.``, ``_``, ``:`` or ``-``), else a new
  random one. Every log record written while the request runs carries it, the response
  returns it in ``X-Request-ID``, and a background job queued by the request logs it too
  (``carrying_request_id``).
* **Logs.** ``CONSULT_LOG_FORMAT=json`` (production's default) writes one JSON object per
  line to stderr: ``time``, ``level``, ``logger``, ``message``, ``request_id`` and the
  record's extra fields; ``text`` writes plain lines. ``CONSULT_ACCESS_LOG`` (on in
  production) adds one record per request (logger ``consult.access``: method, path, route,
  status, duration, bytes, client address, user id, user agent). gunicorn's own logs go
  through the same formatter (gunicorn.conf.py).
* **Metrics.** ``/metrics`` in Prometheus's text format, through ``prometheus_client`` (the
  official client; under gunicorn in its multiprocess mode, so every worker is counted):
  requests and their durations by route, method and status, the database pool per
  process, and whatever domains register with ``scrape_gauge`` (analysis jobs waiting).
  Only the addresses in ``CONSULT_METRICS_ALLOW`` (loopback by default) or a request with
  ``Authorization: Bearer <CONSULT_METRICS_TOKEN>`` may read it; others get 403.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from flask import Blueprint, Flask, current_app, g, has_request_context, request
from flask.logging import default_handler
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from pythonjsonlogger.json import JsonFormatter as _BaseJsonFormatter
from sqlalchemy import event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.pool import QueuePool

from consult.extensions import db
from consult.security.headers import talisman

log = logging.getLogger(__name__)
access_log = logging.getLogger("consult.access")

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
_job_request_id: ContextVar[str | None] = ContextVar("consult_request_id", default=None)


# ---------------------------------------------------------------- request ids

def request_id() -> str | None:
    """The current request's id (made on first use), or the id a background job carries."""
    if has_request_context():
        rid = g.get("request_id")
        if rid is None:
            incoming = request.headers.get(REQUEST_ID_HEADER, "")
            rid = incoming if _VALID_ID.fullmatch(incoming) else uuid.uuid4().hex
            g.request_id = rid
        return rid
    return _job_request_id.get()


@contextmanager
def carrying_request_id(rid: str | None) -> Iterator[None]:
    """Log with ``rid`` outside the request that made it (a job it queued)."""
    token = _job_request_id.set(rid)
    try:
        yield
    finally:
        _job_request_id.reset(token)


# ---------------------------------------------------------------- logs

class JsonFormatter(_BaseJsonFormatter):
    """One JSON object per line, with the request id (gunicorn.conf.py uses it too)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level",
                                            "name": "logger"})
        kwargs.setdefault("json_ensure_ascii", False)  # Chinese stays readable
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s", *args, **kwargs)

    def add_fields(self, log_record, record, message_dict) -> None:
        super().add_fields(log_record, record, message_dict)
        log_record["request_id"] = getattr(record, "request_id", None) or request_id()

    def formatTime(self, record, datefmt=None) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + (
            f".{int(record.msecs):03d}Z")


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not getattr(record, "request_id", None):
            record.request_id = request_id() or "-"
        return super().format(record)


def configure_logging(app: Flask) -> None:
    """One handler on the root logger, writing to stderr in ``LOG_FORMAT``. Tests keep
    pytest's own capture."""
    if app.testing:
        return
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "consult_handler", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.consult_handler = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter() if app.config["LOG_FORMAT"] == "json"
                         else TextFormatter())
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])
    app.logger.removeHandler(default_handler)  # records reach the root handler instead


# ---------------------------------------------------------------- metrics

REQUESTS = Counter("consult_http_requests", "HTTP requests answered, by route.",
                   ("method", "route", "status"))
DURATION = Histogram("consult_http_request_duration_seconds",
                     "Time to answer an HTTP request, by route.", ("method", "route"),
                     buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
POOL_CHECKED_OUT = Gauge("consult_db_pool_checked_out",
                         "Database connections in use (summed over live processes).",
                         multiprocess_mode="livesum")
POOL_CAPACITY = Gauge("consult_db_pool_capacity",
                      "Connections the pools may open: size + overflow (summed over live "
                      "processes).", multiprocess_mode="livesum")


@dataclass(frozen=True)
class _ScrapeGauge:
    name: str
    documentation: str
    labels: tuple[str, ...]
    collect: Callable[[], dict[tuple[str, ...], float]]


_SCRAPE_GAUGES: dict[str, _ScrapeGauge] = {}


def scrape_gauge(name: str, documentation: str, labels: tuple[str, ...],
                 collect: Callable[[], dict[tuple[str, ...], float]]) -> None:
    """Register a gauge computed when /metrics is read (inside that request, so it may
    query the database): ``collect()`` returns {label values: value}. Domains call this
    at import (the analysis job queue), as they register other things with core."""
    _SCRAPE_GAUGES[name] = _ScrapeGauge(name, documentation, labels, collect)


class _ScrapeCollector:
    def collect(self):
        for gauge in _SCRAPE_GAUGES.values():
            try:
                values = gauge.collect()
            except Exception:  # one broken source must not hide the other metrics
                log.exception("metrics: %s could not be collected", gauge.name)
                continue
            family = GaugeMetricFamily(gauge.name, gauge.documentation, labels=gauge.labels)
            for label_values, value in sorted(values.items()):
                family.add_metric(list(label_values), value)
            yield family


def _scrape() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # every gunicorn worker's values
    else:
        registry = REGISTRY
    extra = CollectorRegistry(auto_describe=True)
    extra.register(_ScrapeCollector())
    return generate_latest(registry) + generate_latest(extra)


def _metrics_allowed() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(
            header[7:].strip().encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net) for net in
               current_app.config.get("METRICS_ALLOW", ()))


bp = Blueprint("observability", __name__)


@bp.get("/metrics")
@talisman(force_https=False)  # Prometheus scrapes the app server over plain http
def metrics():
    if not _metrics_allowed():
        return ("Forbidden: /metrics is read from the addresses in CONSULT_METRICS_ALLOW or "
                "with CONSULT_METRICS_TOKEN.\n", 403,
                {"Content-Type": "text/plain; charset=utf-8"})
    return _scrape(), 200, {"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"}


def _watch_pool(engine) -> None:
    pool = engine.pool
    capacity = (pool.size() + max(pool._max_overflow, 0)
                if isinstance(pool, QueuePool) else 1)

    @event.listens_for(engine, "checkout")
    def _checkout(*_args) -> None:
        POOL_CHECKED_OUT.inc()
        POOL_CAPACITY.set(capacity)  # per process, after any fork

    @event.listens_for(engine, "checkin")
    def _checkin(*_args) -> None:
        POOL_CHECKED_OUT.dec()


# ---------------------------------------------------------------- wiring

def init_app(app: Flask) -> None:
    """Call early in create_app: the access log then sees every other after_request
    hook's result (Flask runs them last-registered first)."""
    configure_logging(app)

    @app.before_request
    def _start_clock() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _record(response):
        response.headers[REQUEST_ID_HEADER] = request_id() or ""
        started = g.get("request_started")
        seconds = time.perf_counter() - started if started is not None else 0.0
        route = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
        REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        DURATION.labels(request.method, route).observe(seconds)
        if current_app.config.get("ACCESS_LOG"):
            # The user only when the request loaded one, and its id from the identity map
            # (an attribute of an instance expired by a commit would query again).
            state = sa_inspect(g.get("_login_user"), raiseerr=False)
            access_log.info("%s %s %s", request.method, request.path, response.status_code,
                            extra={"method": request.method, "path": request.path,
                                   "route": route, "status": response.status_code,
                                   "duration_ms": round(seconds * 1000, 2),
                                   "bytes": response.content_length,
                                   "client": request.remote_addr,
                                   "user_id": state.identity[0]
                                   if state is not None and state.identity else None,
                                   "user_agent": request.user_agent.string[:200],
                                   "request_id": request_id()})
        return response

    if app.config.get("METRICS"):
        app.register_blueprint(bp)
    with app.app_context():
        _watch_pool(db.engine)
