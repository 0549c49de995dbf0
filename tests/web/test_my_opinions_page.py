"""/me/ "what happened to my opinions": the main column, grouped by consultation with the
consultation's title as a link, paged (links, no JavaScript needed), bounded queries."""

from __future__ import annotations

import re

import pytest

from consult.consultations.models import Consultation
from consult.db import db
from tests.factories import UserFactory, closed_round, comment, question
from tests.web.test_responses_pages import publish, triage_all

pytestmark = pytest.mark.usefixtures("english")


def _answered_round(author, *, opinions: int, title: str):
    r, _dept, official = closed_round()
    consultation = db.session.get(Consultation, r.consultation_id)
    consultation.title = title
    db.session.commit()
    for i in range(opinions):
        if i % 3 == 2:
            question(r, author, body=f"{title}的问题{i}")
        else:
            comment(r, author, body=f"{title}的意见{i}")
    triage_all(r, official, status="partly_adopted", reason=f"{title}的理由")
    publish(r, official)
    return r


def test_opinions_grouped_by_consultation_in_the_main_column(client, login_as):
    author = UserFactory()
    _answered_round(author, opinions=2, title="养老服务条例")
    _answered_round(author, opinions=3, title="垃圾分类办法")
    comment(closed_round()[0], author, body="没有答复的意见")
    login_as(author)
    page = client.get("/me/").text
    main = page[page.index('class="me-layout__main"'):page.index('class="me-layout__side"')]
    assert "What happened to my opinions" in main
    headings = re.findall(r'<h3 id="my-opinions-c(\d+)"><a href="/consultations/(\d+)">([^<]+)</a>',
                          main)
    # The consultation answered last comes first; each heading links to its consultation.
    assert [h[2] for h in headings] == ["垃圾分类办法", "养老服务条例"]
    assert all(h[0] == h[1] for h in headings)
    first, second = main.index("垃圾分类办法</a>"), main.index("养老服务条例</a>")
    assert all(first < main.index(f"垃圾分类办法的意见{i}") < second for i in (0, 1))
    assert main.index("养老服务条例的意见0") > second
    assert "Departments have answered 5 of your opinions" in main
    assert "没有答复的意见" not in page
    assert 'rel="next"' not in main  # one page


def test_more_than_a_page_is_paged_without_javascript(client, login_as):
    author = UserFactory()
    _answered_round(author, opinions=14, title="甲")
    _answered_round(author, opinions=13, title="乙")
    login_as(author)
    first = client.get("/me/").text
    assert "Page 1 of 2" in first and 'href="/me/?page=2"' in first
    assert first.count("乙的意见") + first.count("乙的问题") == 13
    assert first.count("甲的意见") + first.count("甲的问题") == 7
    second = client.get("/me/?page=2").text
    assert "Page 2 of 2" in second and 'rel="prev"' in second
    # The consultation whose opinions run on to page 2 is named again there.
    assert ">甲</a></h3>" in second and ">乙</a></h3>" not in second
    assert second.count("甲的意见") + second.count("甲的问题") == 7
    # A page past the end shows the last one; nonsense shows the first.
    assert "Page 2 of 2" in client.get("/me/?page=99").text
    assert client.get("/me/?page=x").status_code == 200


def test_me_page_query_budget(client, login_as, count_queries):
    counts = []
    for n in (2, 30):
        author = UserFactory()
        for k in range(1 + n // 10):
            _answered_round(author, opinions=n // (1 + n // 10), title=f"征求{n}-{k}")
        login_as(author)
        with count_queries() as seen:
            assert client.get("/me/").status_code == 200
        counts.append(list(seen))
    small, big = counts
    assert len(big) == len(small) <= 14, "\n".join(big)
