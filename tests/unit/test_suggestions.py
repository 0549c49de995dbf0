"""Suggestions: deadlines, constraints, answering, transfers, routing, ratings, search."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from consult import workdays
from consult.audit.models import AuditEntry
from consult.db import atomic, db
from consult.errors import Conflict, InvalidState, PermissionDenied, ValidationFailed
from consult.suggestions import deadlines, services
from consult.suggestions.models import (
    AnswerStatus,
    Suggestion,
    SuggestionAssignment,
    SuggestionEvent,
    SuggestionRating,
    SuggestionSupport,
    Visibility,
)
from tests.factories import (
    ConsultationFactory,
    DepartmentFactory,
    UserFactory,
    make_suggestion,
    with_roles,
)

SHANGHAI_WED_10 = datetime(2026, 11, 4, 2, 0, tzinfo=UTC)   # Wed 4 Nov 2026, 10:00 in Shanghai
SHANGHAI_FRI_20 = datetime(2026, 11, 6, 12, 0, tzinfo=UTC)  # Fri 6 Nov, 20:00 in Shanghai
SHANGHAI_SAT = datetime(2026, 11, 7, 3, 0, tzinfo=UTC)      # Sat 7 Nov, 11:00 in Shanghai


def _local_end(y, m, d):
    """23:59:59 in Shanghai on that day, in UTC."""
    return datetime(y, m, d, 15, 59, 59, tzinfo=UTC)


# ---------------------------------------------------------------- deadlines

@pytest.mark.parametrize("start, days, expected", [
    (SHANGHAI_WED_10, 1, _local_end(2026, 11, 5)),    # Thursday
    (SHANGHAI_WED_10, 3, _local_end(2026, 11, 9)),    # skips the weekend: Monday
    (SHANGHAI_FRI_20, 1, _local_end(2026, 11, 9)),    # Friday evening: Monday
    (SHANGHAI_SAT, 1, _local_end(2026, 11, 9)),       # Saturday: Monday
    (SHANGHAI_SAT, 5, _local_end(2026, 11, 13)),      # a full working week
    (SHANGHAI_WED_10, 15, _local_end(2026, 11, 25)),  # three weeks, two weekends skipped
])
def test_working_days_skip_weekends(app, start, days, expected):
    assert workdays.deadline(start, days) == expected


def test_late_evening_utc_counts_from_the_local_day(app):
    # 23:30 UTC Sunday is Monday 07:30 in Shanghai: day one is Tuesday.
    start = datetime(2026, 11, 8, 23, 30, tzinfo=UTC)
    assert workdays.deadline(start, 1) == _local_end(2026, 11, 10)


def test_due_date_at_submission_uses_default_then_department_policy(app):
    dept = DepartmentFactory()
    other = DepartmentFactory()
    official = UserFactory(role="official", role__department=other)
    citizen = UserFactory()
    with time_machine.travel(SHANGHAI_WED_10, tick=False):
        s = make_suggestion(citizen, dept)
        assert s.due_at == _local_end(2026, 11, 25)  # 15 working days
        with atomic():
            services.set_reply_days(with_roles(official), other, reply_days=5)
        s2 = make_suggestion(citizen, other)
        assert s2.due_at == _local_end(2026, 11, 11)  # 5 working days


def test_configured_default_reply_days(app):
    app.config["SUGGESTION_REPLY_DAYS"] = 2
    dept = DepartmentFactory()
    with time_machine.travel(SHANGHAI_FRI_20, tick=False):
        s = make_suggestion(UserFactory(), dept)
    assert s.due_at == _local_end(2026, 11, 10)  # Monday and Tuesday


def test_policy_is_set_by_the_departments_officials_or_admins_only(app):
    dept = DepartmentFactory()
    stranger = UserFactory(role="official", role__department=DepartmentFactory())
    with pytest.raises(PermissionDenied):
        services.set_reply_days(with_roles(stranger), dept, reply_days=10)
    with pytest.raises(PermissionDenied):
        services.set_reply_days(with_roles(UserFactory()), dept, reply_days=10)
    with pytest.raises(ValidationFailed) as exc:
        services.set_reply_days(with_roles(UserFactory(role="admin")), dept, reply_days=0)
    assert exc.value.field == "reply_days"
    with atomic():
        services.set_reply_days(with_roles(UserFactory(role="admin")), dept, reply_days=20)
    assert deadlines.reply_days_for(dept.id) == 20
    assert db.session.scalar(select(AuditEntry.action).where(
        AuditEntry.action == "suggestion.policy_set")) == "suggestion.policy_set"


def test_overdue_marks_past_the_due_date(app):
    dept = DepartmentFactory()
    with time_machine.travel(SHANGHAI_WED_10, tick=False):
        s = make_suggestion(UserFactory(), dept)
    on_due_day = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    after = datetime(2026, 11, 25, 16, 0, 1, tzinfo=UTC)  # 00:00:01 on the 26th in Shanghai
    assert not deadlines.is_overdue(s, on_due_day)
    assert deadlines.is_overdue(s, after)
    assert services.list_suggestions(overdue=True, now=on_due_day).total == 0
    assert services.list_suggestions(overdue=True, now=after).total == 1
    record = services.department_suggestion_record(dept.id, now=after)
    assert (record.received, record.answered, record.overdue) == (1, 0, 1)


def test_an_answer_stops_the_clock_and_records_timeliness(app):
    dept = DepartmentFactory()
    official = UserFactory(role="official", role__department=dept)
    with time_machine.travel(SHANGHAI_WED_10, tick=False):
        on_time = make_suggestion(UserFactory(), dept, title="公园夜间照明不足")
        late = make_suggestion(UserFactory(), dept, title="学校门口接送拥堵")
    with time_machine.travel(datetime(2026, 11, 20, tzinfo=UTC), tick=False):
        with atomic():
            services.answer_suggestion(with_roles(official), on_time, status="under_study")
    with time_machine.travel(datetime(2026, 12, 1, tzinfo=UTC), tick=False):
        with atomic():
            event = services.answer_suggestion(with_roles(official), late, status="not_taken",
                                               body="已有专项整治方案。")
        assert event.on_time is False
        assert not deadlines.is_overdue(late)
        record = services.department_suggestion_record(dept.id)
    assert (record.received, record.answered, record.answered_on_time, record.overdue) == (
        2, 2, 1, 0)


# ---------------------------------------------------------------- submitting

def test_submit_validates_fields_and_links(app):
    citizen = UserFactory()
    dept = DepartmentFactory()
    cases = [
        (dict(title="太短"), "title"),
        (dict(problem="   "), "problem"),
        (dict(proposal=""), "proposal"),
        (dict(links="javascript:alert(1)"), "links"),
        (dict(links="ftp://example.org/x"), "links"),
        (dict(links="https://"), "links"),
        (dict(links="\n".join(f"https://example.org/{i}" for i in range(6))), "links"),
        (dict(tags=",".join(f"t{i}" for i in range(30))), "tags"),
        (dict(title="x" * 121), "title"),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationFailed) as exc:
            make_suggestion(citizen, dept, **fields)
        assert exc.value.field == field, fields
    with pytest.raises(ValidationFailed) as exc:
        services.submit_suggestion(citizen, department_id=99999, title="一个正常的标题",
                                   problem="p", proposal="q")
    assert exc.value.field == "department_id"
    assert db.session.scalar(select(func.count(Suggestion.id))) == 0


def test_submit_keeps_links_tags_and_unrouted(app):
    citizen = UserFactory()
    s = make_suggestion(citizen, None, tags="养老，社区服务, 养老",
                        links="https://example.org/a\n\nhttp://gov.example.cn/b?x=1")
    s = services.get_suggestion(None, s.id)
    assert s.department_id is None
    assert s.links == ["https://example.org/a", "http://gov.example.cn/b?x=1"]
    assert sorted(t.name for t in s.tags) == ["养老", "社区服务"]
    assert db.session.scalar(select(func.count(SuggestionAssignment.id))) == 0


def test_unverified_users_cannot_submit_support_comment(app):
    dept = DepartmentFactory()
    unverified = UserFactory(unverified=True)
    s = make_suggestion(UserFactory(), dept)
    with pytest.raises(PermissionDenied) as exc:
        make_suggestion(unverified, dept)
    assert "verified" in str(exc.value.message)
    with pytest.raises(PermissionDenied):
        services.toggle_support(unverified, s)
    with pytest.raises(PermissionDenied):
        services.add_comment(unverified, s, body="同意")


# ---------------------------------------------------------------- support and comments

def test_support_is_one_row_per_user(app):
    s = make_suggestion(UserFactory(), DepartmentFactory())
    fan = UserFactory()
    with atomic():
        services.add_support(fan, s)
    with atomic():
        services.add_support(fan, s)  # a double click
    assert db.session.scalar(select(func.count()).select_from(SuggestionSupport)) == 1
    assert db.session.get(Suggestion, s.id).support_count == 1
    with pytest.raises(IntegrityError):
        with atomic():
            db.session.add(SuggestionSupport(suggestion_id=s.id, user_id=fan.id))
    with atomic():
        assert services.toggle_support(fan, s) is False
    assert db.session.get(Suggestion, s.id).support_count == 0
    with atomic():
        assert services.toggle_support(fan, s) is True
    assert db.session.get(Suggestion, s.id).support_count == 1


def test_authors_cannot_support_their_own(app):
    author = UserFactory()
    s = make_suggestion(author, DepartmentFactory())
    with pytest.raises(Conflict):
        services.toggle_support(author, s)


def test_comment_counter_and_validation(app):
    s = make_suggestion(UserFactory(), DepartmentFactory())
    with atomic():
        services.add_comment(UserFactory(), s, body="  我们小区也是这样。 ")
    assert db.session.get(Suggestion, s.id).comment_count == 1
    with pytest.raises(ValidationFailed) as exc:
        services.add_comment(UserFactory(), s, body=" ")
    assert exc.value.field == "body"
    with pytest.raises(ValidationFailed):
        services.add_comment(UserFactory(), s, body="x" * 2001)


def test_hidden_suggestions_accept_no_support_and_leave_the_lists(app):
    """Hidden: its page stays (the reason in place of the text), out of every list.
    Held: not found but by its author (and moderators and admins)."""
    author = UserFactory()
    s = make_suggestion(author, DepartmentFactory())
    with atomic():
        db.session.get(Suggestion, s.id).status = Visibility.HIDDEN
    with pytest.raises(PermissionDenied):
        services.toggle_support(UserFactory(), db.session.get(Suggestion, s.id))
    assert services.get_suggestion(UserFactory(), s.id).id == s.id
    assert services.list_suggestions().total == 0
    with atomic():
        db.session.get(Suggestion, s.id).status = Visibility.HELD
    from consult.errors import NotFound
    with pytest.raises(NotFound):
        services.get_suggestion(UserFactory(), s.id)
    assert services.get_suggestion(with_roles(author), s.id).id == s.id
    assert services.list_suggestions().total == 0


# ---------------------------------------------------------------- answering

def test_answers_need_their_required_parts(app):
    dept = DepartmentFactory()
    official = UserFactory(role="official", role__department=dept)
    s = make_suggestion(UserFactory(), dept)
    other = ConsultationFactory(department=DepartmentFactory())
    own_draft = ConsultationFactory(department=dept, unpublished=True)
    with pytest.raises(ValidationFailed) as exc:
        services.answer_suggestion(with_roles(official), s, status="not_taken", body=" ")
    assert exc.value.field == "body"
    with pytest.raises(ValidationFailed) as exc:
        services.answer_suggestion(with_roles(official), s, status="on_agenda")
    assert exc.value.field == "consultation_id"
    with pytest.raises(ValidationFailed) as exc:
        services.answer_suggestion(with_roles(official), s, status="on_agenda",
                                   consultation_id=other.id)
    assert exc.value.field == "consultation_id"
    with pytest.raises(ValidationFailed) as exc:
        services.answer_suggestion(with_roles(official), s, status="covered",
                                   consultation_id=own_draft.id)
    assert exc.value.field == "consultation_id"
    with pytest.raises(ValidationFailed) as exc:
        services.answer_suggestion(with_roles(official), s, status="awaiting")
    assert exc.value.field == "status"
    with pytest.raises(ValidationFailed) as exc:
        services.answer_suggestion(with_roles(official), s, status="transferred",
                                   to_department_id=dept.id)
    assert exc.value.field == "to_department_id"
    db.session.rollback()
    assert db.session.get(Suggestion, s.id).answer_status is AnswerStatus.AWAITING


def test_only_officials_of_the_current_department_answer(app):
    dept = DepartmentFactory()
    s = make_suggestion(UserFactory(), dept)
    for user in (UserFactory(), UserFactory(role="admin"),
                 UserFactory(role="official", role__department=DepartmentFactory())):
        with pytest.raises(PermissionDenied):
            services.answer_suggestion(with_roles(user), s, status="under_study")


def test_taken_onto_the_agenda_links_the_consultation_and_is_audited(app):
    dept = DepartmentFactory()
    official = UserFactory(role="official", role__department=dept)
    consultation = ConsultationFactory(department=dept)
    s = make_suggestion(UserFactory(), dept)
    with atomic():
        event = services.answer_suggestion(with_roles(official), s, status="on_agenda",
                                           body="已列入立法计划。",
                                           consultation_id=consultation.id)
    s = db.session.get(Suggestion, s.id)
    assert s.answer_status is AnswerStatus.ON_AGENDA
    assert s.consultation_id == consultation.id
    assert s.latest_answer_id == event.id and event.on_time is True
    assignment = db.session.scalar(select(SuggestionAssignment))
    assert assignment.answered_at is not None and assignment.first_answer == "on_agenda"
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "suggestion.answered"))
    assert entry.actor_id == official.id and entry.data["status"] == "on_agenda"
    assert services.department_suggestion_record(dept.id).on_agenda == 1


def test_transfer_moves_the_suggestion_and_restarts_the_clock(app):
    first, second = DepartmentFactory(), DepartmentFactory()
    official1 = UserFactory(role="official", role__department=first)
    official2 = UserFactory(role="official", role__department=second)
    with time_machine.travel(SHANGHAI_WED_10, tick=False):
        s = make_suggestion(UserFactory(), first)
    with time_machine.travel(SHANGHAI_SAT, tick=False):
        with atomic():
            services.answer_suggestion(with_roles(official1), s, status="under_study")
        with atomic():
            services.answer_suggestion(with_roles(official1), s, status="transferred",
                                       to_department_id=second.id, body="属于交通部门职责。")
    s = db.session.get(Suggestion, s.id)
    assert s.department_id == second.id
    assert s.answer_status is AnswerStatus.AWAITING and s.answered_at is None
    assert s.due_at == workdays.deadline(SHANGHAI_SAT, 15)
    with pytest.raises(PermissionDenied):
        services.answer_suggestion(with_roles(official1), s, status="under_study")
    with atomic():
        services.answer_suggestion(with_roles(official2), s, status="not_taken", body="暂不具备条件。")
    kinds = [e.kind.value for e in db.session.scalars(
        select(SuggestionEvent).order_by(SuggestionEvent.id))]
    assert kinds == ["answered", "transferred", "answered"]
    r1 = services.department_suggestion_record(first.id)
    r2 = services.department_suggestion_record(second.id)
    assert (r1.received, r1.answered, r1.answered_on_time) == (1, 1, 1)
    assert (r2.received, r2.answered) == (1, 1)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "suggestion.transferred")) == 1


def test_admins_route_unsure_suggestions_once(app):
    dept = DepartmentFactory()
    admin = UserFactory(role="admin")
    s = make_suggestion(UserFactory(), None)
    with pytest.raises(PermissionDenied):
        services.route_suggestion(with_roles(UserFactory(role="official", role__department=dept)), s,
                                  department_id=dept.id)
    with pytest.raises(ValidationFailed):
        services.route_suggestion(with_roles(admin), s, department_id="")
    with atomic():
        services.route_suggestion(with_roles(admin), s, department_id=dept.id)
    s = db.session.get(Suggestion, s.id)
    assert s.department_id == dept.id
    assert services.department_suggestion_record(dept.id).received == 1
    with pytest.raises(InvalidState):
        services.route_suggestion(with_roles(admin), s, department_id=dept.id)
    assert db.session.scalar(select(AuditEntry.action).where(
        AuditEntry.action == "suggestion.routed"))


# ---------------------------------------------------------------- rating

def test_rating_once_per_suggestion_by_the_author_after_an_answer(app):
    dept = DepartmentFactory()
    official = UserFactory(role="official", role__department=dept)
    author = UserFactory()
    s = make_suggestion(author, dept)
    with pytest.raises(InvalidState):
        services.rate_answer(author, s, rating="satisfied")
    with atomic():
        services.answer_suggestion(with_roles(official), s, status="under_study")
    s = db.session.get(Suggestion, s.id)
    with pytest.raises(PermissionDenied):
        services.rate_answer(UserFactory(), s, rating="satisfied")
    with pytest.raises(ValidationFailed):
        services.rate_answer(author, s, rating="delighted")
    with atomic():
        services.rate_answer(author, s, rating="dissatisfied")
    with atomic():
        row = services.rate_answer(author, s, rating="basically_satisfied")
    assert db.session.scalar(select(func.count()).select_from(SuggestionRating)) == 1
    assert row.rating.value == "basically_satisfied" and row.department_id == dept.id
    with pytest.raises(IntegrityError):
        with atomic():
            db.session.add(SuggestionRating(suggestion_id=s.id, user_id=author.id,
                                            department_id=dept.id, answer_id=row.answer_id,
                                            rating="satisfied"))


# ---------------------------------------------------------------- similar titles

def test_title_terms_are_bigrams_and_words():
    assert services.title_terms("加装电梯 Elevator in old 小区") == [
        "加装", "装电", "电梯", "小区", "elevator", "in", "old"]
    assert services.title_terms("路") == ["路"]
    assert len(services.title_terms("一二三四五六七八九十百千万")) == 8


def test_similar_ranks_by_shared_terms_then_support(app):
    dept = DepartmentFactory()
    author = UserFactory()
    a = make_suggestion(author, dept, title="老旧小区加装电梯审批慢")
    b = make_suggestion(author, dept, title="小区电梯维修没人管")
    make_suggestion(author, dept, title="公交线路调整")
    with atomic():
        services.add_support(UserFactory(), db.session.get(Suggestion, b.id))
    found = services.similar_suggestions("小区加装电梯")
    assert [s.id for s in found] == [a.id, b.id]
    assert services.similar_suggestions("100%_") == []
    assert services.similar_suggestions("") == []


# ---------------------------------------------------------------- notifications

def test_author_and_supporters_are_notified_of_answers(app, outbox):
    from consult.notifications.models import Notification

    dept = DepartmentFactory()
    official = UserFactory(role="official", role__department=dept)
    author = UserFactory()
    fans = [UserFactory(), UserFactory()]
    s = make_suggestion(author, dept)
    for fan in fans:
        with atomic():
            services.add_support(fan, db.session.get(Suggestion, s.id))
    with atomic():
        event = services.answer_suggestion(with_roles(official), db.session.get(Suggestion, s.id),
                                           status="under_study", body="正在调研。")
    rows = list(db.session.scalars(select(Notification).order_by(Notification.user_id)))
    assert sorted(n.user_id for n in rows) == sorted([author.id] + [f.id for f in fans])
    assert {n.kind.value for n in rows} == {"suggestion_answered"}
    assert rows[0].link == f"/suggestions/{s.id}#answer-{event.id}"
    assert rows[0].data["suggestion_title"] == s.title
    assert len(outbox) == 3
    assert s.title in outbox[0].subject
