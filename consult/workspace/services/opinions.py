"""The opinion an assignment or a note is about: its department, round and text, read
from the domain that owns it (comments and questions: participation; suggestions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from consult.consultations.models import Consultation
from consult.db import db
from consult.errors import NotFound, ValidationFailed
from consult.participation.models import Comment, Question
from consult.responses.models import Triage
from consult.rounds.models import Round
from consult.suggestions.models import Suggestion
from consult.workspace.models import OpinionKind


@dataclass
class Opinion:
    kind: OpinionKind
    id: int
    department_id: int
    round_id: int | None
    text: str

    @property
    def url(self) -> str:
        """Where the public sees it."""
        if self.kind is OpinionKind.SUGGESTION:
            return url_for("suggestions.detail", suggestion_id=self.id)
        endpoint = "participation.round_comments" if self.kind is OpinionKind.COMMENT else \
            "participation.round_questions"
        return url_for(endpoint, round_id=self.round_id, _anchor=f"{self.kind.value}-{self.id}")


def parse_kind(value: Any) -> OpinionKind:
    try:
        return OpinionKind(str(value))
    except ValueError:
        raise NotFound(_l("There is no such opinion.")) from None


def get_opinion(kind: Any, item_id: int) -> Opinion:
    """The opinion (a top-level comment, a question or a suggestion), else 404."""
    kind = parse_kind(kind)
    if kind is OpinionKind.SUGGESTION:
        row = db.session.execute(select(Suggestion.department_id, Suggestion.title)
                                 .where(Suggestion.id == item_id)).first()
        if row is None or row.department_id is None:
            raise NotFound(_l("There is no such opinion."))
        return Opinion(kind, item_id, row.department_id, None, row.title)
    model = Comment if kind is OpinionKind.COMMENT else Question
    stmt = (select(model.round_id, model.body, Consultation.department_id)
            .join(Round, Round.id == model.round_id)
            .join(Consultation, Consultation.id == Round.consultation_id)
            .where(model.id == item_id))
    if model is Comment:
        stmt = stmt.where(Comment.depth == 0)
    row = db.session.execute(stmt).first()
    if row is None:
        raise NotFound(_l("There is no such opinion."))
    return Opinion(kind, item_id, row.department_id, row.round_id, row.body)


def triage_items(round_id: int, triage_ids: list[int]) -> list[tuple[OpinionKind, int]]:
    """The opinions of a round's triage rows, every id checked to belong to the round."""
    ids = sorted({int(i) for i in triage_ids})
    if not ids:
        raise ValidationFailed(_l("Tick at least one opinion."), field="ids")
    rows = db.session.execute(select(Triage.id, Triage.comment_id, Triage.question_id)
                              .where(Triage.id.in_(ids), Triage.round_id == round_id)).all()
    if len(rows) != len(ids):
        raise ValidationFailed(_l("Some of the ticked opinions are not opinions of this "
                                  "round. Nothing was changed."), field="ids")
    return [(OpinionKind.COMMENT, r.comment_id) if r.comment_id is not None
            else (OpinionKind.QUESTION, r.question_id) for r in rows]


def texts_of(pairs: list[tuple[OpinionKind, int]]) -> dict[tuple[OpinionKind, int], str]:
    """The text of each opinion named (at most one query per kind)."""
    out: dict[tuple[OpinionKind, int], str] = {}
    for kind, model, column in ((OpinionKind.COMMENT, Comment, Comment.body),
                                (OpinionKind.QUESTION, Question, Question.body),
                                (OpinionKind.SUGGESTION, Suggestion, Suggestion.title)):
        ids = [i for k, i in pairs if k == kind]
        if ids:
            for item_id, text in db.session.execute(
                    select(model.id, column).where(model.id.in_(ids))):
                out[(kind, item_id)] = text
    return out
