"""Moderation of agenda suggestions and suggestion comments, through the pages: the same
flag form as round comments, the queue, hide with a public reason shown in place (the
text nowhere), one appeal, sensitive-word holds, suspensions (403), query budgets."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.db import atomic, db
from consult.moderation import services as moderation
from consult.moderation.models import Flag, FlagReason
from consult.suggestions import services
from consult.suggestions.models import Suggestion, SuggestionComment, Visibility
from tests.factories import (
    DepartmentFactory,
    FlagFactory,
    ModerationCaseFactory,
    RoleAssignmentFactory,
    UserFactory,
    add_word,
    make_suggestion,
    moderation_world,
)

HX = {"HX-Request": "true"}
MARKER = "UNIQUE-MARKER-5c1e"
TAG = "marker-tag-9d2b"  # tags are lower-cased


pytestmark = pytest.mark.usefixtures("english")  # assertions read the English messages


@pytest.fixture
def dept(app):
    return DepartmentFactory(slug="civil-mod")


def suggest(world, dept, role="author", **fields):
    s = make_suggestion(world.user(role), dept, **fields)
    return db.session.get(Suggestion, s.id)


def comment_on(world, s, body, role="citizen"):
    with atomic():
        c = services.add_comment(world.user(role), db.session.get(Suggestion, s.id), body=body)
    return db.session.get(SuggestionComment, c.id)


def hide(world, kind, ident, reason="公开理由乙"):
    with atomic():
        moderation.hide_item(world.user("moderator"),
                             moderation.get_item(world.user("moderator"), kind, ident),
                             reason=reason)


# ---------------------------------------------------------------- flags

def test_the_comment_flag_form_is_on_suggestions_and_their_comments(client, login_as, world,
                                                                    dept):
    s = suggest(world, dept)
    c = comment_on(world, s, "评论一条")
    url = f"/suggestions/{s.id}"
    assert 'id="flag-suggestion-' not in client.get(url).text  # visitors: no form
    login_as(world.user("author"))
    page = client.get(url).text
    assert f'id="flag-suggestion-{s.id}"' not in page  # not on one's own suggestion
    assert f'id="flag-suggestion_comment-{c.id}"' in page
    login_as(world.user("admin"))
    page = client.get(url).text
    assert f'action="/moderation/suggestion/{s.id}/flag"' in page
    assert f'action="/moderation/suggestion_comment/{c.id}/flag"' in page
    assert 'name="reason"' in page and FlagReason.SPAM.value in page
    response = client.post(f"/moderation/suggestion/{s.id}/flag", headers=HX,
                           data={"reason": "spam", "note": "广告"})
    assert response.status_code == 200 and "Flagged, thank you" in response.text
    assert f'id="flag-suggestion-{s.id}"' in response.text and "<html" not in response.text
    again = client.post(f"/moderation/suggestion/{s.id}/flag", headers=HX,
                        data={"reason": "spam"})
    assert again.status_code == 409
    back = client.post(f"/moderation/suggestion_comment/{c.id}/flag",
                       data={"reason": "abuse", "next": url})
    assert back.status_code == 303 and back.headers["Location"].endswith(url)
    assert client.get(f"/moderation/suggestion/{s.id}/flag").status_code == 200
    assert client.get(f"/moderation/suggestion_comment/{c.id}/flag").status_code == 200
    assert client.post(f"/moderation/suggestion/{s.id}/flag",
                       data={"reason": ""}).status_code == 422
    assert len(list(db.session.scalars(select(Flag)))) == 2
    login_as(world.user("suspended"))
    assert f'id="flag-suggestion-{s.id}"' not in client.get(url).text
    assert client.post(f"/moderation/suggestion/{s.id}/flag",
                       data={"reason": "spam"}).status_code == 403


def test_the_queue_lists_them_and_the_review_pages_open(client, login_as, world, dept):
    s = suggest(world, dept, problem=f"{MARKER} 问题")
    c = comment_on(world, s, f"{MARKER} 评论")
    with atomic():
        for kind, ident in (("suggestion", s.id), ("suggestion_comment", c.id)):
            moderation.flag_item(world.user("admin"),
                                 moderation.get_item(world.user("admin"), kind, ident),
                                 reason="spam")
    login_as(world.user("moderator"))
    queue = client.get("/moderation/").text
    assert f'id="case-suggestion-{s.id}"' in queue
    assert f'id="case-suggestion_comment-{c.id}"' in queue
    assert "Comment on a suggestion" in queue and MARKER in queue
    assert f'id="case-suggestion-{s.id}"' in client.get("/moderation/?kind=suggestion").text
    for kind, ident in (("suggestion", s.id), ("suggestion_comment", c.id)):
        page = client.get(f"/moderation/{kind}/{ident}")
        assert page.status_code == 200 and MARKER in page.text
        assert f'action="/moderation/{kind}/{ident}/hide"' in page.text
    # Hide from the queue's inline form.
    response = client.post(f"/moderation/suggestion/{s.id}/hide",
                           data={"reason": "商业广告", "next": "/moderation/"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Suggestion, s.id).status is Visibility.HIDDEN
    assert client.post(f"/moderation/suggestion/{s.id}/hide",
                       data={"reason": ""}).status_code == 422


# ---------------------------------------------------------------- hidden text never leaks

def _paths(s):
    """Every public page that shows suggestions (the similar-titles search included)."""
    return [f"/suggestions/{s.id}", f"/suggestions/{s.id}?page=1", "/suggestions/",
             "/suggestions/?sort=newest", f"/suggestions/?department={s.department.slug}",
             "/suggestions/similar?title=标题", "/", "/me/", "/me/notifications",
             f"/departments/{s.department.slug}"]


def test_hidden_text_never_appears_and_the_reason_shows_in_place(client, login_as, world,
                                                                  dept):
    s = suggest(world, dept, title=f"{MARKER} 标题", problem=f"{MARKER} 问题",
                proposal=f"{MARKER} 提案", tags=TAG)
    c = comment_on(world, s, f"{MARKER} 评论")
    keep = comment_on(world, s, "留下的评论", role="admin")
    for path in (f"/suggestions/{s.id}", "/suggestions/", "/suggestions/similar?title=标题"):
        assert MARKER in client.get(path).text  # so its absence below means something
    assert TAG in client.get("/suggestions/").text  # the tag filter lists it
    hide(world, "suggestion_comment", c.id, reason="公开理由甲")
    hide(world, "suggestion", s.id)
    s = services.get_suggestion(None, s.id)
    checked = 0
    for role in ("visitor", "citizen", "author", "official", "suspended", "admin"):
        if role != "visitor":
            login_as(world.user(role))
        for path in _paths(s):
            for headers in ({}, HX, {"Accept": "application/json"}):
                response = client.get(path, headers=headers)
                assert response.status_code < 500, path
                text = response.get_data(as_text=True)
                assert MARKER not in text and TAG not in text, (role, path, headers)
                checked += 1
    client.delete_cookie("session")
    page = client.get(f"/suggestions/{s.id}").text
    assert "Hidden by a moderator" in page and "公开理由乙" in page and "公开理由甲" in page
    assert f'id="comment-{c.id}"' in page and f'id="comment-{keep.id}"' in page
    assert "1 comment" in page  # the hidden one is not counted
    # Its author gets the appeal link in place (once).
    login_as(world.user("author"))
    page = client.get(f"/suggestions/{s.id}").text
    assert f'href="/moderation/suggestion/{s.id}/appeal"' in page
    assert f'href="/moderation/suggestion_comment/{c.id}/appeal"' not in page
    login_as(world.user("citizen"))
    assert (f'href="/moderation/suggestion_comment/{c.id}/appeal"'
            in client.get(f"/suggestions/{s.id}").text)


def test_the_author_appeals_once_and_a_restore_brings_the_text_back(client, login_as, world,
                                                                     dept):
    s = suggest(world, dept, title="被隐藏的建议标题")
    hide(world, "suggestion", s.id)
    login_as(world.user("citizen"))
    assert client.get(f"/moderation/suggestion/{s.id}/appeal").status_code == 403
    login_as(world.user("author"))
    form = client.get(f"/moderation/suggestion/{s.id}/appeal")
    assert form.status_code == 200 and "被隐藏的建议标题" in form.text  # the author's own text
    sent = client.post(f"/moderation/suggestion/{s.id}/appeal", data={"text": "这是真问题"})
    assert sent.status_code == 303 and sent.headers["Location"].endswith(f"/suggestions/{s.id}")
    assert client.post(f"/moderation/suggestion/{s.id}/appeal",
                       data={"text": "再来"}).status_code == 409
    login_as(world.user("moderator"))
    assert "这是真问题" in client.get("/moderation/?show=appeals").text
    assert client.post(f"/moderation/suggestion/{s.id}/decide-appeal",
                       data={"outcome": "restored"}).status_code == 303
    client.delete_cookie("session")
    assert "被隐藏的建议标题" in client.get(f"/suggestions/{s.id}").text
    assert "被隐藏的建议标题" in client.get("/suggestions/").text


# ---------------------------------------------------------------- sensitive words

def suggestion_form(**over):
    data = dict(department_id="", title="社区食堂太少了", problem="老人吃饭不方便。",
                affected="", location="", proposal="每个街道建一个社区食堂。", tags="", links="")
    data.update(over)
    return data


def test_a_sensitive_word_holds_a_submitted_suggestion(client, login_as, world, dept):
    add_word("违禁词")
    login_as(world.user("author"))
    response = client.post("/suggestions/new", data=suggestion_form(
        department_id=str(dept.id), problem=f"{MARKER} 违禁词"), follow_redirects=True)
    assert response.status_code == 200
    assert "awaiting review" in response.text and "Awaiting review" in response.text
    assert MARKER in response.text  # the author reads their own text
    s = db.session.scalar(select(Suggestion))
    assert s.status is Visibility.HELD
    for role in ("visitor", "citizen", "official"):
        client.delete_cookie("session")
        if role != "visitor":
            login_as(world.user(role))
        assert client.get(f"/suggestions/{s.id}").status_code == 404
        assert "社区食堂太少了" not in client.get("/suggestions/").text
    assert "社区食堂太少了" not in client.get("/manage/suggestions").text
    login_as(world.user("moderator"))
    assert MARKER in client.get("/moderation/?show=held").text
    assert client.post(f"/moderation/suggestion/{s.id}/approve").status_code == 303
    client.delete_cookie("session")
    assert MARKER in client.get(f"/suggestions/{s.id}").text
    login_as(world.user("official"))  # dept is not theirs: check the record instead
    assert services.department_suggestion_record(dept.id).received == 1


def test_a_sensitive_word_holds_a_comment_for_its_author_only(client, login_as, world, dept):
    add_word("违禁词")
    s = suggest(world, dept)
    login_as(world.user("citizen"))
    response = client.post(f"/suggestions/{s.id}/comments", headers=HX,
                           data={"body": f"{MARKER} 违禁词"})
    assert response.status_code == 200
    assert "Awaiting review" in response.text and MARKER not in response.text
    assert "0 comments" in response.text
    c = db.session.scalar(select(SuggestionComment))
    assert c.status is Visibility.HELD
    for role in ("visitor", "author", "official"):
        client.delete_cookie("session")
        if role != "visitor":
            login_as(world.user(role))
        page = client.get(f"/suggestions/{s.id}").text
        assert f'id="comment-{c.id}"' not in page and MARKER not in page
    login_as(world.user("moderator"))
    assert client.post(f"/moderation/suggestion_comment/{c.id}/approve").status_code == 303
    client.delete_cookie("session")
    page = client.get(f"/suggestions/{s.id}").text
    assert MARKER in page and "1 comment" in page


# ---------------------------------------------------------------- suspensions

def test_a_suspended_user_cannot_submit_comment_support_or_rate(client, login_as, world, dept):
    s = suggest(world, dept)
    own = suggest(world, dept, role="citizen")
    login_as(world.user("suspended"))
    assert client.get("/suggestions/new").status_code == 403
    assert client.post("/suggestions/new", data=suggestion_form(
        department_id=str(dept.id))).status_code == 403
    assert client.post(f"/suggestions/{s.id}/comments",
                       data={"body": "想说话"}).status_code == 403
    assert client.post(f"/suggestions/{s.id}/support").status_code == 403
    assert client.post(f"/suggestions/{own.id}/rating",
                       data={"rating": "satisfied"}).status_code == 403
    page = client.get(f"/suggestions/{s.id}").text
    assert f'action="/suggestions/{s.id}/comments"' not in page
    assert f'action="/suggestions/{s.id}/support"' not in page
    db.session.expire_all()
    assert db.session.get(Suggestion, s.id).support_count == 0
    assert db.session.get(Suggestion, s.id).comment_count == 0
    assert db.session.scalar(select(Suggestion).where(Suggestion.author_id ==
                                                      world.suspended_id)) is None


def test_a_suspended_author_cannot_rate_the_answer(client, login_as, world, dept):
    from tests.factories import with_roles

    s = suggest(world, dept)
    RoleAssignmentFactory(user_id=world.official_id, department=dept)
    with atomic():
        services.answer_suggestion(with_roles(world.user("official")),
                                   db.session.get(Suggestion, s.id), status="under_study")
    with atomic():
        moderation.suspend_user(world.user("moderator"), world.user("author"), days=2,
                                reason="刷屏")
    login_as(world.user("author"))
    assert client.post(f"/suggestions/{s.id}/rating",
                       data={"rating": "satisfied"}).status_code == 403
    assert f'action="/suggestions/{s.id}/rating"' not in client.get(
        f"/suggestions/{s.id}").text


# ---------------------------------------------------------------- query budget

def _flagged(world, dept, n_flags: int):
    s = suggest(world, dept)
    comments = [comment_on(world, s, f"评论{i}") for i in range(3)]
    items = [("suggestion", s.id)] + [("suggestion_comment", c.id) for c in comments]
    reporters = [UserFactory() for _ in range(max(1, n_flags // len(items)))]
    reasons = list(FlagReason)
    made = 0
    for i, reporter in enumerate(reporters):
        for j, (kind, ident) in enumerate(items):
            if made < n_flags:
                FlagFactory(kind=kind, item_id=ident, reporter_id=reporter.id,
                            reason=reasons[(i + j) % len(reasons)])
                made += 1
    for kind, ident in items:
        ModerationCaseFactory(
            kind=kind, item_id=ident, author_id=world.author_id,
            open_flags=db.session.query(Flag).filter_by(kind=kind, item_id=ident).count())


def test_queue_query_budget_with_suggestions_is_constant(app, client, login_as,
                                                         count_queries):
    counts = []
    for n in (4, 400):
        with app.test_request_context("/"):
            world = moderation_world()
            _flagged(world, DepartmentFactory(), n)
        login_as(world.user("moderator"))
        client.get("/moderation/")
        with count_queries() as seen:
            response = client.get("/moderation/")
        assert response.status_code == 200
        counts.append(len(seen))
    assert counts[0] == counts[1] <= 12, counts
