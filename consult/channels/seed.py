"""Demo opinions from every channel (runs after participation, before responses, so the
letters are triaged and answered with the online opinions): letters (one with a scanned
PDF, one confidential), an e-mail, a 12345 hotline call and a contact point's report on
each published round that takes opinions. The first open round gets an upcoming
symposium with applications from the demo citizens; the first closed round a past public
hearing with its minutes and the opinions voiced there. A round that already has
recorded opinions is left alone (idempotent)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload, selectinload

from consult import uploads
from consult.accounts.models import Role, RoleAssignment, User
from consult.channels.models import Hearing, HearingKind, OpinionRecord, Selection
from consult.channels.services.hearings import apply_to_attend, schedule_hearing
from consult.channels.services.recording import (
    OpinionInput,
    check_opinion,
    clause_index,
    save_opinion,
)
from consult.clock import now
from consult.consultations.models import Consultation
from consult.db import db
from consult.responses.services._common import response_of
from consult.rounds import lifecycle
from consult.rounds.lifecycle import RoundState
from consult.rounds.models import Round
from consult.workdays import local_day

# A tiny valid PDF standing in for the scan of a handwritten letter.
SCAN = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]"
        b"/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
# (channel, sender, contact, clause position or None, text, confidential, scanned)
OPINIONS = [
    ("letter", "王建国", "东城区和平里街道12号楼3单元", 1,
     "我今年七十六岁，不会用手机上网，特地写信提意见：社区食堂的开放时间能否提前到早上六点半，"
     "方便我们老年人吃早饭。", False, True),
    ("letter", "李秀英", "西城区新街口北大街8号", None,
     "建议在办法中明确独居老人的定期探访制度，由社区工作人员每周至少上门一次。", False, False),
    ("letter", "（匿名）", "", None,
     "我家老人曾在某养老机构受到不当对待，希望办法加强对机构的监督。具体情况见附信，"
     "请勿公开。", True, False),
    ("email", "赵明", "zhaoming@example.cn", 2,
     "建议补贴标准与本市最低工资标准挂钩，每年自动调整。", False, False),
    ("phone", "12345热线来电市民", "", None,
     "来电反映：希望服务点设在地铁站附近，并提供无障碍通道。", False, False),
    ("contact_point", "朝阳区基层立法联系点", "联系人：周老师", 1,
     "联系点组织居民讨论后汇总意见：多数居民支持延长服务时间，建议增加周末服务。", False, False),
]


def _official_of(department_id: int) -> User | None:
    return db.session.scalar(
        select(User).join(RoleAssignment).where(
            RoleAssignment.role == Role.OFFICIAL, RoleAssignment.department_id == department_id,
            User.active.is_(True))
        .options(selectinload(User.roles)).order_by(User.id).limit(1))


def _rounds() -> list[Round]:
    return list(db.session.scalars(
        select(Round).join(Consultation, Consultation.id == Round.consultation_id)
        .where(Consultation.published_at.is_not(None),
               ~exists().where(OpinionRecord.round_id == Round.id))
        .options(joinedload(Round.consultation), joinedload(Round.version))
        .order_by(Round.id)))


def seed() -> None:
    today = local_day(now())
    hearings: dict[RoundState, bool] = {}
    for r in _rounds():
        if not r.kind.has_comments or lifecycle.state_of(r) is RoundState.SCHEDULED:
            continue
        response = response_of(r.id)
        if response is not None and response.is_published:
            continue  # seeded before this domain existed: its statistics are frozen
        official = _official_of(r.consultation.department_id)
        if official is None:
            continue
        clauses = clause_index(r)
        first = local_day(r.opens_at)
        last = min(today, local_day(lifecycle.effective_closed_at(r)) + timedelta(days=3))
        span = max((last - first).days, 0)
        for i, (channel, sender, contact, clause, text, confidential, scanned) in \
                enumerate(OPINIONS):
            received_on = first + timedelta(days=span * (i + 1) // (len(OPINIONS) + 1))
            data = OpinionInput(channel=channel, received_on=received_on, sender_name=sender,
                                sender_contact=contact,
                                clause=str(clause) if clause else "", body=text,
                                confidential=confidential)
            opinion = check_opinion(r, data, clauses, today=today)
            upload_id = None
            if scanned:
                upload_id = uploads.store(uploads.Received(
                    data=SCAN, filename="来信扫描件.pdf", kind="pdf"), by_id=official.id).id
            save_opinion(official, r, opinion, upload_id=upload_id)
        state = lifecycle.state_of(r)
        if state in (RoundState.OPEN, RoundState.CLOSED) and not hearings.get(state):
            hearings[state] = True
            (_upcoming_hearing if state is RoundState.OPEN else _past_hearing)(official, r)


def _upcoming_hearing(official: User, r: Round) -> None:
    hearing = schedule_hearing(
        official, r, kind="symposium", topic="老年人助餐服务座谈会",
        place="市民服务中心三楼第二会议室", day=(local_day(now()) + timedelta(days=14)).isoformat(),
        at="14:30", capacity="2", selection="lot")
    citizens = db.session.scalars(select(User).where(User.email.like("citizen%@example.org"))
                                  .options(selectinload(User.roles)).order_by(User.id)).all()
    for user, text in zip(citizens, STATEMENTS, strict=False):
        apply_to_attend(user, hearing, statement=text)


def _past_hearing(official: User, r: Round) -> None:
    """Held during the round: written directly (the services schedule only the future)."""
    held = r.opens_at + (lifecycle.effective_closed_at(r) - r.opens_at) / 2
    hearing = Hearing(round_id=r.id, kind=HearingKind.HEARING, topic="养老服务收费标准听证会",
                      place="市政府二楼多功能厅", starts_at=held, capacity=12,
                      apply_until=local_day(held) - timedelta(days=3),
                      selection=Selection.ORDER, selected_at=held - timedelta(days=2),
                      minutes=MINUTES, minutes_published_at=held + timedelta(days=1),
                      created_by_id=official.id, created_at=r.opens_at)
    db.session.add(hearing)
    db.session.flush()
    clauses = clause_index(r)
    for speaker, text in HEARING_OPINIONS:
        opinion = check_opinion(r, OpinionInput(
            channel="hearing", received_on=local_day(held), sender_name=speaker, body=text),
            clauses, today=local_day(now()))
        save_opinion(official, r, opinion, hearing=hearing)


STATEMENTS = ["我是社区志愿者，想谈谈助餐点的选址。", "我母亲在用助餐服务，想反映送餐时间的问题。",
              "I run a small restaurant and would like to talk about becoming a meal partner."]
MINUTES = ("听证会于下午两点开始，十二名公众代表、两名专家和三家服务机构代表参加。\n\n"
           "一、多数代表支持收费标准公开，并建议每年公布成本核算结果。\n"
           "二、两名代表认为低保家庭应当免费，其余代表支持按收入分档补贴。\n"
           "三、服务机构代表建议给予过渡期。\n\n"
           "代表发言已逐条录入意见台账，将与网上意见一并研究答复。")
HEARING_OPINIONS = [
    ("公众代表 刘女士", "建议收费标准每年公布成本核算结果，接受社会监督。"),
    ("专家 陈教授", "建议对低保、低收入家庭按收入分档补贴，而不是一律免费。"),
]
