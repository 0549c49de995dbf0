"""A small world for the security tests: department A with a published consultation,
an open round (comment, reply, question, ballot), a suggestion; department B; one user
per role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from consult.db import atomic
from consult.extensions import db
from tests.factories import ConsultationFactory, DepartmentFactory, RoundFactory, UserFactory
from tests.factories import with_roles as fresh  # the user with roles loaded

ROLES = ("visitor", "citizen", "official_a", "official_b", "moderator", "evaluator", "admin")


@dataclass
class World:
    dept_a: Any
    dept_b: Any
    consultation: Any
    round: Any
    comment: Any
    question: Any
    suggestion: Any
    users: dict[str, Any]
    case: Any = None
    attachment_id: int = 1

    def ids(self) -> dict[str, Any]:
        """Values for URL arguments, by argument name."""
        return {
            "consultation_id": self.consultation.id, "round_id": self.round.id,
            "comment_id": self.comment.id, "question_id": self.question.id,
            "suggestion_id": self.suggestion.id, "dept_id": self.dept_a.id,
            "user_id": self.users["citizen"].id, "slug": self.dept_a.slug,
            "number": 1, "clause_id": self.clause_id, "theme_id": 1, "triage_id": 1,
            "action_id": 1, "notification_id": 1, "token": "x", "filename": "css/consult.css",
            "opinion_kind": "comment", "opinion_id": self.comment.id,
            "case_id": self.case.id if self.case is not None else 1,
            "department_id": self.dept_a.id, "attachment_id": self.attachment_id,
        }

    @property
    def clause_id(self) -> int:
        from consult.consultations.models import Clause
        return db.session.scalar(select(Clause.id).order_by(Clause.id).limit(1)) or 1


def build_world() -> World:
    from consult.participation.services.comments import post_comment
    from consult.participation.services.questions import ask_question
    from consult.suggestions.services import submit_suggestion
    from consult.voting.services import cast_ballot

    dept_a, dept_b = DepartmentFactory(), DepartmentFactory()
    consultation = ConsultationFactory(department=dept_a)
    round_ = RoundFactory(version__consultation=consultation)
    users = {
        "citizen": UserFactory(),
        "official_a": UserFactory(role="official", role__department=dept_a),
        "official_b": UserFactory(role="official", role__department=dept_b),
        "moderator": UserFactory(role="moderator"),
        "evaluator": UserFactory(role="evaluator"),
        "admin": UserFactory(role="admin"),
    }
    author = fresh(UserFactory())
    from consult.rounds.models import Round
    r = db.session.get(Round, round_.id)
    with atomic():
        comment = post_comment(author, r, body="我支持这个办法。")
        post_comment(author, r, body="补充一点。", parent_id=comment.id)
        question = ask_question(author, r, body="经费从哪里来？")
        cast_ballot(author, r, stance="support")
        suggestion = submit_suggestion(author, department_id=dept_a.id, title="小区路灯太暗了需要更换",
                                       problem="晚上看不清路。", proposal="换亮一点的灯。")
    users["author"] = author
    _channels(fresh(users["official_a"]), r, fresh(users["citizen"]))
    case = _bad_rating_case(dept_a)
    attachment_id = _attachment(fresh(users["official_a"]), consultation.id)
    return World(dept_a, dept_b, consultation, round_, comment, question, suggestion, users,
                 case, attachment_id)


def _attachment(official, consultation_id: int) -> int:
    """A background document of department A's consultation."""
    from consult import uploads
    from consult.consultations.services import get_for_manage
    from consult.statutory.attachments import add_attachment

    with atomic():
        attachment = add_attachment(
            official, get_for_manage(official, consultation_id),
            uploads.Received(data=b"%PDF-1.4\n%%EOF\n", filename="说明.pdf", kind="pdf"))
        return attachment.id


def _bad_rating_case(dept):
    """A responded round of department A rated "dissatisfied" by a participant: the
    rectification case every case route is tried on."""
    from tests.factories import rate, responded_round

    r, _dept, _official = responded_round(dept)
    _rater, case = rate(r)
    return case


def _channels(official, r, citizen) -> None:
    """A letter recorded by the department and a hearing with one application (record,
    hearing and application ids 1)."""
    from datetime import timedelta

    from consult.channels import services
    from consult.clock import now
    from consult.rounds.services import get_round
    from consult.workdays import local_day

    day = local_day(now())
    with atomic():
        round_ = get_round(official, r.id)
        services.record_opinion(official, round_, channel="letter", received_on=day,
                                sender_name="王大爷", body="来信：建议延长开放时间。")
        hearing = services.schedule_hearing(
            official, round_, kind="symposium", topic="座谈会", place="市民中心",
            day=(day + timedelta(days=10)).isoformat(), at="14:30", capacity="5",
            selection="order")
        services.apply_to_attend(citizen, hearing, statement="我想发言。")
