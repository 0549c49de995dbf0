"""Consultation services: authoring, the working copy, immutable versions, limits, search."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consult.audit.models import AuditEntry
from consult.clock import now
from consult.consultations import services
from consult.consultations.models import (
    Clause,
    ClauseLineage,
    Consultation,
    DraftVersion,
    Tag,
    WorkingClause,
)
from consult.db import atomic, db
from consult.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from consult.rounds import listing
from tests.factories import (
    ConsultationFactory,
    DepartmentFactory,
    DraftVersionFactory,
    RoundFactory,
    UserFactory,
    with_roles,
)

pytestmark = pytest.mark.usefixtures("keep_loaded")


@pytest.fixture
def official(dept):
    return with_roles(UserFactory(role="official", role__department=dept))


def make(official, dept, **kw):
    fields = {"department_id": dept.id, "title": "社区养老服务管理办法", "summary": "规范社区养老服务。",
              "tags": "养老, 社区服务"}
    fields.update(kw)
    with atomic():
        return services.create_consultation(official, **fields)


def add(official, c, *texts):
    with atomic():
        return [services.add_clause(official, c, number=f"第{i}条", heading="", body=t)
                for i, t in enumerate(texts, start=1)]


def publish(official, c, note="说明"):
    with atomic():
        return services.publish_version(official, c, change_note=note)


def audit_actions():
    return [a for a in db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))]


# ---------------------------------------------------------------- authoring

def test_create_normalises_tags_and_audits(official, dept):
    c = make(official, dept, tags="养老， 社区服务、养老; Elderly Care ,#elderly care")
    assert [t.name for t in c.tags] == ["养老", "社区服务", "elderly care"]
    assert c.published_at is None and c.latest_version_number == 0
    assert db.session.scalar(select(func.count()).select_from(Tag)) == 3
    # existing tags are reused, not duplicated
    make(official, dept, title="另一个", tags="养老")
    assert db.session.scalar(select(func.count()).select_from(Tag)) == 3
    assert audit_actions().count("consultation.created") == 2


def test_create_refuses_empty_title_and_too_long_fields(official, dept):
    with pytest.raises(ValidationFailed) as exc:
        make(official, dept, title="   ")
    assert exc.value.field == "title"
    with pytest.raises(ValidationFailed) as exc:
        make(official, dept, summary="长" * 2001)
    assert exc.value.field == "summary" and "2000" in str(exc.value.message)
    with pytest.raises(ValidationFailed) as exc:
        make(official, dept, tags="x" * 41)
    assert exc.value.field == "tags"
    assert db.session.scalar(select(func.count()).select_from(Consultation)) == 0


def test_only_officials_of_the_chosen_department_create(official, dept):
    other = DepartmentFactory()
    with pytest.raises(ValidationFailed) as exc:
        make(official, other)
    assert exc.value.field == "department_id"
    citizen = with_roles(UserFactory())
    with pytest.raises(PermissionDenied):
        make(citizen, dept)
    assert db.session.scalar(select(func.count()).select_from(Consultation)) == 0


def test_official_of_another_department_cannot_touch(official, dept):
    c = make(official, dept)
    add(official, c, "正文")
    outsider = with_roles(UserFactory(role="official", role__department=DepartmentFactory()))
    for action in (
        lambda: services.update_consultation(outsider, c, department_id=dept.id, title="改"),
        lambda: services.add_clause(outsider, c, number="1", body="x"),
        lambda: services.publish_version(outsider, c, change_note="x"),
        lambda: services.publish_consultation(outsider, c),
    ):
        with pytest.raises(PermissionDenied), atomic():
            action()
    db.session.refresh(c)
    assert c.title == "社区养老服务管理办法" and c.latest_version_number == 0
    # unpublished: to an outsider it does not exist
    with pytest.raises(NotFound):
        services.get_for_manage(outsider, c.id)


def test_update_records_changes(official, dept):
    c = make(official, dept)
    with atomic():
        services.update_consultation(official, c, department_id=dept.id, title="新标题",
                                     summary="新摘要", tags="交通")
    assert c.title == "新标题" and [t.name for t in c.tags] == ["交通"]
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "consultation.updated"))
    assert set(entry.data["changes"]) >= {"title", "summary", "tags"}


# ---------------------------------------------------------------- working copy and versions

def test_publish_version_creates_lineages_and_never_alters_old_versions(official, dept):
    c = make(official, dept)
    add(official, c, "第一条正文", "第二条正文", "第三条正文")
    v1 = publish(official, c, "首次公开征求意见")
    assert (v1.number, v1.clause_count, c.latest_version_number) == (1, 3, 1)
    v1_clauses = [(x.id, x.lineage_id, x.body) for x in services.version_clauses(v1)]
    assert len({lin for _, lin, _ in v1_clauses}) == 3

    working = services.working_copy(official, c)
    assert [w.lineage_id for w in working] == [lin for _, lin, _ in v1_clauses]
    with atomic():
        services.update_clause(official, c, working[0].id, number="第1条", heading="",
                               body="第一条正文（修改）")
        services.move_clause(official, c, working[2].id, direction="up")
        services.delete_clause(official, c, working[1].id)
        services.add_clause(official, c, number="第4条", body="新增条款")
    v2 = publish(official, c, "根据意见修改")
    assert v2.number == 2 and c.latest_version_number == 2
    v2_clauses = services.version_clauses(v2)
    assert [x.body for x in v2_clauses] == ["第一条正文（修改）", "第三条正文", "新增条款"]
    # continuing clauses keep their lineage; the new one got a new lineage
    assert v2_clauses[0].lineage_id == v1_clauses[0][1]
    assert v2_clauses[1].lineage_id == v1_clauses[2][1]
    assert v2_clauses[2].lineage_id not in {lin for _, lin, _ in v1_clauses}
    assert db.session.scalar(select(func.count()).select_from(ClauseLineage)) == 4
    # version 1 is untouched
    db.session.expire_all()
    assert [(x.id, x.lineage_id, x.body) for x in services.version_clauses(
        db.session.get(DraftVersion, v1.id))] == v1_clauses
    assert "draft.version_published" in audit_actions()


def test_published_versions_cannot_be_edited(official, dept):
    c = make(official, dept)
    add(official, c, "正文")
    v1 = publish(official, c)
    clause = services.version_clauses(v1)[0]
    clause.body = "偷偷改掉"
    with pytest.raises(RuntimeError, match="immutable"):
        db.session.flush()
    db.session.rollback()
    v1 = db.session.get(DraftVersion, v1.id)
    v1.change_note = "改说明"
    with pytest.raises(RuntimeError, match="immutable"):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(Clause.body)) == "正文"


def test_publish_refuses_empty_and_identical_working_copy(official, dept):
    c = make(official, dept)
    with pytest.raises(ValidationFailed, match="The working copy is empty"):
        publish(official, c)
    add(official, c, "正文")
    with pytest.raises(ValidationFailed) as exc:
        publish(official, c, note="  ")
    assert exc.value.field == "change_note"
    publish(official, c)
    with pytest.raises(ValidationFailed, match="identical to version"):
        publish(official, c)
    # deleting and re-adding the same text is still the same text
    w = services.working_copy(official, c)
    with atomic():
        services.delete_clause(official, c, w[0].id)
        services.add_clause(official, c, number="第1条", body="正文")
    with pytest.raises(ValidationFailed, match="identical to version"):
        publish(official, c)
    assert db.session.scalar(select(func.count()).select_from(DraftVersion)) == 1


def test_clause_limits(official, dept, monkeypatch):
    c = make(official, dept)
    with pytest.raises(ValidationFailed) as exc, atomic():
        services.add_clause(official, c, number="1", body="长" * 20_001)
    assert exc.value.field == "body" and "20000" in str(exc.value.message)
    with pytest.raises(ValidationFailed) as exc, atomic():
        services.add_clause(official, c, number="", body="x")
    assert exc.value.field == "number"
    monkeypatch.setattr(services.common, "MAX_CLAUSES", 3)
    add(official, c, "a", "b", "c")
    with pytest.raises(ValidationFailed, match="at most 3 clauses"), atomic():
        services.add_clause(official, c, number="4", body="d")
    assert db.session.scalar(select(func.count()).select_from(WorkingClause)) == 3


def test_import_parses_articles_and_refuses_too_many(official, dept):
    c = make(official, dept)
    text = ("第一章 总则\n第一条【目的】为了规范社区养老服务，制定本办法。\n"
            "第二条　本办法适用于本市行政区域。\n续行文字。\n\n第三条 附则")
    with atomic():
        added = services.import_clauses(official, c, text=text)
    assert [(a.number, a.heading, a.body) for a in added] == [
        ("第一条", "目的", "为了规范社区养老服务，制定本办法。"),
        ("第二条", "", "本办法适用于本市行政区域。\n续行文字。"),
        ("第三条", "", "附则")]
    many = "\n".join(f"第{i}条 内容{i}" for i in range(1, 10_001))
    with pytest.raises(ValidationFailed, match="at most 500 clauses; this would make 10003") as exc, atomic():
        services.import_clauses(official, c, text=many)
    assert exc.value.field == "text"
    assert db.session.scalar(select(func.count()).select_from(WorkingClause)) == 3
    assert services.parse_clauses("Para one.\n\nPara two.") == [("1", "", "Para one."),
                                                                 ("2", "", "Para two.")]


def test_restore_working_copy(official, dept):
    c = make(official, dept)
    add(official, c, "甲", "乙")
    publish(official, c)
    w = services.working_copy(official, c)
    with atomic():
        services.delete_clause(official, c, w[0].id)
        services.restore_working_copy(official, c)
    assert [x.body for x in services.working_copy(official, c)] == ["甲", "乙"]
    changes = services.pending_changes(official, c, services.working_copy(official, c))
    assert changes.identical


def test_publish_consultation_needs_a_version(official, dept):
    c = make(official, dept)
    with pytest.raises(ValidationFailed), atomic():
        services.publish_consultation(official, c)
    add(official, c, "正文")
    publish(official, c)
    with atomic():
        services.publish_consultation(official, c)
    assert c.published_at is not None
    with pytest.raises(Conflict), atomic():
        services.publish_consultation(official, c)


# ---------------------------------------------------------------- public reads

def test_search_chinese_substrings_escaped_terms_and_filters(app):
    d1, d2 = DepartmentFactory(slug="civil"), DepartmentFactory(slug="transport")
    elder = ConsultationFactory(department=d1, title="社区养老服务管理办法",
                                summary="规范日间照料")
    bus = ConsultationFactory(department=d2, title="公共交通票价调整方案",
                              summary="地铁 100% 票价")
    ConsultationFactory(department=d1, title="养老机构（未公开）", unpublished=True)
    ids = lambda **kw: [c.id for c in listing.search_consultations(**kw).items]  # noqa: E731
    assert ids(q="养老") == [elder.id]
    assert ids(q="日间 养老") == [elder.id]
    assert ids(q="养老 地铁") == []
    assert ids(q="100%") == [bus.id]
    assert ids(q="%") == [bus.id]  # escaped: % is a character, not a wildcard
    assert ids(q="_") == []
    assert set(ids()) == {elder.id, bus.id}
    assert ids(department="transport") == [bus.id]
    assert ids(sort="title") == sorted([elder.id, bus.id], key=lambda i: db.session.get(
        Consultation, i).title)


def test_state_filters_and_closing_soonest(app):
    soon = RoundFactory(closes_at=now() + timedelta(days=2))
    later = RoundFactory(closes_at=now() + timedelta(days=9))
    upcoming = RoundFactory(scheduled=True)
    overdue = RoundFactory(overdue=True)
    ids = lambda **kw: [c.id for c in listing.search_consultations(**kw).items]  # noqa: E731
    assert ids(state="open", sort="closing") == [soon.consultation_id, later.consultation_id]
    assert ids(state="upcoming") == [upcoming.consultation_id]
    assert ids(state="awaiting") == [overdue.consultation_id]
    assert ids(state="overdue") == [overdue.consultation_id]
    assert ids(state="responded") == []
    assert [c.id for c in listing.open_now(5)] == [soon.consultation_id,
                                                    later.consultation_id]


def test_department_record_counts_only_published(app):
    dept = DepartmentFactory()
    c = ConsultationFactory(department=dept)
    v = DraftVersionFactory(consultation=c)
    RoundFactory(version=v, consultation=c)
    RoundFactory(version=v, consultation=c, overdue=True)
    hidden = ConsultationFactory(department=dept, unpublished=True)
    RoundFactory(version=DraftVersionFactory(consultation=hidden), consultation=hidden)
    record = listing.department_record(dept)
    assert record.consultations == 1
    assert record.rounds_by_state == {"open": 1, "closed": 1}
    assert record.overdue == 1 and record.responses == 0
