"""Public consultation pages: list/search, consultation, versions, diff, department record,
visibility of unpublished consultations, and query budgets."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from consult.accounts.services import load_user
from consult.clock import now
from consult.consultations import services
from consult.consultations.models import Tag
from consult.db import atomic, db
from tests.factories import (
    ConsultationFactory,
    DepartmentFactory,
    DraftVersionFactory,
    RoundFactory,
    UserFactory,
    comment,
)


def fill(n_consultations: int, n_clauses: int, n_versions: int, dept=None):
    dept = dept or DepartmentFactory()
    tag = db.session.scalar(select(Tag).where(Tag.name == "养老")) or Tag(name="养老")
    made = []
    for i in range(n_consultations):
        c = ConsultationFactory(department=dept, title=f"社区养老服务管理办法{i}", tags=[tag])
        for _ in range(n_versions):
            v = DraftVersionFactory(consultation=c, clauses=n_clauses)
        RoundFactory(version=v, consultation=c)
        RoundFactory(version=v, consultation=c, overdue=True)
        made.append(c)
    return made


# ---------------------------------------------------------------- visibility

def test_unpublished_consultation_is_404_for_public_and_other_officials(client, login_as):
    dept = DepartmentFactory()
    c = ConsultationFactory(unpublished=True, department=dept)
    DraftVersionFactory(consultation=c)
    for url in (f"/consultations/{c.id}", f"/consultations/{c.id}/versions/1",
                f"/consultations/{c.id}/diff?from=1&to=1", "/consultations/999999"):
        assert client.get(url).status_code == 404, url
    assert c.title not in client.get("/consultations/").text
    assert c.title not in client.get(f"/departments/{dept.slug}").text
    login_as(UserFactory(role="official", role__department=DepartmentFactory()))
    assert client.get(f"/consultations/{c.id}").status_code == 404
    assert client.get(f"/manage/consultations/{c.id}").status_code == 404


def test_manager_previews_unpublished_consultation(client, login_as):
    dept = DepartmentFactory()
    c = ConsultationFactory(unpublished=True, department=dept)
    DraftVersionFactory(consultation=c)
    login_as(UserFactory(role="official", role__department=dept))
    response = client.get(f"/consultations/{c.id}")
    assert response.status_code == 200
    assert "未发布" in response.text


# ---------------------------------------------------------------- list and search

def test_list_filters_and_search(client):
    d1, d2 = DepartmentFactory(slug="civil"), DepartmentFactory(slug="transport")
    elder = ConsultationFactory(department=d1, title="社区养老服务管理办法",
                                tags=[Tag(name="养老")])
    RoundFactory(version=DraftVersionFactory(consultation=elder), consultation=elder)
    bus = ConsultationFactory(department=d2, title="公共交通票价调整方案", summary="调整地铁票价。")
    text = client.get("/consultations/?q=养老").text
    assert elder.title in text and bus.title not in text
    text = client.get("/consultations/?department=transport").text
    assert bus.title in text and elder.title not in text
    text = client.get("/consultations/?tag=养老").text
    assert elder.title in text and bus.title not in text
    text = client.get("/consultations/?state=open&sort=closing").text
    assert elder.title in text and bus.title not in text
    # nonsense parameters are ignored, not errors
    assert client.get("/consultations/?state=bogus&sort=bogus&page=x").status_code == 200
    empty = client.get("/consultations/?q=不存在的词")
    assert empty.status_code == 200 and 'href="/consultations/"' in empty.text


def test_filter_form_swaps_results_fragment(client):
    ConsultationFactory(title="生活垃圾分类管理条例")
    page = client.get("/consultations/")
    assert 'hx-get="/consultations/"' in page.text and 'hx-push-url="true"' in page.text
    assert 'action="/consultations/"' in page.text  # a real GET form without JavaScript
    fragment = client.get("/consultations/?q=垃圾", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "生活垃圾分类管理条例" in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]


def test_pagination(client, app):
    fill(25, 1, 1)
    first = client.get("/consultations/")
    assert "page=2" in first.text
    second = client.get("/consultations/?page=2")
    assert second.status_code == 200
    assert len(re.findall(r'class="consult-card"', second.text)) == 5


def test_list_query_budget_is_constant(client, count_queries):
    fill(2, 2, 1)
    with count_queries() as small:
        assert client.get("/consultations/").status_code == 200
    small = list(small)
    fill(20, 30, 3)
    with count_queries() as big:
        assert client.get("/consultations/?sort=closing").status_code == 200
    assert len(big) == len(small) <= 10, "\n".join(big)


# ---------------------------------------------------------------- a consultation

def test_consultation_page(client):
    dept = DepartmentFactory()
    c = ConsultationFactory(title="住宅小区停车管理规定", tags=[Tag(name="停车")],
                            contact="市住建局 12345", department=dept)
    DraftVersionFactory(consultation=c, clauses=["旧文"])
    v2 = DraftVersionFactory(consultation=c, clauses=["第一条正文", "第二条正文"],
                             change_note="根据意见修改")
    r = RoundFactory(version=v2, consultation=c, closes_at=now() + timedelta(days=3, hours=1))
    RoundFactory(version=v2, consultation=c, overdue=True)
    response = client.get(f"/consultations/{c.id}")
    text = response.text
    assert response.status_code == 200
    lineages = re.findall(r'id="clause-(\d+)"', text)
    assert len(lineages) == 2
    for lineage in lineages:  # table of contents links to each clause's permalink
        assert f'href="#clause-{lineage}"' in text
    assert "第一条正文" in text and "旧文" not in text
    assert "征求中" in text  # open round, text tag
    assert "答复逾期" in text  # public overdue mark
    assert "3天后" in text  # relative closing time
    assert "根据意见修改" in text and f"/consultations/{c.id}/diff?from=1&amp;to=2" in text
    assert f"/departments/{dept.slug}" in text and "市住建局 12345" in text
    assert f"/rounds/{r.id}" in text


def _comment_on_every_clause(round_, per_clause: int) -> None:
    from consult.consultations.models import Clause

    author = UserFactory()
    clause_ids = db.session.scalars(select(Clause.id).where(Clause.version_id == round_.version_id))
    for cid in list(clause_ids):
        for i in range(per_clause):
            comment(round_, author, clause_id=cid, body=f"意见{i}")


def test_consultation_page_query_budget_is_constant(client, count_queries, login_as):
    """Margin comment counts, follow button, suggestion link: a constant number of queries."""
    from tests.factories import make_suggestion, with_roles

    small_id = fill(1, 2, 1)[0].id
    with count_queries() as small:
        assert client.get(f"/consultations/{small_id}").status_code == 200
    small = list(small)
    big_c = fill(1, 1, 1)[0]
    for _ in range(4):
        RoundFactory(version=DraftVersionFactory(consultation=big_c, clauses=1),
                     consultation=big_c, closed=True)
    latest = DraftVersionFactory(consultation=big_c, clauses=300)
    _comment_on_every_clause(RoundFactory(version=latest, consultation=big_c), per_clause=3)
    official = UserFactory(role="official", role__department=big_c.department)
    for i in range(5):
        s = make_suggestion(UserFactory(), big_c.department, title=f"建议加装电梯{i}")
        with atomic():
            services_answer(with_roles(official), s, big_c.id)
    big_id = big_c.id
    client.set_cookie("locale", "en")
    with count_queries() as big:
        text = client.get(f"/consultations/{big_id}").text
    assert text.count('class="clause__comments') == 300 and "3 comments" in text
    assert len(big) == len(small) <= 9, "\n".join(big)
    login_as(UserFactory())
    with count_queries() as small_user:
        client.get(f"/consultations/{small_id}")
    with count_queries() as big_user:
        assert "follow__button" in client.get(f"/consultations/{big_id}").text
    assert len(big_user) == len(small_user)


def services_answer(official, suggestion, consultation_id):
    from consult.suggestions import services as suggestions

    suggestion = suggestions.get_suggestion(official, suggestion.id)
    suggestions.answer_suggestion(official, suggestion, status="on_agenda",
                                  consultation_id=consultation_id, body="列入计划")


def test_consultation_page_margin_links_each_clause_to_its_discussion(client):
    c = ConsultationFactory()
    old = DraftVersionFactory(consultation=c, clauses=2)
    RoundFactory(version=old, consultation=c, closed=True)
    v = DraftVersionFactory(consultation=c, clauses=["甲", "乙", "丙"])
    r = RoundFactory(version=v, consultation=c)
    _comment_on_every_clause(r, per_clause=2)
    from consult.consultations.models import Clause

    first = db.session.scalar(select(Clause).where(Clause.version_id == v.id,
                                                   Clause.position == 1))
    comment(r, clause_id=first.id, body="再一条")
    text = client.get(f"/consultations/{c.id}", headers={"Accept-Language": "en"}).text
    assert f'/rounds/{r.id}/comments?clause={first.id}"' in text
    assert "3 comments on 第1条" in text and "2 comments on 第2条" in text
    # The linked discussion shows that clause's comments.
    page = client.get(f"/rounds/{r.id}/comments?clause={first.id}")
    assert page.status_code == 200 and "再一条" in page.text


def test_consultation_page_without_open_round_has_no_margin_counts(client):
    c = ConsultationFactory()
    v = DraftVersionFactory(consultation=c, clauses=2)
    RoundFactory(version=v, consultation=c, closed=True)
    text = client.get(f"/consultations/{c.id}").text
    assert "clause__comments" not in text and 'id="clause-' in text


def test_consultation_page_has_follow_button(client, login_as):
    c = ConsultationFactory()
    DraftVersionFactory(consultation=c)
    anonymous = client.get(f"/consultations/{c.id}", headers={"Accept-Language": "en"}).text
    assert f'id="follow-{c.id}"' in anonymous and "Log in to follow" in anonymous
    login_as(UserFactory())
    text = client.get(f"/consultations/{c.id}").text
    assert f'id="follow-{c.id}"' in text and 'aria-pressed="false"' in text


def test_consultation_page_names_the_suggestion_it_answers(client):
    from tests.factories import make_suggestion, with_roles

    dept = DepartmentFactory()
    c = ConsultationFactory(department=dept)
    DraftVersionFactory(consultation=c)
    official = UserFactory(role="official", role__department=dept)
    s = make_suggestion(UserFactory(), dept, title="老旧小区加装电梯审批太慢")
    other = make_suggestion(UserFactory(), dept, title="另一条没有采纳的建议")
    assert "answers the suggestion" not in client.get(
        f"/consultations/{c.id}", headers={"Accept-Language": "en"}).text
    with atomic():
        services_answer(with_roles(official), s, c.id)
    text = client.get(f"/consultations/{c.id}", headers={"Accept-Language": "en"}).text
    assert "This consultation answers the suggestion" in text
    assert f'href="/suggestions/{s.id}"' in text and "老旧小区加装电梯审批太慢" in text
    assert other.title not in text


def test_version_page_and_unknown_version(client):
    c = ConsultationFactory()
    DraftVersionFactory(consultation=c, clauses=["第一版"])
    DraftVersionFactory(consultation=c, clauses=["第二版"])
    old = client.get(f"/consultations/{c.id}/versions/1")
    assert old.status_code == 200 and "第一版" in old.text and "第二版" not in old.text
    assert client.get(f"/consultations/{c.id}/versions/3").status_code == 404


# ---------------------------------------------------------------- diff

def test_diff_page_marks_changes_and_escapes(client):
    dept = DepartmentFactory()
    c = ConsultationFactory(department=dept)
    DraftVersionFactory(consultation=c, clauses=["应当提供服务", "将被删除", "<b>原样</b>"])
    official = UserFactory(role="official", role__department=dept)
    actor = load_user(official.get_id())
    with atomic():
        services.restore_working_copy(actor, c)
        working = services.working_copy(actor, c)
        services.update_clause(actor, c, working[0].id, number="第1条", heading="条款1",
                               body="可以提供服务")
        services.delete_clause(actor, c, working[1].id)
        services.add_clause(actor, c, number="第9条", body="新增<script>x</script>")
        services.publish_version(actor, c, change_note="第二稿")
    response = client.get(f"/consultations/{c.id}/diff?from=1&to=2")
    text = response.text
    assert response.status_code == 200
    assert "<del>应当</del><ins>可以</ins>" in text
    assert "<del>将被删除</del>" in text
    assert "<script>x" not in text and "&lt;script&gt;" in text
    assert "&lt;b&gt;原样&lt;/b&gt;" in text
    assert 'name="from"' in text and 'name="to"' in text  # version pickers
    # default is latest against the one before
    assert client.get(f"/consultations/{c.id}/diff").text.count("<del>应当</del>") == 1
    # unknown version: 404; junk parameters fall back to defaults
    assert client.get(f"/consultations/{c.id}/diff?from=1&to=7").status_code == 404
    assert client.get(f"/consultations/{c.id}/diff?from=x&to=y").status_code == 200


def test_diff_with_one_version_explains(client):
    c = ConsultationFactory()
    DraftVersionFactory(consultation=c)
    response = client.get(f"/consultations/{c.id}/diff")
    assert response.status_code == 200 and 'class="empty"' in response.text


# ---------------------------------------------------------------- department and home

def test_department_page_record(client, count_queries):
    dept = DepartmentFactory(name="市民政局")
    made = fill(2, 1, 1, dept=dept)
    ConsultationFactory(department=dept, unpublished=True, title="不应出现")
    slug = dept.slug
    with count_queries() as seen:
        response = client.get(f"/departments/{slug}")
    small = list(seen)
    fill(12, 3, 2, dept=dept)
    with count_queries() as big:
        assert client.get(f"/departments/{slug}").status_code == 200
    # constant whatever the size (other domains add their own record sections here)
    assert len(big) == len(small) <= 20, "\n".join(big)
    text = response.text
    assert made[0].title in text and "不应出现" not in text
    assert re.search(r'record__item--alert"><dt>[^<]*</dt><dd>2</dd>', text)  # two overdue
    assert client.get("/departments/no-such").status_code == 404


def test_department_without_rounds_shows_no_placeholders(client):
    dept = DepartmentFactory()
    response = client.get(f"/departments/{dept.slug}")
    assert response.status_code == 200
    assert "record__item--alert" not in response.text and "%" not in response.text


def test_home_shows_open_consultations_and_nav(client):
    c = ConsultationFactory(title="正在征求意见的办法")
    RoundFactory(version=DraftVersionFactory(consultation=c), consultation=c)
    done = ConsultationFactory(title="已经截止的办法")
    RoundFactory(version=DraftVersionFactory(consultation=done), consultation=done, closed=True)
    text = client.get("/").text
    assert "正在征求意见的办法" in text and "已经截止的办法" not in text
    assert 'href="/consultations/"' in text
    assert "/manage/consultations/" not in text


@pytest.mark.parametrize("role", ["official", None])
def test_nav_shows_manage_only_to_officials(client, login_as, role):
    dept = DepartmentFactory()
    login_as(UserFactory(role=role, role__department=dept) if role else UserFactory())
    assert ("/manage/consultations/" in client.get("/").text) is (role == "official")


def test_version_and_diff_pages_query_budget_is_constant(client, count_queries):
    small_id = fill(1, 2, 2)[0].id
    with count_queries() as small_version:
        assert client.get(f"/consultations/{small_id}/versions/1").status_code == 200
    small_version = list(small_version)
    with count_queries() as small_diff:
        assert client.get(f"/consultations/{small_id}/diff").status_code == 200
    small_diff = list(small_diff)
    big_id = fill(1, 300, 6)[0].id
    with count_queries() as big_version:
        assert client.get(f"/consultations/{big_id}/versions/1").status_code == 200
    with count_queries() as big_diff:
        response = client.get(f"/consultations/{big_id}/diff?from=2&to=6")
    assert response.status_code == 200
    assert len(big_version) == len(small_version) <= 8, "\n".join(big_version)
    assert len(big_diff) == len(small_diff) <= 8, "\n".join(big_diff)
