"""Demo triage, responses and follow-up actions (runs after participation and voting).

- A closed round awaiting its response (not yet due) is triaged part-way through the
  services, with themes and a saved draft: what an official's desk looks like mid-work.
- Rounds the rounds seed marked responded or evaluated (their response was published in
  the past, before this domain's data existed) get the response they would have had:
  triage with reasons, themes with replies, the "what changed" link, frozen statistics
  and follow-up actions in every status (one overdue), with dated progress updates.
  These are written directly with the counters kept consistent, since the services
  rightly refuse to triage a round whose response is already out.
- A closed round whose response is overdue is left without response, on purpose.

A round that already has a response row is left alone (idempotent).
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy import exists, select, update
from sqlalchemy.orm import joinedload, selectinload

from consult import audit
from consult.accounts.models import Role, RoleAssignment, User
from consult.clock import now
from consult.consultations.models import Consultation, DraftVersion
from consult.db import db
from consult.responses import services
from consult.responses.models import (
    COUNTER_OF,
    ActionStatus,
    ActionUpdate,
    Adoption,
    FollowUpAction,
    RoundResponse,
    Theme,
    Triage,
)
from consult.rounds import lifecycle
from consult.rounds.lifecycle import RoundState
from consult.rounds.models import Round
from consult.rounds.services import get_round

THEMES = [
    ("服务时间与便利性", "多位市民建议延长服务时间、增加服务网点。修改稿已将服务时间延长至晚八点，"
                  "并要求每个街道至少设立一处服务点。"),
    ("收费与补贴标准", "关于收费标准和补贴范围的意见，我们已会同财政部门测算，"
                "将低保、低收入家庭的补贴比例提高至百分之五十，其余建议将在年度评估后研究。"),
    ("监督与信息公开", "采纳关于公开服务标准、办理结果和投诉渠道的建议，"
                "新增一条要求每季度在政府网站公开服务质量评估结果。"),
    ("超出本办法范围的建议", "部分意见涉及上位法规定或其他部门职责，本办法无法调整，"
                   "我们已将相关意见转交有关部门研究。"),
]
REASONS = {
    Adoption.ADOPTED: ["已在修改稿相应条款中采纳。", "采纳，已补充相关表述。"],
    Adoption.PARTLY: ["部分采纳：原则上同意，具体标准将由实施细则规定。",
                      "部分采纳：先在两个街道试点，评估后推广。"],
    Adoption.NOT_ADOPTED: ["该建议与《中华人民共和国老年人权益保障法》的规定不一致，本办法无权调整。",
                           "经财政测算，目前资金无法保障，暂不采纳，将在下一年度预算中研究。",
                           "现行条款已经涵盖该情形，无需另行规定。"],
    Adoption.OUT_OF_SCOPE: ["该问题属于市场监管部门职责，已转交处理。",
                            "该意见与本办法内容无关，已转至市民热线办理。"],
}
SUMMARY = ("本轮征求意见期间，我们共收到{n}条意见和问题。感谢每一位参与的市民。\n\n"
           "我们逐条研究了全部意见，对其中合理可行的建议予以采纳，"
           "未采纳的意见均在下方逐条说明理由。修改后的草案已经公布，"
           "可以通过“变化对比”查看每一条的修改内容。\n\n"
           "对于需要在办法之外落实的事项，我们承诺了以下后续行动，并将定期公布进展。")
CHANGES_NOTE = "根据采纳的意见，修改稿调整了服务时间、补贴比例和信息公开等条款。"
# (title, owner unit, due in days from publication, status, updates, drop reason, overdue)
ACTIONS = [
    ("在各街道新增社区助餐点并公布地址", "养老服务处", 30, ActionStatus.DONE,
     ["已完成选址，共12处。", "全部助餐点已开业，地址已在政府网站公布。"], None),
    ("会同财政部门完成补贴标准测算", "计划财务处", 25, ActionStatus.IN_PROGRESS,
     ["已完成初步测算，正在征求财政部门意见。"], "overdue"),
    ("上线服务质量投诉和评价渠道", "政务服务科", 120, ActionStatus.IN_PROGRESS,
     ["评价功能已完成开发，正在测试。"], None),
    ("开展试点街道服务满意度调查", "社区建设处", 150, ActionStatus.PLANNED, [], None),
    ("为独居老人安装紧急呼叫设备", "养老服务处", 60, ActionStatus.DROPPED,
     ["经评估，该项工作已由区级项目覆盖。"], "该项工作已纳入区级为民办实事项目统一实施，本部门不再重复安排。"),
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
               ~exists().where(RoundResponse.round_id == Round.id))
        .options(joinedload(Round.consultation).joinedload(Consultation.department),
                 joinedload(Round.version))
        .order_by(Round.id)))


def seed() -> None:
    published_past: list[tuple[Round, User]] = []
    for r in _rounds():
        official = _official_of(r.consultation.department_id)
        if official is None:
            continue
        state = lifecycle.state_of(r)
        if state is RoundState.CLOSED and not lifecycle.is_overdue(r):
            _triage_part_way(r, official)
        elif state in (RoundState.RESPONDED, RoundState.EVALUATED):
            published_past.append((r, official))
    for i, (r, official) in enumerate(published_past):
        rng = random.Random(r.id * 104729)
        specs = ACTIONS if len(published_past) == 1 else [
            spec for j, spec in enumerate(ACTIONS) if j % len(published_past) == i]
        _published_response(r, official, rng, specs)


def _decide(rng: random.Random, i: int) -> Adoption:
    return [Adoption.ADOPTED, Adoption.PARTLY, Adoption.NOT_ADOPTED, Adoption.ADOPTED,
            Adoption.OUT_OF_SCOPE, Adoption.NOT_ADOPTED, Adoption.PARTLY][
        (i + rng.randint(0, 6)) % 7]


def _theme_for(status: Adoption, i: int) -> int:
    if status is Adoption.OUT_OF_SCOPE:
        return 3
    return i % 3


def _triage_part_way(r: Round, official: User) -> None:
    """Through the services: themes, about two thirds triaged, a draft saved."""
    rng = random.Random(r.id * 31)
    round_ = get_round(official, r.id)
    services.start_triage(round_)
    themes = [services.create_theme(official, round_, name=name) for name, _reply in THEMES]
    rows = list(db.session.scalars(select(Triage).where(Triage.round_id == r.id)
                                   .options(*services.triage.opinion_options())
                                   .order_by(Triage.support_count.desc(), Triage.id)))
    for i, t in enumerate(rows[: max(1, len(rows) * 2 // 3)] if rows else []):
        status = _decide(rng, i)
        lineage = t.clause.lineage_id if t.clause is not None else None
        services.triage_opinion(official, round_, t, status=status.value,
                                reason=rng.choice(REASONS[status]),
                                theme_id=themes[_theme_for(status, i)].id,
                                changed_lineage_id=lineage)
    services.save_response(official, round_, summary=SUMMARY.format(n=len(rows)),
                           changes_note="", theme_replies={
                               themes[0].id: THEMES[0][1]})


def _later_version(r: Round) -> int | None:
    return db.session.scalar(
        select(DraftVersion.number).where(DraftVersion.consultation_id == r.consultation_id,
                                          DraftVersion.number > r.version.number)
        .order_by(DraftVersion.number).limit(1))


def _published_response(r: Round, official: User, rng: random.Random, specs) -> None:
    """The response of a round published in the past (direct writes, counters consistent)."""
    round_ = get_round(official, r.id)
    response = services.start_triage(round_)
    published_at: datetime = round_.response_published_at
    to_version = _later_version(round_)
    themes = []
    for position, (name, reply) in enumerate(THEMES, start=1):
        theme = Theme(round_id=r.id, name=name, reply=reply, position=position, member_count=0,
                      created_at=published_at - timedelta(days=3))
        db.session.add(theme)
        themes.append(theme)
    db.session.flush()
    rows = list(db.session.scalars(select(Triage).where(Triage.round_id == r.id)
                                   .options(joinedload(Triage.clause)).order_by(Triage.id)))
    counters: Counter = Counter()
    members: Counter = Counter()
    for i, t in enumerate(rows):
        status = _decide(rng, i)
        theme = themes[_theme_for(status, i)]
        t.status, t.reason, t.theme_id = status, rng.choice(REASONS[status]), theme.id
        if status in (Adoption.ADOPTED, Adoption.PARTLY) and t.clause is not None and to_version:
            t.changed_lineage_id = t.clause.lineage_id
        t.triaged_by_id, t.triaged_at = official.id, published_at - timedelta(days=2)
        counters[COUNTER_OF[status]] += 1
        members[theme.id] += 1
    for theme in themes:
        theme.member_count = members[theme.id]
    db.session.execute(update(RoundResponse).where(RoundResponse.id == response.id).values(
        triaged_count=len(rows), **counters))
    db.session.flush()
    db.session.refresh(response)
    response.summary = SUMMARY.format(n=len(rows))
    response.changes_note = CHANGES_NOTE if to_version else ""
    response.to_version_number = to_version
    response.frozen_stats = services.compute_stats(round_)
    response.published_at = published_at
    response.published_by_id = official.id
    response.updated_at, response.updated_by_id = published_at, official.id
    audit.record(official, "response.published", response, round_id=r.id,
                 opinions=len(rows), at=published_at.isoformat(), seeded=True)
    today = date.today()
    for title, unit, due_days, status, notes, extra in specs:
        due = (published_at + timedelta(days=due_days)).date()
        overdue = extra == "overdue"
        if overdue and due >= today:
            due = today - timedelta(days=3)
        if not overdue and not status.finished and due < today:
            due = today + timedelta(days=due_days)
        action = FollowUpAction(
            response_id=response.id, round_id=r.id, department_id=round_.consultation.department_id,
            title=title, owner_unit=unit, due_on=due, status=status, published=True,
            drop_reason=extra if status is ActionStatus.DROPPED else None,
            created_at=published_at, update_count=len(notes))
        db.session.add(action)
        db.session.flush()
        span = max(1, (min(today, due) - published_at.date()).days)
        for k, note in enumerate(notes):
            on = published_at.date() + timedelta(days=span * (k + 1) // (len(notes) + 1))
            on = min(on, today)
            final = k == len(notes) - 1
            step = status if final else ActionStatus.IN_PROGRESS
            db.session.add(ActionUpdate(action_id=action.id, body=note, on=on, status=step,
                                        by_id=official.id, created_at=now()))
            action.last_update_on = on
        audit.record(official, "action.added", action, title=title, seeded=True)
    db.session.flush()
