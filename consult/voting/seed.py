"""Demo poll questions and ballots for ``flask seed-demo`` (runs after rounds and
participation).

Every demo round with a vote gets poll questions (added by the department's official) and
ballots from demo citizens: open rounds through ``cast_ballot`` exactly as the vote page
casts them (some citizens change their mind once), past rounds through ``record_ballot``
with the time they were cast inside the round's window. The main demo citizen
(citizen@example.org) is left without a ballot in open rounds, so a visitor trying the
demo can vote for the first time. Idempotent: a round that already has questions or
ballots is left alone; demo citizens are found by e-mail before being created.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload, selectinload

from consult.accounts.models import Role, RoleAssignment, User
from consult.accounts.seed import ensure_user
from consult.consultations.models import Consultation
from consult.db import db
from consult.questionnaires.models import (
    Purpose,
    QuestionKind,
    Questionnaire,
    QuestionnaireQuestion,
)
from consult.rounds import lifecycle, participants
from consult.rounds.lifecycle import RoundState
from consult.rounds.models import Round, RoundKind
from consult.voting import services
from consult.voting.models import Ballot, Stance

# (e-mail, display name): the seed's own citizens plus a few dozen more voters.
NAMES = ["王建国", "李秀英", "张伟", "刘洋", "陈静", "杨帆", "赵敏", "黄磊", "周婷", "吴强",
         "徐丽", "孙浩", "胡琳", "朱军", "高雅", "林峰", "何欣", "郭涛", "马超", "罗燕",
         "梁晨", "宋佳", "郑凯", "谢芳", "韩冰", "唐亮", "冯雪", "于洋", "董明", "萧红"]
EXTRA_CITIZENS = [(f"citizen{10 + i}@example.org", name) for i, name in enumerate(NAMES)]
SEED_CITIZENS = ["citizen@example.org", "citizen2@example.org", "citizen3@example.org"]
FIRST_TIMER = "citizen@example.org"

POLL = [
    ("您认为本草案最需要优先落实的是哪一方面？", QuestionKind.SINGLE,
     ["资金保障", "服务质量监管", "信息公开透明", "基层工作人员配备"]),
    ("您通常通过哪些渠道了解这类政策？（可多选）", QuestionKind.MULTIPLE,
     ["政府网站", "微信公众号", "社区公告栏", "新闻媒体", "亲友或邻居告知"]),
    ("草案规定的实施时间是否合适？", QuestionKind.SINGLE,
     ["合适", "过早，需要更多准备时间", "过晚，应尽快实施", "说不清"]),
]

REASONS = {
    Stance.SUPPORT: [
        "草案回应了居民长期关心的问题，希望尽快实施。",
        "条款写得清楚，执行起来有依据，赞成。",
        "我家老人就住在社区里，这项政策很实在。",
    ],
    Stance.SUPPORT_WITH_CHANGES: [
        "总体赞成，但补贴标准偏低，建议结合物价水平适当提高。",
        "建议增加对老旧小区的过渡安排，避免一刀切。",
        "希望明确监督部门和投诉渠道，否则落实容易走样。",
        "建议把实施时间推迟三个月，给基层留出准备时间。",
    ],
    Stance.OPPOSE: [
        "部分条款给基层增加了负担，却没有配套经费。",
        "征求意见时间太短，很多居民还不了解草案内容。",
    ],
    Stance.ABSTAIN: [
        "对这个领域不太了解，先看看其他人的意见。",
    ],
}

# How people lean, roughly: most support, a good share want changes.
WEIGHTS = {Stance.SUPPORT: 42, Stance.SUPPORT_WITH_CHANGES: 33, Stance.OPPOSE: 15,
           Stance.ABSTAIN: 10}


def seed() -> None:
    rounds = list(db.session.scalars(
        select(Round).join(Consultation)
        .where(Round.kind.in_([RoundKind.VOTE, RoundKind.BOTH]),
               Consultation.published_at.is_not(None))
        .options(joinedload(Round.consultation).joinedload(Consultation.department),
                 joinedload(Round.version))
        .order_by(Round.id)))
    if not rounds:
        return
    citizens = _citizens()
    for round_ in rounds:
        state = lifecycle.state_of(round_)
        _add_poll(round_)
        if state is RoundState.SCHEDULED or db.session.scalar(
                select(exists().where(Ballot.round_id == round_.id))):
            continue
        _add_ballots(round_, state, citizens)


def _citizens() -> list[User]:
    for email, name in EXTRA_CITIZENS:
        ensure_user(email, name, [], [])
    emails = SEED_CITIZENS + [email for email, _ in EXTRA_CITIZENS]
    found = {u.email: u for u in db.session.scalars(
        select(User).where(User.email.in_(emails), User.email_verified_at.is_not(None))
        .options(selectinload(User.roles)))}
    return [found[e] for e in emails if e in found]


def _official_of(department_id: int) -> User | None:
    return db.session.scalar(
        select(User).join(RoleAssignment).where(
            RoleAssignment.role == Role.OFFICIAL, RoleAssignment.department_id == department_id,
            User.active.is_(True))
        .options(selectinload(User.roles)).order_by(User.id).limit(1))


def _add_poll(round_: Round) -> None:
    if db.session.scalar(select(exists().where(
            QuestionnaireQuestion.questionnaire_id == Questionnaire.id,
            Questionnaire.round_id == round_.id, Questionnaire.purpose == Purpose.POLL))):
        return
    official = _official_of(round_.consultation.department_id)
    if official is None:
        return
    count = 2 + round_.id % 2  # two or three questions
    for text, kind, options in POLL[:count]:
        # Past and open demo rounds had their questions defined before they opened.
        services.add_question(official, round_, text=text, kind=kind, options=options,
                              _allow_any_state=True)


def _add_ballots(round_: Round, state: RoundState, citizens: list[User]) -> None:
    rng = random.Random(f"ballots-{round_.id}")
    questions = services.list_questions(round_)
    stances, weights = list(WEIGHTS), list(WEIGHTS.values())
    voters = [u for u in citizens if rng.random() < 0.8]
    start = round_.opens_at
    end = min(lifecycle.effective_closed_at(round_), round_.opens_at + timedelta(days=60))
    for user in voters:
        if state is RoundState.OPEN and user.email == FIRST_TIMER:
            continue
        changes = 2 if rng.random() < 0.15 else 1
        times = sorted(start + (end - start) * rng.random() for _ in range(changes))
        for at in times:
            stance = rng.choices(stances, weights)[0]
            reason = rng.choice(REASONS[stance]) if rng.random() < 0.4 else None
            answers = _answers(rng, questions)
            if state is RoundState.OPEN:
                services.cast_ballot(user, round_, stance=stance, reason=reason,
                                     answers=answers)
            else:
                services.record_ballot(round_.id, user.id, stance=stance, reason=reason,
                                       answers=services.clean_answers(questions, answers),
                                       at=at)
                participants.mark(round_.id, user.id)


def _answers(rng: random.Random, questions: list[QuestionnaireQuestion]) -> dict[int, list[int]]:
    answers: dict[int, list[int]] = {}
    for q in questions:
        if rng.random() < 0.15:
            continue  # poll answers are optional
        ids = [o.id for o in q.options]
        if q.multiple:
            answers[q.id] = rng.sample(ids, rng.randint(1, min(3, len(ids))))
        else:
            # earlier options a little more popular, as real polls tend to be
            answers[q.id] = [rng.choices(ids, [len(ids) - i + 1 for i in range(len(ids))])[0]]
    return answers
