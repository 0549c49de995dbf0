"""Survey services without pages: the permission rules for every kind of user, option
parsing, counters across many changes against a recount, invitations when a response is
published (notification + e-mail to participants only, linking to the survey), the
results' sample flags, and the demo seed (realistic, consistent, idempotent)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from consult import signals
from consult.accounts.models import User
from consult.db import atomic
from consult.errors import InvalidState, PermissionDenied, ValidationFailed
from consult.extensions import db
from consult.notifications.models import Notification
from consult.questionnaires.models import (
    AnswerChoice,
    Purpose,
    QuestionKind,
    Questionnaire,
    QuestionnaireOption,
    QuestionnaireQuestion,
)
from consult.rounds import participants
from consult.rounds.models import Round, RoundParticipant
from consult.rounds.services import get_round
from consult.security.permissions import check
from consult.surveys import seed as survey_seed
from consult.surveys import services
from consult.surveys.models import Survey, SurveyAnswer
from tests.factories import DepartmentFactory, RoundFactory, SurveyFactory, UserFactory

pytestmark = pytest.mark.usefixtures("keep_loaded")


def do(fn, *args, **kwargs):
    with atomic():
        return fn(*args, **kwargs)


def responded_round(dept=None, days_ago=1, survey_days=14):
    from consult.clock import now

    published = now() - timedelta(days=days_ago)
    return RoundFactory(closed=True, version__consultation__department=dept or
                        DepartmentFactory(), response_published_at=published,
                        survey_days=survey_days,
                        survey_closes_at=published + timedelta(days=survey_days),
                        recorded_state="responded")


def load(round_id, actor=None):
    db.session.expire_all()
    return get_round(actor, round_id)


# ---------------------------------------------------------------- rules

def test_permission_rules_for_every_kind_of_user(app):
    dept = DepartmentFactory()
    r = load(RoundFactory(closed=True, version__consultation__department=dept).id)
    from flask_login import AnonymousUserMixin

    cases = {
        "anonymous": (AnonymousUserMixin(), False, False),
        "citizen": (UserFactory(), False, True),
        "unverified": (UserFactory(unverified=True), False, False),
        "suspended": (UserFactory(active=False), False, False),
        # The department's officials do not rate their own response (issue 22).
        "official": (UserFactory(role="official", role__department=dept), True, False),
        "other official": (UserFactory(role="official", role__department=DepartmentFactory()),
                           False, True),
        "admin": (UserFactory(role="admin"), False, True),
    }
    for name, (user, manage, answer) in cases.items():
        if isinstance(user, User):  # fresh, with the roles given after creation
            user = db.session.scalar(select(User).where(User.id == user.id)
                                     .options(selectinload(User.roles))
                                     .execution_options(populate_existing=True))
        assert check(user, "survey.manage", r) is manage, name
        assert check(user, "survey.answer", r) is answer, name


def test_official_of_another_department_cannot_add_questions(app):
    dept = DepartmentFactory()
    r = RoundFactory(version__consultation__department=dept)
    outsider = UserFactory(role="official", role__department=DepartmentFactory())
    with pytest.raises(PermissionDenied):
        do(services.add_question, outsider, load(r.id, outsider), text="问题", kind="text")


# ---------------------------------------------------------------- questions

@pytest.mark.parametrize("kind, options, expected", [
    (QuestionKind.SINGLE, " 甲 \n\n乙  丙\n", ["甲", "乙 丙"]),
    (QuestionKind.MULTIPLE, ["a", "b", "c"], ["a", "b", "c"]),
    (QuestionKind.SCALE, "ignored", ["1", "2", "3", "4", "5"]),
    (QuestionKind.TEXT, "ignored", []),
])
def test_parse_options(kind, options, expected):
    assert services.parse_options(kind, options) == expected


@pytest.mark.parametrize("options, message", [
    ("一", "Give at least 2 answers, one per line."),
    ("\n".join(str(i) for i in range(11)), "Give at most 10 answers."),
    ("甲\n" + "长" * 121, "Each answer can have at most 120 characters."),
    ("Yes\nyes", "Each answer must be different."),
])
def test_parse_options_refuses(app, options, message):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(ValidationFailed) as info:
            services.parse_options(QuestionKind.SINGLE, options)
        assert str(info.value.message) == message and info.value.field == "options"


def test_questions_refused_once_responded(app):
    r = responded_round()
    official = UserFactory(role="official", role__department=db.session.get(
        Round, r.id).consultation.department)
    with pytest.raises(InvalidState):
        do(services.add_question, official, load(r.id, official), text="问题", kind="text")
    with pytest.raises(InvalidState):
        do(services.set_settings, official, load(r.id, official), open_to_all=True)
    assert db.session.scalar(select(func.count(QuestionnaireQuestion.id))) == 0


# ---------------------------------------------------------------- answers and counters

def test_random_answers_and_changes_keep_counters_equal_to_a_recount(app):
    rng = random.Random(11)
    r = responded_round()
    official = UserFactory(role="official", role__department=db.session.get(
        Round, r.id).consultation.department)
    round_ = load(r.id, official)
    with atomic():
        single = services.add_question(official, round_, text="单选", kind="single",
                                       options="甲\n乙\n丙", _allow_any_state=True)
        multi = services.add_question(official, round_, text="多选", kind="multiple",
                                      options="一\n二\n三\n四", _allow_any_state=True)
        scale = services.add_question(official, round_, text="打分", kind="scale",
                                      _allow_any_state=True)
    users = [UserFactory() for _ in range(8)]
    with atomic():
        for u in users[:6]:
            participants.mark(r.id, u.id)
    with atomic():
        services.set_settings(official, round_, open_to_all=True, _allow_any_state=True)
    questions = services.list_questions(round_)
    for _ in range(60):
        user = rng.choice(users)
        answers = {}
        for q in questions:
            if rng.random() < 0.3:
                continue
            ids = [o.id for o in q.options]
            answers[q.id] = (rng.sample(ids, rng.randint(1, 3)) if q.kind.value == "multiple"
                             else [rng.choice(ids)])
        do(services.submit_answer, user, load(r.id, user),
           satisfaction=rng.choice(["satisfied", "basically_satisfied", "dissatisfied"]),
           rating=rng.randint(1, 5), clarity=str(rng.randint(1, 5)),
           heard=rng.choice(["yes", "partly", "no"]),
           comment=rng.choice(["", "意见"]), answers=answers)
    db.session.expire_all()
    rows = list(db.session.scalars(select(SurveyAnswer)))
    s = db.session.get(Survey, r.id)
    assert s.respondents == len(rows) == len({a.user_id for a in rows})
    assert s.participant_respondents == sum(1 for a in rows if a.is_participant)
    assert s.participant_respondents <= 6 and all(
        a.is_participant == (a.user_id in {u.id for u in users[:6]}) for a in rows)
    assert s.rating_sum == sum(a.rating for a in rows)
    assert s.clarity_sum == sum(a.clarity for a in rows)
    assert s.comments == sum(1 for a in rows if a.comment)
    sat = Counter(a.satisfaction.value for a in rows)
    assert (s.satisfied, s.basically_satisfied, s.dissatisfied) == (
        sat["satisfied"], sat["basically_satisfied"], sat["dissatisfied"])
    assert [getattr(s, f"rating_{v}") for v in range(1, 6)] == [
        sum(1 for a in rows if a.rating == v) for v in range(1, 6)]
    chosen = Counter(db.session.scalars(select(AnswerChoice.option_id)))
    assert chosen
    for o in db.session.scalars(select(QuestionnaireOption)):
        assert o.answer_count == chosen.get(o.id, 0)
    for q in (single, multi, scale):
        answered = db.session.scalar(select(func.count(func.distinct(
            AnswerChoice.owner_id))).where(AnswerChoice.question_id == q.id))
        assert db.session.get(QuestionnaireQuestion, q.id).respondent_count == answered


def test_submit_refusals_in_order(app):
    r = RoundFactory(closed=True)
    user = UserFactory()
    with pytest.raises(PermissionDenied):  # not a participant: who, before when
        do(services.submit_answer, user, load(r.id, user), satisfaction="satisfied",
           rating=5, clarity=5, heard="yes")
    with atomic():
        participants.mark(r.id, user.id)
    with pytest.raises(InvalidState):
        do(services.submit_answer, user, load(r.id, user), satisfaction="satisfied",
           rating=5, clarity=5, heard="yes")
    unverified = UserFactory(unverified=True)
    with pytest.raises(PermissionDenied):
        do(services.submit_answer, unverified, load(r.id, unverified),
           satisfaction="satisfied", rating=5, clarity=5, heard="yes")
    assert db.session.scalar(select(func.count(SurveyAnswer.id))) == 0


# ---------------------------------------------------------------- invitations

def test_invitation_goes_to_participants_only_with_the_survey_link(app, outbox):
    r = responded_round()
    took_part, other = UserFactory(locale="en"), UserFactory()
    with atomic():
        participants.mark(r.id, took_part.id)
    with atomic():
        signals.survey_opened.send(load(r.id))
    notes = list(db.session.scalars(select(Notification)))
    assert [(n.user_id, n.kind.value, n.link) for n in notes] == [
        (took_part.id, "survey_invitation", f"/rounds/{r.id}/survey")]
    assert [m.to for m in outbox] == [[took_part.email]]
    assert f"/rounds/{r.id}/survey" in outbox[0].body
    assert "How satisfied are you with the response?" in outbox[0].subject
    assert other.id not in {n.user_id for n in notes}


def test_publishing_a_response_invites_participants(app, outbox):
    from consult.responses import services as responses
    from tests.factories import closed_round, comment

    r, _dept, official = closed_round()
    participant = UserFactory()
    comment(r, participant)
    with atomic():
        participants.mark(r.id, participant.id)
    round_ = load(r.id, official)
    do(responses.start_triage, round_)
    from consult.responses.models import Triage

    ids = list(db.session.scalars(select(Triage.id).where(Triage.round_id == r.id)))
    do(responses.bulk_triage, official, load(r.id, official), triage_ids=ids,
       status="adopted", reason="理由。")
    do(responses.save_response, official, load(r.id, official), summary="感谢大家的意见。")
    do(responses.publish_response, official, load(r.id, official))
    kinds = set(db.session.scalars(select(Notification.kind).where(
        Notification.user_id == participant.id)))
    assert [k.value for k in kinds] == ["survey_invitation"]  # one message, not two


# ---------------------------------------------------------------- results

@pytest.mark.parametrize("n, sample", [(0, "too_few"), (4, "too_few"), (5, "small"),
                                        (29, "small"), (30, "enough")])
def test_sample_flags(app, n, sample):
    r = responded_round(days_ago=20, survey_days=14)
    SurveyFactory(round_id=r.id, respondents=n, participant_respondents=n, satisfied=n,
                  rating_5=n, rating_sum=5 * n, clarity_5=n, clarity_sum=5 * n, heard_yes=n)
    db.session.execute(update(Round).where(Round.id == r.id).values(participant_count=40))
    db.session.commit()
    res = services.get_results(load(r.id))
    assert res.visible and res.sample == sample
    assert res.response_rate == pytest.approx(0 if n == 0 else n / 40)
    if n:
        assert res.rating_mean == 5 and res.satisfied_share == 1


def test_results_hidden_while_open(app):
    r = responded_round()
    res = services.get_results(load(r.id))
    assert not res.visible and res.respondents == 0 and res.satisfaction == []


# ---------------------------------------------------------------- demo seed

def test_seed_answers_published_rounds_once(app, monkeypatch):
    dept = DepartmentFactory()
    official = UserFactory(role="official", role__department=dept)
    first_timer = UserFactory(email="citizen@example.org")
    responded = responded_round(dept)
    evaluated = responded_round(dept, days_ago=30, survey_days=14)
    untouched = RoundFactory(closed=True, version__consultation__department=dept)
    crowd = [UserFactory() for _ in range(24)]
    with atomic():
        for r in (responded, evaluated, untouched):
            for u in [first_timer, *crowd]:
                participants.mark(r.id, u.id)
    for i in range(8):
        UserFactory(email=f"citizen{40 + i}@example.org")
    assert official
    db.session.expire_all()  # the factories' users, with the roles given after creation
    with atomic():
        survey_seed.seed()

    def snapshot():
        db.session.expire_all()
        return (db.session.scalar(select(func.count(SurveyAnswer.id))),
                db.session.scalar(select(func.count(QuestionnaireQuestion.id))),
                db.session.scalar(select(func.count(Notification.id))))

    first = snapshot()
    for r in (responded, evaluated):
        answers = list(db.session.scalars(select(SurveyAnswer)
                                          .where(SurveyAnswer.round_id == r.id)))
        assert len(answers) >= 12
        s = db.session.get(Survey, r.id)
        assert s.respondents == len(answers) and s.rating_sum == sum(a.rating for a in answers)
        assert len({a.satisfaction for a in answers}) >= 2 and any(a.comment for a in answers)
        pub, closes = r.response_published_at, r.survey_closes_at
        assert all(pub <= a.created_at <= a.updated_at <= closes for a in answers)
    assert db.session.scalar(select(SurveyAnswer.id).where(
        SurveyAnswer.round_id == responded.id, SurveyAnswer.user_id == first_timer.id)) is None
    assert db.session.scalar(
        select(func.count(QuestionnaireQuestion.id)).join(Questionnaire)
        .where(Questionnaire.round_id == responded.id,
               Questionnaire.purpose == Purpose.SURVEY)) == 4
    assert db.session.scalar(select(func.count(SurveyAnswer.id)).where(
        SurveyAnswer.round_id == untouched.id)) == 0
    opened = db.session.get(Survey, evaluated.id)
    assert opened.open_to_all and opened.respondents > opened.participant_respondents
    chosen = Counter(db.session.scalars(select(AnswerChoice.option_id)))
    assert chosen and all(o.answer_count == chosen.get(o.id, 0)
                          for o in db.session.scalars(select(QuestionnaireOption)))
    with atomic():
        survey_seed.seed()
    assert snapshot() == first
    assert db.session.scalar(select(func.count()).select_from(RoundParticipant)) == 75
