"""factory_boy factories; each commits, since the test client uses its own session."""

from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from consult.accounts.models import Department, Role, RoleAssignment, User
from consult.clock import now
from consult.extensions import db
from consult.questionnaires.models import (
    Questionnaire,
    QuestionnaireOption,
    QuestionnaireQuestion,
)

PASSWORD = "correct horse battery"
# Hashing is deliberately slow; hash once for every factory-made user.
PASSWORD_HASH = generate_password_hash(PASSWORD, method="scrypt:2048:8:1")  # as TestConfig


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = super()._create(model_class, *args, **kwargs)
        # Each commit expires every object, and the session's identity map holds objects
        # only weakly. A sub-object nobody references any more (the consultation made for
        # ``RoundFactory(version__consultation__department=...)``) could then be garbage
        # collected, and reading ``round.version.consultation`` (lazy="raise_on_sql") would
        # need SQL and raise, or not, depending on when the collector ran. Keeping every
        # factory-made object referenced for the session's life (the test's; conftest
        # removes the session at teardown) makes those reads identity-map hits, always.
        db.session.info.setdefault("factory_made", []).append(obj)
        return obj


class DepartmentFactory(Base):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"测试局{n}")
    name_en = factory.Sequence(lambda n: f"Test Bureau {n}")
    slug = factory.Sequence(lambda n: f"bureau-{n}")
    description = "负责测试工作。"
    # No statutory minimum comment period unless a test sets one (the model's default is
    # 30 days): tests of other features schedule short rounds freely.
    min_period_days = 1


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password_hash = PASSWORD_HASH
    email_verified_at = factory.LazyFunction(now)
    roles = factory.LazyFunction(list)

    class Params:
        unverified = factory.Trait(email_verified_at=None)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        """UserFactory(role="admin") or UserFactory(role="official", role__department=dept)."""
        if not extracted:
            return
        department = kwargs.get("department")
        assignment = RoleAssignment(
            role=Role(extracted), department_id=department.id if department else None)
        if create:
            # The user is committed (and expired) already; its roles are lazy="raise_on_sql".
            assignment.user_id = self.id
            db.session.add(assignment)
            db.session.commit()
        else:
            self.roles.append(assignment)


# ---------------------------------------------------------------- consultations and rounds
from datetime import timedelta  # noqa: E402

from sqlalchemy import update  # noqa: E402

from consult.consultations.models import (  # noqa: E402
    Clause,
    ClauseLineage,
    Consultation,
    DraftVersion,
)
from consult.rounds.models import Round, RoundKind  # noqa: E402


class ConsultationFactory(Base):
    """A published consultation; ``ConsultationFactory(unpublished=True)`` for a draft one."""

    class Meta:
        model = Consultation

    department = factory.SubFactory(DepartmentFactory)
    title = factory.Sequence(lambda n: f"社区养老服务管理办法（征求意见稿）{n}")
    summary = "为规范社区养老服务，提升服务质量，制定本办法。"
    background = "我市老年人口持续增长。"
    goals = "建立覆盖城乡的社区养老服务体系。"
    contact = "市民政局养老服务处 010-12345678"
    published_at = factory.LazyFunction(now)
    tags = factory.LazyFunction(list)

    class Params:
        unpublished = factory.Trait(published_at=None)


class DraftVersionFactory(Base):
    """A published version with ``clauses`` clauses (default 3), each in its own lineage."""

    class Meta:
        model = DraftVersion

    consultation = factory.SubFactory(ConsultationFactory)
    number = factory.LazyAttribute(lambda o: o.consultation.latest_version_number + 1)
    change_note = "首次公开征求意见。"
    published_at = factory.LazyFunction(now)

    @factory.post_generation
    def clauses(self, create, extracted, **kwargs):
        count = 3 if extracted is None else extracted
        if isinstance(count, list):
            texts = count
        else:
            texts = [f"第{i + 1}条的正文：社区养老服务机构应当提供日间照料服务。" for i in range(count)]
        for i, body in enumerate(texts):
            lineage = ClauseLineage(consultation_id=self.consultation_id or self.consultation.id)
            db.session.add(lineage)
            db.session.flush()
            db.session.add(Clause(version=self, lineage_id=lineage.id, position=i + 1,
                                  number=f"第{i + 1}条", heading=f"条款{i + 1}", body=body))
        # Versions are immutable once flushed; the factory sets its count in SQL.
        db.session.execute(update(DraftVersion).where(DraftVersion.id == self.id)
                           .values(clause_count=len(texts)))
        db.session.expire(self, ["clause_count"])
        self.consultation.latest_version_number = max(
            self.consultation.latest_version_number, self.number)
        if create:
            db.session.commit()


class RoundFactory(Base):
    """A round on a fresh version. Traits: open (default), scheduled, closed, overdue."""

    class Meta:
        model = Round

    version = factory.SubFactory(DraftVersionFactory)
    consultation = factory.LazyAttribute(lambda o: o.version.consultation)
    kind = RoundKind.BOTH
    opens_at = factory.LazyFunction(lambda: now() - timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: now() + timedelta(days=13))
    response_due_at = factory.LazyAttribute(lambda o: o.closes_at + timedelta(days=15))
    recorded_state = "open"

    class Params:
        scheduled = factory.Trait(
            opens_at=factory.LazyFunction(lambda: now() + timedelta(days=2)),
            closes_at=factory.LazyFunction(lambda: now() + timedelta(days=16)),
            recorded_state="scheduled")
        closed = factory.Trait(
            opens_at=factory.LazyFunction(lambda: now() - timedelta(days=20)),
            closes_at=factory.LazyFunction(lambda: now() - timedelta(days=2)),
            recorded_state="closed")
        overdue = factory.Trait(
            opens_at=factory.LazyFunction(lambda: now() - timedelta(days=40)),
            closes_at=factory.LazyFunction(lambda: now() - timedelta(days=20)),
            response_due_at=factory.LazyFunction(lambda: now() - timedelta(days=5)),
            recorded_state="closed")


def add_questionnaire(round_id: int, purpose, questions) -> list[tuple[int, list[int]]]:
    """A round's poll or survey questions straight into the tables (the services refuse
    once a round is open), committed: ``questions`` = [(text, kind, [option texts])].
    Returns [(question id, [option ids])] in order."""
    questionnaire = db.session.scalar(select(Questionnaire).where(
        Questionnaire.round_id == round_id, Questionnaire.purpose == purpose))
    if questionnaire is None:
        questionnaire = Questionnaire(round_id=round_id, purpose=purpose)
        db.session.add(questionnaire)
        db.session.flush()
    start = db.session.scalar(select(func.count(QuestionnaireQuestion.id)).where(
        QuestionnaireQuestion.questionnaire_id == questionnaire.id))
    out = []
    for position, (text, kind, options) in enumerate(questions, start=start + 1):
        question = QuestionnaireQuestion(
            questionnaire_id=questionnaire.id, position=position, text=text, kind=kind,
            options=[QuestionnaireOption(position=i + 1, text=t)
                     for i, t in enumerate(options)])
        db.session.add(question)
        db.session.flush()
        out.append((question.id, [o.id for o in question.options]))
    db.session.commit()
    return out
