"""The OpenAPI 3.1 document of /api/v1, written as data (served at /api/v1/openapi.json).

Schemas are JSON Schema 2020-12; tests validate every endpoint's real responses against
them, so the document cannot drift from the code.
"""

from __future__ import annotations

from typing import Any

from consult.participation.models import Channel

S = "#/components/schemas/"


def _ref(name: str) -> dict:
    return {"$ref": S + name}


def _nullable(t: str | dict) -> dict:
    if isinstance(t, str):
        return {"type": [t, "null"]}
    return {"anyOf": [t, {"type": "null"}]}


STR, INT = {"type": "string"}, {"type": "integer"}
CHANNELS = [c.value for c in Channel]
NUM, BOOL = {"type": "number"}, {"type": "boolean"}
DT = {"type": "string", "format": "date-time"}
DATE = {"type": "string", "format": "date"}


def _obj(props: dict[str, Any], required: list[str] | None = None) -> dict:
    return {"type": "object", "properties": props,
            "required": list(props) if required is None else required,
            "additionalProperties": False}


def _list_of(name: str) -> dict:
    return _obj({"data": {"type": "array", "items": _ref(name)},
                 "next_cursor": _nullable("string")})


SHARE = _obj({"count": INT, "n": INT, "value": _nullable("number"), "low": _nullable("number"),
              "high": _nullable("number"), "small_sample": BOOL, "enough": BOOL})
MEAN = _obj({"n": INT, "value": _nullable("number"), "low": _nullable("number"),
             "high": _nullable("number"), "small_sample": BOOL, "enough": BOOL})

