"""Opinion analysis pages for officials, moderators and evaluators.

/manage/rounds/<id>/analysis                   key terms (overall and per clause)
/manage/rounds/<id>/analysis/themes            suggested themes; accept one into triage
/manage/rounds/<id>/analysis/duplicates        near-duplicate groups
/manage/rounds/<id>/analysis/groups            opinion groups (SVG map and lists)
/manage/rounds/<id>/analysis/opinions?term=    the opinions using a term
/manage/rounds/<id>/analysis/status            the status fragment (htmx polls it)
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select

from consult.analysis import jobs, services
from consult.analysis.chart import opinion_map
from consult.analysis.forms import AcceptThemeForm, EmptyForm
from consult.consultations.models import Clause
from consult.db import atomic, db
from consult.errors import ServiceError
from consult.rounds import lifecycle
from consult.rounds.lifecycle import RoundState
from consult.rounds.services import get_round
from consult.security.params import text_arg
from consult.voting.models import STANCE_LABELS
from consult.web import page_number, render, wants_fragment

bp = Blueprint("analysis", __name__, template_folder="templates",
               url_prefix="/manage/rounds/<int:round_id>/analysis")

SECTIONS = ("terms", "themes", "duplicates", "groups")


def _load(round_id: int):
    """The round and its analysis; starts a run when one is due (after the commit)."""
    round_ = get_round(current_user, round_id, rule="analysis.view")
    with atomic():
        row, count, start = services.analysis_for_page(current_user, round_)
    if start:
        jobs.dispatch(round_id)
        row = jobs.result_of(round_id)
    return round_, row, count


def _clauses(round_):
    return {c.id: c for c in db.session.scalars(
        select(Clause).where(Clause.version_id == round_.version_id).order_by(Clause.position))}


def _page(section: str, round_id: int, *, status: int = 200, **extra):
    round_, row, count = _load(round_id)
    result = row.result if row is not None else None
    ctx = dict(round=round_, row=row, result=result, count=count, section=section,
               closed=lifecycle.state_of(round_) is RoundState.CLOSED)
    if section == "terms":
        ctx["clauses"] = _clauses(round_)
    if section == "groups" and result and result["groups"]["status"] == "ok":
        ctx["svg"] = opinion_map(result["groups"])
        ctx["stance_labels"] = {k.value: str(v) for k, v in STANCE_LABELS.items()}
    if section == "themes":
        ctx["forms"] = extra.pop("forms", {})
    ctx.update(extra)
    return render(f"analysis/{section}.html", status=status, **ctx)


@bp.get("")
@login_required
def terms(round_id: int):
    return _page("terms", round_id)


@bp.get("/themes")
@login_required
def themes(round_id: int):
    return _page("themes", round_id)


@bp.get("/duplicates")
@login_required
def duplicates(round_id: int):
    return _page("duplicates", round_id)


@bp.get("/groups")
@login_required
def groups(round_id: int):
    return _page("groups", round_id)


@bp.get("/status")
@login_required
def status(round_id: int):
    round_ = get_round(current_user, round_id, rule="analysis.view")
    row = jobs.result_of(round_id)
    section = request.args.get("section", "terms")
    if section not in SECTIONS:
        section = "terms"
    if not wants_fragment():  # the status line is a fragment: a browser gets its page
        return redirect(url_for(f".{section}", round_id=round_id), code=303)
    response = render("analysis/_status.html", "analysis/_status.html", round=round_, row=row,
                      section=section)
    if request.args.get("polling") and (row is None or not row.status.busy):
        response.headers["HX-Refresh"] = "true"  # the run ended: show its results
    return response


@bp.post("/refresh")
@login_required
def refresh(round_id: int):
    round_ = get_round(current_user, round_id, rule="analysis.view")
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    with atomic():
        services.recompute(current_user, round_)
    jobs.dispatch(round_id)
    section = request.form.get("section", "terms")
    endpoint = section if section in SECTIONS else "terms"
    flash(_("The analysis is being recomputed."), "info")
    return redirect(url_for(f".{endpoint}", round_id=round_id), code=303)


@bp.post("/themes/<int:label>/accept")
@login_required
def accept_theme(round_id: int, label: int):
    round_ = get_round(current_user, round_id, rule="analysis.view")
    form = AcceptThemeForm(prefix=f"t{label}")
    if form.validate_on_submit():
        try:
            with atomic():
                theme, moved = services.accept_theme(current_user, round_, label=label,
                                                     name=form.name.data)
            flash(ngettext("Theme “%(name)s” created with %(num)d opinion.",
                           "Theme “%(name)s” created with %(num)d opinions.", moved,
                           name=theme.name), "success")
            return redirect(url_for(".themes", round_id=round_id) + f"#theme-{label}",
                            code=303)
        except ServiceError as exc:
            if exc.status in (403, 404, 409):
                raise
            form.add_service_error(exc)
    return _page("themes", round_id, status=422, forms={label: form})


@bp.get("/opinions")
@login_required
def opinions(round_id: int):
    round_ = get_round(current_user, round_id, rule="analysis.view")
    term = text_arg("term", limit=200)
    page = services.opinions_with_term(current_user, round_, term, page=page_number())
    return render("analysis/opinions.html", round=round_, term=term.strip()[:40], page=page,
                  section="terms")
