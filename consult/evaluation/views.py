"""/evaluation/ — the evaluators' dashboard (read-only; evaluators and admins).

/evaluation/                                   departments compared, trends by month
/evaluation/departments/<id>                   a department's consultations
/evaluation/consultations/<id>                 a consultation's rounds
/evaluation/rounds/<id>                        a round's scores with intervals, its random
                                               follow-up samples beside the opt-in answers
/evaluation/rounds/<id>/sample (POST)          draw a random follow-up sample (随机回访)
/evaluation/report                             printable report, one page per department
/evaluation/export/<table>.csv                 every table as CSV with the same filters
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from consult.clock import now
from consult.errors import NotFound
from consult.evaluation import services
from consult.evaluation.forms import SampleForm
from consult.i18n import current_locale
from consult.rectification import services as rectification
from consult.rounds import lifecycle
from consult.rounds.lifecycle import RoundState
from consult.security.params import id_arg
from consult.security.permissions import authorize, check
from consult.surveys import services as surveys
from consult.web import render, submit

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation", template_folder="templates")


def _ctx(f, **ctx):
    return dict(filters=f, columns=services.COLUMNS, generated_at=now(), **services.choices(),
                **ctx)


@bp.get("/")
@login_required
def dashboard():
    f = services.Filters.from_args(request.args)
    rows = services.departments_table(current_user, f)
    months = services.months_table(current_user, f)
    loc = _locale()
    labelled = [(d.display_name(loc), s) for d, s in rows]
    charts = {
        "satisfaction": services.share_chart(_("Satisfaction rate (interval: 95%)"),
                                             [(n, s.satisfaction) for n, s in labelled]),
        "rating": services.share_chart(_("Mean rating 1–5 (interval: 95%)"),
                                       [(n, s.rating) for n, s in labelled], percent=False),
        "trend": services.trend_chart(_("By month"), months),
    }
    return render("evaluation/dashboard.html", rows=rows, months=months, charts=charts,
                  rectification_months=_rectification_months(f), **_ctx(f))


def _rectification_months(f):
    """The follow-up of bad ratings per department and month, in the filters' period
    (the month a case opened)."""
    scope = f.scope()
    return rectification.monthly_figures(
        start=scope.start.date() if scope.start else None,
        end=scope.end.date() if scope.end else None, department_id=f.department_id)


@bp.get("/departments/<int:department_id>")
@login_required
def department(department_id: int):
    f = services.Filters.from_args(request.args)
    dept = services.department(current_user, department_id)
    rows = services.consultations_table(current_user, dept, f)
    return render("evaluation/department.html", department=dept, rows=rows, **_ctx(f))


@bp.get("/consultations/<int:consultation_id>")
@login_required
def consultation(consultation_id: int):
    f = services.Filters.from_args(request.args)
    c = services.consultation(current_user, consultation_id)
    rows = services.rounds_table(current_user, c, f)
    return render("evaluation/consultation.html", consultation=c, rows=rows, **_ctx(f))


@bp.get("/rounds/<int:round_id>")
@login_required
def round_scores(round_id: int):
    return _round_page(round_id)


def _round_page(round_id: int, *, form: SampleForm | None = None, status: int = 200):
    f = services.Filters.from_args(request.args)
    r, c, s = services.round_scores(current_user, round_id)
    chart = services.share_chart(_("Shares (intervals: 95%)"), [
        (_("Satisfaction"), s.satisfaction), (_("Rating 4–5"), s.rating_high),
        (_("Clarity 4–5"), s.clarity_high), (_("Felt heard"), s.heard)])
    can_draw = (lifecycle.state_of(r) is RoundState.RESPONDED
                and check(current_user, "survey.sample", r))
    if form is None and can_draw:
        form = SampleForm(formdata=None)
    return render("evaluation/round.html", status=status, round=r, consultation=c, s=s,
                  chart=chart, comparison=services.sample_comparison(r),
                  sample_form=form if can_draw or form is not None else None, **_ctx(f))


@bp.post("/rounds/<int:round_id>/sample")
@login_required
def draw_sample(round_id: int):
    """Draw a random follow-up sample of the round's participants who have not rated and
    invite them (one transaction); the page again with the message beside the field if
    refused (422, 409)."""
    r, _c = services.evaluated_round(current_user, round_id)
    form = SampleForm()
    sample, status = submit(form, lambda: surveys.draw_sample(
        current_user, r, **form.service_data()))
    if sample is not None:
        flash(ngettext("%(num)d participant was drawn with the seed “%(seed)s” and invited "
                       "to the survey.",
                       "%(num)d participants were drawn with the seed “%(seed)s” and invited "
                       "to the survey.", sample.size, seed=sample.seed), "success")
        return redirect(url_for(".round_scores", round_id=round_id, _anchor="sample"),
                        code=303)
    return _round_page(round_id, form=form, status=status)


@bp.get("/report")
@login_required
def report():
    f = services.Filters.from_args(request.args)
    pages = services.report(current_user, f)
    return render("evaluation/report.html", pages=pages, **_ctx(f))


@bp.get("/export/<table>.csv")
@login_required
def export(table: str):
    authorize(current_user, "evaluation.view")  # 403 before telling which tables exist
    f = services.Filters.from_args(request.args)
    loc = _locale()
    if table == "departments":
        rows = [(d.display_name(loc), s) for d, s in services.departments_table(current_user, f)]
    elif table == "months":
        rows = services.months_table(current_user, f)
    elif table == "consultations":
        if f.department_id is None:
            raise NotFound(_("Choose a department."))
        dept = services.department(current_user, f.department_id)
        rows = [(c.title, s) for c, s in services.consultations_table(current_user, dept, f)]
    elif table == "rounds":
        c = services.consultation(current_user, id_arg("consultation") or 0)
        rows = [(f"{r.id} {r.title}".strip(), s)
                for r, s in services.rounds_table(current_user, c, f)]
    elif table == "rectification":
        figures = _rectification_months(f)
        body = rectification.to_csv([(x, x.department.display_name(loc) if x.department
                                      else "") for x in figures])
        return Response(body, mimetype="text/csv", headers={
            "Content-Disposition": "attachment; filename=evaluation-rectification.csv"})
    else:
        raise NotFound(_("This table does not exist."))
    return Response(services.to_csv(rows), mimetype="text/csv",
                    headers={"Content-Disposition":
                             f"attachment; filename=evaluation-{table}.csv"})


def _locale() -> str:
    return str(current_locale())
