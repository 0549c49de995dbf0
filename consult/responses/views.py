"""Closing the loop: triage, the response, errata, follow-up actions, accountability.

/rounds/<id>/response                         the published response (public)
/accountability/                              overdue responses and follow-up actions
/manage/rounds/<id>/triage                    triage (filters, one row, bulk, themes)
/manage/rounds/<id>/response                  write, publish, correct by erratum
/manage/actions/<id>                          progress on a follow-up action
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from consult.clock import now as clock_now
from consult.consultations.services import get_department
from consult.db import atomic
from consult.evaluation.services import public_scores
from consult.rectification.services import department_figures
from consult.responses import services
from consult.responses.forms import (
    ActionForm,
    BulkTriageForm,
    EmptyForm,
    ErratumForm,
    MergeThemeForm,
    ProgressForm,
    PublishForm,
    ResponseForm,
    ThemeForm,
    TriageForm,
)
from consult.responses.models import Adoption
from consult.responses.services._common import response_of
from consult.rounds import lifecycle
from consult.rounds.lifecycle import RoundState
from consult.rounds.services import get_round
from consult.security.params import parse_int
from consult.security.redirects import safe_target
from consult.web import (
    confirmation_token,
    confirmed,
    page_number,
    render,
    render_confirmation,
    submit,
    wants_fragment,
)
from consult.workspace.models import TemplatePurpose
from consult.workspace.services import assignments, replies

bp = Blueprint("responses", __name__, template_folder="templates")


# ---------------------------------------------------------------- public

@bp.get("/rounds/<int:round_id>/response")
def response_page(round_id: int):
    round_, response = services.get_public_response(current_user, round_id)
    now = clock_now()
    return render("responses/response.html", round=round_, response=response,
                  state=lifecycle.state_of(round_, now), overdue=lifecycle.is_overdue(round_, now),
                  now=now, today=services.today())


@bp.get("/accountability/")
def accountability():
    show = "actions" if request.args.get("show") == "actions" else "responses"
    department = None
    slug = request.args.get("department", "")[:60]
    if slug:
        department = get_department(slug)
    dept_id = department.id if department else None
    all_actions = show == "actions" and department is not None and bool(request.args.get("all"))
    if show == "actions":
        page = services.list_actions(department_id=dept_id, overdue_only=not all_actions,
                                     page=page_number())
    else:
        page = services.list_overdue_rounds(department_id=dept_id, page=page_number())
    return render("responses/accountability.html", show=show, page=page,
                  department=department, all_actions=all_actions, today=services.today(),
                  now=clock_now(), score_rows=public_scores(None),
                  rectification_figures=department_figures(dept_id),
                  rectification_department=department.slug if department else None)


# ---------------------------------------------------------------- triage

def _started(round_id: int):
    """The managed round and its response row, the triage started (written once, in its
    own transaction, the first time an official opens it after the close)."""
    round_ = get_round(current_user, round_id, rule="response.manage")
    response = response_of(round_id)
    if response is None:
        with atomic():
            services.start_triage(round_)
        round_ = get_round(current_user, round_id, rule="response.manage")
        response = response_of(round_id)
    return round_, response


def _started_round(round_id: int):
    return _started(round_id)[0]


def _row_form(triage, themes, clauses, formdata=None) -> TriageForm:
    data = None
    if formdata is None:
        default_lineage = triage.changed_lineage_id
        if default_lineage is None and triage.clause is not None:
            default_lineage = triage.clause.lineage_id
        data = dict(status=triage.status.value if triage.status else "",
                    reason=triage.reason or "",
                    theme_id=str(triage.theme_id or ""),
                    changed_lineage_id=str(default_lineage or ""))
    form = TriageForm(formdata=formdata, prefix=f"t{triage.id}", data=data)
    form.set_choices(themes, clauses)
    return form


def _triage_page(round_id: int, *, status: int = 200, failed_row=None, bulk_form=None,
                 theme_form=None, merge_errors=None):
    round_, response = _started(round_id)
    filters = services.TriageFilters.from_args(request.args)
    if filters.mine:  # "assigned to me" (the workspace keeps the assignments)
        filters.only = assignments.mine_in_round(current_user, round_id)
    page = services.list_triage(round_, filters, page=page_number())
    themes = services.themes_of(round_id)
    clauses = services.clauses_of(round_.version_id)
    lineages = services.lineage_choices(round_, response)
    forms = {}
    for t in page.items:
        if failed_row is not None and failed_row[0] == t.id:
            forms[t.id] = failed_row[1]
        else:
            forms[t.id] = _row_form(t, themes, lineages)
    reasons = _reasons(round_)
    # A reply template inserted without JavaScript: into one row's reason (``row``), else
    # into the bulk reason.
    template = request.args.get("template")
    row = parse_int(request.args.get("row"), low=1)
    if template and row in forms:
        forms[row].reason.data = replies.template_for(
            round_.consultation.department_id, TemplatePurpose.TRIAGE, template)
        template = None
    if bulk_form is None:
        bulk_form = BulkTriageForm(formdata=None, prefix="bulk")
        if template:
            bulk_form.reason.data = replies.template_for(
                round_.consultation.department_id, TemplatePurpose.TRIAGE, template)
    bulk_form.set_choices(themes)
    merge_forms = {}
    for theme in themes:
        form = MergeThemeForm(formdata=None, prefix=f"m{theme.id}")
        form.into_id.choices = [(str(o.id), o.name) for o in themes if o.id != theme.id]
        merge_forms[theme.id] = form
    editable = lifecycle.state_of(round_) is RoundState.CLOSED
    top_forms = [f for f in ([failed_row[1]] if failed_row else []) + [bulk_form] +
                 ([theme_form] if theme_form else [])]
    return render(
        "responses/triage.html", status=status, round=round_, response=response, page=page,
        filters=filters, themes=themes, clauses=clauses, lineages=lineages, forms=forms,
        bulk_form=bulk_form, theme_form=theme_form or ThemeForm(formdata=None, prefix="theme"),
        merge_forms=merge_forms, merge_errors=merge_errors or {},
        proposals=services.top_proposals(round_id), editable=editable,
        progress=services.progress_of(response), top_forms=top_forms,
        status_filters=services.STATUS_FILTERS, back=request.full_path.rstrip("?"),
        colleagues=assignments.colleagues(round_.consultation.department_id),
        by_person=assignments.triage_progress_by_person(round_id), reasons=reasons,
        assignees=assignments.assignees_of_rows(page.items))


def _reasons(round_):
    return replies.templates_for(round_.consultation.department_id, TemplatePurpose.TRIAGE)


def _back(round_id: int) -> str:
    return safe_target(request.form.get("next") or request.args.get("next"),
                     url_for(".triage", round_id=round_id))


@bp.get("/manage/rounds/<int:round_id>/triage")
@login_required
def triage(round_id: int):
    return _triage_page(round_id)


@bp.post("/manage/rounds/<int:round_id>/triage/<int:triage_id>")
@login_required
def triage_one(round_id: int, triage_id: int):
    round_ = _started_round(round_id)
    triage = services.get_triage(round_, triage_id)
    themes = services.themes_of(round_id)
    lineages = services.lineage_choices(round_, response_of(round_id))
    form = _row_form(triage, themes, lineages, formdata=request.form)
    done, status = submit(form, lambda: services.triage_opinion(
        current_user, round_, triage, **form.service_data()))
    if done is None and not wants_fragment():
        return _triage_page(round_id, status=status, failed_row=(triage_id, form))
    if done is None:
        # The failed transaction expired what was loaded: load the row again.
        round_ = get_round(current_user, round_id, rule="response.manage")
        triage = services.get_triage(round_, triage_id)
        form.set_choices(services.themes_of(round_id), lineages)
        return render("responses/_triage_row.html", status=status, round=round_, t=triage,
                      form=form, editable=True, announce=None, back=_back(round_id),
                      reasons=_reasons(round_), assignees=assignments.assignees_of_rows([triage]))
    if not wants_fragment():
        flash(_("Saved: %(status)s.", status=Adoption(form.status.data).label), "success")
        return redirect(_back(round_id), code=303)
    round_ = get_round(current_user, round_id, rule="response.manage")
    triage = services.get_triage(round_, triage_id)
    response = response_of(round_id)
    themes = services.themes_of(round_id)
    return render("responses/_triage_row_swap.html", round=round_, t=triage, themes=themes,
                  form=_row_form(triage, themes, lineages), editable=True,
                  progress=services.progress_of(response), back=_back(round_id),
                  reasons=_reasons(round_), assignees=assignments.assignees_of_rows([triage]),
                  announce=_("Saved: %(status)s.", status=triage.status.label))


@bp.post("/manage/rounds/<int:round_id>/triage/bulk")
@login_required
def triage_bulk(round_id: int):
    round_ = _started_round(round_id)
    form = BulkTriageForm(prefix="bulk")
    form.set_choices(services.themes_of(round_id))
    done, status = submit(form, lambda: services.bulk_triage(
        current_user, round_, triage_ids=form.ids.data or [], status=form.status.data,
        reason=form.reason.data, theme_id=form.theme_id.data or services.KEEP))
    if done is None:
        return _triage_page(round_id, status=status, bulk_form=form)
    flash(ngettext("%(num)d opinion updated.", "%(num)d opinions updated.", done), "success")
    return redirect(_back(round_id), code=303)


@bp.post("/manage/rounds/<int:round_id>/themes")
@login_required
def create_theme(round_id: int):
    round_ = _started_round(round_id)
    form = ThemeForm(prefix="theme")
    done, status = submit(form, lambda: services.create_theme(current_user, round_,
                                                              name=form.name.data))
    if done is None:
        return _triage_page(round_id, status=status, theme_form=form)
    flash(_("Theme “%(name)s” created.", name=form.name.data.strip()), "success")
    return redirect(_back(round_id) + "#themes", code=303)


def _change_theme(round_id: int, theme_id: int, form, change, done_message: str):
    """Rename or merge a theme: the form (prefixed per theme) and ``change(round_, theme)``
    in one transaction; refusals are shown beside that theme on the triage page."""
    round_ = _started_round(round_id)
    theme = services.get_theme(round_, theme_id)
    done, status = submit(form, lambda: change(round_, theme))
    if done is None:
        return _triage_page(round_id, status=status,
                            merge_errors={theme_id: [m for _f, _l, m in form.all_errors]})
    flash(done_message, "success")
    return redirect(_back(round_id) + "#themes", code=303)


@bp.post("/manage/rounds/<int:round_id>/themes/<int:theme_id>/rename")
@login_required
def rename_theme(round_id: int, theme_id: int):
    form = ThemeForm(prefix=f"r{theme_id}")
    return _change_theme(round_id, theme_id, form, lambda round_, theme: services.rename_theme(
        current_user, round_, theme, name=form.name.data), _("Theme renamed."))


@bp.post("/manage/rounds/<int:round_id>/themes/<int:theme_id>/merge")
@login_required
def merge_theme(round_id: int, theme_id: int):
    form = MergeThemeForm(prefix=f"m{theme_id}")
    return _change_theme(round_id, theme_id, form, lambda round_, theme: services.merge_themes(
        current_user, round_, theme, into_id=form.into_id.data), _("Themes merged."))


# ---------------------------------------------------------------- the response

def _response_page(round_id: int, *, status: int = 200, form=None, action_form=None,
                   erratum_form=None, publish_form=None):
    round_ = _started_round(round_id)
    response = services.get_response(current_user, round_)
    themes = services.themes_of(round_id)
    numbers = services.later_versions(round_)
    if form is None:
        form = ResponseForm(formdata=None, prefix="r", data=dict(
            summary=response.summary, changes_note=response.changes_note,
            to_version_number=str(response.to_version_number or "")))
    form.set_choices(numbers)
    stats = response.frozen_stats if response.is_published else services.compute_stats(round_)
    state = lifecycle.state_of(round_)
    forms = [f for f in (form, action_form, erratum_form, publish_form) if f is not None]
    return render(
        "responses/manage_response.html", status=status, round=round_, response=response,
        themes=themes, form=form, stats=stats, state=state,
        editable=state is RoundState.CLOSED,
        action_form=action_form or ActionForm(formdata=None, prefix="a"),
        erratum_form=erratum_form or ErratumForm(formdata=None, prefix="e"),
        publish_form=publish_form or EmptyForm(formdata=None, prefix="p"),
        error_forms=forms, today=services.today(), now=clock_now(),
        erratum_token=confirmation_token(ERRATUM, _erratum_state(round_id, response)))


ERRATUM = "response.erratum"


def _erratum_state(round_id: int, response) -> dict:
    """What an erratum's confirmation is for: this response with the errata it has (a
    replay once the erratum is published is a 409)."""
    return {"round": round_id, "errata": len(response.errata) if response.is_published
            else None}


def _replies() -> dict[int, str]:
    """The themes' replies posted with the response form (``reply-<theme id>``)."""
    posted = ((parse_int(k.split("-", 1)[1], low=1), v) for k, v in request.form.items()
              if k.startswith("reply-"))
    return {theme_id: v for theme_id, v in posted if theme_id}


