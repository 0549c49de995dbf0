"""Hearings: scheduling (who, when, what), applications (once, before the close), selection
by the shown rule (order, a lot anyone can redo, a choice with reasons, never over
capacity), applicants told by e-mail, minutes after the hearing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy import select

from consult.channels import services
from consult.channels.models import ApplicationStatus, Hearing, HearingApplication
from consult.clock import now
from consult.db import atomic, db
from consult.errors import Conflict, InvalidState, PermissionDenied, ValidationFailed
from tests.factories import (
    ConsultationFactory,
    DepartmentFactory,
    RoundFactory,
    UserFactory,
    load_round,
    today,
)


def setup_round():
    dept = DepartmentFactory()
    r = RoundFactory(version__consultation=ConsultationFactory(department=dept))
    return r, UserFactory(role="official", role__department=dept)


def in_days(n: int) -> str:
    return (date.fromisoformat(today()) + timedelta(days=n)).isoformat()


def schedule(official, r, **fields):
    data = {"kind": "symposium", "topic": "养老服务条例座谈会", "place": "市民中心三楼会议室",
            "day": in_days(10), "at": "14:30", "capacity": "2", "selection": "order"}
    data.update(fields)
    with atomic():
        return services.schedule_hearing(official, load_round(r, official), **data).id


def apply(user, hearing_id, statement="我想谈谈社区食堂。"):
    with atomic():
        return services.apply_to_attend(user, db.session.get(Hearing, hearing_id),
                                        statement=statement).id


def select_all(official, r, hearing_id, **kw):
    with atomic():
        return services.select_attendees(official, load_round(r, official),
                                         db.session.get(Hearing, hearing_id), **kw)


def statuses(hearing_id):
    db.session.expire_all()
    return [a.status for a in db.session.scalars(
        select(HearingApplication).where(HearingApplication.hearing_id == hearing_id)
        .order_by(HearingApplication.id))]


def test_scheduling_defaults_the_close_to_three_working_days_before(app):
    r, official = setup_round()
    hid = schedule(official, r)
    h = db.session.get(Hearing, hid)
    assert h.capacity == 2 and h.starts_at.hour == 6 and h.starts_at.minute == 30  # 14:30 CST
    assert services.workdays_before(h.starts_at.date(), 3) == h.apply_until or \
        h.apply_until == date.fromisoformat(today())
    with pytest.raises(PermissionDenied):
        schedule(UserFactory(role="official", role__department=DepartmentFactory()), r)


@pytest.mark.parametrize("fields, field", [
    ({"topic": " "}, "topic"), ({"place": ""}, "place"), ({"day": "tomorrowish"}, "day"),
    ({"day": in_days(0)}, "day"), ({"at": "25:99"}, "at"), ({"capacity": "0"}, "capacity"),
    ({"capacity": "many"}, "capacity"), ({"selection": "bribe"}, "selection"),
    ({"kind": "party"}, "kind"), ({"apply_until": in_days(20)}, "apply_until"),
])
def test_bad_hearings_are_refused_beside_the_field(app, fields, field):
    r, official = setup_round()
    with pytest.raises(ValidationFailed) as refused:
        schedule(official, r, **fields)
    assert refused.value.field == field
    assert db.session.scalar(select(Hearing.id)) is None


def test_in_order_of_application_never_over_capacity_and_everyone_is_told(app, outbox):
    r, official = setup_round()
    hid = schedule(official, r, capacity="2")
    people = [UserFactory() for _ in range(3)]
    for p in people:
        apply(p, hid)
    with pytest.raises(Conflict):
        apply(people[0], hid)
    assert db.session.get(Hearing, hid).application_count == 3
    done = select_all(official, r, hid)
    assert (done.chosen, done.applicants) == (2, 3)
    assert statuses(hid) == [ApplicationStatus.SELECTED, ApplicationStatus.SELECTED,
                             ApplicationStatus.NOT_SELECTED]
    assert sorted(m.to[0] for m in outbox) == sorted(p.email for p in people)
    with pytest.raises(InvalidState):
        apply(UserFactory(), hid)  # selection closes the applications
    with pytest.raises(Conflict):
        select_all(official, r, hid)


def test_a_lot_anyone_can_redo(app):
    r, official = setup_round()
    hid = schedule(official, r, capacity="2", selection="lot")
    for _ in range(5):
        apply(UserFactory(), hid)
    select_all(official, r, hid)
    h = db.session.get(Hearing, hid)
    apps = list(db.session.scalars(select(HearingApplication).where(
        HearingApplication.hearing_id == hid)))
    assert h.seed and len(h.seed) == 32
    expected = {a.id for a in services.lot_order(h.seed, apps)[:2]}
    assert {a.id for a in apps if a.status is ApplicationStatus.SELECTED} == expected


def test_a_choice_needs_reasons_and_respects_capacity(app):
    r, official = setup_round()
    hid = schedule(official, r, capacity="1", selection="choice")
    ids = [apply(UserFactory(), hid) for _ in range(3)]
    with pytest.raises(ValidationFailed) as over:
        select_all(official, r, hid, chosen_ids=[str(i) for i in ids[:2]], reason="代表性")
    assert over.value.field == "chosen_ids" and "1 seats" in str(over.value.message)
    with pytest.raises(ValidationFailed) as no_reason:
        select_all(official, r, hid, chosen_ids=[str(ids[1])], reason="")
    assert no_reason.value.field == "reason"
    with pytest.raises(ValidationFailed):
        select_all(official, r, hid, chosen_ids=["999999"], reason="x")
    assert statuses(hid) == [ApplicationStatus.APPLIED] * 3  # nothing half-saved
    select_all(official, r, hid, chosen_ids=[str(ids[1])], reason="兼顾不同年龄段的代表性")
    assert statuses(hid) == [ApplicationStatus.NOT_SELECTED, ApplicationStatus.SELECTED,
                             ApplicationStatus.NOT_SELECTED]


def test_applications_close_on_their_day_and_need_a_statement(app):
    r, official = setup_round()
    hid = schedule(official, r, apply_until=in_days(1))
    with pytest.raises(ValidationFailed):
        apply(UserFactory(), hid, statement="  ")
    with time_machine.travel(now() + timedelta(days=3)), pytest.raises(InvalidState):
        apply(UserFactory(), hid)


def test_minutes_only_after_the_hearing(app):
    r, official = setup_round()
    hid = schedule(official, r)
    with pytest.raises(InvalidState), atomic():
        services.publish_minutes(official, load_round(r, official), db.session.get(Hearing, hid),
                                 minutes="纪要")
    with time_machine.travel(now() + timedelta(days=12)):
        with atomic():
            services.publish_minutes(official, load_round(r, official), db.session.get(Hearing, hid),
                                     minutes="座谈会纪要：与会代表一致认为……")
    assert db.session.get(Hearing, hid).minutes_published_at is not None


def test_an_opinion_voiced_at_a_hearing_is_linked_to_it(app):
    r, official = setup_round()
    hid = schedule(official, r)
    with atomic():
        rec = services.record_opinion(official, load_round(r, official), channel="hearing",
                                      received_on=today(), body="座谈会发言",
                                      hearing=db.session.get(Hearing, hid))
    assert rec.hearing_id == hid
    with pytest.raises(ValidationFailed), atomic():
        services.record_opinion(official, load_round(r, official), channel="letter",
                                received_on=today(), body="来信",
                                hearing=db.session.get(Hearing, hid))
