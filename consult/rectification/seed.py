"""Demo cases for ``flask seed-demo`` (runs after the surveys).

Every demo survey answer rated 不满意 or 非常不满意 opens its case at the time it was given,
and the cases then go through a deterministic mix of what departments do: followed up and
rectified (linked to the round's erratum when there is one), followed up and explained,
rated again (better or not), appealed and decided by the evaluator (one voided, one
upheld), one appeal waiting for review, and some left open (past their due date they
are escalated). The demo citizen (citizen@example.org) gets a case of their own, rectified
and waiting for their new rating. Idempotent: answers that have a case are left alone.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.orm import joinedload, selectinload

from consult import workdays
from consult.accounts.models import Role, RoleAssignment, User
from consult.clock import now
from consult.consultations.models import Consultation
from consult.db import db
from consult.rectification import services
from consult.rectification.models import RectificationCase, RectificationTally
from consult.responses.models import Erratum, RoundResponse
from consult.rounds.models import Round, RoundParticipant
from consult.rounds.seed import _official_of
from consult.suggestions.models import SuggestionRating
from consult.surveys import services as surveys
from consult.surveys.models import BAD_SATISFACTION, Heard, Satisfaction, SurveyAnswer

DEMO_CITIZEN = "citizen@example.org"

FOLLOW_UPS = [
    ("phone", "电话回访：市民认为答复没有说明补贴标准的计算方法。"),
    ("email", "邮件回访：市民希望公开未采纳意见的具体理由。"),
    ("visit", "上门回访：市民反映答复发布太晚，社区居民不知情。"),
]
RECTIFICATIONS = [
    "已发布勘误，补充补贴标准的计算方法，并在社区公告栏张贴。",
    "已在答复中补充未采纳意见的逐条理由，并电话告知市民。",
]
EXPLANATIONS = [
    "补贴标准由省级文件统一规定，本次无法调整；已向市民说明政策依据和反映渠道。",
]
APPEALS = [
    "该评价内容与本次征求意见无关，且含有辱骂性语言。",
    "评价者称答复未发布，但答复已按期公开，评价依据有误。",
]


def seed() -> None:
    answers = list(db.session.scalars(
        select(SurveyAnswer)
        .where(SurveyAnswer.satisfaction.in_(BAD_SATISFACTION),
               SurveyAnswer.voided_at.is_(None),
               ~exists().where(RectificationCase.answer_id == SurveyAnswer.id))
        .order_by(SurveyAnswer.updated_at, SurveyAnswer.id)))
    evaluator = db.session.scalar(
        select(User).join(RoleAssignment).where(RoleAssignment.role == Role.EVALUATOR)
        .options(selectinload(User.roles)).order_by(User.id).limit(1))
    rng = random.Random("rectification")
    rounds = _rounds({a.round_id for a in answers})
    for i, answer in enumerate(answers):
        r = rounds[answer.round_id]
        case = services.open_case(answer, r, at=answer.updated_at)
        if case is None:
            continue
        db.session.flush()
        _progress(case, r, i, rng, evaluator)
    _demo_citizen_case()
    services.escalate_overdue()
    _recount_rated()


def _recount_rated() -> None:
    """The ratings per department and month (差评率's base), recounted from the demo's
    survey answers and suggestion ratings that stand: the seed writes answers without
    the rating signal, and a recount keeps the command idempotent."""
    counts: dict[tuple[int, Any], int] = {}
    rows = db.session.execute(
        select(Consultation.department_id, SurveyAnswer.created_at)
        .join(Round, Round.id == SurveyAnswer.round_id)
        .join(Consultation, Consultation.id == Round.consultation_id)
        .where(SurveyAnswer.voided_at.is_(None))).all()
    rows += db.session.execute(
        select(SuggestionRating.department_id, SuggestionRating.created_at)
        .where(SuggestionRating.voided_at.is_(None))).all()
    for department_id, at in rows:
        key = (department_id, workdays.local_day(at).replace(day=1))
        counts[key] = counts.get(key, 0) + 1
    db.session.execute(update(RectificationTally).values(rated=0))
    for (department_id, month), n in counts.items():
        services.count_rated(department_id, month, n)


def _rounds(ids: set[int]) -> dict[int, Round]:
    if not ids:
        return {}
    return {r.id: r for r in db.session.scalars(
        select(Round).where(Round.id.in_(ids))
        .options(joinedload(Round.consultation).joinedload(Consultation.department)))}


def _when(case: RectificationCase, workdays_after: int, hour: int = 10) -> datetime:
    day = workdays.add_workdays(workdays.local_day(case.opened_at), workdays_after)
    moment = datetime.combine(day, datetime.min.time(), tzinfo=workdays.site_zone())
    return (moment + timedelta(hours=hour)).astimezone(now().tzinfo)


def _progress(case: RectificationCase, r: Round, i: int, rng: random.Random,
              evaluator: User | None) -> None:
    """What the department did, the same for every run (by the case's position)."""
    official = _official_of(case.department_id)
    if official is None:
        return
    case = services.load_case(case.id)
    plan = i % 8
    if plan == 7:  # left open: overdue once its working days have passed
        return
    if plan in (5, 6) and evaluator is not None:  # appealed
        appealed_at = _when(case, 1)
        if appealed_at > now():
            return
        services.appeal(official, case, reason=APPEALS[i % len(APPEALS)], at=appealed_at)
        if plan == 6:
            return  # waiting for the evaluator
        decided = _when(case, 3)
        if decided > now():
            return
        voided = i % 16 < 8
        services.decide(evaluator, services.load_case(case.id),
                        outcome="voided" if voided else "upheld",
                        reason="评价内容与答复无关且含辱骂，予以作废。" if voided
                        else "评价针对答复内容，依据充分，予以维持。", at=decided)
        if voided:
            return
        case = services.load_case(case.id)
    late = plan == 4
    followed = _when(case, 1 if not late else 6)
    resolved = _when(case, 2 if not late else 7, hour=16)
    if resolved > now():
        return
    channel, note = FOLLOW_UPS[i % len(FOLLOW_UPS)]
    services.record_follow_up(official, case, on=workdays.local_day(followed),
                              channel=channel, note=note, at=followed)
    erratum = _erratum_of(case.round_id)
    rectify = plan in (0, 1, 2, 4)
    services.resolve(official, services.load_case(case.id),
                     resolution="rectified" if rectify else "explained",
                     note=(RECTIFICATIONS[i % len(RECTIFICATIONS)] if rectify
                           else EXPLANATIONS[0]),
                     erratum_id=erratum if rectify else None, at=resolved)
    rerated = _when(case, 4, hour=20)
    if plan in (0, 1, 3) and rerated <= now():
        better = plan != 3 or rng.random() < 0.5
        rater = db.session.get(User, case.rater_id) if case.rater_id else None
        if rater is not None:
            services.rerate(rater, services.load_case(case.id),
                            satisfaction="basically_satisfied" if better else "dissatisfied",
                            at=rerated)


def _erratum_of(round_id: int) -> int | None:
    return db.session.scalar(
        select(Erratum.id).join(RoundResponse, RoundResponse.id == Erratum.response_id)
        .where(RoundResponse.round_id == round_id).order_by(Erratum.id).limit(1))


def _demo_citizen_case() -> None:
    """The demo citizen's own case, rectified, waiting for their new rating: an evaluated
    round they took part in, their answer made (or turned) "dissatisfied"."""
    citizen = db.session.scalar(select(User).where(User.email == DEMO_CITIZEN))
    if citizen is None or db.session.scalar(select(RectificationCase.id).where(
            RectificationCase.rater_id == citizen.id).limit(1)) is not None:
        return
    r = db.session.scalar(
        select(Round).join(RoundParticipant, RoundParticipant.round_id == Round.id)
        .where(RoundParticipant.user_id == citizen.id,
               Round.response_published_at.is_not(None),
               Round.response_published_at < now() - timedelta(days=10))
        .options(joinedload(Round.consultation).joinedload(Consultation.department))
        .order_by(Round.response_published_at).limit(1))
    official = _official_of(r.consultation.department_id) if r is not None else None
    if official is None:
        return
    at = r.response_published_at + timedelta(days=1)
    answer = surveys.record_answer(r.id, citizen.id, surveys.CleanAnswer(
        satisfaction=Satisfaction.DISSATISFIED, rating=2, clarity=2, heard=Heard.NO,
        comment="答复没有说明社区食堂的选址标准。"), is_participant=True, at=at)
    case = services.open_case(answer, r, at=at)
    if case is None:
        return
    db.session.flush()
    case = services.load_case(case.id)
    services.record_follow_up(official, case, on=workdays.local_day(_when(case, 1)),
                              channel="phone", note="电话回访：市民希望公开社区食堂的选址标准。",
                              at=_when(case, 1))
    services.resolve(official, services.load_case(case.id), resolution="rectified",
                     note="已在答复页补充社区食堂选址标准，并在社区公告栏公示。",
                     erratum_id=_erratum_of(r.id), at=_when(case, 2, hour=16))
