"""The parts of a round's comment list kept by their own keys (consult.participation.parts,
and the new-comment form of consult.participation.views): when the round changes, the
list is rendered again, but only the parts whose key is new; and no part outlives what
it shows, whatever way that changed. Each test looks once as an anonymous visitor and
once as a logged-in reader (``visitor``, from test_page_cache)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from consult import i18n, pagecache
from consult.accounts.models import User
from consult.consultations.models import Clause, Consultation
from consult.extensions import db
from consult.participation.models import Comment, CommentStance
from consult.rounds.models import Round
from tests.factories import UserFactory, comment
from tests.web.test_page_cache import page, say, supports


@pytest.fixture
def rendered(monkeypatch):
    """{part name: how many of those parts were rendered} since the fixture started."""
    counts: Counter = Counter()
    many, one = pagecache.fragments, pagecache.fragment

    def fragments(name, keys, render, **kw):
        def counting(ids):
            counts[name] += len(ids)
            return render(ids)
        return many(name, keys, counting, **kw)

    def fragment(name, key, render, **kw):
        def counting():
            counts[name] += 1
            return render()
        return one(name, key, counting, **kw)

    monkeypatch.setattr(pagecache, "fragments", fragments)
    monkeypatch.setattr(pagecache, "fragment", fragment)
    return counts


def changed_behind_the_orm(r, table, values, **where) -> None:
    """A change the ORM does not see (a script, another program), then the round's
    versions moved as any change of the round moves them: the list is rendered again."""
    if values:
        db.session.execute(update(table).filter_by(**where).values(**values))
    db.session.execute(update(Round).where(Round.id == r.id)
                       .values(content_version=Round.content_version + 1,
                               counts_version=Round.counts_version + 1))
    db.session.commit()


def clauses_of(r) -> list[Clause]:
    return list(db.session.scalars(select(Clause).where(Clause.version_id == r.version_id)
                                   .order_by(Clause.position)))


def test_a_new_comment_renders_only_its_own_card_and_clause_item(
        client, login_as, rnd, author, visitor, rendered):
    first, second = clauses_of(rnd)[:2]
    for i in range(4):
        comment(rnd, body=f"旧意见{i}", clause_id=first.id)
    page(visitor, rnd)
    assert rendered["participation/card"] == 4
    assert rendered["participation/clause-item"] == 3  # every clause once
    rendered.clear()
    login_as(author)
    assert client.post(f"/rounds/{rnd.id}/comments",
                       data={"body": "新意见", "clause_id": str(second.id)}).status_code == 303
    text = page(visitor, rnd)
    assert "新意见" in text and all(f"旧意见{i}" in text for i in range(4))
    assert rendered["participation/card"] == 1  # the new comment's; the four were kept
    assert rendered["participation/comment-tallies"] == 1  # the round's counts moved
    assert rendered["participation/clause-item"] == 1  # the clause it is on: its count
    index = text[text.index('id="clause-index"'):]
    count = re.search(rf'id="clause-count-{second.id}">.*?aria-hidden="true">(\d+)<', index)
    assert count.group(1) == "1"


def test_a_card_follows_every_change_of_what_it_shows(client, login_as, rnd, author,
                                                      visitor):
    said = say(client, login_as, rnd, author, "原文")
    assert "原文" in page(visitor, rnd)
    # its own row, changed behind the ORM
    changed_behind_the_orm(rnd, Comment, {"body": "改写后的原文", "support_count": 7},
                           id=said.id)
    text = page(visitor, rnd)
    assert "改写后的原文" in text and ">原文<" not in text
    assert supports(text, said) == "7"
    # its author's name (not a column of the comment)
    changed_behind_the_orm(rnd, User, {"display_name": "改名后的作者"}, id=author.id)
    text = page(visitor, rnd)
    assert "改名后的作者" in text and "张晓明" not in text


def test_the_time_a_card_shows_moves_with_the_clock(client, login_as, rnd, author, visitor,
                                                    monkeypatch):
    said = say(client, login_as, rnd, author, "何时发表")
    assert "just now" in page(visitor, rnd)
    later = said.created_at + timedelta(hours=3)
    monkeypatch.setattr(i18n, "now", lambda: later)
    changed_behind_the_orm(rnd, Round, {}, id=rnd.id)  # the round changes (a new list)
    text = page(visitor, rnd)
    assert "3 hours ago" in text and "just now" not in text


def test_the_comment_form_is_kept_by_the_draft_not_by_the_rounds_content(
        app, client, login_as, rnd, author, rendered):
    clause = clauses_of(rnd)[1]
    reader = app.test_client()
    reader.set_cookie("locale", "en")
    with reader.session_transaction() as session:
        session["_user_id"] = UserFactory(display_name="读者").get_id()
        session["_fresh"] = True
    address = f"/rounds/{rnd.id}/comments?clause={clause.id}"
    reader.get(address)
    assert rendered["participation/new-comment-form"] == 1
    login_as(author)
    assert client.post(f"/rounds/{rnd.id}/comments", data={
        "body": "别人的新意见", "clause_id": str(clause.id)}).status_code == 303
    rendered.clear()
    text = reader.get(address).text
    assert "别人的新意见" in text
    assert rendered["participation/new-comment-form"] == 0  # kept: the draft is the same
    form = text[text.index('class="comment-form"'):]
    form = form[:form.index("</form>")]
    assert clause.body in form  # the proposal box starts from the clause shown
    assert f'<option selected value="{clause.id}">' in form
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    assert "reader:csrf" not in text
    posted = reader.post(f"/rounds/{rnd.id}/comments",
                         data={"csrf_token": token, "body": "读者的意见",
                               "clause_id": str(clause.id)})
    assert posted.status_code == 303  # the reader's own token, accepted


def test_the_filters_are_kept_by_the_draft_and_show_the_choices(client, login_as, rnd,
                                                                 author, visitor,
                                                                 rendered):
    clause = clauses_of(rnd)[2]
    say(client, login_as, rnd, author, "第一条意见")
    text = page(visitor, rnd, f"?clause={clause.id}&sort=supported")
    filters = text[text.index('class="filters comment-filters"'):]
    filters = filters[:filters.index("</form>")]
    assert f'<option value="{clause.id}" selected>' in filters
    assert '<option value="supported" selected>' in filters
    say(client, login_as, rnd, UserFactory(), "第二条意见")
    rendered.clear()
    page(visitor, rnd, f"?clause={clause.id}&sort=supported")
    assert rendered["participation/comment-filters"] == 0


def test_a_support_renders_nothing_again_but_a_list_sorted_by_supports(client, login_as,
                                                                      rnd, author, visitor,
                                                                      rendered):
    said = say(client, login_as, rnd, author, "值得支持的意见")
    say(client, login_as, rnd, UserFactory(), "另一条意见")
    page(visitor, rnd)
    page(visitor, rnd, "?sort=supported")
    rendered.clear()
    login_as(UserFactory())
    assert client.post(f"/comments/{said.id}/support",
                       data={"supported": "1"}).status_code == 303
    text = page(visitor, rnd)
    assert supports(text, said) == "1"  # the count now, filled into the list kept
    assert rendered["participation/reader-list"] == 0
    assert rendered["participation/card"] == 0
    assert rendered["participation/clause-items"] == 0
    assert rendered["participation/clause-item"] == 0
    assert rendered["participation/comment-tallies"] == 0
    # a list sorted by supports may change its order: rendered again, from its cards
    rendered.clear()
    assert supports(page(visitor, rnd, "?sort=supported"), said) == "1"
    assert rendered["participation/reader-list"] == 1
    assert rendered["participation/card"] == 0


def test_a_busy_rounds_list_takes_one_place_in_the_store(app, client, login_as, rnd, author,
                                                         visitor):
    """The round's list, and the consultation page's draft with its margin's counts."""
    say(client, login_as, rnd, author, "第一条意见")
    draft = f"/consultations/{rnd.consultation_id}"
    page(visitor, rnd)
    assert visitor.get(draft).status_code == 200
    store = pagecache.cache.cache  # (the in-process store of these tests)
    before = len(store._cache)
    for _ in range(5):  # the round changes five times, each change read
        changed_behind_the_orm(rnd, Round, {}, id=rnd.id)
        page(visitor, rnd)
        assert visitor.get(draft).status_code == 200
    assert len(store._cache) == before  # each new list took the old one's place


