"""The open-data API: every endpoint validated against the OpenAPI document, no private
field anywhere (walks every endpoint), withdrawn/hidden/held posts without text, ETag 304,
cursor pagination, filters, CORS, CSV exports with a BOM, and query budgets."""

from __future__ import annotations

import csv
import io
import json

import pytest
from jsonschema import Draft202012Validator

from consult.api.openapi import document
from consult.participation.models import ContentStatus
from tests.factories import (
    CommentFactory,
    ConsultationFactory,
    QuestionFactory,
    UserFactory,
    comment,
    scores_world,
)

SECRET_TITLE = "未发布的秘密征求意见稿"


def _validator(schema_name: str) -> Draft202012Validator:
    doc = document()
    return Draft202012Validator({"$ref": f"#/components/schemas/{schema_name}",
                                 "components": doc["components"]})


def _schema_for(path_template: str) -> str:
    op = document()["paths"][path_template]["get"]
    return op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit(
        "/", 1)[1]


@pytest.fixture
def world(app):
    w = scores_world()
    r1 = w["r1"]
    users = w["users"]
    comment(r1, users[2], body="公开的意见文字")
    comment(r1, users[3], body="撤回的私密文字", withdrawn=True)
    CommentFactory(round_id=r1.id, author_id=users[4].id, body="被隐藏的违规文字",
                   status=ContentStatus.HIDDEN, moderation_reason="人身攻击")
    CommentFactory(round_id=r1.id, author_id=users[5].id, body="待审核的敏感文字",
                   status=ContentStatus.HELD)
    QuestionFactory(round_id=r1.id, author_id=users[6].id, body="被隐藏的问题文字",
                    status=ContentStatus.HIDDEN)
    secret = ConsultationFactory(unpublished=True, department=w["dept_a"], title=SECRET_TITLE)
    w["secret"] = secret
    return w


def _urls(w) -> list[tuple[str, str]]:
    c, r = w["ca"], w["r1"]
    return [
        ("/api/v1/departments", "/departments"),
        (f"/api/v1/departments/{w['dept_a'].slug}", "/departments/{slug}"),
        ("/api/v1/consultations", "/consultations"),
        (f"/api/v1/consultations/{c.id}", "/consultations/{consultation_id}"),
        (f"/api/v1/consultations/{c.id}/versions/1",
         "/consultations/{consultation_id}/versions/{number}"),
        (f"/api/v1/rounds/{r.id}", "/rounds/{round_id}"),
        (f"/api/v1/rounds/{r.id}/comments?limit=100", "/rounds/{round_id}/comments"),
        (f"/api/v1/rounds/{r.id}/questions", "/rounds/{round_id}/questions"),
        (f"/api/v1/rounds/{r.id}/results", "/rounds/{round_id}/results"),
        (f"/api/v1/rounds/{w['r_over'].id}/results", "/rounds/{round_id}/results"),
        (f"/api/v1/rounds/{r.id}/response", "/rounds/{round_id}/response"),
        ("/api/v1/actions", "/actions"),
        ("/api/v1/scores", "/scores"),
    ]


def test_every_endpoint_matches_the_openapi_document(client, world):
    for url, template in _urls(world):
        r = client.get(url)
        assert r.status_code == 200, url
        errors = list(_validator(_schema_for(template)).iter_errors(r.get_json()))
        assert not errors, (url, [e.message for e in errors][:3])
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"] == "3.1.0"
    # every documented path exists in the app
    rules = {str(rule.rule) for rule in client.application.url_map.iter_rules()}
    for path in doc["paths"]:
        flask_path = "/api/v1" + path.replace("{", "<").replace("}", ">")
        assert any(rule.replace("int:", "") == flask_path for rule in rules), path


def test_no_private_field_anywhere(client, world):
    users = world["users"]
    bodies = []
    for url, _t in _urls(world):
        bodies.append(client.get(url).get_data(as_text=True))
    c = world["ca"]
    for kind in ("comments", "questions", "opinions"):
        r = client.get(f"/api/v1/consultations/{c.id}/{kind}.csv")
        assert r.status_code == 200
        bodies.append(r.get_data(as_text=True))
    blob = "\n".join(bodies)
    for needle in ("@example.org", "password", "email", "user_id", "author_id",
                   SECRET_TITLE, "撤回的私密文字", "被隐藏的违规文字", "待审核的敏感文字",
                   "被隐藏的问题文字"):
        assert needle not in blob, needle
    assert "公开的意见文字" in blob and users[2].display_name in blob  # public, with its author
    assert "人身攻击" in blob  # the public reason of a hidden comment is public
    assert client.get(f"/api/v1/consultations/{world['secret'].id}").status_code == 404
    assert client.get(f"/api/v1/consultations/{world['secret'].id}/comments.csv").status_code == 404


