"""Page reads and the one write (accepting a suggested theme into triage)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from consult.accounts.models import Actor
from consult.analysis import jobs, pipeline
from consult.analysis.models import AnalysisResult
from consult.db import db
from consult.errors import NotFound, ValidationFailed
from consult.participation.models import Comment, ContentStatus, Question
from consult.responses.models import Triage
from consult.responses.services import triage
from consult.rounds.models import Round
from consult.security.permissions import authorize
from consult.security.search import contains_text
from consult.web import Page

PER_PAGE = 25
TERM_MAX = 40


def analysis_for_page(actor: Actor, round_: Round) -> tuple[AnalysisResult | None, int, bool]:
    """The stored analysis, the current opinion count, and whether a run must be
    dispatched after the commit (a first run, or enough new opinions)."""
    authorize(actor, "analysis.view", round_)
    row = jobs.result_of(round_.id)
    count = pipeline.opinion_count(round_.id)
    if jobs.needs_run(row, count):
        return jobs.request_run(round_.id, count), count, True
    return row, count, False


def recompute(actor: Actor, round_: Round) -> AnalysisResult:
    authorize(actor, "analysis.view", round_)
    row = jobs.result_of(round_.id)
    if row is not None and row.status.busy and not jobs.needs_run(row, row.opinion_count):
        return row  # already under way
    return jobs.request_run(round_.id, pipeline.opinion_count(round_.id))


def opinions_with_term(actor: Actor, round_: Round, term: str, *, page: int = 1) -> Page:
    """The round's opinions containing ``term`` (comments then questions), paginated:
    two queries per kind whatever the size."""
    authorize(actor, "analysis.view", round_)
    term = (term or "").strip()[:TERM_MAX]
    if not term:
        return Page(items=[], page=1, per_page=PER_PAGE, total=0)
    comments = (select(Comment).where(Comment.round_id == round_.id, Comment.depth == 0,
                                      Comment.status == ContentStatus.PUBLISHED,
                                      Comment.confidential.is_(False),
                                      contains_text(Comment.body, term))
                .order_by(Comment.support_count.desc(), Comment.id))
    questions = (select(Question).where(Question.round_id == round_.id,
                                        Question.status == ContentStatus.PUBLISHED,
                                        contains_text(Question.body, term))
                 .order_by(Question.support_count.desc(), Question.id))
    n_comments = db.session.scalar(select(func.count()).select_from(
        comments.order_by(None).subquery())) or 0
    n_questions = db.session.scalar(select(func.count()).select_from(
        questions.order_by(None).subquery())) or 0
    start = (page - 1) * PER_PAGE
    items: list = []
    if start < n_comments:
        items += db.session.scalars(comments.limit(PER_PAGE).offset(start))
    if len(items) < PER_PAGE and start + len(items) < n_comments + n_questions:
        q_start = max(0, start - n_comments)
        items += db.session.scalars(questions.limit(PER_PAGE - len(items)).offset(q_start))
    return Page(items=items, page=page, per_page=PER_PAGE, total=n_comments + n_questions)


def theme_suggestion(row: AnalysisResult | None, label: int) -> dict:
    if row is None or not row.result:
        raise NotFound(_l("This suggested theme does not exist."))
    for theme in row.result["themes"]["themes"]:
        if theme["label"] == label:
            return theme
    raise NotFound(_l("This suggested theme does not exist."))


def accept_theme(actor: Actor, round_: Round, *, label: int, name: str | None) -> tuple[Any, int]:
    """Create a triage theme named ``name`` (the suggestion's terms by default) and put
    the suggestion's opinions in it, through the triage services (which authorize
    ``response.manage`` and require a closed round). Returns (theme, opinions moved)."""
    suggestion = theme_suggestion(jobs.result_of(round_.id), label)
    theme = triage.create_theme(actor, round_, name=name)
    comment_ids = [int(k.split(":")[1]) for k in suggestion["members"]
                   if k.startswith("comment:")]
    question_ids = [int(k.split(":")[1]) for k in suggestion["members"]
                    if k.startswith("question:")]
    ids: list[int] = []
    for column, values in ((Triage.comment_id, comment_ids), (Triage.question_id, question_ids)):
        for start in range(0, len(values), 900):  # stay under SQLite's variable limit
            ids += db.session.scalars(select(Triage.id).where(
                Triage.round_id == round_.id, column.in_(values[start:start + 900])))
    if not ids:
        raise ValidationFailed(_l("None of these opinions can be triaged any more."),
                               field="name")
    moved = triage.bulk_triage(actor, round_, triage_ids=ids, theme_id=theme.id)
    return theme, moved
