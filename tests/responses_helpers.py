"""Shared helpers of the responses tests: opinions written straight into a closed round."""

from __future__ import annotations

from sqlalchemy import select

from consult.consultations.models import Clause, Consultation
from consult.extensions import db
from consult.participation.models import Comment, ContentStatus, Question
from tests.factories import ConsultationFactory, DepartmentFactory, RoundFactory, UserFactory


def closed_round(clauses: int = 3, **kwargs):
    """A closed round, its department and an official of that department."""
    dept = DepartmentFactory()
    # Hold the consultation: the factory reads version.consultation after commits, which
    # only the identity map can answer without SQL (the relationship raises on SQL).
    consultation = ConsultationFactory(department=dept)
    r = RoundFactory(closed=True, version__consultation=consultation,
                     version__clauses=clauses, **kwargs)
    official = UserFactory(role="official", role__department=dept)
    return r, dept, official


def clause_ids(round_) -> list[int]:
    return list(db.session.scalars(select(Clause.id).where(Clause.version_id == round_.version_id)
                                   .order_by(Clause.position)))


def comment(round_, author=None, *, clause_id=None, depth=0, parent=None, supports=0,
            proposed=None, withdrawn=False, body="建议增加社区食堂的覆盖范围。"):
    author = author or UserFactory()
    c = Comment(round_id=round_.id, author_id=author.id, clause_id=clause_id, depth=depth,
                parent_id=parent.id if parent else None,
                thread_id=parent.thread_id if parent else None, body=body,
                proposed_text=proposed, support_count=supports,
                status=ContentStatus.WITHDRAWN if withdrawn else ContentStatus.PUBLISHED)
    db.session.add(c)
    db.session.flush()
    if parent is None:
        c.thread_id = c.id
    db.session.commit()
    return c


def question(round_, author=None, *, supports=0, withdrawn=False, body="补贴何时发放？"):
    author = author or UserFactory()
    q = Question(round_id=round_.id, author_id=author.id,
                 department_id=db.session.scalar(
                     select(Consultation.department_id)
                     .where(Consultation.id == round_.consultation_id)), body=body,
                 support_count=supports,
                 status=ContentStatus.WITHDRAWN if withdrawn else ContentStatus.PUBLISHED)
    db.session.add(q)
    db.session.commit()
    return q
