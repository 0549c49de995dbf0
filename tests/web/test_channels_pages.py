"""Channels pages: the ledger, recording a letter with its scan, importing a spreadsheet
with a preview, receipts (printable and the public lookup), confidential opinions on
every public page and export. Statuses, messages beside fields, query budgets."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from consult import uploads
from consult.db import atomic, db
from consult.participation.models import Channel, Comment
from consult.participation.services import post_comment
from tests.factories import (
    ConsultationFactory,
    DepartmentFactory,
    RoundFactory,
    UserFactory,
    closed_round,
    load_round,
    today,
    yesterday,
)
from tests.files import EXE, PDF, csv_bytes, post_big

pytestmark = pytest.mark.usefixtures("english")


def open_round():
    dept = DepartmentFactory()
    consultation = ConsultationFactory(department=dept)
    r = RoundFactory(version__consultation=consultation)
    return r, dept, UserFactory(role="official", role__department=dept)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def letter_form(**extra):
    data = {"channel": "letter", "received_on": today(), "sender_name": "王大爷",
            "sender_contact": "东城区某街1号", "clause_id": "", "body": "建议延长开放时间。"}
    data.update(extra)
    return data


def test_the_ledger_is_for_the_departments_officials(client, login_as):
    r, _dept, official = open_round()
    url = f"/manage/rounds/{r.id}/ledger"
    assert client.get(url).status_code == 302
    login_as(UserFactory())
    assert client.get(url).status_code == 403
    login_as(UserFactory(role="official", role__department=DepartmentFactory()))
    assert client.get(url).status_code == 403
    assert client.post(f"/manage/rounds/{r.id}/ledger/new", data=letter_form()).status_code == 403
    assert count(Comment) == 0
    login_as(official)
    resp = client.get(url)
    assert resp.status_code == 200 and "Ledger of opinions" in resp.text


def test_an_official_records_a_letter_with_a_scan_and_prints_its_receipt(client, login_as):
    r, _dept, official = open_round()
    login_as(official)
    data = letter_form(file=(io.BytesIO(PDF), "扫描件.pdf"))
    resp = client.post(f"/manage/rounds/{r.id}/ledger/new", data=data,
                       content_type="multipart/form-data")
    assert resp.status_code == 303
    detail = client.get(resp.headers["Location"])
    assert detail.status_code == 200
    assert "王大爷" in detail.text and "扫描件.pdf" in detail.text
    c = db.session.scalar(select(Comment))
    assert c.channel is Channel.LETTER and c.receipt in detail.text
    file_url = re.search(r'href="([^"]+/file)"', detail.text).group(1)
    got = client.get(file_url)
    assert got.status_code == 200 and got.data == PDF
    assert got.headers["Content-Disposition"].startswith("attachment")
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    receipt = client.get(f"/comments/{c.id}/receipt")
    assert receipt.status_code == 200 and c.receipt in receipt.text
    # Another department's official gets neither the record nor the file.
    login_as(UserFactory(role="official", role__department=DepartmentFactory()))
    assert client.get(file_url).status_code == 403
    assert client.get(f"/comments/{c.id}/receipt").status_code == 403
    # The public sees the letter as a letter: never the sender, never the official.
    client.delete_cookie("session")
    login_as(UserFactory())
    page = client.get(f"/rounds/{r.id}/comments")
    assert page.status_code == 200 and "建议延长开放时间。" in page.text
    assert "王大爷" not in page.text and official.display_name not in page.text
    assert "Letter" in page.text
    assert client.get(f"/comments/{c.id}/receipt").status_code == 403


def test_an_executable_or_huge_upload_is_refused_and_nothing_saved(client, login_as, app):
    r, _dept, official = open_round()
    login_as(official)
    resp = client.post(f"/manage/rounds/{r.id}/ledger/new",
                       data=letter_form(file=(io.BytesIO(EXE), "scan.pdf")),
                       content_type="multipart/form-data")
    assert resp.status_code == 422 and "This kind of file is not accepted here." in resp.text
    assert count(Comment) == 0 and count(uploads.Upload) == 0
    big = b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024)
    resp = post_big(client, f"/manage/rounds/{r.id}/ledger/new",
                    letter_form(file=(io.BytesIO(big), "big.pdf")))
    assert resp.status_code == 413
    assert count(Comment) == 0 and count(uploads.Upload) == 0
    resp = client.post(f"/manage/rounds/{r.id}/ledger/new", data=letter_form(body=""))
    assert resp.status_code == 422 and "Enter the text of the opinion." in resp.text
    assert count(Comment) == 0


def test_a_scan_of_a_few_megabytes_passes_the_csrf_check(client, login_as, app):
    """The app-wide CSRF check read the form at the app's 2 MB limit before the view could
    raise it, so every real scan came back 413; it is accepted up to the upload limit now,
    and the token is still required."""
    r, _dept, official = open_round()
    login_as(official)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        form = client.get(f"/manage/rounds/{r.id}/ledger/new")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form.text) \
            or re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        scan = PDF + b"0" * (5 * 1024 * 1024)
        url = f"/manage/rounds/{r.id}/ledger/new"

        def post(**extra):
            return post_big(client, url, letter_form(file=(io.BytesIO(scan), "scan.pdf"),
                                                     **extra))

        refused = post()
        assert refused.status_code == 400 and count(Comment) == 0
        resp = post(csrf_token=token.group(1))
        assert resp.status_code == 303, resp.text[:500]
        assert count(Comment) == 1 and count(uploads.Upload) == 1
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_a_spreadsheet_is_previewed_then_imported_whole(client, login_as):
    r, _dept, official = open_round()
    login_as(official)
    url = f"/manage/rounds/{r.id}/ledger/import"
    assert client.get(url).status_code == 200
    broken = csv_bytes([["channel", "received_on", "opinion"],
                        ["letter", today(), "第一封"], ["pigeon", today(), "第二封"],
                        ["letter", "not a day", "第三封"]])
    resp = client.post(url, data={"channel": "", "file": (io.BytesIO(broken), "信.csv")},
                       content_type="multipart/form-data")
    assert resp.status_code == 422
    assert "2 rows have errors. Nothing was saved." in resp.text
    assert "Choose how the opinion was received." in resp.text
    assert count(Comment) == 0 and count(uploads.Upload) == 0
    good = csv_bytes([["opinion", "姓名", "收到日期"], ["座谈会发言一", "李四", yesterday()],
                      ["座谈会发言二", "赵五", yesterday()]])
    resp = client.post(url, data={"channel": "hearing", "file": (io.BytesIO(good), "会.csv")},
                       content_type="multipart/form-data")
    assert resp.status_code == 200 and "2 opinions are ready to import" in resp.text
    assert count(Comment) == 0
    upload_id = re.search(r'name="upload_id" type="hidden" value="(\d+)"', resp.text) or \
        re.search(r'id="upload_id" name="upload_id" type="hidden" value="(\d+)"', resp.text)
    upload_id = upload_id.group(1)
    confirm = {"upload_id": upload_id, "channel": "hearing", "hearing_id": ""}
    done = client.post(f"{url}/confirm", data=confirm)
    assert done.status_code == 303
    assert count(Comment) == 2
    again = client.post(f"{url}/confirm", data=confirm)
    assert again.status_code == 409 and "already been imported" in again.text
    assert count(Comment) == 2
    ledger = client.get(f"/manage/rounds/{r.id}/ledger?channel=hearing")
    assert ledger.status_code == 200 and "座谈会发言二" in ledger.text and "李四" in ledger.text


def test_the_lookup_answers_a_right_code_and_nothing_for_a_wrong_one(client, login_as):
    r, _dept, official = closed_round()
    from consult.channels import services
    with atomic():
        rec = services.record_opinion(official, load_round(r, official), channel="letter",
                                      received_on=yesterday(), body="来信意见")
    code = db.session.get(Comment, rec.comment_id).receipt
    assert client.get("/receipt").status_code == 200
    resp = client.post("/receipt", data={"code": code})
    assert resp.status_code == 200 and "the department is considering" in resp.text
    assert "来信意见" not in resp.text
    wrong = client.post("/receipt", data={"code": "ABCD-EFGH-JKMN"})
    assert wrong.status_code == 404 and "No opinion has this receipt code." in wrong.text
    garbage = client.post("/receipt", data={"code": "<script>"})
    assert garbage.status_code == 404 and "<script>" not in garbage.text
    fragment = client.post("/receipt", data={"code": code}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert code in fragment.text


def test_the_lookup_is_rate_limited(pytestconfig):
    from tests.conftest import make_app, prepare_schema
    app = make_app(pytestconfig, RATELIMIT_ENABLED=True, RECEIPT_RATE_LIMIT="3 per minute")
    with app.app_context():
        prepare_schema(pytestconfig)
        client = app.test_client()
        statuses = [client.post("/receipt", data={"code": f"AAAAAAAAAAA{n}"}).status_code
                    for n in range(2, 7)]
        assert statuses == [404, 404, 404, 429, 429]
        assert client.get("/receipt").status_code == 200  # reading the form is not limited
        db.session.remove()
        db.engine.dispose()


def test_posting_online_shows_and_mails_the_receipt(client, login_as, outbox):
    r, _dept, _official = open_round()
    author = login_as(UserFactory())
    resp = client.post(f"/rounds/{r.id}/comments", data={"body": "网上意见", "clause_id": ""},
                       follow_redirects=True)
    assert resp.status_code == 200
    c = db.session.scalar(select(Comment))
    assert f"Your receipt code: {c.receipt}" in resp.text
    assert len(outbox) == 1 and c.receipt in outbox[0].body and outbox[0].to == [author.email]
    assert client.get(f"/comments/{c.id}/receipt").status_code == 200


def test_a_confidential_opinion_appears_nowhere_public(client, login_as):
    r, dept, official = open_round()
    author = UserFactory(display_name="保密作者")
    login_as(author)
    resp = client.post(f"/rounds/{r.id}/comments",
                       data={"body": "我家的隐私情况", "clause_id": "", "confidential": "y"})
    assert resp.status_code == 303
    c = db.session.scalar(select(Comment))
    assert c.confidential
    assert "我家的隐私情况" in client.get(f"/rounds/{r.id}/comments").text  # the author
    others = [None, UserFactory(), UserFactory(role="moderator"), UserFactory(role="admin"),
              UserFactory(role="evaluator"),
              UserFactory(role="official", role__department=DepartmentFactory())]
    paths = [f"/rounds/{r.id}/comments", f"/rounds/{r.id}",
             f"/api/v1/rounds/{r.id}/comments",
             f"/api/v1/consultations/{r.consultation_id}/comments.csv",
             f"/consultations/{r.consultation_id}"]
    for viewer in others:
        client.delete_cookie("session")
        if viewer is not None:
            login_as(viewer)
        for path in paths:
            got = client.get(path)
            assert got.status_code == 200, path
            assert "我家的隐私情况" not in got.get_data(as_text=True), (viewer, path)
            assert "保密作者" not in got.get_data(as_text=True), (viewer, path)
    rows = list(csv.reader(io.StringIO(client.get(
        f"/api/v1/consultations/{r.consultation_id}/comments.csv").data.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][6] == ""  # counted, without its text
    # The department reads it where it triages and in its ledger.
    login_as(official)
    assert "我家的隐私情况" in client.get(f"/manage/rounds/{r.id}/ledger").text


def test_ledger_query_budget(client, login_as, count_queries):
    counts = []
    for n in (2, 30):
        r, _dept, official = open_round()
        from consult.channels import services
        for i in range(n):
            author = UserFactory()
            with atomic():
                post_comment(author, load_round(r, author), body=f"网上意见{i}")
            with atomic():
                services.record_opinion(official, load_round(r, official), channel="letter",
                                        received_on=today(), body=f"来信{i}")
        login_as(official)
        with count_queries() as seen:
            assert client.get(f"/manage/rounds/{r.id}/ledger").status_code == 200
        counts.append(list(seen))
    small, big = counts
    assert len(big) == len(small) <= 12, "\n".join(big)


def test_per_channel_statistics_on_the_response_page_api_and_csv(client, login_as):
    r, _dept, official = closed_round()
    from consult.channels import services
    from tests.factories import comment
    from tests.unit.test_channels_services import triage_and_publish
    comment(r)
    for day in (yesterday(), yesterday(), today()):
        with atomic():
            services.record_opinion(official, load_round(r, official), channel="letter",
                                    received_on=day, body="来信")
    triage_and_publish(r, official, status="adopted", reason="采纳")
    page = client.get(f"/rounds/{r.id}/response")
    assert page.status_code == 200 and "By channel" in page.text
    api = client.get(f"/api/v1/rounds/{r.id}/response").get_json()
    assert api["statistics"]["by_channel"] == [
        {"channel": "online", "opinions": 1, "adopted": 1, "partly_adopted": 0,
         "not_adopted": 0, "out_of_scope": 0},
        {"channel": "letter", "opinions": 3, "adopted": 3, "partly_adopted": 0,
         "not_adopted": 0, "out_of_scope": 0}]
    assert sorted(o["channel"] for o in api["opinions"]) == ["letter"] * 3 + ["online"]
    rows = list(csv.reader(io.StringIO(client.get(
        f"/api/v1/consultations/{r.consultation_id}/opinions.csv").data.decode("utf-8-sig"))))
    assert rows[0][-1] == "channel" and sorted(row[-1] for row in rows[1:]) == \
        ["letter"] * 3 + ["online"]


def test_another_departments_official_cannot_import(client, login_as):
    r, _dept, _official = open_round()
    login_as(UserFactory(role="official", role__department=DepartmentFactory()))
    resp = client.post(f"/manage/rounds/{r.id}/ledger/import",
                       data={"file": (io.BytesIO(b"opinion\nx\n"), "a.csv")},
                       content_type="multipart/form-data")
    assert resp.status_code == 403 and count(Comment) == 0
    assert client.post(f"/manage/rounds/{r.id}/ledger/import/confirm",
                       data={"upload_id": "1"}).status_code == 403


def test_recording_into_a_round_of_a_vote_only_kind_is_refused(client, login_as):
    from consult.rounds.models import RoundKind
    dept = DepartmentFactory()
    r = RoundFactory(kind=RoundKind.VOTE, version__consultation=ConsultationFactory(department=dept))
    login_as(UserFactory(role="official", role__department=dept))
    resp = client.post(f"/manage/rounds/{r.id}/ledger/new", data=letter_form())
    assert resp.status_code == 409 and count(Comment) == 0


# ---------------------------------------------------------------- hearings

def test_a_hearing_from_scheduling_to_minutes_through_the_pages(client, login_as, outbox):
    from datetime import date, timedelta

    import time_machine

    from consult.channels.models import Hearing
    from consult.clock import now
    r, _dept, official = open_round()
    login_as(official)
    day = (date.fromisoformat(today()) + timedelta(days=10)).isoformat()
    form = {"kind": "hearing", "topic": "听证会：收费标准", "place": "市政府二楼", "day": day,
            "at": "09:00", "capacity": "1", "selection": "choice", "apply_until": ""}
    bad = client.post(f"/manage/rounds/{r.id}/hearings", data=dict(form, capacity="0"))
    assert bad.status_code == 422 and "Give the number of seats, from 1 to 10000." in bad.text
    resp = client.post(f"/manage/rounds/{r.id}/hearings", data=form)
    assert resp.status_code == 303
    hearing = db.session.scalar(select(Hearing))
    public = client.get(f"/rounds/{r.id}/hearings")
    assert public.status_code == 200 and "听证会：收费标准" in public.text
    ids = []
    for name in ("甲", "乙"):
        login_as(UserFactory(display_name=f"申请人{name}"))
        page = client.get(f"/hearings/{hearing.id}")
        assert page.status_code == 200 and "Chosen by the department, with reasons" in page.text
        assert client.post(f"/hearings/{hearing.id}/apply", data={"statement": ""}).status_code \
            == 422
        assert client.post(f"/hearings/{hearing.id}/apply",
                           data={"statement": "我想发言"}).status_code == 303
        again = client.post(f"/hearings/{hearing.id}/apply", data={"statement": "再来"})
        assert again.status_code == 409 and "already applied" in again.text
    ids = [a.id for a in db.session.scalars(select(HearingApplicationModel()))]
    login_as(official)
    manage = client.get(f"/manage/rounds/{r.id}/hearings/{hearing.id}")
    assert manage.status_code == 200 and "申请人甲" in manage.text
    over = client.post(f"/manage/rounds/{r.id}/hearings/{hearing.id}/select",
                       data={"chosen_ids": [str(i) for i in ids], "reason": "代表性"})
    assert over.status_code == 422 and "The hearing has 1 seats; you chose 2." in over.text
    done = client.post(f"/manage/rounds/{r.id}/hearings/{hearing.id}/select",
                       data={"chosen_ids": [str(ids[0])], "reason": "代表性"})
    assert done.status_code == 303 and len(outbox) == 2
    early = client.post(f"/manage/rounds/{r.id}/hearings/{hearing.id}/minutes",
                        data={"minutes": "纪要"})
    assert early.status_code == 409
    with time_machine.travel(now() + timedelta(days=12)):
        ok = client.post(f"/manage/rounds/{r.id}/hearings/{hearing.id}/minutes",
                         data={"minutes": "听证会纪要：代表发言要点如下。",
                               "file": (io.BytesIO(PDF), "纪要.pdf")},
                         content_type="multipart/form-data")
        assert ok.status_code == 303
    client.delete_cookie("session")
    page = client.get(f"/hearings/{hearing.id}")
    assert "听证会纪要" in page.text and "申请人甲" not in page.text
    got = client.get(f"/hearings/{hearing.id}/minutes")
    assert got.status_code == 200 and got.data == PDF


def HearingApplicationModel():
    from consult.channels.models import HearingApplication
    return HearingApplication