SCHEMAS: dict[str, Any] = {
    "Share": SHARE,
    "Mean": MEAN,
    "Scores": _obj({
        "answers": INT, "small_sample": BOOL, "enough": BOOL,
        "satisfaction": _ref("Share"), "rating": _ref("Mean"), "rating_4_5": _ref("Share"),
        "clarity": _ref("Mean"), "clarity_4_5": _ref("Share"), "felt_heard": _ref("Share"),
        "response_rate": _ref("Share"),
        "timeliness": {"allOf": [{"type": "object"}], "type": "object",
                       "properties": {**SHARE["properties"], "overdue": INT,
                                      "median_days_late": _nullable("number")},
                       "required": [*SHARE["required"], "overdue", "median_days_late"],
                       "additionalProperties": False},
        "adoption": _ref("Share"),
        "participation": _obj({"participants": INT, "comments": INT, "questions": INT,
                               "ballots": INT, "questions_answered": _ref("Share"),
                               "median_answer_days": _nullable("number")}),
        "actions": _obj({"done_on_time": INT, "done_late": INT, "overdue": INT,
                         "dropped": INT, "total": INT}),
    }),
    "Department": _obj({"id": INT, "slug": STR, "name": STR, "name_en": _nullable("string"),
                        "description": STR}),
    "DepartmentDetail": _obj({"id": INT, "slug": STR, "name": STR,
                              "name_en": _nullable("string"), "description": STR,
                              "scores": _ref("Scores")}),
    "DepartmentRef": _obj({"id": INT, "slug": STR, "name": STR}),
    "Consultation": _obj({"id": INT, "title": STR, "summary": STR,
                          "department": _ref("DepartmentRef"),
                          "tags": {"type": "array", "items": STR}, "published_at": DT,
                          "latest_version_number": INT}),
    "Round": _obj({
        "id": INT, "consultation_id": INT, "version_id": INT, "title": STR,
        "kind": {"enum": ["comments", "vote", "both"]},
        "state": {"enum": ["scheduled", "open", "closed", "responded", "evaluated"]},
        "overdue": BOOL, "opens_at": DT, "closes_at": DT, "closed_at": _nullable(DT),
        "response_due_at": DT, "response_published_at": _nullable(DT),
        "survey_closes_at": _nullable(DT), "comment_count": INT, "question_count": INT,
        "ballot_count": INT, "participant_count": INT}),
    "ConsultationDetail": _obj({
        "id": INT, "title": STR, "summary": STR, "department": _ref("DepartmentRef"),
        "tags": {"type": "array", "items": STR}, "published_at": DT,
        "latest_version_number": INT, "background": STR, "goals": STR, "contact": STR,
        "versions": {"type": "array", "items": _obj({"number": INT, "published_at": DT,
                                                     "change_note": STR,
                                                     "clause_count": INT})},
        "rounds": {"type": "array", "items": _ref("Round")}}),
    "Version": _obj({"consultation_id": INT, "number": INT, "published_at": DT,
                     "change_note": STR,
                     "clauses": {"type": "array", "items": _obj({
                         "id": INT, "lineage_id": INT, "position": INT, "number": STR,
                         "heading": STR, "body": STR, "chapter": STR, "section": STR})}}),
    "Comment": _obj({
        "id": INT, "round_id": INT, "clause_id": _nullable("integer"),
        "parent_id": _nullable("integer"), "depth": INT,
        "status": {"enum": ["published", "withdrawn", "hidden"]},
        "author": _nullable("string"), "channel": {"enum": CHANNELS},
        "body": _nullable("string"),
        "proposed_text": _nullable("string"), "support_count": INT, "reply_count": INT,
        "moderation_reason": _nullable("string"), "created_at": DT,
        "edited_at": _nullable(DT)}),
    "Question": _obj({
        "id": INT, "round_id": INT, "status": {"enum": ["published", "withdrawn", "hidden"]},
        "author": _nullable("string"), "body": _nullable("string"), "support_count": INT,
        "created_at": DT, "answered_at": _nullable(DT),
        "answer": _nullable(_obj({"body": _nullable("string"), "status": STR,
                                  "created_at": DT}))}),
    "Results": _obj({
        "round_id": INT, "visible": BOOL, "live": BOOL, "total": _nullable("integer"),
        "stances": {"type": "array", "items": _obj({"stance": STR, "count": INT,
                                                    "share": NUM})},
        "questions": {"type": "array", "items": _obj({
            "id": INT, "text": STR, "respondents": INT,
            "options": {"type": "array", "items": _obj({"id": INT, "text": STR,
                                                        "count": INT, "share": NUM})}})},
        "opens_results_at": _nullable(DT)}),
    "Action": _obj({"id": INT, "round_id": INT, "department_id": INT, "title": STR,
                    "owner_unit": STR, "due_on": DATE,
                    "status": {"enum": ["planned", "in_progress", "done", "dropped"]},
                    "drop_reason": _nullable("string"), "overdue": BOOL,
                    "last_update_on": _nullable(DATE)}),
    "Response": _obj({
        "round_id": INT, "published_at": DT, "summary": STR, "changes_note": STR,
        "from_version_number": INT, "to_version_number": _nullable("integer"),
        "statistics": _obj({"opinions": INT, "adopted": INT, "partly_adopted": INT,
                            "not_adopted": INT, "out_of_scope": INT,
                            "by_channel": {"type": "array", "items": _obj({
                                "channel": {"enum": CHANNELS}, "opinions": INT,
                                "adopted": INT, "partly_adopted": INT, "not_adopted": INT,
                                "out_of_scope": INT})}}),
        "opinions": {"type": "array", "items": _obj({
            "kind": {"enum": ["comment", "question"]}, "id": INT,
            "clause_id": _nullable("integer"), "channel": {"enum": CHANNELS},
            "status": {"enum": ["adopted", "partly_adopted", "not_adopted", "out_of_scope",
                                None]},
            "reason": _nullable("string")})},
        "actions": {"type": "array", "items": _ref("Action")}}),
    "DepartmentScores": _obj({"department": _ref("DepartmentRef"), "scores": _ref("Scores")}),
    "Rectification": _obj({
        "month": STR, "department": _ref("DepartmentRef"), "rank": _nullable("integer"),
        "departments_ranked": _nullable("integer"), "ratings": INT, "bad_ratings": INT,
        "bad_rating_rate": SHARE, "voided": INT,
        "followed_up": INT, "followed_up_in_time": {
            **SHARE, "description": "Cases whose follow-up (回访) was recorded by the case's "
            "due date (working days, official calendar) among those whose follow-up was "
            "recorded or whose due date has passed without one."},
        "rectified": INT, "explained": INT, "rerated": INT,
        "escalated": INT, "overdue_now": _nullable("integer"), "resolved_in_time": SHARE,
        "rectification_rate": SHARE, "rerated_better": SHARE, "appeals_upheld": SHARE,
        "last_two_months_in_a_row": BOOL}),
    "Error": {"type": "object", "properties": {"error": STR}, "required": ["error"]},
}
for _name in ("Department", "Consultation", "Comment", "Question", "Action",
              "DepartmentScores", "Rectification"):
    SCHEMAS[_name + "List"] = _list_of(_name)

