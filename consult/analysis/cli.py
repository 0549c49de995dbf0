"""The analysis commands:

flask analysis worker       the RQ worker for the "consult-analysis" queue (REDIS_URL)
flask analysis run ROUND_ID run one round's analysis now, in this process
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from consult.analysis import jobs
from consult.analysis.models import AnalysisStatus
from consult.db import atomic

analysis_cli = AppGroup("analysis", help="Opinion analysis: the background worker, one run.")

# flask analysis worker       the RQ worker for the "consult-analysis" queue (REDIS_URL)
# flask analysis run ROUND_ID run one round's analysis now, in this process

@analysis_cli.command("worker")
def worker_command() -> None:
    """Process analysis jobs from Redis (the queue "consult-analysis") until stopped.

    A SimpleWorker runs jobs in this process (with this app and its database pool);
    start more workers for more parallel rounds."""
    from redis import Redis  # noqa: PLC0415 - only with REDIS_URL
    from rq import Queue, SimpleWorker  # noqa: PLC0415 - only with REDIS_URL

    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException(_("REDIS_URL is not set: without Redis the analysis runs "
                                     "in a thread of the web process and needs no worker."))
    connection = Redis.from_url(url)
    SimpleWorker([Queue(jobs.QUEUE, connection=connection)], connection=connection).work()


@analysis_cli.command("run")
@click.argument("round_id", type=int)
def run_command(round_id: int) -> None:
    """Analyse one round now and print how long it took."""
    with atomic():
        jobs.request_run(round_id, 0)
    row = jobs.run_analysis(round_id)
    if row is None or row.status is not AnalysisStatus.DONE:
        raise click.ClickException(_("The analysis failed: %(error)s",
                                     error=row.error if row else _("no such round")))
    click.echo(_("Round %(id)s: %(count)d opinions analysed in %(seconds)s s.", id=round_id,
                 count=row.opinion_count, seconds=row.seconds))
