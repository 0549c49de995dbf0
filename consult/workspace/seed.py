"""Demo team work: in the urban-management bureau's closed round waiting for its triage,
half the untriaged opinions are assigned to the colleague (周科员), one carries an internal
note, and the lead's departments get reply templates. Runs after the responses and suggestions demo data; a second run adds nothing."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from consult.accounts.models import Department, User
from consult.db import db
from consult.responses.models import RoundResponse, Triage
from consult.rounds.models import Round
from consult.workspace.models import Assignment, ReplyTemplate
from consult.workspace.services import assignments, notes, replies

LEAD, COLLEAGUE = "official2@example.org", "official4@example.org"
NOTE = "已与提出人电话沟通，对方同意以书面答复为准。请在答复中引用第五条。"


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email)
                             .options(selectinload(User.roles)))


TEMPLATES = [
    ("triage", "资金暂无保障", "经财政测算，目前资金无法保障，暂不采纳，将在下一年度预算中研究。"),
    ("triage", "已有规定", "现行条款已经涵盖该情形，无需另行规定。"),
    ("triage", "不属于本办法", "该意见与本办法内容无关，已转至市民热线办理。"),
    ("question", "感谢提问", "您好，感谢您的关注。关于您提出的问题，答复如下："),
    ("suggestion", "已列入研究", "感谢您的建议。我们已将其列入年度工作研究事项，"
                               "研究结果将在本页公布。"),
]


def _templates(lead: User) -> None:
    """The lead official's departments get a few reply templates (once)."""
    if db.session.scalar(select(exists().where(ReplyTemplate.id.is_not(None)))):
        return
    for department_id in sorted(lead.official_department_ids):
        for purpose, title, body in TEMPLATES:
            replies.create_template(lead, department_id=department_id, purpose=purpose,
                                    title=title, body=body)


def seed() -> None:
    lead, colleague = _user(LEAD), _user(COLLEAGUE)
    if lead is not None:
        _templates(lead)
    if lead is None or colleague is None or db.session.scalar(select(exists().where(
            Assignment.id.is_not(None)))):
        return
    department_id = db.session.scalar(select(Department.id).where(
        Department.slug == "urban-management"))
    if department_id not in colleague.official_department_ids:
        return
    round_id = db.session.scalar(
        select(Round.id).join(RoundResponse, RoundResponse.round_id == Round.id)
        .where(RoundResponse.published_at.is_(None),
               RoundResponse.department_id == department_id).order_by(Round.id).limit(1))
    if round_id is None:
        return
    untriaged = list(db.session.scalars(select(Triage.id).where(
        Triage.round_id == round_id, Triage.status.is_(None)).order_by(Triage.id)))
    half = untriaged[: len(untriaged) // 2]
    if not half:
        return
    round_ = db.session.scalar(select(Round).where(Round.id == round_id)
                               .options(selectinload(Round.consultation)))
    assignments.bulk_assign(lead, round_, triage_ids=half, assignee_id=colleague.id)
    first = db.session.get(Triage, half[0])
    kind = "comment" if first.comment_id else "question"
    notes.add_note(lead, kind, first.comment_id or first.question_id, body=NOTE)
