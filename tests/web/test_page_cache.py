"""The page cache of a round's public comment list (consult.pagecache).

Anonymous visitors are served the list from the cache, and so are logged-in readers (the
list shared by every reader, their own parts filled in: consult.participation.reader);
every change that can alter it must show on the very next request of either. Each test
primes the cache, makes one kind of change the way the application makes it, and looks
again, once as an anonymous visitor and once as a logged-in reader (``visitor``).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from consult import pagecache
from consult.extensions import db
from consult.moderation import services as moderation
from consult.participation.models import Comment
from consult.rounds import lifecycle
from consult.rounds.models import Round
from tests.factories import OpinionRecordFactory, RoundFactory, UserFactory, comment


def supports(text: str, comment) -> str:
    """The support count shown for ``comment`` (as a button or as text)."""
    start = text.index(f'id="support-comment-{comment.id}"')
    part = text[start:text.index("</div>", start)]
    found = re.search(r'support-button__count">(\d+)<|>\s*(\d+) supports?\s*<', part)
    return found.group(1) or found.group(2)


def page(visitor, r, query=""):
    response = visitor.get(f"/rounds/{r.id}/comments{query}")
    assert response.status_code == 200
    return response.text


def list_of(text: str) -> str:
    return text[text.index('<section id="comments"'):text.index("</aside>")]


def say(client, login_as, r, user, body, parent_id=None):
    login_as(user)
    data = {"body": body, "clause_id": ""}
    if parent_id:
        data["parent_id"] = str(parent_id)
    assert client.post(f"/rounds/{r.id}/comments", data=data).status_code == 303
    return db.session.scalar(select(Comment).where(Comment.body == body))


def version_of(r) -> int:
    return db.session.scalar(select(Round.content_version).where(Round.id == r.id))


# ---------------------------------------------------------------- it is a cache

def test_second_anonymous_request_is_served_from_the_cache(client, login_as, count_queries,
                                                           rnd, author, anonymous):
    visitor = anonymous
    say(client, login_as, rnd, author, "建议增加夜间照护服务。")
    with count_queries() as seen:
        first = page(visitor, rnd)
    miss = list(seen)
    with count_queries() as seen:
        second = page(visitor, rnd)
    hit = list(seen)
    assert "建议增加夜间照护服务。" in first
    assert list_of(second) == list_of(first)  # (the page's CSRF token is signed anew)
    assert any("FROM comment" in q for q in miss)
    assert not any("FROM comment" in q for q in hit), hit  # nor any per-clause count
    assert len(hit) <= 3 < len(miss)


def test_htmx_sort_and_filter_are_cached_apart(client, login_as, rnd, author, visitor):
    say(client, login_as, rnd, author, "第一条")
    say(client, login_as, rnd, UserFactory(), "第二条")
    newest = page(visitor, rnd, "?sort=newest")
    oldest_first = page(visitor, rnd, "?sort=clause")
    assert newest.index("第二条") < newest.index("第一条")
    assert oldest_first.index("第一条") < oldest_first.index("第二条")
    fragment = visitor.get(f"/rounds/{rnd.id}/comments?sort=newest",
                           headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'id="comments-list-wrap"' in fragment.text and "第二条" in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
    # and the full page asked after the fragment is still a full page
    assert "<html" in page(visitor, rnd, "?sort=newest")


def test_query_arguments_are_part_of_the_key(app, rnd, visitor):
    users = [UserFactory() for _ in range(3)]
    for i in range(25):
        comment(rnd, users[i % 3], body=f"意见{i}")
    tagged = page(visitor, rnd, "?campaign=evil")
    assert "campaign=evil" in tagged  # the pagination link keeps the visitor's arguments
    assert "campaign=evil" not in page(visitor, rnd)  # ... and only the visitor's


def test_each_language_has_its_own_fragment(client, login_as, rnd, author, visitor, app):
    say(client, login_as, rnd, author, "意见")
    assert "1 comment" in page(visitor, rnd)
    chinese = app.test_client()
    chinese.set_cookie("locale", "zh_CN")
    text = chinese.get(f"/rounds/{rnd.id}/comments").text
    assert "1 条意见" in text and "1 comment" not in text
    assert "1 comment" in page(visitor, rnd)


def test_logged_in_readers_share_the_list_with_their_own_parts(client, login_as, count_queries,
                                                               rnd, author):
    mine = say(client, login_as, rnd, author, "作者自己的意见")
    theirs = say(client, login_as, rnd, UserFactory(), "别人的意见")
    reader = login_as(UserFactory())
    assert client.post(f"/comments/{theirs.id}/support",
                       data={"supported": "1"}).status_code == 303
    url = f"/rounds/{rnd.id}/comments"
    client.get(url)  # fills the shared list
    with count_queries() as seen:
        text = client.get(url, headers={"Cookie": "locale=en"}).text
    hit = list(seen)
    assert not any("comment.body" in q for q in hit), hit  # the list came from the cache
    assert len(hit) <= 4, hit  # the reader, the round, the reader's own state
    pressed = re.findall(r'id="support-comment-(\d+)".*?aria-pressed="(\w+)"', text, re.S)
    assert dict(pressed) == {str(theirs.id): "true", str(mine.id): "false"}
    assert f'id="flag-comment-{mine.id}"' in text and f'id="flag-comment-{theirs.id}"' in text
    assert f"/comments/{mine.id}/edit" not in text and "/withdraw" not in text
    assert reader.display_name not in text
    # the author, from the same shared list: their own actions, nobody's presses
    login_as(author)
    with count_queries() as seen:
        text = client.get(url, headers={"Cookie": "locale=en"}).text
    assert not any("comment.body" in q for q in seen)
    assert f"/comments/{mine.id}/edit" in text and f"/comments/{mine.id}/withdraw" in text
    assert f"/comments/{theirs.id}/edit" not in text
    assert f'id="flag-comment-{mine.id}"' not in text
    assert f'id="flag-comment-{theirs.id}"' in text
    assert f'action="/comments/{mine.id}/support"' not in text  # not one's own
    assert 'aria-pressed="true"' not in text
    # the htmx fragment is filled the same way
    fragment = client.get(url, headers={"HX-Request": "true"}).text
    assert "<html" not in fragment and f"/comments/{mine.id}/withdraw" in fragment
    assert "<!--reader:" not in text + fragment


TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


def tokens_of(text: str) -> set[str]:
    return {a or b for a, b in TOKEN.findall(text)}


def without_tokens(text: str) -> str:
    return " ".join(TOKEN.sub("TOKEN", text).split())


def test_readers_of_one_kind_share_the_filled_list_with_their_own_token(
        client, login_as, rnd, author, app):
    say(client, login_as, rnd, author, "一条意见")
    url = f"/rounds/{rnd.id}/comments"
    pages = []
    for reader in (UserFactory(), UserFactory()):  # the second: from the first's filling
        browser = app.test_client()
        with browser.session_transaction() as session:
            session["_user_id"] = reader.get_id()
            session["_fresh"] = True
        browser.get(url)
        pages.append(browser.get(url).text)
    first, second = pages
    assert 'class="comment-form"' in second and "/support" in second and "flag-comment" in second
    # every form of a reader's page (the shared new-comment form, the parts) has their token
    assert len(tokens_of(first)) == 1 and len(tokens_of(second)) == 1
    assert tokens_of(first) != tokens_of(second)
    assert "reader:" not in first + second
    assert list_of(without_tokens(second)) == list_of(without_tokens(first))


@pytest.mark.parametrize("kind", ["participant", "unverified", "suspended", "moderator",
                                  "supporter", "author"])
def test_a_readers_filled_list_is_the_list_rendered_for_them_alone(
        client, login_as, rnd, author, monkeypatch, kind):
    from consult.participation import reader as shared

    mine = say(client, login_as, rnd, author, "作者的意见")
    theirs = say(client, login_as, rnd, UserFactory(), "别人的意见")
    say(client, login_as, rnd, UserFactory(), "一条回复", theirs.id)
    OpinionRecordFactory(comment__round_id=rnd.id, comment__body="一封来信的意见")  # no author
    db.session.commit()
    url = f"/rounds/{rnd.id}/comments"
    login_as(UserFactory())
    client.get(url)  # the shared list, and the parts of a reader of the common kind, kept
    client.get(url)
    if kind == "author":
        user = login_as(author)
    elif kind == "suspended":
        user = login_as(UserFactory())
        moderation.suspend_user(UserFactory(role="moderator"), user, days=3, reason="测试")
        db.session.commit()
    else:
        user = login_as(UserFactory(unverified=kind == "unverified",
                                    **({"role": "moderator"} if kind == "moderator" else {})))
    if kind == "supporter":
        assert client.post(f"/comments/{theirs.id}/support",
                           data={"supported": "1"}).status_code == 303
    filled = client.get(url).text
    again = client.get(url).text  # (kept for a reader of their kind, or filled anew)
    real = shared.reader_state
    monkeypatch.setattr(shared, "reader_state", lambda *args: shared.ReaderState(
        real(*args).supported, held=True))  # the list rendered for this reader alone
    alone = client.get(url).text
    assert "reader:" not in filled and 'id="comments-list-wrap"' in alone
    assert "一封来信的意见" in filled
    assert list_of(without_tokens(filled)) == list_of(without_tokens(alone)), user
    assert list_of(without_tokens(again)) == list_of(without_tokens(alone))
    if kind == "author":
        assert f"/comments/{mine.id}/withdraw" in filled
    if kind == "supporter":
        assert 'aria-pressed="true"' in filled
    if kind == "suspended":
        assert "flag-comment" not in filled and f"/comments/{theirs.id}/support" not in filled


def test_the_edit_link_goes_when_the_edit_window_closes(client, login_as, rnd, author,
                                                        monkeypatch):
    from consult.participation.services import comments

    comment = say(client, login_as, rnd, author, "限时可改")
    url = f"/rounds/{rnd.id}/comments"
    assert f"/comments/{comment.id}/edit" in client.get(url).text  # now in the cache
    later = comment.created_at + comments.edit_window() + timedelta(minutes=1)
    monkeypatch.setattr(comments, "now", lambda: later)  # time alone passes: no bump
    text = client.get(url).text
    assert f"/comments/{comment.id}/edit" not in text
    assert f"/comments/{comment.id}/withdraw" in text


def test_a_comment_awaiting_review_is_shown_to_its_author_only(client, login_as, rnd, author):
    from consult.participation.models import ContentStatus

    say(client, login_as, rnd, UserFactory(), "公开的意见")
    held = say(client, login_as, rnd, author, "等待审核的意见")
    held.status = ContentStatus.HELD
    db.session.commit()
    url = f"/rounds/{rnd.id}/comments"
    login_as(UserFactory())
    text = client.get(url).text
    assert "公开的意见" in text and f'id="comment-{held.id}"' not in text
    login_as(author)
    text = client.get(url).text
    assert "公开的意见" in text and f'id="comment-{held.id}"' in text


def test_the_author_of_a_hidden_comment_may_appeal(client, login_as, rnd, author):
    comment = say(client, login_as, rnd, author, "被隐藏的意见")
    moderation.hide_item(UserFactory(role="moderator"), db.session.get(Comment, comment.id),
                         reason="人身攻击")
    db.session.commit()
    url = f"/rounds/{rnd.id}/comments"
    login_as(UserFactory())
    assert "/appeal" not in client.get(url).text
    login_as(author)
    assert f"comment/{comment.id}/appeal" in client.get(url).text


def test_a_failing_cache_costs_speed_not_the_page(rnd, visitor, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(pagecache.cache, "get", broken)
    monkeypatch.setattr(pagecache.cache, "get_many", broken)
    monkeypatch.setattr(pagecache.cache, "set_many", broken)
    assert "comments-list-wrap" in page(visitor, rnd)


def test_cache_can_be_switched_off(app, client, login_as, rnd, author, visitor):
    app.config["PAGE_CACHE"] = False
    say(client, login_as, rnd, author, "第一条")
    page(visitor, rnd)
    db.session.execute(Comment.__table__.update().values(body="直接改写"))  # no bump at all
    db.session.commit()
    assert "直接改写" in page(visitor, rnd)


# ---------------------------------------------------------------- every change shows

def test_new_comment_and_reply_show(client, login_as, rnd, author, visitor):
    first = say(client, login_as, rnd, author, "第一条意见")
    assert "第一条意见" in page(visitor, rnd)
    say(client, login_as, rnd, UserFactory(display_name="李华"), "一条回复", first.id)
    text = page(visitor, rnd)
    assert "一条回复" in text and "1 reply" in text


def test_edit_shows(client, login_as, rnd, author, visitor):
    comment = say(client, login_as, rnd, author, "原来的文字")
    assert "原来的文字" in page(visitor, rnd)
    assert client.post(f"/comments/{comment.id}/edit",
                       data={"body": "改过的文字"}).status_code == 303
    text = page(visitor, rnd)
    assert "改过的文字" in text and "原来的文字" not in text


def test_withdrawal_shows(client, login_as, rnd, author, visitor):
    comment = say(client, login_as, rnd, author, "要撤回的文字")
    assert "要撤回的文字" in page(visitor, rnd)
    assert client.post(f"/comments/{comment.id}/withdraw").status_code == 303
    assert "要撤回的文字" not in page(visitor, rnd)


def test_support_and_its_withdrawal_show(client, login_as, rnd, author, visitor):
    comment = say(client, login_as, rnd, author, "值得支持")
    assert supports(page(visitor, rnd), comment) == "0"
    login_as(UserFactory())
    before = version_of(rnd)
    assert client.post(f"/comments/{comment.id}/support",
                       data={"supported": "1"}).status_code == 303
    assert version_of(rnd) == before + 1  # one bump per action, in its transaction
    assert supports(page(visitor, rnd), comment) == "1"
    assert client.post(f"/comments/{comment.id}/support",
                       data={"supported": "0"}).status_code == 303
    assert supports(page(visitor, rnd), comment) == "0"


def counts_version_of(r) -> int:
    return db.session.scalar(select(Round.counts_version).where(Round.id == r.id))


def in_favour(text: str) -> str:
    """How many comments in favour the page counts (its stated stances), or "0"."""
    found = re.search(r"In favour: (\d+)", text)
    return found.group(1) if found else "0"


def test_the_counts_are_kept_until_a_change_moves_them(client, login_as, rnd, author,
                                                        visitor):
    """The comments page's counts are kept under the round's counts version: a support
    moves the content version only (no count moves); posting, withdrawing and moderation
    move both, and the page counts again."""
    def post(body):
        login_as(author)
        assert client.post(f"/rounds/{rnd.id}/comments", data={
            "body": body, "clause_id": "", "stance": "support"}).status_code == 303
        return db.session.scalar(select(Comment).where(Comment.body == body))

    first, second = post("第一条"), post("第二条")
    assert in_favour(page(visitor, rnd)) == "2"
    content, counts = version_of(rnd), counts_version_of(rnd)
    login_as(UserFactory())
    assert client.post(f"/comments/{first.id}/support",
                       data={"supported": "1"}).status_code == 303
    assert (version_of(rnd), counts_version_of(rnd)) == (content + 1, counts)
    assert in_favour(page(visitor, rnd)) == "2"
    post("第三条")
    assert (version_of(rnd), counts_version_of(rnd)) == (content + 2, counts + 1)
    assert in_favour(page(visitor, rnd)) == "3"
    assert client.post(f"/comments/{second.id}/withdraw").status_code == 303
    assert counts_version_of(rnd) == counts + 2
    assert in_favour(page(visitor, rnd)) == "2"
    moderation.hide_item(UserFactory(role="moderator"), db.session.get(Comment, first.id),
                         reason="人身攻击")
    db.session.commit()
    assert counts_version_of(rnd) == counts + 3
    assert in_favour(page(visitor, rnd)) == "1"


def test_moderation_hide_and_restore_show(client, login_as, rnd, author, visitor):
    comment = say(client, login_as, rnd, author, "有争议的文字")
    assert "有争议的文字" in page(visitor, rnd)
    moderator = UserFactory(role="moderator")
    moderation.hide_item(moderator, db.session.get(Comment, comment.id), reason="人身攻击")
    db.session.commit()
    text = page(visitor, rnd)
    assert "有争议的文字" not in text and "人身攻击" in text
    moderation.restore_item(moderator, db.session.get(Comment, comment.id))
    db.session.commit()
    assert "有争议的文字" in page(visitor, rnd)


def test_a_renamed_author_shows_under_the_new_name(client, login_as, rnd, author, visitor):
    say(client, login_as, rnd, author, "署名意见")
    assert "张晓明" in page(visitor, rnd)
    author.display_name = "张小明"
    db.session.commit()
    text = page(visitor, rnd)
    assert "张小明" in text and "张晓明" not in text


def test_closing_the_round_removes_the_reply_links(client, login_as, rnd, author, visitor):
    say(client, login_as, rnd, author, "开放时的意见")
    assert ">Reply<" in page(visitor, rnd)
    official = UserFactory(role="admin")
    lifecycle.close(official, db.session.get(Round, rnd.id), reason="提前结束")
    db.session.commit()
    assert ">Reply<" not in page(visitor, rnd)


def test_a_change_rolled_back_bumps_nothing(app, rnd):
    before = version_of(rnd)
    comment = Comment(round_id=rnd.id, author_id=UserFactory().id, body="不会保存")
    db.session.add(comment)
    db.session.flush()
    db.session.rollback()
    db.session.commit()
    assert version_of(rnd) == before


def test_the_draft_margin_counts_follow_comments(client, login_as, rnd, author, visitor):
    from consult.consultations.models import Clause
    clause = db.session.scalars(select(Clause).where(Clause.version_id == rnd.version_id)
                                .order_by(Clause.position)).first()
    consultation_page = f"/consultations/{rnd.consultation_id}"
    first = visitor.get(consultation_page).text
    assert f"Comment on {clause.number}" in first
    def draft(text):
        start = text.index('id="draft"')
        return text[start:text.index("</section>", start)]

    assert draft(visitor.get(consultation_page).text) == draft(first)  # from the cache
    login_as(author)
    assert client.post(f"/rounds/{rnd.id}/comments",
                       data={"body": "对这一条的意见", "clause_id": str(clause.id)}
                       ).status_code == 303
    assert f"1 comment on {clause.number}" in visitor.get(consultation_page).text


# ---------------------------------------------------------------- questions

def test_questions_their_supports_and_answers_show(client, login_as, rnd, author, anonymous):
    visitor = anonymous  # (a logged-in reader's question list is not cached)
    from consult.accounts.models import Department
    from consult.consultations.models import Consultation
    from consult.participation.models import Question

    questions = f"/rounds/{rnd.id}/questions"
    assert "什么时候" not in visitor.get(questions).text
    login_as(author)
    assert client.post(questions, data={"body": "什么时候开始实施？"}).status_code == 303
    question = db.session.scalar(select(Question))
    assert "什么时候开始实施？" in visitor.get(questions).text
    login_as(UserFactory())
    assert client.post(f"/questions/{question.id}/support",
                       data={"supported": "1"}).status_code == 303
    assert "1 person wants to know" in visitor.get(questions).text
    consultation = db.session.get(Consultation, rnd.consultation_id)
    official = UserFactory(role="official", role__department=db.session.get(
        Department, consultation.department_id))
    login_as(official)
    assert client.post(f"/questions/{question.id}/answer",
                       data={"body": "明年一月起实施。"}).status_code == 303
    assert "明年一月起实施。" in visitor.get(questions).text


def test_a_renamed_department_signs_its_answers_under_the_new_name(client, login_as, rnd,
                                                                  author, anonymous):
    visitor = anonymous
    from consult.accounts.models import Department
    from consult.consultations.models import Consultation
    from consult.participation.models import Question

    questions = f"/rounds/{rnd.id}/questions"
    login_as(author)
    assert client.post(questions, data={"body": "何时实施？"}).status_code == 303
    department = db.session.get(Department, db.session.get(
        Consultation, rnd.consultation_id).department_id)
    department.name_en = "Housing Bureau"
    db.session.commit()
    login_as(UserFactory(role="official", role__department=department))
    question = db.session.scalar(select(Question))
    assert client.post(f"/questions/{question.id}/answer",
                       data={"body": "明年。"}).status_code == 303
    assert "Answer from Housing Bureau" in visitor.get(questions).text
    department = db.session.get(Department, department.id)
    department.name_en = "Housing and Construction Bureau"
    db.session.commit()
    text = visitor.get(questions).text
    assert "Answer from Housing and Construction Bureau" in text


def test_one_commit_moves_each_rounds_counts_version_by_what_changed(app, rnd):
    """A transaction that supports in one round and changes a post in another: both
    content versions move, only the second round's counts version does."""
    other = RoundFactory()
    before = {r.id: (version_of(r), counts_version_of(r)) for r in (rnd, other)}
    pagecache.touch_rounds(db.session, [rnd.id], counts=False)  # a support
    pagecache.touch_rounds(db.session, [other.id])  # a change the ORM does not see
    db.session.commit()
    assert (version_of(rnd), counts_version_of(rnd)) == (before[rnd.id][0] + 1,
                                                         before[rnd.id][1])
    assert (version_of(other), counts_version_of(other)) == (before[other.id][0] + 1,
                                                             before[other.id][1] + 1)
