"""/api/v1 — everything public, read-only, as JSON (and CSV exports per consultation).

Rules: GET only, CSRF-exempt, CORS ``*``; lists use an opaque cursor on the id (newest
first) and ``limit`` (1..100); detail resources carry an ETag and answer 304 to a matching
``If-None-Match``; rate limited by ``consult.security.limits`` (category "api",
``API_RATE_LIMIT``). Only published objects; people appear by display name only; withdrawn,
hidden and held posts have no text. Described by ``openapi.py`` at /api/v1/openapi.json.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import date, datetime
from typing import Any

from flask import Blueprint, Response, request
from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin

from consult.accounts.models import Department, User
from consult.accounts.services import (
    active_departments_stmt,
    get_department_by_slug,
    list_departments,
)
from consult.api.openapi import document
from consult.clock import now as clock_now
from consult.consultations.models import Consultation
from consult.consultations.services import get_public_consultation, get_version, version_clauses
from consult.errors import NotFound, ValidationFailed
from consult.evaluation import scores as sc
from consult.extensions import csrf
from consult.participation.models import Comment, ContentStatus, Question
from consult.participation.services import comments_stmt, questions_stmt
from consult.rectification import services as rectification
from consult.responses.models import FollowUpAction
from consult.responses.services import get_public_response, public_actions_stmt, published_triage
from consult.rounds import lifecycle
from consult.rounds.listing import LIST_OPTIONS, STATE_FILTERS, consultations_query
from consult.rounds.models import Round
from consult.rounds.services import get_round
from consult.security.exports import csv_response
from consult.security.params import INT_MAX, BadParameter, int_arg, token_arg
from consult.voting.services import get_results
from consult.web import newest_by_id, rows_of

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# The API is the public's view: every read goes through the services the pages use, as
# the anonymous visitor, so a page and the API can never disagree on what is visible.
PUBLIC = AnonymousUserMixin()
csrf.exempt(bp)

MAX_LIMIT, DEFAULT_LIMIT = 100, 20


@bp.after_request
def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag"
    return response


# ---------------------------------------------------------------- helpers

def _iso(v):
    if isinstance(v, datetime | date):
        return v.isoformat()
    return v


def _cursor_in() -> int | None:
    raw = token_arg("cursor", strict=True)
    if raw is None:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(raw.encode() + b"==").decode())
        before = data["before"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise BadParameter("cursor") from None
    if type(before) is not int or not 0 < before <= INT_MAX:
        raise BadParameter("cursor")
    return before


def _cursor_out(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"before": last_id}).encode()).decode().rstrip("=")


def _limit() -> int:
    return int_arg("limit", default=DEFAULT_LIMIT, low=1, high=MAX_LIMIT,
                   strict=True) or DEFAULT_LIMIT


def _page(stmt, id_col, serialize) -> Response:
    """Cursor pagination on the id, newest first: one query for limit + 1 rows."""
    before, limit = _cursor_in(), _limit()
    rows, more = newest_by_id(stmt, id_col, before=before, limit=limit)
    return _json({"data": [serialize(r) for r in rows],
                  "next_cursor": _cursor_out(rows[-1].id) if more else None})


def _json(payload: Any, status: int = 200) -> Response:
    body = json.dumps(payload, ensure_ascii=False, default=_iso, separators=(",", ":"))
    return Response(body, status=status, mimetype="application/json")


def _detail(payload: dict) -> Response:
    """A detail resource with a strong ETag over its body; 304 when it matches."""
    response = _json(payload)
    etag = hashlib.sha256(response.get_data()).hexdigest()[:32]
    response.set_etag(etag)
    if request.if_none_match.contains(etag):
        not_modified = Response(status=304)
        not_modified.set_etag(etag)
        return not_modified
    return response


def _published_consultation(consultation_id: int) -> Consultation:
    return get_public_consultation(PUBLIC, consultation_id)


def _public_round(round_id: int) -> Round:
    return get_round(PUBLIC, round_id, extensions=False)


def _department_json(d: Department) -> dict:
    return {"id": d.id, "slug": d.slug, "name": d.name, "name_en": d.name_en,
            "description": d.description}


def _round_json(r: Round, at: datetime) -> dict:
    return {"id": r.id, "consultation_id": r.consultation_id, "version_id": r.version_id,
            "title": r.title, "kind": r.kind.value, "state": lifecycle.state_of(r, at).value,
            "overdue": lifecycle.is_overdue(r, at), "opens_at": r.opens_at,
            "closes_at": r.closes_at, "closed_at": r.closed_at,
            "response_due_at": r.response_due_at,
            "response_published_at": r.response_published_at,
            "survey_closes_at": r.survey_closes_at, "comment_count": r.comment_count,
            "question_count": r.question_count, "ballot_count": r.ballot_count,
            "participant_count": r.participant_count}


def _consultation_json(c: Consultation) -> dict:
    return {"id": c.id, "title": c.title, "summary": c.summary,
            "department": {"id": c.department.id, "slug": c.department.slug,
                           "name": c.department.name},
            "tags": [t.name for t in c.tags], "published_at": c.published_at,
            "latest_version_number": c.latest_version_number}


def _author(u: User | None) -> str | None:
    return u.display_name if u is not None else None


def _comment_json(c: Comment) -> dict:
    return {"id": c.id, "round_id": c.round_id, "clause_id": c.clause_id,
            "parent_id": c.parent_id, "depth": c.depth, "status": c.status.value,
            "author": _author(c.author) if _named(c) else None,
            "channel": c.channel.value,
            "body": c.public_body, "proposed_text": c.public_proposed_text,
            "support_count": c.support_count, "reply_count": c.reply_count,
            "moderation_reason": c.moderation_reason
            if c.status is ContentStatus.HIDDEN else None,
            "created_at": c.created_at, "edited_at": c.edited_at}


def _named(c: Comment) -> bool:
    """The author is public for a visible online opinion that is not confidential (a
    recorded opinion has no author; its sender is private)."""
    return c.is_visible and not c.confidential and not c.is_recorded


def _question_json(q: Question) -> dict:
    a = q.answer
    return {"id": q.id, "round_id": q.round_id, "status": q.status.value,
            "author": _author(q.author) if q.is_visible else None, "body": q.public_body,
            "support_count": q.support_count, "created_at": q.created_at,
            "answered_at": q.answered_at,
            "answer": None if a is None else {"body": a.public_body, "status": a.status.value,
                                              "created_at": a.created_at}}


def _action_json(a: FollowUpAction) -> dict:
    return {"id": a.id, "round_id": a.round_id, "department_id": a.department_id,
            "title": a.title, "owner_unit": a.owner_unit, "due_on": a.due_on,
            "status": a.status.value, "drop_reason": a.drop_reason,
            "overdue": a.is_overdue(clock_now().date()), "last_update_on": a.last_update_on}


def _scores_json(s: sc.Scores) -> dict:
    return s.as_dict()


# ---------------------------------------------------------------- endpoints

@bp.get("/")
def index():
    return _json({"openapi": "/api/v1/openapi.json",
                  "resources": ["/api/v1/departments", "/api/v1/consultations",
                                "/api/v1/actions", "/api/v1/scores",
                                "/api/v1/rectification"]})


@bp.get("/openapi.json")
def openapi():
    return _json(document())


@bp.get("/departments")
def departments():
    return _page(active_departments_stmt(), Department.id, _department_json)


@bp.get("/departments/<slug>")
def department(slug: str):
    d = get_department_by_slug(slug, active_only=True)
    s = sc.overall(sc.Scope(department_id=d.id, published=True))
    return _detail({**_department_json(d), "scores": _scores_json(s)})


@bp.get("/consultations")
def consultations():
    args = request.args
    state = args.get("state", "")
    if state and state not in STATE_FILTERS:
        raise ValidationFailed(_l("Unknown state filter."), field="state")
    stmt = consultations_query(q=args.get("q", ""), department=args.get("department", ""),
                               tag=args.get("tag", ""), state=state)
    return _page(stmt.options(*LIST_OPTIONS), Consultation.id, _consultation_json)


@bp.get("/consultations/<int:consultation_id>")
def consultation(consultation_id: int):
    c = _published_consultation(consultation_id)
    at = clock_now()
    return _detail({
        **_consultation_json(c), "background": c.background, "goals": c.goals,
        "contact": c.contact,
        "versions": [{"number": v.number, "published_at": v.published_at,
                      "change_note": v.change_note, "clause_count": v.clause_count}
                     for v in sorted(c.versions, key=lambda v: v.number)],
        "rounds": [_round_json(r, at) for r in sorted(c.rounds, key=lambda r: r.opens_at)]})


@bp.get("/consultations/<int:consultation_id>/versions/<int:number>")
def version(consultation_id: int, number: int):
    c = _published_consultation(consultation_id)
    v = get_version(c, number)
    return _detail({"consultation_id": c.id, "number": v.number,
                    "published_at": v.published_at, "change_note": v.change_note,
                    "clauses": [{"id": cl.id, "lineage_id": cl.lineage_id,
                                 "position": cl.position, "number": cl.number,
                                 "heading": cl.heading, "body": cl.body,
                                 "chapter": cl.chapter, "section": cl.section}
                                for cl in version_clauses(v)]})


@bp.get("/rounds/<int:round_id>")
def round_detail(round_id: int):
    r = _public_round(round_id)
    return _detail(_round_json(r, clock_now()))


@bp.get("/rounds/<int:round_id>/comments")
def comments(round_id: int):
    r = _public_round(round_id)
    return _page(comments_stmt(PUBLIC, [r.id]), Comment.id, _comment_json)


@bp.get("/rounds/<int:round_id>/questions")
def questions(round_id: int):
    r = _public_round(round_id)
    return _page(questions_stmt(PUBLIC, [r.id]), Question.id, _question_json)


@bp.get("/rounds/<int:round_id>/results")
def results(round_id: int):
    r = _public_round(round_id)
    res = get_results(r)
    if not res.visible:
        return _detail({"round_id": r.id, "visible": False, "live": False, "total": None,
                        "stances": [], "questions": [],
                        "opens_results_at": res.opens_results_at})
    return _detail({"round_id": r.id, "visible": True, "live": res.live, "total": res.total,
                    "stances": [{"stance": b.key, "count": b.count, "share": b.share}
                                for b in res.stances],
                    "questions": [{"id": q.question.id, "text": q.question.text,
                                   "respondents": q.respondents,
                                   "options": [{"id": int(b.key), "text": b.label,
                                                "count": b.count, "share": b.share}
                                               for b in q.bars]}
                                  for q in res.questions],
                    "opens_results_at": None})


@bp.get("/rounds/<int:round_id>/response")
def response(round_id: int):
    r, resp = get_public_response(PUBLIC, round_id)
    if resp is None:
        raise NotFound(_l("No response has been published for this round."))
    triage = published_triage([r.id])
    frozen = resp.frozen_stats or {}
    return _detail({
        "round_id": r.id, "published_at": resp.published_at, "summary": resp.summary,
        "changes_note": resp.changes_note, "from_version_number": resp.from_version_number,
        "to_version_number": resp.to_version_number,
        "statistics": {"opinions": resp.opinion_count, "adopted": resp.adopted_count,
                       "partly_adopted": resp.partly_count,
                       "not_adopted": resp.not_adopted_count,
                       "out_of_scope": resp.out_of_scope_count,
                       "by_channel": [
                           {"channel": row["channel"], "opinions": row["total"],
                            "adopted": row["adopted"], "partly_adopted": row["partly_adopted"],
                            "not_adopted": row["not_adopted"],
                            "out_of_scope": row["out_of_scope"]}
                           for row in frozen.get("channels", ())]},
        "opinions": [{"kind": t.kind, "id": t.opinion_id, "clause_id": t.clause_id,
                      "channel": channel.value if channel else "online",
                      "status": t.status.value if t.status else None, "reason": t.reason}
                     for t, channel in triage],
        "actions": [_action_json(a) for a in resp.actions]})


@bp.get("/actions")
def actions():
    slug = request.args.get("department", "")
    department_id = get_department_by_slug(slug, active_only=True).id if slug else None
    return _page(public_actions_stmt(department_id=department_id), FollowUpAction.id,
                 _action_json)


@bp.get("/scores")
def scores():
    """Published scores (evaluated rounds only) per department."""
    depts = sorted(list_departments(), key=lambda d: d.id)
    found = sc.compute(sc.Scope(published=True), "department")
    return _json({"data": [{"department": {"id": d.id, "slug": d.slug, "name": d.name},
                            "scores": _scores_json(found.get(d.id) or sc.Scores(key=d.id))}
                           for d in depts], "next_cursor": None})


@bp.get("/rectification")
def rectification_figures():
    """Bad ratings followed up (好差评), per department and month the cases opened."""
    slug = request.args.get("department", "")
    department_id = get_department_by_slug(slug, active_only=True).id if slug else None
    figures = rectification.monthly_figures(department_id=department_id)
    return _json({"data": [rectification.as_json(f) for f in figures], "next_cursor": None})


# ---------------------------------------------------------------- CSV exports

def _csv(name: str, header: list[str], rows) -> Response:
    return csv_response(name, header, ([_iso(v) for v in row] for row in rows))


@bp.get("/consultations/<int:consultation_id>/comments.csv")
def comments_csv(consultation_id: int):
    c = _published_consultation(consultation_id)
    rows = rows_of(comments_stmt(PUBLIC, [r.id for r in c.rounds]).order_by(Comment.id))
    return _csv(f"consultation-{c.id}-comments.csv",
                ["id", "round_id", "clause_id", "parent_id", "status", "author", "body",
                 "support_count", "created_at", "channel"],
                [(cm.id, cm.round_id, cm.clause_id, cm.parent_id, cm.status.value,
                  cm.author.display_name if _named(cm) else None, cm.public_body,
                  cm.support_count, cm.created_at, cm.channel.value) for cm in rows])


@bp.get("/consultations/<int:consultation_id>/questions.csv")
def questions_csv(consultation_id: int):
    c = _published_consultation(consultation_id)
    rows = rows_of(questions_stmt(PUBLIC, [r.id for r in c.rounds]).order_by(Question.id))
    return _csv(f"consultation-{c.id}-questions.csv",
                ["id", "round_id", "status", "body", "created_at", "answered_at", "answer"],
                [(q.id, q.round_id, q.status.value, q.public_body, q.created_at,
                  q.answered_at, q.answer.public_body if q.answer else None) for q in rows])


@bp.get("/consultations/<int:consultation_id>/opinions.csv")
def opinions_csv(consultation_id: int):
    """Adoption of every opinion, for rounds whose response is published."""
    c = _published_consultation(consultation_id)
    rows = published_triage([r.id for r in c.rounds])
    return _csv(f"consultation-{c.id}-opinions.csv",
                ["round_id", "kind", "opinion_id", "clause_id", "status", "reason", "channel"],
                [(t.round_id, t.kind, t.opinion_id, t.clause_id,
                  t.status.value if t.status else None, t.reason,
                  channel.value if channel else "online") for t, channel in rows])
