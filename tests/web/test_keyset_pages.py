"""Long comment lists are paged by key: following "Next" never repeats or skips a comment,
even while new ones arrive, costs the same on the last page as on the first, and a forged
bookmark falls back to the page number."""

from __future__ import annotations

import re
from base64 import urlsafe_b64encode
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from consult.clock import now
from consult.extensions import db
from tests.factories import (
    AuditEntryFactory,
    CommentFactory,
    DraftVersionFactory,
    RoundFactory,
    UserFactory,
    comment,
    question,
)

NEXT = re.compile(r'<a rel="next" href="([^"]+)"')
PREV = re.compile(r'<a rel="prev" href="([^"]+)"')
IDS = re.compile(r'<li class="comment comment--depth-0[^"]*" id="comment-(\d+)"')


@pytest.fixture
def rnd(app):
    r = RoundFactory(version=DraftVersionFactory(clauses=4))
    from consult.consultations.models import Clause
    clauses = list(db.session.scalars(select(Clause.id).where(Clause.version_id == r.version_id)))
    users = [UserFactory() for _ in range(5)]
    start = now() - timedelta(hours=3)
    for i in range(47):
        # Same-second times and equal support counts: the id must break the ties.
        CommentFactory(round_id=r.id, author_id=users[i % 5].id, body=f"意见{i}",
                       clause_id=None if i % 5 == 0 else clauses[i % 4],
                       created_at=start + timedelta(seconds=i // 3), support_count=i % 4)
    return r


def walk(client, url):
    """The ids of every page, following the Next links from ``url``; and the links."""
    ids, links = [], []
    while url:
        text = client.get(url).text
        ids += [int(i) for i in IDS.findall(text)]
        found = NEXT.search(text)
        url = unescape(found.group(1)) if found else None
        if url:
            links.append(url)
    return ids, links


@pytest.mark.parametrize("sort", ["newest", "supported", "clause"])
def test_next_links_walk_every_comment_once_in_order(client, rnd, sort):
    ids, links = walk(client, f"/rounds/{rnd.id}/comments?sort={sort}")
    assert len(links) == 2 and all("at=" in link and "page=" in link for link in links)
    assert sorted(ids) == sorted(set(ids)) and len(ids) == 47
    by_number = []  # the same pages asked for by number (OFFSET)
    for page in (1, 2, 3):
        by_number += [int(i) for i in IDS.findall(
            client.get(f"/rounds/{rnd.id}/comments?sort={sort}&page={page}").text)]
    assert ids == by_number


def test_previous_link_returns_to_the_same_page(client, rnd):
    page1 = client.get(f"/rounds/{rnd.id}/comments").text
    page2 = client.get(unescape(NEXT.search(page1).group(1))).text
    page3 = client.get(unescape(NEXT.search(page2).group(1))).text
    back = client.get(unescape(PREV.search(page3).group(1))).text
    assert IDS.findall(back) == IDS.findall(page2)
    assert "at=" not in PREV.search(page2).group(1)  # page 1 is simply the list


def test_new_comments_do_not_shift_the_next_page(client, login_as, rnd):
    page1 = client.get(f"/rounds/{rnd.id}/comments").text
    seen = IDS.findall(page1)
    for i in range(5):
        comment(rnd, body=f"新{i}")
    page2 = IDS.findall(client.get(unescape(NEXT.search(page1).group(1))).text)
    assert not set(page2) & set(seen) and len(page2) == 20


def token(bookmark: str) -> str:
    return urlsafe_b64encode(bookmark.encode()).decode().rstrip("=")


@pytest.mark.parametrize("forged", [token(b) for b in (
    "x", ">i:99999999999999999999~i:1", ">s:a~i:1", ">dt:2020-01-01 00:00:00~i:1", ">i:1",
    ">b:1", "<" * 400)] + ["%%%", "not base64!", "gA", "<" * 600, ">dt:2020-01-01~i:1"])
def test_a_forged_bookmark_falls_back_to_the_page_number(client, rnd, forged):
    response = client.get(f"/rounds/{rnd.id}/comments", query_string={"page": 2, "at": forged})
    assert response.status_code == 200
    expected = client.get(f"/rounds/{rnd.id}/comments?page=2").text
    assert IDS.findall(response.text) == IDS.findall(expected)


def test_the_last_page_by_key_costs_what_the_first_does(app, client, count_queries, rnd):
    app.config["PAGE_CACHE"] = False  # measure the reads, not the cache
    _, links = walk(client, f"/rounds/{rnd.id}/comments?sort=supported")
    with count_queries() as seen:
        client.get(f"/rounds/{rnd.id}/comments?sort=supported")
    first = len(seen)
    with count_queries() as seen:
        client.get(links[-1])
    assert len(seen) == first
    # read by key: a row comparison on the sort key, not a count of rows to skip
    # (a row comparison on SQLite, its expanded form on PostgreSQL)
    assert any("FROM comment" in q and "LIMIT" in q.upper() and "<" in q for q in seen), seen


def _walk_all(client, url, pattern):
    found, pages = [], 0
    while url:
        text = client.get(url).text
        pages += 1
        found += pattern.findall(text)
        link = NEXT.search(text)
        url = unescape(link.group(1)) if link else None
        assert url is None or "at=" in url
    return found, pages


def test_questions_users_and_audit_log_are_paged_by_key(client, login_as, rnd):
    asker = UserFactory()
    for i in range(45):
        question(rnd, asker, body=f"问题{i}")
    for i in range(120):
        AuditEntryFactory(action=f"test.entry{i}", actor_label="测试")
    users = [UserFactory() for _ in range(40)]

    questions, pages = _walk_all(client, f"/rounds/{rnd.id}/questions",
                                 re.compile(r'id="question-(\d+)"'))
    assert pages == 3 and len(set(questions)) == 45 == len(questions)

    login_as(UserFactory(role="admin"))
    people, pages = _walk_all(client, "/admin/users",
                              re.compile(r'href="/admin/users/(\d+)"'))
    total = len(users) + 5 + 1 + 1  # + the round's authors, the asker and the admin
    assert len(people) == len(set(people)) >= len(users) and pages >= 2
    assert {str(u.id) for u in users} <= set(people) and len(people) <= total
    entries, pages = _walk_all(client, "/admin/audit", re.compile(r"<code>(test\.entry\d+)</code>"))
    assert sorted(entries) == sorted(f"test.entry{i}" for i in range(120)) and pages == 3