def test_hidden_and_withdrawn_comments_have_no_text(client, world):
    data = client.get(f"/api/v1/rounds/{world['r1'].id}/comments?limit=100").get_json()["data"]
    by_status = {d["status"]: d for d in data}
    assert by_status["withdrawn"]["body"] is None and by_status["hidden"]["body"] is None
    assert by_status["published"]["body"] == "意见"
    assert "held" not in by_status


def test_etag_and_304(client, world):
    url = f"/api/v1/consultations/{world['ca'].id}"
    r = client.get(url)
    etag = r.headers["ETag"]
    assert etag and r.headers["Access-Control-Allow-Origin"] == "*"
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.get_data()
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_cursor_pagination_walks_everything_once(client, world):
    seen, url = [], "/api/v1/departments?limit=1"
    for _ in range(10):
        page = client.get(url).get_json()
        seen += [d["id"] for d in page["data"]]
        if not page["next_cursor"]:
            break
        url = f"/api/v1/departments?limit=1&cursor={page['next_cursor']}"
    assert sorted(seen) == sorted({world["dept_a"].id, world["dept_b"].id}) and len(seen) == 2
    bad = client.get("/api/v1/departments?cursor=!!!")
    assert bad.status_code == 400 and bad.is_json  # a bad query value: 400 (issue 17)
    assert client.get("/api/v1/departments?limit=1000").status_code == 400


def test_consultation_filters(client, world):
    slug = world["dept_b"].slug
    data = client.get(f"/api/v1/consultations?department={slug}").get_json()["data"]
    assert [d["id"] for d in data] == [world["cb"].id]
    assert client.get("/api/v1/consultations?state=nonsense").status_code == 422
    data = client.get("/api/v1/consultations", query_string={"q": "养老服务"}).get_json()
    assert world["ca"].id in [d["id"] for d in data["data"]]
    data = client.get("/api/v1/consultations", query_string={"q": "没有这样的词"}).get_json()
    assert data["data"] == []


def test_vote_results_hidden_until_visible(client, app):
    from tests.factories import RoundFactory
    r = RoundFactory()  # open, no live results
    data = client.get(f"/api/v1/rounds/{r.id}/results").get_json()
    assert data["visible"] is False and data["total"] is None and data["stances"] == []


def test_published_scores_only_from_evaluated_rounds(client, world):
    data = client.get("/api/v1/scores").get_json()["data"]
    a = next(d for d in data if d["department"]["id"] == world["dept_a"].id)
    assert a["scores"]["answers"] == 10
    assert a["scores"]["satisfaction"]["small_sample"] is True
    b = next(d for d in data if d["department"]["id"] == world["dept_b"].id)
    assert b["scores"]["satisfaction"]["value"] is None


def test_csv_exports_have_bom(client, world):
    r = client.get(f"/api/v1/consultations/{world['ca'].id}/comments.csv")
    body = r.get_data()
    assert body.startswith("\ufeff".encode()) and r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == "id" and any(row[6] == "意见" for row in rows[1:])


def test_api_is_get_only_and_json_errors(client, world):
    assert client.post("/api/v1/departments").status_code == 405
    r = client.get("/api/v1/rounds/99999")
    assert r.status_code == 404 and r.is_json


@pytest.mark.parametrize("path", ["/api/v1/consultations", "/api/v1/rounds/{r}/comments",
                                  "/api/v1/scores"])
def test_listing_query_budget_constant(client, app, count_queries, path):
    w = scores_world()
    url = path.format(r=w["r1"].id)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    for u in UserFactory.create_batch(30):
        comment(w["r1"], u, body="更多")
    for _ in range(3):
        scores_world(extra_answers=10)
    with count_queries() as big:
        assert client.get(url).status_code == 200
    assert len(small) == len(big) <= 15, "\n".join(big)
    assert json
