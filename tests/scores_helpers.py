"""A small hand-countable world for the score tests (unit, evaluation pages and API)."""

from __future__ import annotations

from datetime import date, timedelta

from consult.clock import now
from consult.extensions import db
from consult.participation.models import Comment, Question
from consult.responses.models import ActionStatus, FollowUpAction, RoundResponse
from consult.rounds.participants import mark
from consult.surveys.models import Heard, Satisfaction
from consult.surveys.services import CleanAnswer, record_answer
from tests.factories import ConsultationFactory, DepartmentFactory, RoundFactory, UserFactory


def evaluated_round(consultation, *, published_days_late: int = 0, closed_days_ago: int = 40):
    """A round closed ``closed_days_ago`` days ago whose survey is over."""
    t = now()
    closes = t - timedelta(days=closed_days_ago)
    due = closes + timedelta(days=10)
    published = due + timedelta(days=published_days_late)
    return RoundFactory(
        version__consultation=consultation, opens_at=closes - timedelta(days=10),
        closes_at=closes, closed_at=closes, response_due_at=due,
        response_published_at=published, survey_closes_at=published + timedelta(days=5),
        recorded_state="evaluated")


def answer(round_, user, *, satisfaction="satisfied", rating=5, clarity=4, heard="yes",
           participant=True):
    """Through the service, so the round's ``Survey`` counters move as in production."""
    clean = CleanAnswer(satisfaction=Satisfaction(satisfaction), rating=rating,
                        clarity=clarity, heard=Heard(heard), comment=None)
    record_answer(round_.id, user.id, clean, is_participant=participant)


def participate(round_, user):
    """Through ``participants.mark``, so ``Round.participant_count`` moves too."""
    mark(round_.id, user.id)


def response(round_, *, opinions, adopted, partly):
    db.session.add(RoundResponse(
        round_id=round_.id, consultation_id=round_.consultation_id,
        department_id=round_.consultation.department_id, from_version_number=1,
        opinion_count=opinions, triaged_count=opinions, adopted_count=adopted,
        partly_count=partly, not_adopted_count=opinions - adopted - partly,
        published_at=round_.response_published_at, frozen_stats={}))
    db.session.flush()


def build_world(extra_answers: int = 0):
    """Department A: one evaluated round with 10 answers (7 satisfied or basically),
    ratings 1..5 twice, 12 participants; an overdue round; a round answered 4 days late.
    Department B: one evaluated round with 3 answers (not enough)."""
    dept_a, dept_b = DepartmentFactory(), DepartmentFactory()
    ca = ConsultationFactory(department=dept_a)
    cb = ConsultationFactory(department=dept_b)
    r1 = evaluated_round(ca)
    r_late = evaluated_round(ca, published_days_late=4)
    r_over = RoundFactory(version__consultation=ca, overdue=True)
    r_b = evaluated_round(cb)
    users = UserFactory.create_batch(12 + extra_answers)
    sats = ["satisfied"] * 4 + ["basically_satisfied"] * 3 + ["dissatisfied"] * 3
    for i, u in enumerate(users[:10]):
        answer(r1, u, satisfaction=sats[i], rating=(i % 5) + 1, clarity=4 if i < 6 else 2,
               heard="yes" if i < 5 else "no", participant=i < 9)
    for u in users[:12]:
        participate(r1, u)
    for u in users[12:]:
        answer(r1, u, satisfaction="satisfied", rating=5, clarity=5, heard="yes")
        participate(r1, u)
    for u in users[:3]:
        answer(r_b, u)
    response(r1, opinions=20, adopted=5, partly=3)
    q1 = Question(round_id=r1.id, author_id=users[0].id, department_id=dept_a.id, body="问？",
                  created_at=now() - timedelta(days=30), answered_at=now() - timedelta(days=28))
    q2 = Question(round_id=r1.id, author_id=users[1].id, department_id=dept_a.id, body="问二？",
                  created_at=now() - timedelta(days=30))
    db.session.add_all([q1, q2, Comment(round_id=r1.id, author_id=users[2].id, body="意见")])
    resp = db.session.query(RoundResponse).filter_by(round_id=r1.id).one()
    today = date.today()
    for status, due, last in [(ActionStatus.DONE, today - timedelta(days=5), today - timedelta(days=6)),
                              (ActionStatus.DONE, today - timedelta(days=5), today - timedelta(days=1)),
                              (ActionStatus.PLANNED, today - timedelta(days=1), None),
                              (ActionStatus.IN_PROGRESS, today + timedelta(days=9), None),
                              (ActionStatus.DROPPED, today + timedelta(days=9), None)]:
        db.session.add(FollowUpAction(
            response_id=resp.id, round_id=r1.id, department_id=dept_a.id, title="行动",
            owner_unit="处", due_on=due, status=status, last_update_on=last, published=True,
            drop_reason="原因" if status is ActionStatus.DROPPED else None))
    db.session.commit()
    return dict(dept_a=dept_a, dept_b=dept_b, ca=ca, cb=cb, r1=r1, r_late=r_late,
                r_over=r_over, r_b=r_b, users=users)
