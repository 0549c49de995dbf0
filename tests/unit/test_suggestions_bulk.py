"""The bulk answer service: each suggestion answered by the single-answer service (its
own deadline check, event, audit entry and assignment close), one department at a time,
nothing answered when one of them is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from consult.db import atomic, db
from consult.errors import PermissionDenied, ValidationFailed
from consult.suggestions.models import AnswerStatus, Suggestion, SuggestionEvent
from consult.suggestions.services import bulk
from tests.factories import DepartmentFactory, UserFactory, make_suggestion, with_roles

RECEIVED = datetime(2026, 11, 4, 2, 0, tzinfo=UTC)  # a Wednesday in Shanghai


def _events() -> int:
    return db.session.scalar(select(func.count(SuggestionEvent.id)))


def test_each_suggestion_keeps_its_own_deadline(app):
    dept = DepartmentFactory()
    official = UserFactory(role="official", role__department=dept)
    with time_machine.travel(RECEIVED, tick=False):
        early = make_suggestion(UserFactory(), dept, title="社区食堂太少了")
    with time_machine.travel(datetime(2026, 11, 30, tzinfo=UTC), tick=False):
        late = make_suggestion(UserFactory(), dept, title="公园夜间照明不足")
        with atomic():  # answered after the first one's deadline, within the second's
            actor = with_roles(official)
            rows = bulk.load_selection(actor, [str(early.id), str(late.id)])
            answer, text, linked = bulk.check_answer(rows, status="under_study",
                                                     body="正在研究。")
            events = bulk.answer_suggestions(actor, rows, answer, text, linked)
    on_time = {e.suggestion_id: e.on_time for e in events}
    assert on_time == {early.id: False, late.id: True}
    assert {s.answer_status for s in db.session.scalars(select(Suggestion))} == {
        AnswerStatus.UNDER_STUDY}


def test_a_refused_selection_answers_none(app):
    dept, other = DepartmentFactory(), DepartmentFactory()
    official = UserFactory(role="official", role__department=dept)
    mine = make_suggestion(UserFactory(), dept, title="社区食堂太少了")
    theirs = make_suggestion(UserFactory(), other, title="公园夜间照明不足")
    actor = with_roles(official)
    with pytest.raises(PermissionDenied):
        bulk.load_selection(actor, [mine.id, theirs.id])
    with pytest.raises(PermissionDenied):
        bulk.load_selection(with_roles(UserFactory()), [mine.id])
    with pytest.raises(ValidationFailed) as too_many:
        bulk.selected_ids(list(range(1, bulk.BULK_MAX + 2)))
    assert too_many.value.field == "ids"
    rows = bulk.load_selection(actor, [mine.id])
    with pytest.raises(ValidationFailed) as no_text:
        bulk.check_answer(rows, status="not_taken", body=" \n ")
    assert no_text.value.field == "body"
    assert _events() == 0
