"""The factories' objects stay usable after commit whatever the garbage collector does."""

from __future__ import annotations

import gc

from tests.factories import DepartmentFactory, RoundFactory, UserFactory


def test_relationships_of_factory_objects_survive_garbage_collection(app):
    dept = DepartmentFactory()
    for _ in range(3):
        round_ = RoundFactory(version__consultation__department=dept)
        gc.collect()
        # Sub-objects nobody in the test references: read through raise_on_sql relationships.
        assert round_.version.consultation.department.id == dept.id
        assert round_.consultation.id == round_.version.consultation_id
    official = UserFactory(role="official", role__department=dept)
    gc.collect()
    assert official.id


def test_content_factories_fill_what_the_pages_read(app):
    from consult.participation.models import ContentStatus
    from tests.factories import (
        AnswerFactory,
        CommentFactory,
        QuestionFactory,
        SensitiveTermFactory,
        comment,
        question,
    )

    round_ = RoundFactory()
    opening = CommentFactory(round_id=round_.id)
    assert opening.thread_id == opening.id and opening.status is ContentStatus.PUBLISHED
    reply = comment(round_, parent=opening, depth=1, withdrawn=True)
    assert reply.thread_id == opening.id and reply.parent_id == opening.id
    assert reply.status is ContentStatus.WITHDRAWN
    asked = question(round_, supports=2)
    assert asked.department_id == round_.version.consultation.department_id
    assert asked.support_count == 2
    answer = AnswerFactory(question=QuestionFactory(round_id=round_.id))
    assert answer.department_id == asked.department_id
    assert SensitiveTermFactory(pattern="广告").is_pattern is False


def test_response_factories_count_what_is_not_adopted(app):
    from consult.responses.models import ActionStatus
    from tests.factories import FollowUpActionFactory, RoundResponseFactory, closed_round

    round_, dept, _ = closed_round()
    response = RoundResponseFactory(round_=round_, opinion_count=10, adopted_count=4,
                                    partly_count=1)
    assert (response.triaged_count, response.not_adopted_count) == (10, 5)
    assert response.department_id == dept.id and response.published_at is not None
    action = FollowUpActionFactory(response=response, status=ActionStatus.DONE)
    assert (action.round_id, action.department_id) == (round_.id, dept.id)
