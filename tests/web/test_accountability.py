"""Public accountability: overdue responses and follow-up actions, site-wide and per
department, with the clock under control."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from consult.db import atomic, db
from consult.responses import services
from consult.rounds.services import get_round
from tests.factories import ConsultationFactory, DepartmentFactory, RoundFactory, closed_round

T0 = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)


pytestmark = pytest.mark.usefixtures("english")  # assertions read the English messages


def load(r, actor):
    db.session.expire_all()
    return get_round(actor, r.id)


def responded_with_action(due: date, title: str):
    r, dept, official = closed_round()
    with atomic():
        services.start_triage(load(r, official))
    with atomic():
        services.add_action(official, load(r, official), title=title, owner_unit="规划科",
                            due_on=due)
    with atomic():
        services.save_response(official, load(r, official), summary="答复。")
    with atomic():
        services.publish_response(official, load(r, official))
    return r, dept, official


def test_overdue_actions_appear_when_the_due_date_passes(client):
    with time_machine.travel(T0, tick=False):
        r, dept, _official = responded_with_action(date(2026, 6, 20), "修缮无障碍坡道")
        page = client.get("/accountability/?show=actions")
        assert page.status_code == 200
        assert "No follow-up action is overdue." in page.text
    with time_machine.travel(T0 + timedelta(days=25), tick=False):
        page = client.get("/accountability/?show=actions")
        assert "修缮无障碍坡道" in page.text and "Overdue" in page.text
        dept_page = client.get(f"/departments/{dept.slug}")
        assert "修缮无障碍坡道" in dept_page.text and "Overdue" in dept_page.text
        resp_page = client.get(f"/rounds/{r.id}/response")
        assert "action-overdue" in resp_page.text


def test_overdue_responses_site_wide_and_on_the_department(client):
    dept = DepartmentFactory()
    consultation = ConsultationFactory(department=dept)
    late = RoundFactory(overdue=True, version__consultation=consultation, title="第一轮征求意见")
    RoundFactory(closed=True, version__consultation=consultation, title="尚未到期")
    hidden = RoundFactory(overdue=True,
                          version__consultation=ConsultationFactory(unpublished=True),
                          title="未公开的轮次")
    page = client.get("/accountability/")
    assert "第一轮征求意见" in page.text and "Response overdue" in page.text
    assert "尚未到期" not in page.text and hidden.title not in page.text
    dept_page = client.get(f"/departments/{dept.slug}")
    assert "第一轮征求意见" in dept_page.text
    filtered = client.get(f"/accountability/?department={dept.slug}")
    assert "第一轮征求意见" in filtered.text
    assert client.get("/accountability/?department=no-such-dept").status_code == 404
    assert late.id


def test_an_answered_round_leaves_the_overdue_list(client):
    r, _dept, official = closed_round()
    from sqlalchemy import update

    from consult.rounds.models import Round

    db.session.execute(update(Round).where(Round.id == r.id).values(
        response_due_at=datetime.now(UTC) - timedelta(hours=1)))
    db.session.commit()
    assert [x.id for x in services.list_overdue_rounds().items] == [r.id]
    with atomic():
        services.start_triage(load(r, official))
    with atomic():
        services.save_response(official, load(r, official), summary="迟到的答复。")
    with atomic():
        services.publish_response(official, load(r, official))
    assert services.list_overdue_rounds().total == 0
    page = client.get(f"/rounds/{r.id}/response")
    assert "Published after its due date" in page.text


def test_accountability_lists_are_paginated_with_a_constant_budget(client, count_queries):
    counts = []
    for n in (2, 30):
        dept = DepartmentFactory()
        consultation = ConsultationFactory(department=dept)
        for i in range(n):
            RoundFactory(overdue=True, version__consultation=consultation, title=f"逾期{i}")
        with count_queries() as seen:
            page = client.get("/accountability/")
        assert page.status_code == 200
        counts.append(list(seen))
        with count_queries() as dept_seen:
            assert client.get(f"/departments/{dept.slug}").status_code == 200
        counts.append(list(dept_seen))
    assert "Page 1 of 2" in page.text
    # 8, and one for the record of bad ratings followed up (rectification).
    assert len(counts[2]) == len(counts[0]) <= 9, "\n".join(counts[2])
    assert len(counts[3]) == len(counts[1]), "\n".join(counts[3])