@bp.route("/manage/rounds/<int:round_id>/response", methods=["GET", "POST"])
@login_required
def manage_response(round_id: int):
    if request.method == "GET":
        return _response_page(round_id)
    round_ = _started_round(round_id)
    form = ResponseForm(prefix="r")
    form.set_choices(services.later_versions(round_))
    replies = _replies()
    done, status = submit(form, lambda: services.save_response(
        current_user, round_, summary=form.summary.data, changes_note=form.changes_note.data,
        to_version_number=form.to_version_number.data, theme_replies=replies))
    if done is None:
        form.replies = replies
        return _response_page(round_id, status=status, form=form)
    flash(_("The draft response is saved. Nothing is public until you publish it."),
          "success")
    return redirect(url_for(".manage_response", round_id=round_id), code=303)


@bp.post("/manage/rounds/<int:round_id>/response/actions")
@login_required
def add_action(round_id: int):
    round_ = _started_round(round_id)
    form = ActionForm(prefix="a")
    # The button sits in the response form: what was typed there is saved with the action
    # (a server-side draft), so adding a row never loses the summary.
    draft = ResponseForm(prefix="r") if "r-summary" in request.form else None
    replies = _replies()
    if draft is not None:
        draft.set_choices(services.later_versions(round_))

    def add():
        if draft is not None:
            services.save_response(
                current_user, round_, summary=draft.summary.data,
                changes_note=draft.changes_note.data,
                to_version_number=draft.to_version_number.data, theme_replies=replies)
        return services.add_action(current_user, round_, **form.service_data())
    done, status = submit(form, add)
    if done is None:
        if draft is not None:
            draft.replies = replies
        return _response_page(round_id, status=status, action_form=form, form=draft)
    flash(_("Follow-up action added to the draft."), "success")
    return redirect(url_for(".manage_response", round_id=round_id) + "#actions", code=303)