PAGING = [{"name": "cursor", "in": "query", "schema": STR,
           "description": "Opaque cursor from next_cursor of the previous page."},
          {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                       "maximum": 100}}]


def _param(name: str, where: str = "path", schema: dict = INT) -> dict:
    return {"name": name, "in": where, "required": where == "path", "schema": schema}


def _op(summary: str, schema: str, params=(), *, etag: bool = False,
        media: str = "application/json") -> dict:
    ok: dict[str, Any] = {"description": "OK",
                          "content": {media: {"schema": _ref(schema) if schema else STR}}}
    responses: dict[str, Any] = {"200": ok, "404": {"description": "Not found",
                                                    "content": {"application/json": {
                                                        "schema": _ref("Error")}}},
                                 "429": {"description": "Rate limited"}}
    if etag:
        ok["headers"] = {"ETag": {"schema": STR}}
        responses["304"] = {"description": "Not modified (If-None-Match matched)"}
    return {"get": {"summary": summary, "parameters": list(params), "responses": responses}}


CID, RID = _param("consultation_id"), _param("round_id")

PATHS = {
    "/departments": _op("Departments", "DepartmentList", PAGING),
    "/departments/{slug}": _op("A department and its published scores", "DepartmentDetail",
                               [_param("slug", schema=STR)], etag=True),
    "/consultations": _op("Published consultations", "ConsultationList", [
        *PAGING, _param("department", "query", STR), _param("tag", "query", STR),
        _param("state", "query", {"enum": ["open", "upcoming", "awaiting", "responded",
                                           "evaluated", "overdue"]}),
        _param("q", "query", STR)]),
    "/consultations/{consultation_id}": _op("A consultation with versions and rounds",
                                            "ConsultationDetail", [CID], etag=True),
    "/consultations/{consultation_id}/versions/{number}": _op(
        "A draft version with its clauses", "Version", [CID, _param("number")], etag=True),
    "/rounds/{round_id}": _op("A round and its state", "Round", [RID], etag=True),
    "/rounds/{round_id}/comments": _op("Comments (withdrawn and hidden without text)",
                                       "CommentList", [RID, *PAGING]),
    "/rounds/{round_id}/questions": _op("Questions and answers", "QuestionList",
                                        [RID, *PAGING]),
    "/rounds/{round_id}/results": _op("Vote results, when visible", "Results", [RID],
                                      etag=True),
    "/rounds/{round_id}/response": _op("The published response with adoption per opinion",
                                       "Response", [RID], etag=True),
    "/actions": _op("Published follow-up actions", "ActionList",
                    [*PAGING, _param("department", "query", STR)]),
    "/scores": _op("Published scores per department (evaluated rounds only)",
                   "DepartmentScoresList"),
    "/rectification": _op("Bad ratings followed up, per department and month (好差评)",
                          "RectificationList", [_param("department", "query", STR)]),
    "/consultations/{consultation_id}/comments.csv": _op("Comments as CSV (UTF-8, BOM)", "",
                                                         [CID], media="text/csv"),
    "/consultations/{consultation_id}/questions.csv": _op("Questions as CSV (UTF-8, BOM)",
                                                          "", [CID], media="text/csv"),
    "/consultations/{consultation_id}/opinions.csv": _op("Adoption per opinion as CSV",
                                                         "", [CID], media="text/csv"),
}


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "consult open data", "version": "1.0.0",
                 "description": "Everything public on consult, read-only. Lists are "
                                "paginated by an opaque cursor; detail resources carry "
                                "ETags. Scores count evaluated rounds only."},
        "servers": [{"url": "/api/v1"}],
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": PATHS,
        "components": {"schemas": SCHEMAS},
    }
