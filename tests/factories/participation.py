"""Comments, questions and answers written straight into a round (no counters move),
and the sensitive terms that hold a post for review."""

from __future__ import annotations

import factory
from sqlalchemy import select

from consult.consultations.models import Consultation
from consult.extensions import db
from consult.moderation.models import SensitiveTerm
from consult.participation.models import Answer, Comment, ContentStatus, Question
from consult.rounds.models import Round
from tests.factories.accounts import UserFactory
from tests.factories.base import Base
from tests.factories.consultations import RoundFactory


def _department_of(round_id: int) -> int:
    return db.session.scalar(select(Consultation.department_id).join(
        Round, Round.consultation_id == Consultation.id).where(Round.id == round_id))


class CommentFactory(Base):
    """A published comment opening its own thread unless ``thread_id`` is given."""

    class Meta:
        model = Comment

    round_id = factory.LazyFunction(lambda: RoundFactory().id)
    author_id = factory.LazyFunction(lambda: UserFactory().id)
    body = "建议增加社区食堂的覆盖范围。"
    status = ContentStatus.PUBLISHED

    class Params:
        withdrawn = factory.Trait(status=ContentStatus.WITHDRAWN)

    @factory.post_generation
    def own_thread(self, create, extracted, **kwargs):
        if self.thread_id is None:
            self.thread_id = self.id
            if create:
                db.session.commit()


class QuestionFactory(Base):
    """A published question to the round's department."""

    class Meta:
        model = Question

    round_id = factory.LazyFunction(lambda: RoundFactory().id)
    author_id = factory.LazyFunction(lambda: UserFactory().id)
    department_id = factory.LazyAttribute(lambda o: _department_of(o.round_id))
    body = "补贴何时发放？"
    status = ContentStatus.PUBLISHED

    class Params:
        withdrawn = factory.Trait(status=ContentStatus.WITHDRAWN)


class AnswerFactory(Base):
    """The department's answer to ``question`` (a Question)."""

    class Meta:
        model = Answer
        exclude = ("question",)

    question = factory.SubFactory(QuestionFactory)
    question_id = factory.LazyAttribute(lambda o: o.question.id)
    department_id = factory.LazyAttribute(lambda o: o.question.department_id)
    author_id = None
    body = "补贴将于每季度首月发放。"


class SensitiveTermFactory(Base):
    class Meta:
        model = SensitiveTerm

    pattern = factory.Sequence(lambda n: f"敏感词{n}")
    is_pattern = False


def comment(round_, author=None, *, clause_id=None, depth=0, parent=None, supports=0,
            proposed=None, withdrawn=False, body="建议增加社区食堂的覆盖范围。") -> Comment:
    """A comment on ``round_`` by ``author`` (a new user by default); a reply to
    ``parent`` joins its thread."""
    return CommentFactory(
        round_id=round_.id, author_id=(author or UserFactory()).id, clause_id=clause_id,
        depth=depth, parent_id=parent.id if parent else None,
        thread_id=parent.thread_id if parent else None, body=body, proposed_text=proposed,
        support_count=supports, withdrawn=withdrawn)


def question(round_, author=None, *, supports=0, withdrawn=False,
             body="补贴何时发放？") -> Question:
    """A question on ``round_`` by ``author`` (a new user by default)."""
    return QuestionFactory(round_id=round_.id, author_id=(author or UserFactory()).id,
                           body=body, support_count=supports, withdrawn=withdrawn)


def add_word(word: str, *, is_pattern: bool = False) -> SensitiveTerm:
    """A sensitive word (or pattern) the moderation checks from now on."""
    return SensitiveTermFactory(pattern=word, is_pattern=is_pattern)
