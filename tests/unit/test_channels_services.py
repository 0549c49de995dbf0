"""Channels services: recording offline opinions (who, when, what), spreadsheet imports
(all or nothing), receipts and their lookup, statistics by channel, confidentiality."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consult import uploads
from consult.audit.models import AuditEntry
from consult.channels import services
from consult.channels.models import OpinionRecord
from consult.db import atomic, db
from consult.errors import Conflict, InvalidState, NotFound, PermissionDenied, ValidationFailed
from consult.participation.models import Channel, Comment
from consult.participation.services import post_comment
from consult.responses import services as responses
from consult.responses.models import RoundResponse, Triage
from consult.rounds.models import Round
from tests.factories import (
    ConsultationFactory,
    DepartmentFactory,
    RoundFactory,
    UserFactory,
    clause_ids,
    closed_round,
    comment,
    load_round,
    today,
    yesterday,
)
from tests.files import PDF, csv_bytes, received, xlsx_bytes


def open_round():
    dept = DepartmentFactory()
    r = RoundFactory(version__consultation=ConsultationFactory(department=dept))
    return r, dept, UserFactory(role="official", role__department=dept)


def record(official, r, **fields):
    data = {"channel": "letter", "received_on": today(), "sender_name": "王大爷",
            "sender_contact": "北京市东城区某街1号", "body": "建议延长开放时间。"}
    data.update(fields)
    with atomic():
        return services.record_opinion(official, load_round(r, official), **data)


def test_an_official_records_a_letter_with_its_scan(app):
    r, _dept, official = open_round()
    scan = received(PDF, "pdf", "信件")
    rec = record(official, r, file=scan, clause_id=str(clause_ids(r)[0]))
    db.session.expire_all()
    c = db.session.get(Comment, rec.comment_id)
    assert c.channel is Channel.LETTER and c.author_id is None  # nobody signed in gave it
    assert c.body == "建议延长开放时间。" and c.clause_id == clause_ids(r)[0]
    assert c.receipt_code and len(c.receipt_code) == 12 and c.thread_id == c.id
    assert db.session.get(Round, r.id).comment_count == 1
    saved = db.session.get(OpinionRecord, rec.id)
    assert saved.sender_name == "王大爷" and saved.upload_id is not None
    assert saved.recorded_by_id == official.id
    assert db.session.get(uploads.Upload, saved.upload_id).filename == "信件.pdf"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "opinion.record"))
    assert entry.actor_id == official.id and entry.target_id == c.id
    assert entry.data["channel"] == "letter"
    # The public sees the channel, never the sender.
    assert c.byline == "Letter" and c.public_body == "建议延长开放时间。"


@pytest.mark.parametrize("who", ["citizen", "other_official", "moderator"])
def test_only_the_departments_officials_record(app, who):
    r, _dept, official = open_round()
    actor = {"citizen": lambda: UserFactory(),
             "other_official": lambda: UserFactory(role="official",
                                                   role__department=DepartmentFactory()),
             "moderator": lambda: UserFactory(role="moderator")}[who]()
    with pytest.raises(PermissionDenied), atomic():
        services.record_opinion(actor, load_round(r, official), channel="letter",
                                received_on=today(), body="意见")
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0


@pytest.mark.parametrize("fields, field", [
    ({"channel": "online"}, "channel"),
    ({"channel": "pigeon"}, "channel"),
    ({"received_on": ""}, "received_on"),
    ({"received_on": "2026-13-40"}, "received_on"),
    ({"received_on": "2999-01-01"}, "received_on"),
    ({"received_on": "2000-01-01"}, "received_on"),
    ({"body": "   "}, "body"),
    ({"body": "字" * 5001}, "body"),
    ({"clause_id": "999999"}, "clause"),
    ({"sender_name": "名" * 121}, "sender_name"),
])
def test_bad_input_is_refused_beside_its_field_and_nothing_is_saved(app, fields, field):
    r, _dept, official = open_round()
    with pytest.raises(ValidationFailed) as refused:
        record(official, r, **fields)
    assert refused.value.field == field
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0
    assert db.session.scalar(select(func.count()).select_from(uploads.Upload)) == 0


def test_a_letter_after_the_triage_started_joins_it_and_none_after_publication(app):
    r, _dept, official = closed_round()
    comment(r)
    with atomic():
        responses.start_triage(load_round(r, official))
    record(official, r, received_on=yesterday())
    db.session.expire_all()
    response = db.session.scalar(select(RoundResponse).where(RoundResponse.round_id == r.id))
    assert response.opinion_count == 2
    triage = db.session.scalars(select(Triage).where(Triage.round_id == r.id)).all()
    assert len(triage) == 2 and all(t.status is None for t in triage)
    with atomic():
        responses.bulk_triage(official, load_round(r, official), triage_ids=[t.id for t in triage],
                              status="adopted", reason="采纳")
    with atomic():
        responses.save_response(official, load_round(r, official), summary="感谢。")
    with atomic():
        published = responses.publish_response(official, load_round(r, official))
    stats = published.frozen_stats
    assert [(row["channel"], row["total"], row["adopted"]) for row in stats["channels"]] == [
        ("online", 1, 1), ("letter", 1, 1)]
    with pytest.raises(InvalidState):
        record(official, r, received_on=yesterday())


def test_a_scheduled_round_takes_no_recorded_opinion(app):
    dept = DepartmentFactory()
    r = RoundFactory(scheduled=True, version__consultation=ConsultationFactory(department=dept))
    official = UserFactory(role="official", role__department=dept)
    with pytest.raises(InvalidState):
        record(official, r)


HEADER = ["渠道", "收到日期", "姓名", "联系方式", "条款", "意见", "仅供部门"]


def test_a_spreadsheet_with_broken_rows_saves_nothing(app):
    r, _dept, official = open_round()
    sheet = csv_bytes([HEADER,
                       ["来信", today(), "张三", "13800000000", "", "好", ""],
                       ["carrier pigeon", today(), "", "", "", "意见二", ""],
                       ["letter", "昨天", "", "", "", "意见三", ""],
                       ["letter", today(), "", "", "第九十九条", "意见四", ""],
                       ["letter", today(), "", "", "", "", ""]])
    with atomic():
        preview = services.preview_import(official, load_round(r, official), received(sheet, "csv"))
    assert not preview.ok and preview.upload_id is None
    assert [(row.number, row.field) for row in preview.errors] == [
        (3, "channel"), (4, "received_on"), (5, "clause"), (6, "body")]
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0
    assert db.session.scalar(select(func.count()).select_from(uploads.Upload)) == 0


def test_a_hearings_spreadsheet_is_imported_whole_once(app):
    r, _dept, official = open_round()
    clause_number = "1"  # by position, as the spreadsheet writes it
    sheet = xlsx_bytes([["意见", "姓名", "收到日期", "条款", "仅供部门"],
                        ["座谈会发言一", "李四", local_date_today(), clause_number, ""],
                        ["座谈会发言二", "赵五", local_date_today(), "", "是"],
                        [None, None, None, None, None]])
    with atomic():
        preview = services.preview_import(official, load_round(r, official), received(sheet, "xlsx"),
                                          default_channel="hearing")
    assert preview.ok and len(preview.rows) == 2 and preview.upload_id
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0
    with atomic():
        done = services.confirm_import(official, load_round(r, official), upload_id=preview.upload_id,
                                       default_channel="hearing")
    assert len(done) == 2
    db.session.expire_all()
    rows = db.session.scalars(select(Comment).order_by(Comment.id)).all()
    assert [(c.channel, c.confidential, c.clause_id) for c in rows] == [
        (Channel.HEARING, False, clause_ids(r)[0]), (Channel.HEARING, True, None)]
    assert len({c.receipt_code for c in rows}) == 2
    assert db.session.get(Round, r.id).comment_count == 2
    with pytest.raises(Conflict), atomic():
        services.confirm_import(official, load_round(r, official), upload_id=preview.upload_id,
                                default_channel="hearing")
    other = UserFactory(role="official", role__department=_dept)
    with pytest.raises(NotFound), atomic():  # not the file they checked
        services.confirm_import(other, load_round(r, other), upload_id=preview.upload_id)


def local_date_today():
    from datetime import date
    return date.fromisoformat(today())


def test_an_unreadable_or_headless_spreadsheet_is_refused(app):
    r, _dept, official = open_round()
    for data, kind in ((csv_bytes([["a", "b"], ["1", "2"]]), "csv"),
                       (csv_bytes([["意见"]]), "csv")):
        with pytest.raises(ValidationFailed) as refused, atomic():
            services.preview_import(official, load_round(r, official), received(data, kind))
        assert refused.value.field == "file"


def test_receipts_for_online_and_offline_opinions_and_the_lookup(app, outbox):
    r, _dept, official = closed_round()
    author = UserFactory()
    r_open = RoundFactory(version__consultation=ConsultationFactory(department=_dept))
    with atomic():
        online = post_comment(author, load_round(r_open, author), body="网上意见")
    assert online.receipt_code and len(online.receipt_code) == 12
    assert len(outbox) == 1 and online.receipt in outbox[0].body
    assert outbox[0].to == [author.email]
    with atomic():
        reply = post_comment(author, load_round(r_open, author), body="回复", parent_id=online.id)
    assert reply.receipt_code is None and len(outbox) == 1
    letter = record(official, r, received_on=yesterday())
    code = db.session.get(Comment, letter.comment_id).receipt_code
    answer = services.look_up(code.lower())
    assert answer is not None and answer.comment.id == letter.comment_id
    assert answer.outcome is None
    # The day the letter arrived (yesterday), not the day it was typed in.
    assert answer.received_on.isoformat() == yesterday()
    assert services.look_up(online.receipt_code).received_on == online.created_at
    spaced = "-".join(code[i:i + 4] for i in range(0, 12, 4))
    assert services.look_up(f" {spaced} ").comment.id == letter.comment_id
    assert services.look_up("AAAAAAAAAAAA") is None
    assert services.look_up("0O1IL") is None and services.look_up("") is None
    triage_and_publish(r, official)
    answer = services.look_up(code)
    assert answer.outcome.status.value == "not_adopted" and answer.outcome.reason == "超出范围"
    assert answer.outcome.response_url == f"/rounds/{r.id}/response"


def triage_and_publish(r, official, status="not_adopted", reason="超出范围"):
    with atomic():
        responses.start_triage(load_round(r, official))
    ids = list(db.session.scalars(select(Triage.id).where(Triage.round_id == r.id)))
    with atomic():
        responses.bulk_triage(official, load_round(r, official), triage_ids=ids, status=status,
                              reason=reason)
    with atomic():
        responses.save_response(official, load_round(r, official), summary="感谢。")
    with atomic():
        responses.publish_response(official, load_round(r, official))


def test_a_confidential_opinion_is_counted_but_its_text_is_not_public(app):
    r, _dept, _official = open_round()
    author = UserFactory()
    with atomic():
        c = post_comment(author, load_round(r, author), body="我家的情况比较特殊。",
                         proposed_text=None, confidential=True)
    db.session.expire_all()
    c = db.session.get(Comment, c.id)
    assert c.confidential and c.public_body is None and c.public_proposed_text is None
    assert db.session.get(Round, r.id).comment_count == 1
    with atomic():
        reply = post_comment(author, load_round(r, author), body="补充", parent_id=c.id,
                             confidential=True)
    assert reply.confidential is False  # only opinions, not replies, are confidential


def test_the_ledger_lists_every_channel_with_counts(app):
    r, _dept, official = open_round()
    author = UserFactory()
    with atomic():
        post_comment(author, load_round(r, author), body="网上意见")
    record(official, r)
    record(official, r, channel="phone", body="电话意见")
    ledger = services.list_ledger(official, load_round(r, official))
    assert ledger.counts == {Channel.ONLINE: 1, Channel.LETTER: 1, Channel.PHONE: 1}
    assert ledger.page.total == 3 and len(ledger.records) == 2
    only = services.list_ledger(official, load_round(r, official), channel=Channel.PHONE)
    assert [c.body for c in only.page.items] == ["电话意见"]
    with pytest.raises(PermissionDenied):
        services.list_ledger(author, load_round(r, author))


def test_the_receipt_code_is_unique_and_from_the_alphabet(app):
    from consult.participation.models import RECEIPT_ALPHABET, new_receipt_code
    codes = {new_receipt_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(len(c) == 12 and set(c) <= set(RECEIPT_ALPHABET) for c in codes)
    assert services.normalise_code("abcd efgh jkmn") == "ABCDEFGHJKMN"


def test_future_day_is_refused_in_the_site_zone(app):
    r, _dept, official = open_round()
    from datetime import date
    tomorrow = (date.fromisoformat(today()) + timedelta(days=1)).isoformat()
    with pytest.raises(ValidationFailed):
        record(official, r, received_on=tomorrow)


def test_analysis_never_reads_a_confidential_text(app):
    from consult.analysis.pipeline import load_background, load_opinions
    r, _dept, _official = open_round()
    author = UserFactory()
    with atomic():
        post_comment(author, load_round(r, author), body="公开的意见")
    with atomic():
        post_comment(author, load_round(r, author), body="保密的意见", confidential=True)
    assert [o["body"] for o in load_opinions(r.id)] == ["公开的意见"]
    assert "保密的意见" not in load_background(r.id + 1)


def test_a_recorded_opinion_has_no_author_and_outlives_the_official_who_entered_it(app):
    """The official who typed a letter in is not its author: not a person who gave opinions
    in the statutory record, not shown the letter as their own opinion, not exporting the
    sender's details with their own data; deleting their account keeps the letter."""
    from sqlalchemy import delete
    from sqlalchemy.exc import IntegrityError

    from consult.accounts import privacy
    from consult.accounts.models import User
    from consult.responses.services.public import my_opinions
    from consult.statutory.record import get_record

    r, _dept, official = closed_round()
    comment(r)  # one citizen online
    rec = record(official, r, received_on=yesterday())
    record(official, r, received_on=yesterday(), sender_name="李四", body="第二封信。")
    with atomic():
        responses.start_triage(load_round(r, official))
    ids = list(db.session.scalars(select(Triage.id).where(Triage.round_id == r.id)))
    assert db.session.scalar(select(func.count()).select_from(Triage).where(
        Triage.round_id == r.id, Triage.author_id.is_(None))) == 2
    with atomic():
        responses.bulk_triage(official, load_round(r, official), triage_ids=ids, status="adopted",
                              reason="采纳")
    with atomic():
        responses.save_response(official, load_round(r, official), summary="感谢。")
    with atomic():
        responses.publish_response(official, load_round(r, official))

    statutory = get_record(official, load_round(r, official), with_rows=False)
    assert statutory.authors == 3  # the citizen and two senders, not the official
    assert my_opinions(official).total == 0
    exported = privacy.export_data(official)
    text = repr(exported)
    assert "王大爷" not in text and "李四" not in text and "某街" not in text
    assert [row["comment_id"] for row in exported["opinion_record.recorded_by_id"]] \
        == [rec.comment_id, rec.comment_id + 1]

    # Online opinions have an author, recorded ones none: the schema holds it.
    for channel, author_id in ((Channel.ONLINE, None), (Channel.LETTER, official.id)):
        db.session.add(Comment(round_id=r.id, author_id=author_id, body="x", channel=channel))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()

    db.session.execute(delete(AuditEntry))
    with atomic():
        db.session.execute(delete(User).where(User.id == official.id))
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Comment).where(
        Comment.channel == Channel.LETTER)) == 2
    assert db.session.get(OpinionRecord, rec.id).recorded_by_id is None


def test_an_official_deleting_their_account_withdraws_none_of_the_letters_they_entered(app):
    """Deleting an account withdraws its author's open opinions on request: the letters an
    official typed in are not theirs, and stay."""
    from consult.accounts import privacy
    from consult.participation.models import ContentStatus
    from tests.factories import PASSWORD

    r, _dept, official = open_round()
    rec = record(official, r)
    with atomic():
        withdrawn = privacy.delete_account(official, password=PASSWORD, remove_open_content=True)
    assert withdrawn["comments"] == 0
    db.session.expire_all()
    assert db.session.get(Comment, rec.comment_id).status is ContentStatus.PUBLISHED