@bp.post("/manage/rounds/<int:round_id>/response/actions/<int:action_id>/remove")
@login_required
def remove_action(round_id: int, action_id: int):
    round_ = _started_round(round_id)
    form = EmptyForm()
    done, status = submit(form, lambda: services.remove_action(current_user, round_,
                                                               action_id) or True)
    if done is None:
        return _response_page(round_id, status=status, publish_form=form)
    flash(_("Follow-up action removed from the draft."), "success")
    return redirect(url_for(".manage_response", round_id=round_id) + "#actions", code=303)


def _publish_preview(round_id: int, *, status: int = 200, form=None):
    """What the public will see, and the button that publishes it (the confirmation page
    every publication goes through, with or without JavaScript)."""
    round_ = _started_round(round_id)
    response = services.get_response(current_user, round_)
    if response.is_published:
        return redirect(url_for(".response_page", round_id=round_id), code=303)
    form = form or PublishForm(formdata=None, prefix="p")
    form.seen.data = services.draft_fingerprint(response)
    return render("responses/publish_preview.html", status=status, round=round_,
                  response=response, themes=services.themes_of(round_id),
                  stats=services.compute_stats(round_), form=form,
                  now=clock_now(), today=services.today())


@bp.get("/manage/rounds/<int:round_id>/response/publish")
@login_required
def publish_preview(round_id: int):
    return _publish_preview(round_id)


