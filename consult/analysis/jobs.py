"""Running the analysis in the background and keeping one result per round.

Where it runs (``ANALYSIS_MODE``, default from the environment):
- ``rq`` (the default when ``REDIS_URL`` is set): jobs go to the RQ queue
  ``consult-analysis``; start a worker with ``flask analysis worker`` (or
  ``rq worker consult-analysis``, which builds the app from the environment).
  Without Redis no worker is needed.
- ``thread`` (the default without Redis, the embedded setup): a daemon thread with its
  own app context and session.
- ``inline`` (tests, ``flask analysis run``): in the calling request, after its commit.

A new run is requested when an official opens the page and no result exists, or when
enough opinions arrived since the last run (20 % more or 50 more), or on "Recompute".
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import func, select, update

from consult import observability
from consult.analysis import pipeline
from consult.analysis.models import AnalysisResult, AnalysisStatus
from consult.clock import now
from consult.db import atomic, db

log = logging.getLogger(__name__)

QUEUE = "consult-analysis"
STALE_AFTER = timedelta(minutes=30)   # a queued/running job older than this is retried
NEW_SHARE = 0.2
NEW_ABSOLUTE = 50


def mode(app: Flask | None = None) -> str:
    app = app or current_app
    configured = app.config.get("ANALYSIS_MODE")
    if configured:
        return configured
    if app.config.get("TESTING"):
        return "inline"  # in-memory test databases are not shared with threads
    return "rq" if app.config.get("REDIS_URL") else "thread"


def result_of(round_id: int) -> AnalysisResult | None:
    return db.session.scalar(select(AnalysisResult).where(AnalysisResult.round_id == round_id))


def needs_run(row: AnalysisResult | None, count: int) -> bool:
    """Whether opening the page should start a run."""
    if row is None:
        return True
    if row.status.busy:
        started = row.requested_at or row.started_at
        return started is None or now() - started > STALE_AFTER
    if row.status is AnalysisStatus.FAILED:
        return False  # an official retries with "Recompute"
    new = count - row.opinion_count
    return new >= NEW_ABSOLUTE or (new > 0 and new >= NEW_SHARE * max(row.opinion_count, 1))


def request_run(round_id: int, count: int) -> AnalysisResult:
    """Mark the round's analysis queued (in the caller's transaction); the caller then
    calls ``dispatch`` after committing."""
    row = result_of(round_id)
    if row is None:
        row = AnalysisResult(round_id=round_id, status=AnalysisStatus.QUEUED, progress=0,
                             step="", opinion_count=count)
        db.session.add(row)
    row.status, row.progress, row.step, row.error = AnalysisStatus.QUEUED, 0, "", None
    row.requested_at = now()
    db.session.flush()
    return row


def dispatch(round_id: int, app: Flask | None = None) -> None:
    """Start the run (after the request's commit)."""
    app = app or current_app._get_current_object()
    how = mode(app)
    if how == "inline":
        run_analysis(round_id)
    elif how == "rq":
        from redis import Redis  # noqa: PLC0415 - only with REDIS_URL
        from redis.exceptions import RedisError  # noqa: PLC0415 - only with REDIS_URL
        from rq import Queue  # noqa: PLC0415 - only with REDIS_URL
        try:
            queue = Queue(QUEUE, connection=Redis.from_url(app.config["REDIS_URL"]))
            queue.enqueue("consult.analysis.jobs.rq_job", round_id,
                          job_timeout=3600, description=f"opinion analysis of round {round_id}",
                          meta={"request_id": observability.request_id()})
        except RedisError:  # Redis down: run here rather than leave the page waiting
            log.exception("could not queue the analysis of round %s; running it in a thread",
                          round_id)
            _start_thread(app, round_id)
    else:
        _start_thread(app, round_id)


def _start_thread(app: Flask, round_id: int) -> None:
    threading.Thread(target=_in_thread, args=(app, round_id, observability.request_id()),
                     daemon=True, name=f"analysis-{round_id}").start()


def _in_thread(app: Flask, round_id: int, request_id: str | None = None) -> None:
    """The analysis in a thread, logging with the id of the request that asked for it."""
    with app.app_context(), observability.carrying_request_id(request_id):
        run_analysis(round_id)


def rq_job(round_id: int) -> None:
    """The RQ entry point, run by ``flask analysis worker`` (which holds the app context
    with the app's settings and database pool), carrying the request id of the page that
    asked for it into the log."""
    from rq import get_current_job  # noqa: PLC0415 - only with REDIS_URL
    job = get_current_job()
    request_id = job.meta.get("request_id") if job is not None else None
    with observability.carrying_request_id(request_id):
        run_analysis(round_id)


def _set(round_id: int, **values) -> None:
    with atomic():
        db.session.execute(update(AnalysisResult)
                           .where(AnalysisResult.round_id == round_id).values(**values))


def run_analysis(round_id: int) -> AnalysisResult | None:
    """Run the pipeline and store its result; progress is committed as it goes, so the
    status fragment shows it. A failure is stored, never raised into a worker loop."""
    # jieba (heavy): imported by the analysis worker only, never by a web worker at start
    from consult.analysis import text  # noqa: PLC0415 - heavy (jieba): the worker's only

    text.configure(current_app.instance_path)
    count = pipeline.opinion_count(round_id)
    _set(round_id, status=AnalysisStatus.RUNNING, progress=1, step="start", started_at=now(),
         opinion_count=count, error=None)
    started = time.perf_counter()
    try:
        result = pipeline.run(
            round_id, progress=lambda pct, step: _set(round_id, progress=pct, step=step))
    except Exception as exc:  # stored and shown; the worker keeps going
        db.session.rollback()
        log.exception("opinion analysis of round %s failed", round_id)
        _set(round_id, status=AnalysisStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:500],
             progress=0, step="")
        return result_of(round_id)
    _set(round_id, status=AnalysisStatus.DONE, progress=100, step="", result=result,
         computed_at=now(), seconds=round(time.perf_counter() - started, 2))
    return result_of(round_id)


# ---------------------------------------------------------------- metrics (/metrics)

def waiting_jobs() -> dict[tuple[str, ...], float]:
    """Analyses queued and running, from the table every mode writes (rq, thread, inline)."""
    busy = (AnalysisStatus.QUEUED, AnalysisStatus.RUNNING)
    counts = dict(db.session.execute(
        select(AnalysisResult.status, func.count()).where(AnalysisResult.status.in_(busy))
        .group_by(AnalysisResult.status)).all())
    return {(status.value,): counts.get(status, 0) for status in busy}


def rq_queue_length() -> dict[tuple[str, ...], float]:
    """Jobs waiting in Redis for ``flask analysis worker`` (none without Redis)."""
    if mode() != "rq":
        return {}
    from redis import Redis  # noqa: PLC0415 - only with REDIS_URL
    from rq import Queue  # noqa: PLC0415 - only with REDIS_URL
    connection = Redis.from_url(current_app.config["REDIS_URL"], socket_timeout=2,
                                socket_connect_timeout=2)
    try:
        return {(): Queue(QUEUE, connection=connection).count}
    finally:
        connection.close()


observability.scrape_gauge("consult_analysis_jobs", "Opinion analyses queued or running.",
                           ("status",), waiting_jobs)
observability.scrape_gauge("consult_analysis_rq_queue_length",
                           "Analysis jobs waiting in the Redis queue for a worker.", (),
                           rq_queue_length)
