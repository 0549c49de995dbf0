"""The workspace pages: ``/manage/`` (what waits), the menu badge, what is assigned to
me, and an opinion's team page (assignment and internal notes)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from consult.accounts.forms import EmptyForm
from consult.errors import ServiceError
from consult.i18n import current_locale
from consult.rounds.services import get_round
from consult.security.params import id_arg
from consult.security.permissions import authorize, check
from consult.security.redirects import safe_target
from consult.web import (
    check_confirmation,
    confirmation_token,
    page_number,
    render,
    submit,
    wants_fragment,
)
from consult.workspace.forms import (
    AssignForm,
    BulkAnswerForm,
    BulkAssignForm,
    NoteForm,
    TemplateForm,
    colleague_choices,
)
from consult.workspace.models import TemplatePurpose
from consult.workspace.services import assignments, bulk, notes, opinions, replies, waiting
from consult.workspace.services.start import start_page

bp = Blueprint("workspace", __name__, template_folder="templates")


def _department_arg() -> int | None:
    return id_arg("department")


@bp.get("/manage/")
@login_required
def index():
    if not check(current_user, "workspace.view"):
        target = start_page(current_user)
        if target is None:
            abort(403)
        return redirect(target)
    department_id = _department_arg()
    if department_id is not None and department_id not in current_user.official_department_ids:
        abort(404)
    workspace = waiting.waiting_for(current_user, department_id=department_id)
    return render("workspace/index.html", workspace=workspace, department_id=department_id,
                  departments=waiting.departments_of(current_user),
                  mine=assignments.my_assignments(current_user, per_page=1).total)


@bp.get("/manage/badge")
@login_required
def badge():
    if not check(current_user, "workspace.view"):
        abort(403)
    if not wants_fragment():  # the menu's count, loaded by htmx; the page itself without
        return redirect(url_for(".index"), code=303)
    return render("workspace/_badge.html", "workspace/_badge.html",
                  count=waiting.waiting_count(current_user))


@bp.get("/manage/assigned")
@login_required
def assigned():
    page = assignments.my_assignments(current_user, page=page_number())
    texts = opinions.texts_of([(a.kind, a.item_id) for a in page.items])
    return render("workspace/assigned.html", page=page, texts=texts)


# ---------------------------------------------------------------- one opinion

def _opinion_page(kind: str, item_id: int, *, status: int = 200, assign_form=None,
                  note_form=None):
    opinion = opinions.get_opinion(kind, item_id)
    authorize(current_user, "workspace.department", opinion.department_id)
    people = assignments.colleagues(opinion.department_id)
    current = assignments.current(opinion.kind, opinion.id)
    if assign_form is None:
        assign_form = AssignForm(formdata=None, data={
            "assignee_id": str(current.assignee_id) if current else ""})
    assign_form.assignee_id.choices = colleague_choices(people)
    return render("workspace/opinion.html", status=status, opinion=opinion, current=current,
                  notes=notes.notes_of(current_user, opinion), assign_form=assign_form,
                  note_form=note_form or NoteForm(formdata=None),
                  back=safe_target(request.values.get("next"), url_for(".index")))


@bp.get("/manage/opinions/<opinion_kind>/<int:opinion_id>")
@login_required
def opinion(opinion_kind: str, opinion_id: int):
    return _opinion_page(opinion_kind, opinion_id)


def _after(kind: str, item_id: int):
    return redirect(url_for(".opinion", opinion_kind=kind, opinion_id=item_id,
                            next=request.form.get("next") or None), code=303)


@bp.post("/manage/opinions/<opinion_kind>/<int:opinion_id>/assign")
@login_required
def assign(opinion_kind: str, opinion_id: int):
    kind, item_id = opinion_kind, opinion_id
    form = AssignForm()
    done, status = submit(form, lambda: assignments.assign_opinion(
        current_user, kind, item_id, assignee_id=form.assignee_id.data) or "unchanged")
    if done is None:
        return _opinion_page(kind, item_id, status=status, assign_form=form)
    flash(_("The assignment is saved.") if done != "unchanged" else
          _("Nothing changed."), "success")
    return _after(kind, item_id)


@bp.post("/manage/opinions/<opinion_kind>/<int:opinion_id>/claim")
@login_required
def claim(opinion_kind: str, opinion_id: int):
    kind, item_id = opinion_kind, opinion_id
    form = AssignForm()
    done, status = submit(form, lambda: assignments.claim_opinion(
        current_user, kind, item_id) or "unchanged")
    if done is None:
        return _opinion_page(kind, item_id, status=status, assign_form=form)
    flash(_("It is assigned to you."), "success")
    return _after(kind, item_id)


@bp.post("/manage/opinions/<opinion_kind>/<int:opinion_id>/notes")
@login_required
def add_note(opinion_kind: str, opinion_id: int):
    kind, item_id = opinion_kind, opinion_id
    form = NoteForm()
    done, status = submit(form, lambda: notes.add_note(current_user, kind, item_id,
                                                       body=form.body.data))
    if done is None:
        return _opinion_page(kind, item_id, status=status, note_form=form)
    flash(_("The note is saved. Only officials of the department see it."), "success")
    return _after(kind, item_id)


# ---------------------------------------------------------------- many at once

@bp.post("/manage/rounds/<int:round_id>/assign")
@login_required
def bulk_assign(round_id: int):
    round_ = get_round(current_user, round_id, rule="response.manage")
    form = BulkAssignForm(prefix="bulk")
    back = safe_target(request.form.get("next"), url_for("responses.triage", round_id=round_id))
    done, status = submit(form, lambda: assignments.bulk_assign(
        current_user, round_, triage_ids=form.ids.data or [],
        assignee_id=form.assignee_id.data))
    if done is None:
        errors = [message for _field, _label, message in form.all_errors]
        return render("workspace/bulk_refused.html", status=status, errors=errors,
                      back=back, round=round_)
    flash(ngettext("%(num)d opinion assigned.", "%(num)d opinions assigned.", done), "success")
    return redirect(back, code=303)


@bp.post("/manage/questions/answer-many")
@login_required
def answer_many():
    """One answer for several questions: the first post shows what the public will see
    and asks for confirmation; the confirmation (signed, for exactly these questions and
    this text) publishes every answer in one transaction. A replay is a 409."""
    form = BulkAnswerForm(prefix="many")
    back = safe_target(request.form.get("next"), url_for("participation.question_inbox"))
    if not form.validate_on_submit():
        return render("workspace/bulk_refused.html", status=400, back=back,
                      errors=[m for _f, _l, m in form.all_errors], title=_("Nothing was published"))
    try:
        chosen = bulk.questions_to_answer(current_user, form.ids.data or [])
        text = bulk.answer_text(form.body.data)
        state = bulk.confirmation_state(chosen, text)
        if form.confirmation.data:
            check_confirmation(form.confirmation.data, bulk.PURPOSE, state)
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        return render("workspace/bulk_refused.html", status=exc.status, back=back,
                      errors=[exc.message], title=_("Nothing was published"))
    if not form.confirmation.data:
        return render("workspace/answer_many.html", questions=chosen, text=text, back=back,
                      token=confirmation_token(bulk.PURPOSE, state))
    done, status = submit(form, lambda: bulk.answer_questions(
        current_user, form.ids.data or [], body=form.body.data))
    if done is None:
        return render("workspace/bulk_refused.html", status=status, back=back,
                      errors=[m for _f, _l, m in form.all_errors], title=_("Nothing was published"))
    flash(ngettext("%(num)d answer published.", "%(num)d answers published.", len(done)),
          "success")
    return redirect(back, code=303)




# ---------------------------------------------------------------- reply templates

def _templates_page(*, status: int = 200, form=None):
    departments = waiting.departments_of(current_user)
    if form is None:
        form = TemplateForm(formdata=None, data={"purpose": request.args.get("purpose", "")})
    form.set_choices(departments, list(TemplatePurpose))
    return render("workspace/templates.html", status=status, form=form,
                  templates=replies.templates_of(current_user),
                  names={d.id: d.display_name(current_locale()) for d in departments})


@bp.route("/manage/templates", methods=["GET", "POST"])
@login_required
def templates():
    authorize(current_user, "workspace.view")
    form = TemplateForm()
    form.set_choices(waiting.departments_of(current_user), list(TemplatePurpose))
    done, status = submit(form, lambda: replies.create_template(
        current_user, **form.service_data()))
    if done is None:
        return _templates_page(status=status, form=form if form.is_submitted() else None)
    flash(_("The reply template is saved."), "success")
    return redirect(url_for(".templates"), code=303)


@bp.route("/manage/templates/<int:template_id>", methods=["GET", "POST"])
@login_required
def edit_template(template_id: int):
    row = replies.get_template(current_user, template_id)
    form = TemplateForm(data={"title": row.title, "body": row.body} if request.method == "GET"
                        else None)
    done, status = submit(form, lambda: replies.update_template(
        current_user, template_id, title=form.title.data, body=form.body.data))
    if done is not None:
        flash(_("The reply template is saved."), "success")
        return redirect(url_for(".templates"), code=303)
    return render("workspace/template_edit.html", status=status, form=form, row=row)


@bp.post("/manage/templates/<int:template_id>/delete")
@login_required
def delete_template(template_id: int):
    form = EmptyForm()
    done, status = submit(form, lambda: replies.delete_template(current_user, template_id)
                          or True)
    if done is None:
        abort(status)
    flash(_("The reply template is deleted."), "success")
    return redirect(url_for(".templates"), code=303)