@bp.post("/manage/rounds/<int:round_id>/response/publish")
@login_required
def publish(round_id: int):
    round_ = _started_round(round_id)
    form = PublishForm(prefix="p")
    if not form.seen.data:  # not confirmed on the preview: show it first, publish nothing
        return redirect(url_for(".publish_preview", round_id=round_id), code=303)
    done, status = submit(form, lambda: services.publish_response(current_user, round_,
                                                                  seen=form.seen.data))
    if done is None:
        if status == 409 and lifecycle.state_of(get_round(
                current_user, round_id, rule="response.manage")) is RoundState.CLOSED:
            return _publish_preview(round_id, status=status, form=form)
        return _response_page(round_id, status=status, publish_form=form)
    flash(_("The response is published. Participants and followers are told, and the "
            "satisfaction survey is open."), "success")
    return redirect(url_for(".response_page", round_id=round_id), code=303)


@bp.post("/manage/rounds/<int:round_id>/response/errata")
@login_required
def add_erratum(round_id: int):
    round_ = _started_round(round_id)
    form = ErratumForm(prefix="e")
    response = services.get_response(current_user, round_)
    body = (form.body.data or "").strip()
    if body and response.is_published and form.validate_on_submit() and not confirmed(
            ERRATUM, _erratum_state(round_id, response)):
        return render_confirmation(
            purpose=ERRATUM, state=_erratum_state(round_id, response),
            title=_("Publish an erratum"), action_label=_("Publish the erratum"),
            action_url=url_for(".add_erratum", round_id=round_id),
            back=url_for(".manage_response", round_id=round_id),
            preview="responses/_erratum_preview.html", body=body, now=clock_now(),
            fields=[("e-body", form.body.data or "")])
    done, status = submit(form, lambda: services.add_erratum(current_user, round_,
                                                             body=form.body.data))
    if done is None:
        return _response_page(round_id, status=status, erratum_form=form)
    flash(_("The erratum is published on the response."), "success")
    return redirect(url_for(".response_page", round_id=round_id) + "#errata", code=303)


# ---------------------------------------------------------------- follow-up actions

@bp.route("/manage/actions/<int:action_id>", methods=["GET", "POST"])
@login_required
def manage_action(action_id: int):
    action = services.get_action(current_user, action_id, manage=True)
    form = ProgressForm(prefix="u") if request.method == "POST" else ProgressForm(
        formdata=None, prefix="u", data=dict(status=action.status.value, on=services.today()))
    done, status = submit(form, lambda: services.record_progress(
        current_user, action, **form.service_data()))
    if done is not None:
        flash(_("Progress recorded."), "success")
        return redirect(url_for(".manage_action", action_id=action_id), code=303)
    if status >= 400:
        action = services.get_action(current_user, action_id, manage=True)
    return render("responses/action.html", status=status, action=action, form=form,
                  today=services.today())
