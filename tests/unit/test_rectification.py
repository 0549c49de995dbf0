"""Rectification services (好差评): a bad rating opens one case with a working-day
deadline; the state machine's every transition and refusal; who may do what; tallies
moved with each step; escalation of overdue cases; voiding takes a rating out of the
survey's counters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from consult.audit.models import AuditEntry
from consult.clock import now
from consult.db import atomic
from consult.errors import Conflict, InvalidState, PermissionDenied, ValidationFailed
from consult.extensions import db
from consult.notifications.models import Notification
from consult.rectification import services
from consult.rectification.models import (
    CaseStatus,
    RectificationCase,
    RectificationTally,
)
from consult.rounds.services import get_round
from consult.security.permissions import check
from consult.surveys import services as surveys
from consult.surveys.models import Survey, SurveyAnswer
from consult.workdays import local_day
from tests.factories import (
    DepartmentFactory,
    ErratumFactory,
    RectificationPolicyFactory,
    RoleAssignmentFactory,
    RoundResponseFactory,
    UserFactory,
    fresh,
    rate,
    responded_round,
)


def do(fn, *args, **kwargs):
    with atomic():
        return fn(*args, **kwargs)


def case_of(case_id):
    db.session.expire_all()
    return services.load_case(case_id)


def tally(dept_id):
    db.session.expire_all()
    rows = db.session.scalars(select(RectificationTally).where(
        RectificationTally.department_id == dept_id)).all()
    return {c: sum(getattr(r, c) for r in rows) for c in
            ("opened", "followed_up", "in_time", "rectified", "explained", "rerated",
             "improved", "appealed", "voided", "escalated")}


def follow_up(official, case, **kw):
    values = dict(on=local_day(now()), channel="phone", note="电话回访，市民希望说明补贴标准。")
    values.update(kw)
    return do(services.record_follow_up, fresh(official), case_of(case.id), **values)


# ---------------------------------------------------------------- opening

def test_a_bad_rating_opens_one_case_due_in_working_days(app):
    r, dept, _official = responded_round()
    rater, case = rate(r)
    assert case is not None and case.status == CaseStatus.OPEN
    assert (case.department_id, case.rater_id, case.round_id) == (dept.id, rater.id, r.id)
    assert case.reason == "答复没有回应我提出的问题。"
    assert case.due_at == services.due_at(dept.id, case.opened_at)
    assert tally(dept.id)["opened"] == 1
    # Changing the answer (still bad, or better then bad again) opens no second case.
    rate(r, rater, rating=2)
    rate(r, rater, satisfaction="satisfied", rating=4)
    rate(r, rater)
    assert db.session.scalar(select(func.count(RectificationCase.id))) == 1
    assert tally(dept.id)["opened"] == 1


def test_good_ratings_open_no_case(app):
    r, _dept, _official = responded_round()
    for level in ("satisfied", "basically_satisfied"):
        _user, case = rate(r, satisfaction=level, rating=3)
        assert case is None
    assert db.session.scalar(select(func.count(RectificationCase.id))) == 0


def test_deadline_counts_working_days_across_a_holiday(app):
    r, dept, _official = responded_round()
    # 30 September 2026, 10:00 in Beijing: the National Day holiday follows.
    opened = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)
    due = services.due_at(dept.id, opened)
    assert due.astimezone(ZoneInfo("Asia/Shanghai")).date() == date(2026, 10, 13)
    RectificationPolicyFactory(department_id=dept.id, due_days=2)
    assert services.days_for(dept.id) == 2
    assert services.days_for(DepartmentFactory().id) == services.DEFAULT_DAYS


def test_a_rating_of_a_round_one_did_not_take_part_in_is_refused(app):
    r, _dept, _official = responded_round()
    outsider = fresh(UserFactory())
    with pytest.raises(PermissionDenied):
        do(surveys.submit_answer, outsider, get_round(outsider, r.id),
           satisfaction="dissatisfied", rating=1, clarity=1, heard="no")
    assert db.session.scalar(select(func.count(RectificationCase.id))) == 0


def test_a_second_case_for_one_rating_is_never_made(app):
    r, _dept, _official = responded_round()
    _rater, case = rate(r)
    answer = db.session.get(SurveyAnswer, case.answer_id)
    assert do(services.open_case, answer, get_round(None, r.id)) is None
    assert db.session.scalar(select(func.count(RectificationCase.id))) == 1


# ---------------------------------------------------------------- the state machine

def test_follow_up_then_rectify_linked_to_an_erratum_then_rerate(app, outbox):
    r, dept, official = responded_round()
    rater, case = rate(r)
    response = RoundResponseFactory(round_=r, department_id=dept.id, published_at=now())
    erratum = ErratumFactory(response_id=response.id, body="第三条的补贴标准更正为每月300元。")
    with pytest.raises(Conflict):  # closed without a 回访
        do(services.resolve, fresh(official), case_of(case.id), resolution="rectified",
           note="已更正。")
    assert case_of(case.id).status == CaseStatus.OPEN
    follow_up(official, case)
    assert tally(dept.id)["followed_up"] == 1
    do(services.resolve, fresh(official), case_of(case.id), resolution="rectified",
       note="已发布勘误，更正补贴标准。", erratum_id=str(erratum.id))
    c = case_of(case.id)
    assert (c.status, c.resolution.value, c.erratum_id, c.resolved_in_time) == (
        CaseStatus.RESOLVED, "rectified", erratum.id, True)
    note = db.session.scalar(select(Notification).where(Notification.user_id == rater.id,
                                                        Notification.kind ==
                                                        "rating_followed_up"))
    assert note is not None and note.link == f"/rectification/{case.id}"
    assert any(rater.email in m.to for m in outbox)
    with pytest.raises(PermissionDenied):  # only the rater rates again
        do(services.rerate, fresh(official), case_of(case.id), satisfaction="satisfied")
    do(services.rerate, fresh(rater), case_of(case.id), satisfaction="basically_satisfied")
    c = case_of(case.id)
    assert (c.status, c.rerating.value, c.first_satisfaction.value) == (
        CaseStatus.CLOSED, "basically_satisfied", "dissatisfied")
    with pytest.raises(InvalidState):  # once
        do(services.rerate, fresh(rater), case_of(case.id), satisfaction="satisfied")
    t = tally(dept.id)
    assert (t["rectified"], t["in_time"], t["rerated"], t["improved"]) == (1, 1, 1, 1)
    actions = set(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.target_type == "rectification_case", AuditEntry.target_id == case.id)))
    assert actions == {"rectification.open", "rectification.follow_up",
                       "rectification.resolve", "rectification.rerate"}


def test_explaining_late_counts_as_not_in_time(app):
    r, dept, official = responded_round()
    _rater, case = rate(r)
    with atomic():
        db.session.get(RectificationCase, case.id).due_at = now() - timedelta(hours=1)
    follow_up(official, case)
    do(services.resolve, fresh(official), case_of(case.id), resolution="explained",
       note="补贴标准由上级文件规定，本次无法调整。")
    assert case_of(case.id).resolved_in_time is False
    t = tally(dept.id)
    assert (t["explained"], t["in_time"]) == (1, 0)


def test_bad_input_is_refused_beside_the_field_and_nothing_changes(app):
    r, _dept, official = responded_round()
    _rater, case = rate(r)
    other_r, _d, _o = responded_round()
    for kw, name in ((dict(on=None), "on"), (dict(on=local_day(now()) + timedelta(days=2)), "on"),
                     (dict(channel="pigeon"), "channel"), (dict(note="  "), "note")):
        with pytest.raises(ValidationFailed) as e:
            follow_up(official, case, **kw)
        assert e.value.field == name
    assert case_of(case.id).followed_up_on is None
    follow_up(official, case)
    with pytest.raises(ValidationFailed) as e:
        do(services.resolve, fresh(official), case_of(case.id), resolution="ignored",
           note="x")
    assert e.value.field == "resolution"
    resp = RoundResponseFactory(round_=other_r, department_id=_d.id, published_at=None)
    foreign = ErratumFactory(response_id=resp.id, body="别的轮次的勘误。")
    with pytest.raises(ValidationFailed) as e:  # another round's erratum
        do(services.resolve, fresh(official), case_of(case.id), resolution="rectified",
           note="已更正。", erratum_id=foreign.id)
    assert e.value.field == "erratum_id"
    assert case_of(case.id).status == CaseStatus.OPEN


def test_rules_for_every_kind_of_user(app):
    r, dept, official = responded_round()
    rater, case = rate(r)
    evaluator = UserFactory(role="evaluator")
    admin = UserFactory(role="admin")
    other_official = UserFactory(role="official", role__department=DepartmentFactory())
    citizen = UserFactory()
    c = case_of(case.id)
    expected = {  # workspace, manage, review, rerate
        "anonymous": (AnonymousUserMixin(), False, False, False, False),
        "rater": (rater, False, False, False, True),
        "citizen": (citizen, False, False, False, False),
        "official": (official, True, True, False, False),
        "other official": (other_official, True, False, False, False),
        "evaluator": (evaluator, False, False, True, False),
        "admin": (admin, False, False, True, False),
    }
    for name, (user, workspace, manage, review, again) in expected.items():
        if not isinstance(user, AnonymousUserMixin):
            user = fresh(user)
        assert check(user, "rectification.workspace") is workspace, name
        assert check(user, "rectification.manage", c) is manage, name
        assert check(user, "rectification.review", c) is review, name
        assert check(user, "rectification.rerate", c) is again, name
    # An evaluator who is also an official of the department never reviews its appeals.
    both = UserFactory(role="evaluator")
    RoleAssignmentFactory(user=both, department=dept)
    assert check(fresh(both), "rectification.review", c) is False


# ---------------------------------------------------------------- appeal and review

def test_appeal_voided_takes_the_rating_out_of_the_scores(app):
    r, dept, official = responded_round()
    rater, case = rate(r)
    rate(r, satisfaction="satisfied", rating=5)
    before = db.session.get(Survey, r.id)
    db.session.refresh(before)
    assert (before.respondents, before.dissatisfied) == (2, 1)
    other = UserFactory(role="official", role__department=DepartmentFactory())
    with pytest.raises(PermissionDenied):  # an appeal by another department
        do(services.appeal, fresh(other), case_of(case.id), reason="恶意差评。")
    with pytest.raises(ValidationFailed):
        do(services.appeal, fresh(official), case_of(case.id), reason="")
    do(services.appeal, fresh(official), case_of(case.id),
       reason="评价内容与本次答复无关，含辱骂。")
    assert case_of(case.id).status == CaseStatus.APPEALED
    with pytest.raises(InvalidState):  # appealed cases are not rectified meanwhile
        follow_up(official, case)
        do(services.resolve, fresh(official), case_of(case.id), resolution="explained",
           note="x")
    with pytest.raises(PermissionDenied):  # the department never decides its own appeal
        do(services.decide, fresh(official), case_of(case.id), outcome="voided",
           reason="x")
    evaluator = UserFactory(role="evaluator")
    with pytest.raises(ValidationFailed):
        do(services.decide, fresh(evaluator), case_of(case.id), outcome="maybe", reason="x")
    do(services.decide, fresh(evaluator), case_of(case.id), outcome="voided",
       reason="评价含辱骂内容，与答复无关，作废。")
    c = case_of(case.id)
    assert (c.status, c.appeal_outcome.value) == (CaseStatus.VOIDED, "voided")
    survey = db.session.get(Survey, r.id)
    db.session.refresh(survey)
    assert (survey.respondents, survey.dissatisfied, survey.satisfied) == (1, 0, 1)
    assert db.session.get(SurveyAnswer, case.answer_id).voided_at is not None
    with pytest.raises(InvalidState):  # the voided rating can no longer change
        rate(r, rater, satisfaction="satisfied", rating=5)
    with pytest.raises(InvalidState):
        do(services.decide, fresh(evaluator), case_of(case.id), outcome="upheld", reason="x")
    t = tally(dept.id)
    assert (t["appealed"], t["voided"]) == (1, 1)


def test_appeal_upheld_reopens_and_is_made_once(app):
    r, dept, official = responded_round()
    _rater, case = rate(r)
    do(services.appeal, fresh(official), case_of(case.id), reason="评价有误。")
    do(services.decide, fresh(UserFactory(role="admin")), case_of(case.id), outcome="upheld",
       reason="评价针对答复内容，维持。")
    c = case_of(case.id)
    assert (c.status, c.appeal_outcome.value) == (CaseStatus.OPEN, "upheld")
    with pytest.raises(Conflict):
        do(services.appeal, fresh(official), case_of(case.id), reason="再次申诉。")
    assert tally(dept.id)["voided"] == 0


# ---------------------------------------------------------------- escalation

def test_overdue_cases_escalate_once_and_tell_officials_and_evaluators(app):
    r, dept, official = responded_round()
    _rater, case = rate(r)
    _rater2, on_time = rate(r)
    evaluator = UserFactory(role="evaluator")
    with atomic():
        db.session.get(RectificationCase, case.id).due_at = now() - timedelta(minutes=1)
    assert do(services.escalate_overdue) == 1
    assert do(services.escalate_overdue) == 0
    assert case_of(case.id).escalated_at is not None
    assert case_of(on_time.id).escalated_at is None
    told = set(db.session.scalars(select(Notification.user_id).where(
        Notification.kind == "rectification_overdue")))
    assert told == {official.id, evaluator.id}
    assert tally(dept.id)["escalated"] == 1


# ---------------------------------------------------------------- figures

def test_figures_and_lists_are_bounded(app, count_queries):
    for _ in range(3):
        r, dept, official = responded_round()
        for _ in range(3):
            rate(r)
    with count_queries() as seen:
        figures = services.department_figures()
    assert len(figures) == 3 and all(f.opened == 3 for f in figures)
    assert len(seen) == 1
    with count_queries() as seen:
        page = services.public_cases(page=1, per_page=5)
        [(c.round.consultation.title, c.department.name) for c in page.items]
    assert page.total == 9 and len(seen) == 2
    with count_queries() as seen:
        months = services.monthly_figures()
    assert len(seen) == 2 and sum(f.opened for f in months) == 9
    mine = services.workspace_cases(fresh(official), show="open")
    assert mine.total == 3
