"""Triage, themes, publication guards, statistics, errata and follow-up actions (services)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select, update

from consult.audit.models import AuditEntry
from consult.db import atomic, db
from consult.errors import InvalidState, PermissionDenied, ValidationFailed
from consult.notifications.models import Notification
from consult.responses import services
from consult.responses.models import (
    ActionStatus,
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
from tests.factories import (
    ConsultationFactory,
    DepartmentFactory,
    RoundFactory,
    UserFactory,
    clause_ids,
    closed_round,
    comment,
    question,
)

pytestmark = pytest.mark.usefixtures("keep_loaded")


def load(r, actor):
    db.session.expire_all()
    return get_round(actor, r.id)


def started(r, official):
    round_ = load(r, official)
    with atomic():
        services.start_triage(round_)
    return load(r, official)


def rows(round_id):
    return list(db.session.scalars(select(Triage).where(Triage.round_id == round_id)
                                   .order_by(Triage.id)))


def response_row(round_id) -> RoundResponse:
    db.session.expire_all()
    return db.session.scalar(select(RoundResponse).where(RoundResponse.round_id == round_id))


def do(fn, *args, **kwargs):
    with atomic():
        return fn(*args, **kwargs)


# ---------------------------------------------------------------- what is an opinion

def test_opinions_are_top_level_comments_and_questions_not_withdrawn(app):
    r, _dept, official = closed_round()
    cl = clause_ids(r)
    top = comment(r, clause_id=cl[0], supports=4)
    comment(r, depth=1, parent=top)                 # a reply: discussion, not an opinion
    comment(r, withdrawn=True)                      # withdrawn: excluded
    whole = comment(r)                              # on the whole draft
    q = question(r, supports=2)
    question(r, withdrawn=True)
    round_ = started(r, official)
    got = rows(r.id)
    assert {(t.comment_id, t.question_id) for t in got} == {
        (top.id, None), (whole.id, None), (None, q.id)}
    by_comment = {t.comment_id: t for t in got}
    assert by_comment[top.id].clause_id == cl[0] and by_comment[top.id].support_count == 4
    assert all(t.status is None for t in got)
    response = response_row(r.id)
    assert (response.opinion_count, response.triaged_count) == (3, 0)
    # Starting again changes nothing.
    do(services.start_triage, round_)
    assert len(rows(r.id)) == 3 and response_row(r.id).opinion_count == 3


def test_triage_refused_while_the_round_is_open(app):
    dept = DepartmentFactory()
    r = RoundFactory(version__consultation=ConsultationFactory(department=dept))
    official = UserFactory(role="official", role__department=dept)
    with pytest.raises(InvalidState):
        services.start_triage(load(r, official))


# ---------------------------------------------------------------- triage rules

def test_not_adopted_needs_a_reason_and_counters_follow_every_change(app):
    r, _dept, official = closed_round()
    comment(r)
    comment(r)
    question(r)
    round_ = started(r, official)
    first, second, third = rows(r.id)
    with pytest.raises(ValidationFailed) as exc:
        do(services.triage_opinion, official, round_, first, status="not_adopted", reason="  ")
    assert exc.value.field == "reason"
    assert response_row(r.id).triaged_count == 0
    round_ = load(r, official)
    with pytest.raises(ValidationFailed) as exc:
        do(services.triage_opinion, official, round_, first, status="maybe")
    assert exc.value.field == "status"

    round_ = load(r, official)
    do(services.triage_opinion, official, round_, first, status="not_adopted",
       reason="超出本办法的调整范围。")
    do(services.triage_opinion, official, round_, second, status="adopted")
    resp = response_row(r.id)
    assert (resp.triaged_count, resp.not_adopted_count, resp.adopted_count) == (2, 1, 1)
    # Changing a decision moves the counters, never double counts.
    round_ = load(r, official)
    do(services.triage_opinion, official, round_, rows(r.id)[0], status="partly_adopted",
       reason="部分采纳。")
    resp = response_row(r.id)
    assert (resp.triaged_count, resp.not_adopted_count, resp.partly_count,
            resp.adopted_count) == (2, 0, 1, 1)
    assert resp.untriaged_count == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "triage.set")) == 3


def test_only_officials_of_the_owning_department_triage(app):
    r, _dept, official = closed_round()
    comment(r)
    round_ = started(r, official)
    other = UserFactory(role="official", role__department=DepartmentFactory())
    citizen = UserFactory()
    for actor in (other, citizen):
        with pytest.raises(PermissionDenied):
            do(services.triage_opinion, actor, load(r, official), rows(r.id)[0],
               status="adopted")
    assert response_row(r.id).triaged_count == 0
    assert round_ is not None


def test_adopted_opinion_records_the_changed_clause_of_this_consultation(app):
    r, _dept, official = closed_round()
    cl = clause_ids(r)
    comment(r, clause_id=cl[1])
    round_ = started(r, official)
    t = rows(r.id)[0]
    from consult.consultations.models import Clause

    lineage = db.session.get(Clause, cl[1]).lineage_id
    foreign = RoundFactory(closed=True)
    foreign_lineage = db.session.scalar(select(Clause.lineage_id)
                                        .where(Clause.version_id == foreign.version_id).limit(1))
    with pytest.raises(ValidationFailed) as exc:
        do(services.triage_opinion, official, round_, t, status="adopted",
           changed_lineage_id=foreign_lineage)
    assert exc.value.field == "changed_lineage_id"
    round_ = load(r, official)
    do(services.triage_opinion, official, round_, t, status="adopted",
       changed_lineage_id=lineage)
    assert rows(r.id)[0].changed_lineage_id == lineage
    # Not adopted drops the link: only an adopted opinion changed a clause.
    round_ = load(r, official)
    do(services.triage_opinion, official, round_, t, status="out_of_scope",
       changed_lineage_id=lineage)
    assert rows(r.id)[0].changed_lineage_id is None


# ---------------------------------------------------------------- themes and bulk

def test_themes_create_rename_merge_and_bulk_assignment(app):
    r, _dept, official = closed_round()
    for _ in range(5):
        comment(r)
    round_ = started(r, official)
    a = do(services.create_theme, official, round_, name="食堂覆盖")
    round_ = load(r, official)
    with pytest.raises(ValidationFailed) as exc:
        do(services.create_theme, official, round_, name=" 食堂覆盖 ")
    assert exc.value.field == "name"
    round_ = load(r, official)
    b = do(services.create_theme, official, round_, name="收费标准")
    ids = [t.id for t in rows(r.id)]
    round_ = load(r, official)
    # Grouping first, deciding later: a theme for untriaged opinions.
    do(services.bulk_triage, official, round_, triage_ids=ids[:3], theme_id=str(a.id))
    round_ = load(r, official)
    do(services.bulk_triage, official, round_, triage_ids=ids[3:], status="not_adopted",
       reason="财政资金不足。", theme_id=str(b.id))
    resp = response_row(r.id)
    assert (resp.triaged_count, resp.not_adopted_count) == (2, 2)
    assert {t.id: t.member_count for t in db.session.scalars(select(Theme))} == {a.id: 3, b.id: 2}
    round_ = load(r, official)
    with pytest.raises(ValidationFailed) as exc:
        do(services.bulk_triage, official, round_, triage_ids=ids, status="not_adopted")
    assert exc.value.field == "reason"
    round_ = load(r, official)
    with pytest.raises(ValidationFailed) as exc:
        do(services.bulk_triage, official, round_, triage_ids=[], status="adopted")
    assert exc.value.field == "ids"
    round_ = load(r, official)
    with pytest.raises(ValidationFailed):
        do(services.bulk_triage, official, round_, triage_ids=ids, status="",
           theme_id=services.KEEP)
    round_ = load(r, official)
    do(services.bulk_triage, official, round_, triage_ids=ids, status="adopted")
    resp = response_row(r.id)
    assert (resp.triaged_count, resp.adopted_count, resp.not_adopted_count) == (5, 5, 0)

    round_ = load(r, official)
    do(services.rename_theme, official, round_, services.get_theme(round_, b.id), name="收费")
    round_ = load(r, official)
    merged = do(services.merge_themes, official, round_, services.get_theme(round_, b.id),
                into_id=str(a.id))
    assert merged.id == a.id
    themes = list(db.session.scalars(select(Theme)))
    assert [(t.name, t.member_count) for t in themes] == [("食堂覆盖", 5)]
    assert {t.theme_id for t in rows(r.id)} == {a.id}


# ---------------------------------------------------------------- publication

def _triage_all(r, official, status="adopted"):
    round_ = load(r, official)
    ids = [t.id for t in rows(r.id)]
    if ids:
        do(services.bulk_triage, official, round_, triage_ids=ids, status=status,
           reason="理由。")


def _summary(r, official):
    do(services.save_response, official, load(r, official), summary="感谢大家的意见。")


def test_publication_guards(app):
    # Not closed: 409.
    dept = DepartmentFactory()
    open_round = RoundFactory(version__consultation=ConsultationFactory(department=dept))
    official = UserFactory(role="official", role__department=dept)
    with pytest.raises(InvalidState):
        do(services.publish_response, official, load(open_round, official))

    r, _dept, official = closed_round()
    comment(r)
    comment(r)
    round_ = started(r, official)
    _summary(r, official)
    do(services.triage_opinion, official, load(r, official), rows(r.id)[0], status="adopted")
    # One opinion left: 409 with the count.
    with pytest.raises(InvalidState) as exc:
        do(services.publish_response, official, load(r, official))
    from flask_babel import ngettext

    assert exc.value.message == ngettext(
        "%(num)d opinion is not triaged yet. Give every opinion a status before publishing.",
        "%(num)d opinions are not triaged yet. Give every opinion a status before "
        "publishing.", 1)
    assert "1" in exc.value.message
    # Another department: 403.
    other = UserFactory(role="official", role__department=DepartmentFactory())
    _triage_all(r, official)
    with pytest.raises(PermissionDenied):
        do(services.publish_response, other, load(r, official))
    do(services.publish_response, official, load(r, official))
    round_ = load(r, official)
    assert lifecycle.state_of(round_) is RoundState.RESPONDED
    # Second publication: 409.
    with pytest.raises(InvalidState):
        do(services.publish_response, official, load(r, official))
    # After publication nothing is triaged, themed or saved any more.
    with pytest.raises(InvalidState):
        do(services.triage_opinion, official, load(r, official), rows(r.id)[0],
           status="not_adopted", reason="改主意了")
    with pytest.raises(InvalidState):
        do(services.save_response, official, load(r, official), summary="悄悄修改")
    with pytest.raises(InvalidState):
        do(services.create_theme, official, load(r, official), name="新主题")


def test_publication_needs_a_summary(app):
    r, _dept, official = closed_round()
    started(r, official)
    with pytest.raises(ValidationFailed) as exc:
        do(services.publish_response, official, load(r, official))
    assert exc.value.field == "summary"


def test_publishing_marks_responded_audits_notifies_and_freezes(app):
    r, _dept, official = closed_round()
    participant = UserFactory()
    comment(r, participant)
    from consult.rounds import participants

    participants.mark(r.id, participant.id)
    db.session.commit()
    started(r, official)
    _triage_all(r, official)
    _summary(r, official)
    round_ = load(r, official)
    do(services.add_action, official, round_, title="扩大助餐点", owner_unit="养老服务处",
       due_on=date.today() + timedelta(days=30))
    do(services.publish_response, official, load(r, official))
    resp = response_row(r.id)
    assert resp.published_at is not None and resp.frozen_stats["totals"]["adopted"] == 1
    actions = {a.action for a in db.session.scalars(select(AuditEntry))}
    assert {"round.responded", "response.published"} <= actions
    # The participant hears of it once, through the survey invitation.
    assert [(n.user_id, n.kind.value) for n in db.session.scalars(select(Notification))] == [
        (participant.id, "survey_invitation")]
    assert db.session.scalar(select(FollowUpAction.published)) is True
    # A change behind the service's back does not alter the published statistics.
    db.session.execute(update(Triage).values(status=Adoption.NOT_ADOPTED, reason="x"))
    db.session.commit()
    assert response_row(r.id).frozen_stats["totals"]["adopted"] == 1


def test_statistics_match_an_independent_count(app):
    rng = random.Random(6)
    r, _dept, official = closed_round(clauses=4)
    cl = clause_ids(r)
    made = []
    for i in range(60):
        where = rng.choice([None, *cl])
        made.append(("c", where, comment(r, clause_id=where, body=f"意见{i}")))
    for i in range(15):
        made.append(("q", None, question(r, body=f"问题{i}")))
    comment(r, withdrawn=True)
    started(r, official)
    decided = {}
    statuses = list(Adoption)
    round_ = load(r, official)
    for t in rows(r.id):
        status = rng.choice(statuses)
        decided[t.comment_id or -t.question_id] = status
        do(services.triage_opinion, official, round_, t, status=status.value, reason="理由")
        round_ = load(r, official)
    _summary(r, official)
    do(services.publish_response, official, load(r, official))
    stats = response_row(r.id).frozen_stats

    # Independently: from the objects this test made and the decisions it took.
    def key(kind, clause_id):
        return "questions" if kind == "q" else ("draft" if clause_id is None else clause_id)

    expected: dict = {}
    for kind, clause_id, obj in made:
        status = decided[obj.id if kind == "c" else -obj.id]
        row = expected.setdefault(key(kind, clause_id), {s.value: 0 for s in Adoption})
        row[status.value] += 1
    total = sum(sum(v.values()) for v in expected.values())
    assert stats["totals"]["total"] == total == 75
    for s in Adoption:
        assert stats["totals"][s.value] == sum(v[s.value] for v in expected.values())
    good = stats["totals"]["adopted"] + stats["totals"]["partly_adopted"]
    assert stats["totals"]["share"] == int(100 * good / total + 0.5)
    got = {(row["kind"] if row["kind"] != "clause" else _clause_of(row, cl)): row
           for row in stats["rows"]}
    assert set(got) == set(expected)
    for k, counts in expected.items():
        for s, n in counts.items():
            assert got[k][s] == n, (k, s)
        n = sum(counts.values())
        assert got[k]["share"] == int(100 * (counts["adopted"] + counts["partly_adopted"]) / n
                                      + 0.5)
    # Rows follow the draft's order, questions last.
    assert stats["rows"][-1]["kind"] == "questions"


def _clause_of(row, cl):
    from consult.consultations.models import Clause

    return db.session.scalar(select(Clause.id).where(Clause.lineage_id == row["lineage_id"],
                                                     Clause.id.in_(cl)))


def test_share_rounds_half_up():
    assert services.share(41, 50) == 82
    assert services.share(1, 8) == 13      # 12.5 -> 13
    assert services.share(0, 0) == 0


# ---------------------------------------------------------------- errata

def test_errata_only_on_a_published_response_and_audited(app):
    r, _dept, official = closed_round()
    started(r, official)
    with pytest.raises(InvalidState):
        do(services.add_erratum, official, load(r, official), body="更正")
    _summary(r, official)
    do(services.publish_response, official, load(r, official))
    with pytest.raises(ValidationFailed) as exc:
        do(services.add_erratum, official, load(r, official), body=" ")
    assert exc.value.field == "body"
    other = UserFactory(role="official", role__department=DepartmentFactory())
    with pytest.raises(PermissionDenied):
        do(services.add_erratum, other, load(r, official), body="更正")
    do(services.add_erratum, official, load(r, official), body="第二段的日期应为6月1日。")
    # Evaluated rounds change only by erratum: still allowed once the survey is over.
    round_ = load(r, official)
    with time_machine.travel(round_.survey_closes_at + timedelta(days=1), tick=False):
        assert lifecycle.state_of(load(r, official)) is RoundState.EVALUATED
        do(services.add_erratum, official, load(r, official), body="补充更正。")
        with pytest.raises(InvalidState):
            do(services.save_response, official, load(r, official), summary="改")
    resp = services.response_for_page(r.id)
    assert [e.body for e in resp.errata] == ["第二段的日期应为6月1日。", "补充更正。"]
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "response.erratum")) == 2


# ---------------------------------------------------------------- follow-up actions

T0 = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)


def test_follow_up_actions_statuses_reasons_and_overdue(app):
    with time_machine.travel(T0, tick=False):
        dept = DepartmentFactory()
        r = RoundFactory(closed=True, version__consultation=ConsultationFactory(department=dept))
        official = UserFactory(role="official", role__department=dept)
        started(r, official)
        round_ = load(r, official)
        with pytest.raises(ValidationFailed) as exc:
            do(services.add_action, official, round_, title="x", owner_unit="处",
               due_on=date(2026, 5, 1))
        assert exc.value.field == "due_on"
        round_ = load(r, official)
        with pytest.raises(ValidationFailed) as exc:
            do(services.add_action, official, round_, title=" ", owner_unit="处",
               due_on=date(2026, 7, 1))
        assert exc.value.field == "title"
        round_ = load(r, official)
        action = do(services.add_action, official, round_, title="新增10个助餐点",
                    owner_unit="养老服务处", due_on=date(2026, 7, 1))
        # Progress only once published.
        with pytest.raises(InvalidState):
            do(services.record_progress, official, services.get_action(official, action.id,
                                                                       manage=True),
               status="in_progress", body="开始选址", on=date(2026, 6, 1))
        _summary(r, official)
        do(services.publish_response, official, load(r, official))

    def get():
        db.session.expire_all()
        return services.get_action(official, action.id, manage=True)

    with time_machine.travel(T0 + timedelta(days=10), tick=False):
        today = services.today()
        assert not get().is_overdue(today)
        do(services.record_progress, official, get(), status="in_progress",
           body="已完成选址。", on=date(2026, 6, 10))
        with pytest.raises(ValidationFailed) as exc:
            do(services.record_progress, official, get(), status="in_progress", body="x",
               on=date(2026, 6, 20))
        assert exc.value.field == "on"
        other = UserFactory(role="official", role__department=DepartmentFactory())
        with pytest.raises(PermissionDenied):
            do(services.record_progress, other, get(), status="done", body="x",
               on=date(2026, 6, 10))
    with time_machine.travel(T0 + timedelta(days=40), tick=False):
        today = services.today()
        assert get().is_overdue(today)
        page = services.list_actions()
        assert [a.id for a in page.items] == [action.id]
        with pytest.raises(ValidationFailed) as exc:
            do(services.record_progress, official, get(), status="dropped", body="停止",
               on=today)
        assert exc.value.field == "drop_reason"
        do(services.record_progress, official, get(), status="dropped", body="停止实施。",
           on=today, drop_reason="场地无法落实。")
        action_now = get()
        assert action_now.status is ActionStatus.DROPPED
        assert not action_now.is_overdue(today)
        assert services.list_actions().total == 0
        assert action_now.update_count == 2 and len(action_now.updates) == 2
        do(services.record_progress, official, get(), status="done", body="另选场地后完成。",
           on=today)
        assert get().drop_reason is None
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "action.updated")) == 3


# ---------------------------------------------------------------- public outcomes

def test_outcomes_only_once_published_in_one_query(app, count_queries):
    r, _dept, official = closed_round()
    cl = clause_ids(r)
    c1 = comment(r, clause_id=cl[0])
    c2 = comment(r)
    q = question(r)
    started(r, official)
    from consult.consultations.models import Clause

    lineage = db.session.get(Clause, cl[0]).lineage_id
    round_ = load(r, official)
    for t in rows(r.id):
        status = "adopted" if t.comment_id == c1.id else "not_adopted"
        do(services.triage_opinion, official, round_, t, status=status, reason="理由",
           changed_lineage_id=lineage)
        round_ = load(r, official)
    assert services.outcomes_for(comment_ids=[c1.id]).comments == {}  # not yet published
    _summary(r, official)
    db.session.execute(update(RoundResponse).values(to_version_number=2))
    db.session.commit()
    do(services.publish_response, official, load(r, official))
    c_ids, q_ids = [c1.id, c2.id], [q.id]
    with count_queries() as seen:
        out = services.outcomes_for(comment_ids=c_ids, question_ids=q_ids)
    assert len(seen) == 1
    assert out.comment(c1.id).status is Adoption.ADOPTED
    assert out.comment(c1.id).diff_url == (
        f"/consultations/{r.consultation_id}/diff?from=1&to=2#clause-{lineage}")
    assert out.comment(c2.id).diff_url is None and out.comment(c2.id).reason == "理由"
    assert out.question(q.id).status is Adoption.NOT_ADOPTED


def test_my_opinions_counts_only_published_outcomes(app):
    author = UserFactory()
    r, _dept, official = closed_round()
    comment(r, author)
    comment(r, author)
    question(r, author)
    started(r, official)
    _triage_all(r, official, status="not_adopted")
    assert services.my_opinions(author).total == 0
    _summary(r, official)
    do(services.publish_response, official, load(r, official))
    mine = services.my_opinions(author)
    assert mine.total == 3 and mine.counts == {"not_adopted": 3}
    assert len(mine.recent) == 3


def test_overdue_rounds_listed_until_answered(app):
    r = RoundFactory(overdue=True)
    RoundFactory(closed=True)                       # closed, not yet due
    assert [x.id for x in services.list_overdue_rounds().items] == [r.id]
    assert isinstance(db.session.get(Round, r.id), Round)


# ---------------------------------------------------------------- rules, for every kind of user

def test_rules_for_each_role(app):
    from consult.security.permissions import check

    r, dept, official = closed_round()
    round_ = load(r, official)
    action = FollowUpAction(department_id=dept.id)
    other = UserFactory(role="official", role__department=DepartmentFactory())
    suspended = UserFactory(role="official", role__department=dept, active=False)
    admin = UserFactory(role="admin")
    citizen = UserFactory()
    from flask_login import AnonymousUserMixin

    for user, allowed in ((official, True), (other, False), (suspended, False),
                          (admin, False), (citizen, False), (AnonymousUserMixin(), False)):
        user = db.session.merge(user) if not isinstance(user, AnonymousUserMixin) else user
        assert check(user, "response.manage", round_) is allowed
        assert check(user, "action.manage", action) is allowed
    assert check(official, "response.manage", None) is False
