"""Comments on a round: every rule and forbidden action, htmx and no-JS paths, query budgets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consult.clock import now
from consult.consultations.models import Consultation
from consult.extensions import db
from consult.participation.models import Comment, CommentSupport, ContentStatus
from consult.rounds.models import Round, RoundKind, RoundParticipant
from tests.factories import (
    ConsultationFactory,
    DraftVersionFactory,
    RoundFactory,
    UserFactory,
    comment,
)

HX = {"HX-Request": "true"}


pytestmark = pytest.mark.usefixtures("english")  # assertions read the English messages


def url(r, suffix="comments"):
    return f"/rounds/{r.id}/{suffix}"


def comments_of(r):
    return list(db.session.scalars(select(Comment).where(Comment.round_id == r.id)
                                   .order_by(Comment.id)))


def fresh_round(r_id):
    db.session.expire_all()
    return db.session.get(Round, r_id)


@pytest.fixture
def citizen(app):
    return UserFactory(display_name="张晓明")


def post(client, r, **data):
    data.setdefault("clause_id", "")
    return client.post(url(r), data=data)


# ---------------------------------------------------------------- posting

def test_post_whole_draft_comment_no_js_redirects_and_shows(client, login_as, rnd, citizen):
    login_as(citizen)
    response = post(client, rnd, body="建议增加夜间照护服务。")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/rounds/{rnd.id}/comments#comment-1")
    page = client.get(url(rnd)).text
    assert "建议增加夜间照护服务。" in page
    r = fresh_round(rnd.id)
    assert r.comment_count == 1 and r.participant_count == 1
    assert post(client, rnd, body="再补充一条。").status_code == 303
    r = fresh_round(rnd.id)
    assert r.comment_count == 2 and r.participant_count == 1  # a participant is counted once
    assert db.session.scalar(select(func.count()).select_from(RoundParticipant)) == 1


def test_post_clause_comment_and_clause_filter(client, login_as, rnd, citizen):
    login_as(citizen)
    clause = db.session.get(Round, rnd.id)
    from consult.consultations.models import Clause
    clauses = list(db.session.scalars(select(Clause).where(Clause.version_id == rnd.version_id)
                                      .order_by(Clause.position)))
    assert post(client, rnd, body="第二条太笼统。", clause_id=str(clauses[1].id)).status_code == 303
    assert post(client, rnd, body="整体很好。").status_code == 303
    filtered = client.get(url(rnd) + f"?clause={clauses[1].id}").text
    assert "第二条太笼统。" in filtered and "整体很好。" not in filtered
    # the lineage id works too (links from the draft's margin)
    by_lineage = client.get(url(rnd) + f"?lineage={clauses[1].lineage_id}").text
    assert "第二条太笼统。" in by_lineage and "整体很好。" not in by_lineage
    assert clause is not None


def test_clause_of_another_version_is_422_and_nothing_saved(client, login_as, rnd, citizen):
    other = DraftVersionFactory(
        consultation=db.session.get(Consultation, rnd.consultation_id))
    from consult.consultations.models import Clause
    foreign = db.session.scalar(select(Clause).where(Clause.version_id == other.id))
    login_as(citizen)
    response = post(client, rnd, body="说明", clause_id=str(foreign.id))
    assert response.status_code == 422
    assert "This clause is not part of the draft of this round." in response.text
    assert comments_of(rnd) == []
    assert fresh_round(rnd.id).comment_count == 0


@pytest.mark.parametrize("body", ["", "   \n\t  ", "\x00\x01 "])
def test_empty_or_whitespace_comment_is_422_beside_the_field(client, login_as, rnd, citizen,
                                                              body):
    login_as(citizen)
    response = post(client, rnd, body=body)
    assert response.status_code == 422
    assert 'id="body-error"' in response.text
    assert "Write your comment before you send it." in response.text
    assert comments_of(rnd) == []


def test_too_long_comment_is_422_and_input_kept(client, login_as, rnd, citizen):
    login_as(citizen)
    body = "长" * 5001
    response = post(client, rnd, body=body)
    assert response.status_code == 422
    assert "5000" in response.text and body in response.text
    assert comments_of(rnd) == []
    assert post(client, rnd, body="长" * 5000).status_code == 303


def test_html_is_shown_as_text_and_links_are_safe(client, login_as, rnd, citizen):
    login_as(citizen)
    hostile = ('<script>alert(1)</script><img src=x onerror=alert(2)> '
               'javascript:alert(3) https://example.org/a?b=1&c="x" 见https://gov.cn/p。')
    assert post(client, rnd, body=hostile).status_code == 303
    page = client.get(url(rnd)).text
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert ('<a href="https://example.org/a?b=1&amp;c=" rel="nofollow ugc noopener">'
            in page)
    assert '<a href="https://gov.cn/p" rel="nofollow ugc noopener">https://gov.cn/p</a>。' in page
    assert 'href="javascript' not in page


def test_anonymous_cannot_post(client, rnd):
    response = post(client, rnd, body="匿名")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert comments_of(rnd) == []


def test_unverified_gets_403_telling_them_to_verify(client, login_as, rnd):
    login_as(UserFactory(unverified=True))
    page = client.get(url(rnd)).text
    assert "Verify your e-mail address" in page and 'name="body"' not in page
    response = post(client, rnd, body="未验证")
    assert response.status_code == 403
    assert "Verify your e-mail address" in response.text
    assert comments_of(rnd) == []


@pytest.mark.parametrize("trait", ["scheduled", "closed", "overdue"])
def test_outside_open_is_409_with_a_clear_message(client, login_as, citizen, trait):
    r = RoundFactory(**{trait: True})
    login_as(citizen)
    page = client.get(url(r)).text
    assert 'name="body"' not in page
    response = post(client, r, body="来晚了")
    assert response.status_code == 409
    assert "This round is" in response.text
    assert "来晚了" in response.text  # the input is kept
    assert comments_of(r) == []
    assert fresh_round(r.id).comment_count == 0


def test_form_opened_before_close_and_sent_after_saves_nothing(client, login_as, rnd, citizen):
    login_as(citizen)
    assert 'name="body"' in client.get(url(rnd)).text
    round_ = db.session.get(Round, rnd.id)
    round_.closed_at = now() - timedelta(seconds=1)
    db.session.commit()
    response = post(client, rnd, body="表单在截止前打开")
    assert response.status_code == 409
    assert "This round is closed." in response.text
    assert comments_of(rnd) == []


def test_vote_only_round_takes_no_comments(client, login_as, citizen):
    r = RoundFactory(kind=RoundKind.VOTE)
    login_as(citizen)
    response = post(client, r, body="投票轮")
    assert response.status_code == 409
    assert comments_of(r) == []


def test_unpublished_consultation_round_is_404_for_citizens(client, login_as, citizen):
    consultation = ConsultationFactory(unpublished=True)
    r = RoundFactory(version=DraftVersionFactory(consultation=consultation))
    login_as(citizen)
    assert client.get(url(r)).status_code == 404
    assert post(client, r, body="未发布").status_code == 404


def test_unpublished_consultation_takes_nothing_even_from_its_officials(client, login_as):
    consultation = ConsultationFactory(unpublished=True)
    r = RoundFactory(version=DraftVersionFactory(consultation=consultation))
    from consult.accounts.models import Department
    department = db.session.get(Department, consultation.department_id)
    official = UserFactory(role="official", role__department=department)
    login_as(official)
    assert client.get(url(r)).status_code == 200
    response = post(client, r, body="官员预览")
    assert response.status_code == 409
    assert comments_of(r) == []


def test_double_submit_posts_once(client, login_as, rnd, citizen):
    login_as(citizen)
    assert post(client, rnd, body="同一条意见").status_code == 303
    again = post(client, rnd, body="同一条意见")
    assert again.status_code == 409
    assert "You have just posted this comment" in again.text
    assert len(comments_of(rnd)) == 1
    assert fresh_round(rnd.id).comment_count == 1


def test_proposed_wording_shows_a_diff_against_the_clause(client, login_as, citizen):
    r = RoundFactory(version=DraftVersionFactory(clauses=["社区养老服务机构应当提供日间照料服务。"]))
    from consult.consultations.models import Clause
    clause = db.session.scalar(select(Clause).where(Clause.version_id == r.version_id))
    login_as(citizen)
    response = post(client, r, body="建议增加夜间。", clause_id=str(clause.id),
                    proposed_text="社区养老服务机构应当提供日间和夜间照料服务。")
    assert response.status_code == 303
    page = client.get(url(r)).text
    assert "Proposed wording" in page
    assert "<ins>和夜间</ins>" in page


def test_proposed_wording_needs_a_clause_and_the_untouched_box_proposes_nothing(
        client, login_as, rnd, citizen):
    from consult.consultations.models import Clause
    clause = db.session.scalar(select(Clause).where(Clause.version_id == rnd.version_id))
    login_as(citizen)
    response = post(client, rnd, body="改写", proposed_text="新的文字")
    assert response.status_code == 422 and 'id="clause_id-error"' in response.text
    assert comments_of(rnd) == []
    # The box starts from the clause's text (issue 22): sent unchanged, it is no proposal.
    same = post(client, rnd, body="改写", clause_id=str(clause.id), proposed_text=clause.body)
    assert same.status_code == 303
    [posted] = comments_of(rnd)
    assert posted.proposed_text is None


# ---------------------------------------------------------------- htmx

def test_htmx_post_returns_fresh_form_and_the_comment_out_of_band(client, login_as, rnd,
                                                                   citizen):
    login_as(citizen)
    response = client.post(url(rnd), data={"body": "htmx 发表", "clause_id": ""}, headers=HX)
    assert response.status_code == 200
    text = response.text
    assert "<html" not in text
    assert 'hx-swap-oob="afterbegin:#comment-list"' in text
    assert "htmx 发表" in text
    assert 'data-announce="Your comment was posted."' in text
    # the form is cleared
    import re
    textarea = re.search(r'<textarea[^>]*id="body"[^>]*>([^<]*)</textarea>', text)
    assert textarea is not None and textarea.group(1).strip() == ""


def test_htmx_post_error_returns_the_form_fragment_with_422(client, login_as, rnd, citizen):
    login_as(citizen)
    response = client.post(url(rnd), data={"body": " ", "clause_id": ""}, headers=HX)
    assert response.status_code == 422
    assert "<html" not in response.text and "error-summary" in response.text


def test_htmx_get_sort_returns_list_fragment(client, rnd):
    response = client.get(url(rnd) + "?sort=supported", headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text and 'id="comments-list-wrap"' in response.text


# ---------------------------------------------------------------- replies

def make_comment(client, login_as, r, user, body, parent=None):
    login_as(user)
    data = {"body": body, "clause_id": ""}
    if parent:
        data["parent_id"] = str(parent)
    response = client.post(url(r), data=data)
    assert response.status_code == 303, response.text
    return db.session.scalar(select(Comment).where(Comment.body == body))


def test_replies_nest_to_depth_three_then_flatten(client, login_as, rnd):
    a, b = UserFactory(display_name="甲"), UserFactory(display_name="乙")
    top = make_comment(client, login_as, rnd, a, "顶层")
    r1 = make_comment(client, login_as, rnd, b, "回复一", top.id)
    r2 = make_comment(client, login_as, rnd, a, "回复二", r1.id)
    r3 = make_comment(client, login_as, rnd, b, "回复三", r2.id)
    r4 = make_comment(client, login_as, rnd, a, "回复四", r3.id)
    r5 = make_comment(client, login_as, rnd, b, "回复五", r4.id)
    assert [c.depth for c in (top, r1, r2, r3, r4, r5)] == [0, 1, 2, 3, 3, 3]
    assert r4.parent_id == r2.id and r4.reply_to_id == r3.id
    assert r5.parent_id == r2.id and r5.reply_to_id == r4.id
    assert {c.thread_id for c in (top, r1, r2, r3, r4, r5)} == {top.id}
    db.session.expire_all()
    assert db.session.get(Comment, r2.id).reply_count == 3
    assert db.session.get(Comment, top.id).reply_count == 1
    assert fresh_round(rnd.id).comment_count == 6
    page = client.get(url(rnd)).text
    assert "in reply to 乙" in page and "in reply to 甲" in page


def test_reply_to_comment_of_another_round_is_422(client, login_as, rnd, citizen):
    other = RoundFactory()
    foreign = make_comment(client, login_as, other, citizen, "别处的")
    login_as(UserFactory())
    response = client.post(url(rnd), data={"body": "回复", "parent_id": str(foreign.id)})
    assert response.status_code == 422
    assert comments_of(rnd) == []


def test_htmx_reply_form_and_reply(client, login_as, rnd, citizen):
    top = make_comment(client, login_as, rnd, citizen, "顶层意见")
    login_as(UserFactory())
    form = client.get(f"/comments/{top.id}/reply", headers=HX)
    assert form.status_code == 200 and "<html" not in form.text
    assert f'id="reply-body-{top.id}"' in form.text
    page = client.get(f"/comments/{top.id}/reply")
    assert "<html" in page.text and "顶层意见" in page.text
    response = client.post(url(rnd), data={"body": "同意楼上", "parent_id": str(top.id)},
                           headers=HX)
    assert response.status_code == 200
    assert f'hx-swap-oob="beforeend:#replies-{top.id}"' in response.text
    assert "同意楼上" in response.text and "data-announce" in response.text


def test_reply_notifies_the_parent_author(client, login_as, rnd, citizen):
    from consult.notifications.models import Notification
    top = make_comment(client, login_as, rnd, citizen, "请回复我")
    make_comment(client, login_as, rnd, UserFactory(), "好的", top.id)
    rows = list(db.session.scalars(select(Notification)))
    assert [n.user_id for n in rows] == [citizen.id]
    # replying to oneself notifies no one
    make_comment(client, login_as, rnd, citizen, "补充一下", top.id)
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1


# ---------------------------------------------------------------- edit and withdraw

def test_author_edits_within_window_then_shows_edited(client, login_as, rnd, citizen):
    c = make_comment(client, login_as, rnd, citizen, "原文")
    assert client.get(f"/comments/{c.id}/edit").status_code == 200
    response = client.post(f"/comments/{c.id}/edit", data={"body": "修改后"})
    assert response.status_code == 303
    page = client.get(url(rnd)).text
    assert "修改后" in page and "原文" not in page and "edited" in page


def test_edit_after_window_is_409(client, login_as, rnd, citizen, app):
    c = make_comment(client, login_as, rnd, citizen, "原文")
    row = db.session.get(Comment, c.id)
    row.created_at = now() - timedelta(minutes=16)
    db.session.commit()
    response = client.post(f"/comments/{c.id}/edit", data={"body": "太晚了"})
    assert response.status_code == 409
    assert "15 minutes" in response.text
    db.session.expire_all()
    assert db.session.get(Comment, c.id).body == "原文"
    app.config["COMMENT_EDIT_MINUTES"] = 30
    assert client.post(f"/comments/{c.id}/edit", data={"body": "可以了"}).status_code == 303


def test_others_cannot_edit_or_withdraw(client, login_as, rnd, citizen):
    c = make_comment(client, login_as, rnd, citizen, "我的")
    login_as(UserFactory())
    assert client.post(f"/comments/{c.id}/edit", data={"body": "篡改"}).status_code == 403
    assert client.post(f"/comments/{c.id}/withdraw").status_code == 403
    db.session.expire_all()
    assert db.session.get(Comment, c.id).body == "我的"


def test_withdraw_keeps_the_comment_hides_its_text_and_replies_keep_context(
        client, login_as, rnd, citizen):
    top = make_comment(client, login_as, rnd, citizen, "机密的撤回文字")
    make_comment(client, login_as, rnd, UserFactory(), "这是回复", top.id)
    login_as(citizen)
    assert client.get(f"/comments/{top.id}/withdraw").status_code == 200
    assert client.post(f"/comments/{top.id}/withdraw").status_code == 303
    db.session.expire_all()
    row = db.session.get(Comment, top.id)
    assert row.status == ContentStatus.WITHDRAWN and row.public_body is None
    assert fresh_round(rnd.id).comment_count == 1
    for path in (url(rnd), url(rnd) + "?sort=clause", f"/comments/{top.id}/reply",
                 f"/comments/{top.id}/withdraw", f"/comments/{top.id}/edit"):
        text = client.get(path).text
        assert "机密的撤回文字" not in text, path
    page = client.get(url(rnd)).text
    assert "这是回复" in page and "withdrew this comment" in page
    assert client.post(f"/comments/{top.id}/withdraw").status_code == 409
    login_as(UserFactory())
    assert client.post(url(rnd), data={"body": "再回复", "parent_id": str(top.id)}
                       ).status_code == 409


# ---------------------------------------------------------------- supports

def support(client, c, on=True, headers=None):
    return client.post(f"/comments/{c.id}/support", data={"supported": "1" if on else "0"},
                       headers=headers or {})


def test_support_toggles_and_counts(client, login_as, rnd, citizen):
    c = make_comment(client, login_as, rnd, citizen, "请支持")
    fan = login_as(UserFactory())
    assert support(client, c).status_code == 303
    db.session.expire_all()
    assert db.session.get(Comment, c.id).support_count == 1
    assert db.session.get(Round, rnd.id).participant_count == 2
    assert support(client, c, on=False).status_code == 303
    db.session.expire_all()
    assert db.session.get(Comment, c.id).support_count == 0
    assert db.session.scalar(select(func.count()).select_from(CommentSupport)) == 0
    assert fan is not None


def test_double_submitted_support_counts_once(client, login_as, rnd, citizen):
    c = make_comment(client, login_as, rnd, citizen, "请支持")
    login_as(UserFactory())
    assert support(client, c).status_code == 303
    again = support(client, c)
    assert again.status_code == 409 and "You already support this comment." in again.text
    db.session.expire_all()
    assert db.session.get(Comment, c.id).support_count == 1


def test_htmx_support_swaps_the_button(client, login_as, rnd, citizen):
    c = make_comment(client, login_as, rnd, citizen, "请支持")
    login_as(UserFactory())
    response = support(client, c, headers=HX)
    assert response.status_code == 200 and "<html" not in response.text
    assert 'aria-pressed="true"' in response.text
    assert 'data-announce="You support this comment."' in response.text
    assert '<span class="support-button__count">1</span>' in response.text
    again = support(client, c, headers=HX)
    assert again.status_code == 409 and 'aria-pressed="true"' in again.text
    off = support(client, c, on=False, headers=HX)
    assert 'aria-pressed="false"' in off.text and 'count">0<' in off.text


def test_support_rules(client, login_as, rnd, citizen):
    c = make_comment(client, login_as, rnd, citizen, "自己的")
    assert support(client, c).status_code == 403  # own comment
    client.post("/auth/logout")
    with client.session_transaction() as s:
        s.clear()
    assert support(client, c).status_code == 302  # anonymous: to the login page
    login_as(UserFactory(unverified=True))
    assert support(client, c).status_code == 403
    closed = db.session.get(Round, rnd.id)
    closed.closed_at = now()
    db.session.commit()
    login_as(UserFactory())
    assert support(client, c).status_code == 409
    db.session.expire_all()
    assert db.session.get(Comment, c.id).support_count == 0


# ---------------------------------------------------------------- reads and budgets

def test_sorts_and_pagination(client, login_as, rnd, app):
    app.config["PAGE_SIZE"] = 2
    users = [UserFactory() for _ in range(3)]
    for i, u in enumerate(users):
        make_comment(client, login_as, rnd, u, f"意见{i}")
    top = db.session.scalar(select(Comment).where(Comment.body == "意见0"))
    login_as(users[1])
    support(client, top)
    newest = client.get(url(rnd)).text
    assert newest.index("意见2") < newest.index("意见1") and "意见0" not in newest
    assert "Page 1 of 2" in newest
    assert "意见0" in client.get(url(rnd) + "?page=2").text
    supported = client.get(url(rnd) + "?sort=supported").text
    assert "意见0" in supported
    assert client.get(url(rnd) + "?sort=nonsense&page=abc").status_code == 200


def test_clause_comment_counts_service(app, rnd):
    from consult.consultations.models import Clause
    from consult.participation.services import clause_comment_counts
    clauses = list(db.session.scalars(select(Clause).where(Clause.version_id == rnd.version_id)
                                      .order_by(Clause.position)))
    u = UserFactory()
    comment(rnd, u, clause_id=clauses[0].id, body="a")
    comment(rnd, u, clause_id=clauses[0].id, body="b")
    comment(rnd, u, clause_id=clauses[2].id, body="c")
    comment(rnd, u, clause_id=clauses[2].id, body="d", withdrawn=True)
    comment(rnd, u, body="whole")
    assert clause_comment_counts(rnd) == {clauses[0].id: 2, clauses[2].id: 1}


def _bulk_comments(r, n_comments, n_clauses_version, users):
    from consult.consultations.models import Clause
    clauses = list(db.session.scalars(select(Clause).where(Clause.version_id == r.version_id)))
    rows = []
    for i in range(n_comments):
        rows.append(Comment(round_id=r.id, author_id=users[i % len(users)].id,
                            clause_id=clauses[i % len(clauses)].id, body=f"意见{i}", depth=0,
                            support_count=i % 7))
    db.session.add_all(rows)
    db.session.flush()
    replies = []
    for c in rows:
        c.thread_id = c.id
    for c in rows[:40]:
        replies.append(Comment(round_id=r.id, author_id=users[0].id, clause_id=c.clause_id,
                               body="回复", depth=1, parent_id=c.id, reply_to_id=c.id,
                               thread_id=c.id))
    db.session.add_all(replies)
    db.session.commit()


@pytest.mark.parametrize("logged_in", [False, True])
def test_comments_page_query_budget_is_constant(client, login_as, count_queries, logged_in):
    small = RoundFactory(version=DraftVersionFactory(clauses=3))
    big = RoundFactory(version=DraftVersionFactory(clauses=50))
    users = [UserFactory() for _ in range(10)]
    _bulk_comments(small, 5, 3, users)
    _bulk_comments(big, 500, 50, users)
    if logged_in:
        login_as(users[3])
    for sort in ("newest", "supported", "clause"):
        with count_queries() as few:
            assert client.get(url(small) + f"?sort={sort}").status_code == 200
        with count_queries() as many:
            assert client.get(url(big) + f"?sort={sort}").status_code == 200
        assert len(many) == len(few) <= 15, "\n".join(many)
    with count_queries() as filtered:
        assert client.get(url(big) + "?clause=" + str(
            db.session.scalar(select(Comment.clause_id).where(Comment.round_id == big.id)
                              .limit(1)))).status_code == 200
    assert len(filtered) <= 15


def test_hidden_and_held_comments_never_show_their_text(client, login_as, rnd, citizen):
    hidden = make_comment(client, login_as, rnd, citizen, "被隐藏的文字")
    held = make_comment(client, login_as, rnd, citizen, "待审核的文字")
    make_comment(client, login_as, rnd, UserFactory(), "回复仍在", hidden.id)
    for row, status, reason in ((hidden, ContentStatus.HIDDEN, "含有人身攻击"),
                                (held, ContentStatus.HELD, None)):
        comment = db.session.get(Comment, row.id)
        comment.status, comment.moderation_reason = status, reason
    db.session.commit()
    for path in (url(rnd), url(rnd) + "?sort=supported", f"/comments/{hidden.id}/reply"):
        text = client.get(path).text
        assert "被隐藏的文字" not in text and "待审核的文字" not in text, path
    page = client.get(url(rnd)).text
    assert "Hidden by a moderator" in page and "含有人身攻击" in page
    assert "回复仍在" in page  # replies keep their place under a hidden comment
