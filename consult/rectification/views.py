"""Rectification pages (好差评).

/manage/rectification/                 the department's cases (workspace), by due date
/manage/rectification/<id>             one case: follow-up (回访), rectify or explain, appeal
/rectification/appeals                 appeals awaiting review (evaluators, admins)
/rectification/                        the public record: figures per department, cases
/rectification/<id>                    one case in public (nothing about the rater); the
                                       rater rates again here, a reviewer decides here
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult import workdays
from consult.clock import now as clock_now
from consult.consultations.services import get_department
from consult.rectification import services
from consult.rectification.forms import (
    AppealForm,
    DeadlineForm,
    DecideForm,
    FollowUpForm,
    RerateForm,
    ResolveForm,
)
from consult.security.permissions import authorize, check
from consult.web import page_number, render, submit

bp = Blueprint("rectification", __name__, template_folder="templates")


# ---------------------------------------------------------------- the department

@bp.get("/manage/rectification/")
@login_required
def workspace():
    return _workspace_page()


def _workspace_page(*, status: int = 200, form=None, form_department: int | None = None):
    show = request.args.get("show", "open")
    page = services.workspace_cases(current_user, show=show, page=page_number())
    deadlines = [(d, days, form if form is not None and d.id == form_department else
                  DeadlineForm(formdata=None, prefix=f"p{d.id}",
                               data=dict(due_days=days)))
                 for d, days in services.deadlines_of(current_user)]
    return render("rectification/workspace.html", status=status, page=page,
                  show=show if show in services.WORKSPACE_FILTERS else "open",
                  filters=services.WORKSPACE_FILTERS, now=clock_now(), deadlines=deadlines)


@bp.post("/manage/rectification/deadline/<int:department_id>")
@login_required
def deadline(department_id: int):
    authorize(current_user, "rectification.workspace")
    form = DeadlineForm(prefix=f"p{department_id}")
    done, status = submit(form, lambda: services.set_due_days(
        current_user, department_id=department_id, due_days=form.due_days.data))
    if done is not None:
        flash(_("The deadline is saved. Cases already open keep their due date."), "success")
        return redirect(url_for(".workspace"), code=303)
    return _workspace_page(status=status, form=form, form_department=department_id)


def _managed(case_id: int):
    case = services.load_case(case_id)
    authorize(current_user, "rectification.manage", case)
    return case


def _manage_page(case, *, status: int = 200, **forms):
    choices = services.resolution_choices(case)
    resolve_form = forms.get("resolve_form") or ResolveForm(formdata=None, prefix="r")
    resolve_form.set_choices(choices["errata"], choices["actions"])
    follow_up_form = forms.get("follow_up_form") or FollowUpForm(
        formdata=None, prefix="f", data=dict(
            on=case.followed_up_on or workdays.local_day(clock_now()),
            channel=case.follow_up_channel.value if case.follow_up_channel else "",
            note=case.follow_up_note or ""))
    return render("rectification/manage.html", status=status, case=case, now=clock_now(),
                  follow_up_form=follow_up_form, resolve_form=resolve_form,
                  appeal_form=forms.get("appeal_form") or AppealForm(formdata=None, prefix="a"),
                  **choices)


def _done(case_id: int, message: str):
    flash(message, "success")
    return redirect(url_for(".manage", case_id=case_id), code=303)


@bp.get("/manage/rectification/<int:case_id>")
@login_required
def manage(case_id: int):
    return _manage_page(_managed(case_id))


@bp.post("/manage/rectification/<int:case_id>/follow-up")
@login_required
def follow_up(case_id: int):
    return _case_step(case_id, FollowUpForm(prefix="f"), "follow_up_form",
                      services.record_follow_up, _("The follow-up is recorded."))


@bp.post("/manage/rectification/<int:case_id>/resolve")
@login_required
def resolve(case_id: int):
    return _case_step(case_id, ResolveForm(prefix="r"), "resolve_form", services.resolve,
                      _("Saved. The rater is told and may rate again."))


@bp.post("/manage/rectification/<int:case_id>/appeal")
@login_required
def appeal(case_id: int):
    return _case_step(case_id, AppealForm(prefix="a"), "appeal_form", services.appeal,
                      _("The appeal is sent to the evaluators for review."))


def _case_step(case_id: int, form, form_name: str, step, message: str):
    """One step of the department on a case (follow-up, resolve, appeal): the form as one
    transaction on the locked case; the case page again with the form's errors if refused."""
    case = _managed(case_id)
    done, status = submit(form, lambda: step(
        current_user, services.load_case(case_id, lock=True), **form.service_data()))
    if done is not None:
        return _done(case_id, message)
    return _manage_page(services.load_case(case.id), status=status, **{form_name: form})


# ---------------------------------------------------------------- review

@bp.get("/rectification/appeals")
@login_required
def appeals():
    page = services.appeals_to_review(current_user, page=page_number())
    return render("rectification/appeals.html", page=page, now=clock_now())


@bp.post("/rectification/<int:case_id>/decide")
@login_required
def decide(case_id: int):
    return _public_step(case_id, "rectification.review", DecideForm(prefix="d"), "decide_form",
                        services.decide, _("The decision is recorded and published."))


def _public_step(case_id: int, rule: str, form, form_name: str, step, message: str):
    """A step on the case's public page (an evaluator's decision, the rater's new rating):
    ``rule`` checked, the form as one transaction on the locked case; the case page again
    with the form's errors if refused."""
    case = services.load_case(case_id)
    authorize(current_user, rule, case)
    done, status = submit(form, lambda: step(
        current_user, services.load_case(case_id, lock=True), **form.service_data()))
    if done is not None:
        flash(message, "success")
        return redirect(url_for(".case_page", case_id=case_id), code=303)
    return _case_page(services.load_case(case.id), status=status, **{form_name: form})


# ---------------------------------------------------------------- public

@bp.get("/rectification/")
def record():
    department = None
    slug = request.args.get("department", "")[:60]
    if slug:
        department = get_department(slug)
    show = request.args.get("show", "all")
    show = show if show in services.PUBLIC_FILTERS else "all"
    dept_id = department.id if department else None
    return render("rectification/record.html", department=department, show=show,
                  filters=services.PUBLIC_FILTERS,
                  figures=services.department_figures(dept_id),
                  page=services.public_cases(department_id=dept_id, show=show,
                                             page=page_number()),
                  now=clock_now())


def _case_page(case, *, status: int = 200, **forms):
    rerate_form = forms.get("rerate_form")
    if rerate_form is None and check(current_user, "rectification.rerate", case):
        rerate_form = RerateForm(formdata=None, prefix="s")
    decide_form = forms.get("decide_form")
    if decide_form is None and check(current_user, "rectification.review", case):
        decide_form = DecideForm(formdata=None, prefix="d")
    return render("rectification/case.html", status=status, case=case, now=clock_now(),
                  rerate_form=rerate_form, decide_form=decide_form,
                  **services.case_view(current_user, case))


@bp.get("/rectification/<int:case_id>")
def case_page(case_id: int):
    return _case_page(services.load_case(case_id))


@bp.post("/rectification/<int:case_id>/rerate")
@login_required
def rerate(case_id: int):
    return _public_step(case_id, "rectification.rerate", RerateForm(prefix="s"), "rerate_form",
                        services.rerate,
                        _("Thank you — your new rating is saved beside the first."))
