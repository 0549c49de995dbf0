"""Demo survey answers for ``flask seed-demo`` (runs after rounds, participation, voting
and responses).

Every demo round whose response is published gets answers from about three in four of its
participants, written through ``record_answer`` (the counters move exactly as for the
page) at times inside the survey window; some people change their answer once. The first
responded round also gets custom questions from its department's official. The main demo
citizen (citizen@example.org) is left without an answer in responded rounds, so a visitor
trying the demo can answer for the first time. Idempotent: a round that already has survey
questions or answers is left alone.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from consult.accounts.models import User
from consult.clock import now
from consult.consultations.models import Consultation
from consult.db import db
from consult.questionnaires.models import (
    Purpose,
    QuestionKind,
    Questionnaire,
    QuestionnaireQuestion,
)
from consult.rounds import lifecycle
from consult.rounds.lifecycle import RoundState
from consult.rounds.models import Round, RoundParticipant
from consult.rounds.seed import _official_of
from consult.surveys import services
from consult.surveys.models import Heard, Satisfaction, SurveyAnswer

FIRST_TIMER = "citizen@example.org"

QUESTIONS = [
    ("答复中对您关心的问题说明得是否具体？", QuestionKind.SINGLE,
     "非常具体\n比较具体\n比较笼统\n没有涉及"),
    ("您希望今后通过哪些方式了解意见采纳情况？（可多选）", QuestionKind.MULTIPLE,
     "政府网站公示\n短信或邮件通知\n社区公告栏\n线下说明会"),
    ("您对后续整改措施落实的信心有多大？", QuestionKind.SCALE, ""),
    ("对下一轮征求意见，您还有什么建议？", QuestionKind.TEXT, ""),
]

# (satisfaction, weight, typical ratings, typical "felt heard")
PROFILES = [
    (Satisfaction.VERY_SATISFIED, 12, (5, 5, 4), (Heard.YES, Heard.YES, Heard.YES)),
    (Satisfaction.SATISFIED, 45, (4, 5, 5), (Heard.YES, Heard.YES, Heard.PARTLY)),
    (Satisfaction.BASICALLY_SATISFIED, 35, (3, 4, 4), (Heard.PARTLY, Heard.YES, Heard.PARTLY)),
    (Satisfaction.DISSATISFIED, 20, (1, 2, 2, 3), (Heard.NO, Heard.PARTLY, Heard.NO)),
    (Satisfaction.VERY_DISSATISFIED, 6, (1, 1, 2), (Heard.NO, Heard.NO, Heard.NO)),
]

COMMENTS = {
    Satisfaction.VERY_SATISFIED: [
        "答复及时、具体，采纳情况一目了然，非常满意。",
    ],
    Satisfaction.VERY_DISSATISFIED: [
        "答复完全没有回应我们反映的问题，只是套话。",
    ],
    Satisfaction.SATISFIED: [
        "答复逐条回应了大家的意见，看得出是认真研究过的。",
        "采纳了关于夜间照护的建议，感谢。",
    ],
    Satisfaction.BASICALLY_SATISFIED: [
        "总体不错，但未采纳的理由写得有些简单，希望更具体。",
        "希望后续整改的时间表能公开，方便我们监督。",
    ],
    Satisfaction.DISSATISFIED: [
        "我们提的补贴标准问题没有正面回应。",
        "答复发布得太晚，很多居民已经不关注了。",
    ],
}
TEXT_ANSWERS = ["征求意见时间可以再长一些。", "希望在社区多开几场说明会。",
                "建议在草案中用更通俗的语言解释条款。"]


def seed() -> None:
    rounds = list(db.session.scalars(
        select(Round).join(Consultation)
        .where(Round.response_published_at.is_not(None),
               Consultation.published_at.is_not(None),
               ~exists().where(SurveyAnswer.round_id == Round.id),
               ~exists().where(QuestionnaireQuestion.questionnaire_id == Questionnaire.id,
                               Questionnaire.round_id == Round.id,
                               Questionnaire.purpose == Purpose.SURVEY))
        .options(joinedload(Round.consultation).joinedload(Consultation.department),
                 joinedload(Round.version))
        .order_by(Round.id)))
    if not rounds:
        return
    first_timer = db.session.scalar(select(User.id).where(User.email == FIRST_TIMER))
    with_questions = next((r for r in rounds
                           if lifecycle.state_of(r) is RoundState.RESPONDED), None)
    evaluated = [r for r in rounds if lifecycle.state_of(r) is RoundState.EVALUATED]
    opened = evaluated[-1] if evaluated else None
    for r in rounds:
        if r is with_questions:
            _add_questions(r)
        _answer(r, first_timer, opened=r is opened)


def _add_questions(r: Round) -> None:
    official = _official_of(r.consultation.department_id)
    if official is None:
        return
    for text, kind, options in QUESTIONS:
        services.add_question(official, r, text=text, kind=kind, options=options,
                              _allow_any_state=True)


def _answer(r: Round, first_timer: int | None, *, opened: bool = False) -> None:
    """Answers from participants; on an ``opened`` survey also from other verified demo
    citizens (the officials let anyone with a verified address answer)."""
    rng = random.Random(f"survey-{r.id}")
    responded = lifecycle.state_of(r) is RoundState.RESPONDED
    user_ids = list(db.session.scalars(
        select(RoundParticipant.user_id).where(RoundParticipant.round_id == r.id)
        .order_by(RoundParticipant.user_id)))
    participants = set(user_ids)
    if opened:
        _open_to_all(r)
        user_ids += list(db.session.scalars(
            select(User.id).where(User.email.like("citizen%@example.org"),
                                  User.email_verified_at.is_not(None),
                                  User.id.not_in(participants))
            .order_by(User.id)))
    if responded:
        user_ids = [u for u in user_ids if u != first_timer]
    questions = services.list_questions(r)
    start = r.response_published_at
    end = min(r.survey_closes_at, now()) if r.survey_closes_at else now()
    span = max((end - start).total_seconds(), 60)
    for user_id in user_ids:
        if rng.random() > 0.75:
            continue  # not everyone answers
        at = start + timedelta(seconds=rng.uniform(0, span * 0.7))
        took_part = user_id in participants
        services.record_answer(r.id, user_id, _clean(rng, questions), is_participant=took_part,
                               at=at)
        if rng.random() < 0.15:  # changed their mind later
            services.record_answer(r.id, user_id, _clean(rng, questions),
                                   is_participant=took_part,
                                   at=at + timedelta(seconds=rng.uniform(60, span * 0.3)))


def _open_to_all(r: Round) -> None:
    official = _official_of(r.consultation.department_id)
    if official is not None:
        services.set_settings(official, r, open_to_all=True, _allow_any_state=True)


def _clean(rng: random.Random, questions) -> services.CleanAnswer:
    satisfaction, _w, ratings, heard = rng.choices(PROFILES,
                                                   weights=[p[1] for p in PROFILES])[0]
    rating = rng.choice(ratings)
    clarity = max(1, min(5, rating + rng.choice((-1, 0, 0, 1))))
    answer = services.CleanAnswer(
        satisfaction=satisfaction, rating=rating, clarity=clarity, heard=rng.choice(heard),
        comment=rng.choice(COMMENTS[satisfaction]) if rng.random() < 0.3 else None)
    for q in questions:
        if rng.random() < 0.2:
            continue
        if q.kind is QuestionKind.TEXT:
            if rng.random() < 0.4:
                answer.texts[q.id] = rng.choice(TEXT_ANSWERS)
        elif q.kind is QuestionKind.MULTIPLE:
            answer.chosen[q.id] = {o.id for o in rng.sample(q.options, rng.randint(1, 2))}
        elif q.kind is QuestionKind.SCALE:
            answer.chosen[q.id] = {q.options[max(0, min(4, rating - 1 + rng.choice((-1, 0, 0))))].id}
        else:
            answer.chosen[q.id] = {rng.choice(q.options[: 3 if rating >= 3 else 4]).id}
    return answer
