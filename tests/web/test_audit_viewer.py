"""The admin audit log viewer: filters (actor, action, object, dates), CSV export with a
BOM that respects the same filters, admins only."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from consult.clock import now
from consult.db import atomic, db
from tests.factories import AuditEntryFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.usefixtures("english")  # assertions read the English messages


@pytest.fixture
def log(app):
    admin = UserFactory(role="admin", display_name="管理员甲")
    moderator = UserFactory(role="moderator", display_name="审核员乙")
    long_ago = now() - timedelta(days=40)
    AuditEntryFactory(actor_id=moderator.id, action="moderation.hide",
                      target_type="comment", target_id=7, data={"reason": "广告"})
    AuditEntryFactory(actor_id=moderator.id, action="moderation.suspend",
                      target_type="user", target_id=3, data={"reason": "=HYPERLINK(\"x\")"})
    AuditEntryFactory(actor_id=admin.id, action="user.roles_changed",
                      target_type="user", target_id=3, data={})
    AuditEntryFactory(action="round.closed", target_type="round", target_id=1, at=long_ago)
    return admin, moderator


def rows(response):
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM first"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.parametrize("role, status", [("citizen", 403), ("moderator", 403),
                                          ("official", 403), ("admin", 200)])
def test_admins_only(client, login_as, log, role, status):
    users = {"admin": lambda: log[0], "moderator": lambda: log[1], "citizen": UserFactory,
             "official": lambda: UserFactory(role="official",
                                             role__department=DepartmentFactory())}
    login_as(users[role]())
    assert client.get("/admin/audit").status_code == status
    assert client.get("/admin/audit.csv").status_code == status


def test_visitors_are_sent_to_log_in(client, log):
    assert client.get("/admin/audit.csv").status_code == 302


@pytest.mark.parametrize("query, expected", [
    ("", {"moderation.hide", "moderation.suspend", "user.roles_changed", "round.closed"}),
    ("actor=审核员", {"moderation.hide", "moderation.suspend"}),
    ("actor=system", {"round.closed"}),
    ("action=moderation.", {"moderation.hide", "moderation.suspend"}),
    ("target_type=user", {"moderation.suspend", "user.roles_changed"}),
    ("target_type=user&target_id=3&action=user.", {"user.roles_changed"}),
    ("target_type=comment&target_id=7", {"moderation.hide"}),
])
def test_filters_apply_to_page_and_csv(client, login_as, log, query, expected):
    login_as(log[0])
    page = client.get(f"/admin/audit?{query}")
    assert page.status_code == 200
    shown = {a for a in expected if f"<code>{a}</code>" in page.text}
    assert shown == expected
    for other in {"moderation.hide", "moderation.suspend", "user.roles_changed",
                  "round.closed"} - expected:
        assert f"<code>{other}</code>" not in page.text
    export = client.get(f"/admin/audit.csv?{query}")
    assert export.mimetype == "text/csv" and "attachment" in export.headers[
        "Content-Disposition"]
    assert {r["action"] for r in rows(export)} == expected


def test_date_range(client, login_as, log):
    login_as(log[0])
    today = now().astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()  # the site's day
    recent = rows(client.get(f"/admin/audit.csv?since={today}&until={today}"))
    assert "round.closed" not in {r["action"] for r in recent} and len(recent) == 3
    old_day = (now() - timedelta(days=40)).astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    old = rows(client.get(f"/admin/audit.csv?since={old_day}&until={old_day}"))
    assert [r["action"] for r in old] == ["round.closed"]


def test_bad_filters_are_422_beside_the_field(client, login_as, log):
    login_as(log[0])
    bad = client.get("/admin/audit?since=yesterday&target_id=abc")
    assert bad.status_code == 422
    assert "Enter a date as YYYY-MM-DD." in bad.text and "Enter the object&#39;s number." in bad.text
    assert client.get("/admin/audit.csv?since=2026-13-01").status_code == 422
    backwards = client.get("/admin/audit?since=2026-05-02&until=2026-05-01")
    assert backwards.status_code == 422 and "before the start date" in backwards.text


def test_csv_keeps_chinese_and_defuses_formulas(client, login_as, log):
    login_as(log[0])
    data = rows(client.get("/admin/audit.csv?action=moderation."))
    by_action = {r["action"]: r for r in data}
    assert "广告" in by_action["moderation.hide"]["data"]
    assert by_action["moderation.hide"]["actor"] == "审核员乙"
    # A cell starting with "=" would run as a formula in a spreadsheet.
    assert not by_action["moderation.suspend"]["data"].startswith("=")


def test_csv_streams_many_rows_in_batches(client, login_as, log):
    with atomic():  # built, and added in one transaction
        db.session.add_all(AuditEntryFactory.build(action="bulk.test", target_type="round",
                                                   target_id=i) for i in range(1203))
    login_as(log[0])
    response = client.get("/admin/audit.csv?action=bulk.")
    assert response.is_streamed
    data = rows(response)
    assert len(data) == 1203 and len({r["id"] for r in data}) == 1203


def test_audit_page_query_budget(client, login_as, log, count_queries):
    login_as(log[0])
    client.get("/admin/audit")
    with count_queries() as small:
        client.get("/admin/audit")
    with atomic():
        db.session.add_all(AuditEntryFactory.build(
            actor_id=log[1].id, action="moderation.flag",
            target_type="comment", target_id=i) for i in range(300))
    with count_queries() as big:
        client.get("/admin/audit")
    assert len(small) == len(big) <= 10, "\n".join(big)


def test_entries_read_as_words_in_the_readers_language(client, login_as, log):
    """Translated action and object names (the code beside them), details as written
    (no \\u escapes), times and date filters in Shanghai time."""
    client.set_cookie("locale", "zh_CN")
    login_as(log[0])
    page = client.get("/admin/audit").text
    assert "禁言账号" in page and "<code>moderation.suspend</code>" in page
    assert "修改角色" in page and "用户 #3" in page
    assert "广告" in page and "\\u" not in page
    assert "(UTC)" not in page and "起始日期" in page


def test_a_day_is_the_readers_day(client, login_as, app):
    """An entry at 23:30 UTC on 1 December is on 2 December in Shanghai."""
    from datetime import UTC, datetime
    admin = UserFactory(role="admin")
    AuditEntryFactory(action="round.closed", target_type="round", target_id=1,
                      at=datetime(2026, 12, 1, 23, 30, tzinfo=UTC))
    login_as(admin)
    on_2nd = rows(client.get("/admin/audit.csv?since=2026-12-02&until=2026-12-02"))
    on_1st = rows(client.get("/admin/audit.csv?since=2026-12-01&until=2026-12-01"))
    assert [r["action"] for r in on_2nd] == ["round.closed"]
    assert "round.closed" not in [r["action"] for r in on_1st]
