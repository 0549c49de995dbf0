"""Bigger worlds several test modules share: a round with people in every moderation role,
a small hand-countable world for the scores (unit, evaluation pages and API), and a draft
with chapters and sections (its page and its diff, on the web and in the browser)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from consult.accounts.models import User
from consult.clock import now
from consult.consultations import services as drafts
from consult.consultations.models import Consultation
from consult.db import atomic, db
from consult.moderation import services as moderation
from consult.participation import services as participation
from consult.participation.models import Answer, Comment, Question
from consult.responses.models import ActionStatus
from consult.rounds.models import Round
from consult.rounds.services import get_round
from tests.factories.accounts import DepartmentFactory, UserFactory
from tests.factories.consultations import ConsultationFactory, RoundFactory, evaluated_round
from tests.factories.responses import FollowUpActionFactory, RoundResponseFactory
from tests.factories.surveys import participate, survey_answer

# ---------------------------------------------------------------- moderation


@dataclass
class ModerationWorld:
    """An open round (two clauses) and its author, a citizen, an official of its department,
    a moderator, an admin and a user suspended for a week."""

    round_id: int
    author_id: int
    citizen_id: int
    official_id: int
    moderator_id: int
    admin_id: int
    suspended_id: int

    def user(self, role: str):
        if role == "visitor":
            return None
        ident = {"citizen": self.citizen_id, "official": self.official_id,
                 "moderator": self.moderator_id, "admin": self.admin_id,
                 "suspended": self.suspended_id, "author": self.author_id}[role]
        return db.session.get(User, ident)

    def round(self) -> Round:
        return get_round(self.user("author"), self.round_id)


def moderation_world() -> ModerationWorld:
    dept = DepartmentFactory()
    consultation = ConsultationFactory(department=dept)
    r = RoundFactory(version__consultation=consultation, version__clauses=2)
    author = UserFactory(display_name="作者甲")
    citizen = UserFactory(display_name="市民乙")
    official = UserFactory(role="official", role__department=dept)
    moderator = UserFactory(role="moderator", display_name="审核员")
    admin = UserFactory(role="admin")
    suspended = UserFactory(display_name="被暂停者")
    world = ModerationWorld(r.id, author.id, citizen.id, official.id, moderator.id, admin.id,
                            suspended.id)
    with atomic():
        moderation.suspend_user(world.user("moderator"), world.user("suspended"), days=7,
                                reason="多次发布广告")
    return world


def post_comment(world: ModerationWorld, body: str, *, author: str = "author",
                 parent_id: int | None = None) -> Comment:
    """Through the participation service, so counters and holds are the real ones."""
    with atomic():
        c = participation.post_comment(world.user(author), world.round(), body=body,
                                       parent_id=parent_id)
    return db.session.get(Comment, c.id)


def ask_question(world: ModerationWorld, body: str, *, author: str = "author") -> Question:
    with atomic():
        q = participation.ask_question(world.user(author), world.round(), body=body)
    return db.session.get(Question, q.id)


def answer_question(world: ModerationWorld, question_id: int, body: str) -> Answer:
    """The world's official answers through the service."""
    with atomic():
        q = participation.get_question(world.user("official"), question_id)
        a = participation.answer_question(world.user("official"), q, body=body)
    return db.session.get(Answer, a.id)


def moderation_item(kind: str, item_id: int, actor_role: str = "moderator",
                    world: ModerationWorld | None = None):
    """The moderation service's view of an item, every object expired first."""
    db.session.expire_all()
    actor = world.user(actor_role) if world else None
    return moderation.get_item(actor, kind, item_id)


# ---------------------------------------------------------------- scores


def scores_world(extra_answers: int = 0) -> dict:
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
        survey_answer(r1, u, satisfaction=sats[i], rating=(i % 5) + 1,
                      clarity=4 if i < 6 else 2, heard="yes" if i < 5 else "no",
                      participant=i < 9)
    for u in users[:12]:
        participate(r1, u)
    for u in users[12:]:
        survey_answer(r1, u, satisfaction="satisfied", rating=5, clarity=5, heard="yes")
        participate(r1, u)
    for u in users[:3]:
        survey_answer(r_b, u)
    resp = RoundResponseFactory(round_=r1, opinion_count=20, adopted_count=5, partly_count=3)
    q1 = Question(round_id=r1.id, author_id=users[0].id, department_id=dept_a.id, body="问？",
                  created_at=now() - timedelta(days=30), answered_at=now() - timedelta(days=28))
    q2 = Question(round_id=r1.id, author_id=users[1].id, department_id=dept_a.id, body="问二？",
                  created_at=now() - timedelta(days=30))
    db.session.add_all([q1, q2, Comment(round_id=r1.id, author_id=users[2].id, body="意见")])
    today = date.today()
    for status, due, last in [(ActionStatus.DONE, today - timedelta(days=5), today - timedelta(days=6)),
                              (ActionStatus.DONE, today - timedelta(days=5), today - timedelta(days=1)),
                              (ActionStatus.PLANNED, today - timedelta(days=1), None),
                              (ActionStatus.IN_PROGRESS, today + timedelta(days=9), None),
                              (ActionStatus.DROPPED, today + timedelta(days=9), None)]:
        FollowUpActionFactory(
            response=resp, department_id=dept_a.id, due_on=due, status=status,
            last_update_on=last, drop_reason="原因" if status is ActionStatus.DROPPED else None)
    db.session.commit()
    return dict(dept_a=dept_a, dept_b=dept_b, ca=ca, cb=cb, r1=r1, r_late=r_late,
                r_over=r_over, r_b=r_b, users=users)


# ---------------------------------------------------------------- chapters

CHAPTERS_DRAFT = """第一章 总则
第一条【目的】为了规范社区养老服务，制定本办法。
第二条 本办法适用于本市行政区域。
第二章 服务
第一节 基本服务
第三条 社区养老服务包括助餐、助浴。
第二节 收费
第四条 收费实行明码标价。
"""


def chaptered_draft() -> tuple[Consultation, User]:
    """A published consultation whose version 1 (``CHAPTERS_DRAFT``) has two chapters, the
    second with two sections; and its official."""
    dept = DepartmentFactory()
    official = UserFactory(role="official", role__department=dept)
    c = ConsultationFactory(department=dept)
    with atomic():
        drafts.import_clauses(official, c, text=CHAPTERS_DRAFT)
    with atomic():
        drafts.publish_version(official, c, change_note="首次公开。")
    return c, official


def rechaptered_version(c: Consultation, official: User) -> int:
    """Version 2 of a ``chaptered_draft``: a new clause at the top renumbers every clause,
    and 第二条 moves into the second chapter, first section (its text unchanged). Returns
    the moved clause's lineage."""
    with atomic():
        working = drafts.working_copy(official, c)
        moved = working[1]
        for i, w in enumerate(working, start=2):
            moved_to = dict(chapter="第二章 服务", section="第一节 基本服务") \
                if w.id == moved.id else {}
            drafts.update_clause(official, c, w.id, number=f"第{'一二三四五'[i - 1]}条",
                                 heading=w.heading, body=w.body, **moved_to)
        new = drafts.add_clause(official, c, number="第一条", body="新增的第一条。",
                                chapter="第一章 总则")
        for _ in range(len(working)):
            drafts.move_clause(official, c, new.id, direction="up")
    with atomic():
        drafts.publish_version(official, c, change_note="第二稿。")
    return moved.lineage_id