def test_the_round_header_is_kept_and_follows_what_it_shows(client, login_as, rnd, author,
                                                            visitor, rendered):
    """Kept for every reader of the round, under a key of what it shows, so a change made
    behind the application (no version moved) shows at once too."""
    say(client, login_as, rnd, author, "一条意见")
    page(visitor, rnd)
    rendered.clear()
    text = page(visitor, rnd)
    assert rendered["participation/round-header"] == 0
    assert 'id="tab-count-comments">1<' in text
    db.session.execute(update(Consultation).where(Consultation.id == rnd.consultation_id)
                       .values(title="改过标题的办法"))
    db.session.commit()
    assert "改过标题的办法" in page(visitor, rnd)
    db.session.execute(update(Round).where(Round.id == rnd.id).values(comment_count=7))
    db.session.commit()
    assert 'id="tab-count-comments">7<' in page(visitor, rnd)
    assert rendered["participation/round-header"] == 2
    # each page of the round has its own heading and current tab
    text = visitor.get(f"/rounds/{rnd.id}/questions").text
    assert 'id="tab-count-comments">7<' in text and rendered["participation/round-header"] == 3


def test_an_edit_of_its_text_renders_its_card_and_reads_no_count_again(
        client, login_as, rnd, author, visitor, rendered):
    """The counts of the round's comments are kept under its tally version, which an edit
    of a comment's text does not move (it moves no count); a change of its stance does."""
    said = say(client, login_as, rnd, author, "原来的意见")
    say(client, login_as, rnd, UserFactory(), "别人的意见")
    page(visitor, rnd)
    rendered.clear()
    login_as(author)
    assert client.post(f"/comments/{said.id}/edit",
                       data={"body": "改过的意见", "stance": ""}).status_code == 303
    text = page(visitor, rnd)
    assert "改过的意见" in text and "原来的意见" not in text
    assert rendered["participation/reader-list"] == 1 and rendered["participation/card"] == 1
    assert rendered["participation/comment-tallies"] == 0
    assert client.post(f"/comments/{said.id}/edit",
                       data={"body": "改过的意见", "stance": "oppose"}).status_code == 303
    page(visitor, rnd)
    assert rendered["participation/comment-tallies"] == 1
    db.session.expire_all()
    assert db.session.get(Comment, said.id).stance == CommentStance.OPPOSE
