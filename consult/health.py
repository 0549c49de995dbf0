"""Health checks for load balancers, proxies and service managers.

* ``/healthz`` (liveness): the process answers. No database, no redirect, no session:
  ``200 ok`` whenever a worker can run a view.
* ``/readyz`` (readiness): the database answers ``SELECT 1`` and, when ``REDIS_URL`` is
  set, Redis answers PING. 200 with ``{"status": "ready", "checks": {...}}``, else 503
  with ``"unavailable"`` and the check that failed (``"database": "unreachable"``).

Both answer plain http from anyone, even in production where every other page is
redirected to https: a health check talks to the app server directly, not through TLS.
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from consult.extensions import db
from consult.security.headers import talisman

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)
NO_STORE = {"Cache-Control": "no-store"}


@bp.get("/healthz")
@talisman(force_https=False)
def healthz():
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", **NO_STORE}


@bp.get("/readyz")
@talisman(force_https=False)
def readyz():
    checks = {"database": _database()}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = _redis()
    ready = all(state == "ok" for state in checks.values())
    body = jsonify(status="ready" if ready else "unavailable", checks=checks)
    return body, 200 if ready else 503, NO_STORE


def _database() -> str:
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        log.warning("readiness: the database is unreachable: %s", type(exc).__name__)
        return "unreachable"
    return "ok"


def _redis() -> str:
    # The client library (about 0.1 s to import) only where Redis is configured: a server
    # without it does not pay for it at every start.
    from redis import Redis  # noqa: PLC0415
    from redis.exceptions import RedisError  # noqa: PLC0415

    client = current_app.extensions.get("consult_health_redis")
    if client is None:
        client = Redis.from_url(current_app.config["REDIS_URL"], socket_connect_timeout=2,
                                socket_timeout=2)
        current_app.extensions["consult_health_redis"] = client
    try:
        client.ping()
    except (RedisError, OSError) as exc:
        log.warning("readiness: Redis is unreachable: %s", type(exc).__name__)
        return "unreachable"
    return "ok"
