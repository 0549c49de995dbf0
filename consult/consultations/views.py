"""Consultation pages: the public list, a consultation, its versions and diffs, department
records; and the officials' authoring pages under /manage/consultations/."""

from __future__ import annotations

import hashlib
import json

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from consult import pagecache
from consult.consultations import services
from consult.consultations.forms import (
    ClauseForm,
    ConsultationForm,
    EmptyForm,
    ImportForm,
    PublishVersionForm,
)
from consult.db import atomic
from consult.errors import ServiceError
from consult.notifications.services import is_following
from consult.participation.services import clause_comment_counts
from consult.rectification.services import department_figures
from consult.responses.services import department_accountability
from consult.rounds import lifecycle, listing
from consult.rounds.services import rounds_of
from consult.security.params import int_arg, text_arg
from consult.security.permissions import authorize
from consult.statutory.attachments import list_attachments
from consult.suggestions.services import (
    department_suggestion_record,
    suggestions_answered_by,
)
from consult.web import (
    confirmation_token,
    confirmed,
    page_number,
    render,
    render_confirmation,
    respond,
    submit,
    wants_fragment,
)

bp = Blueprint("consultations", __name__, template_folder="templates")


# ---------------------------------------------------------------- public pages

@bp.get("/consultations/")
def index():
    args = request.args
    filters = {
        "q": text_arg("q", limit=100),
        "department": text_arg("department", limit=60),
        "tag": text_arg("tag", limit=40),
        "state": args.get("state", "") if args.get("state") in listing.STATE_FILTERS else "",
        "sort": args.get("sort", "") if args.get("sort") in listing.SORTS else "newest",
    }
    page = listing.search_consultations(page=page_number(), **filters)
    departments, tags = ([], []) if wants_fragment() else services.filter_choices()
    return render("consultations/index.html", "consultations/_results.html", page=page,
                  filters=filters, departments=departments, tags=tags,
                  terms=services.search_terms(filters["q"]))


@bp.get("/consultations/<int:consultation_id>")
def detail(consultation_id: int):
    consultation = services.get_public_consultation(current_user, consultation_id)
    latest = consultation.versions[-1] if consultation.versions else None
    rounds = lifecycle.with_states(consultation.rounds)
    # The draft's margin counts the comments of the round open on this very text (one
    # GROUP BY); comments on an older version's clauses would not match these clauses.
    comments_round = next((r for r, state, _overdue in rounds if str(state) == "open"
                           and latest is not None and r.version_id == latest.id), None)
    def draft() -> str:
        return render_template(
            "consultations/_draft.html", consultation=consultation, version=latest,
            clauses=services.version_clauses(latest), comments_round=comments_round,
            comment_counts=clause_comment_counts(comments_round) if comments_round else None)

    # The draft is the same for every reader: a published version never changes, and its
    # margin's counts change with the comments round's content version (kept in one place
    # whatever that version: see pagecache.fragment).
    draft_html = pagecache.fragment(
        "consultation-draft",
        (consultation.id, latest.id if latest else None,
         latest.published_at.timestamp() if latest else None,
         *(pagecache.round_place(comments_round) if comments_round else ())), draft,
        version=comments_round.content_version if comments_round else None)
    return render("consultations/detail.html", consultation=consultation, version=latest,
                  rounds=rounds, draft=Markup(draft_html),  # nosec B704 - rendered by Jinja
                  origin_suggestions=suggestions_answered_by(consultation.id),
                  following=is_following(current_user, consultation.id),
                  attachments=list_attachments(consultation.id))


@bp.get("/consultations/<int:consultation_id>/versions/<int:number>")
def version(consultation_id: int, number: int):
    consultation = services.get_public_consultation(current_user, consultation_id)
    draft = services.get_version(consultation, number)
    return render("consultations/version.html", consultation=consultation, version=draft,
                  clauses=services.version_clauses(draft))


def _int_arg(name: str, default: int) -> int:
    return int_arg(name, default=default, high=999_999) or default


@bp.get("/consultations/<int:consultation_id>/diff")
def diff(consultation_id: int):
    consultation = services.get_public_consultation(current_user, consultation_id)
    latest = consultation.latest_version_number if consultation.versions else 0
    numbers = [v.number for v in consultation.versions]
    to_n = _int_arg("to", latest)
    from_n = _int_arg("from", max(1, to_n - 1))
    result = None
    if len(numbers) >= 2:
        result = services.compare(consultation, from_n, to_n)
    only_changes = request.args.get("show") == "changes"
    rows = result.rows if result else []
    if only_changes:
        rows = [r for r in rows if r.status != "unchanged" or r.moved or r.regrouped]
    return render("consultations/diff.html", consultation=consultation, diff=result,
                  rows=rows, only_changes=only_changes,
                  from_version=services.get_version(consultation, from_n) if result else None,
                  to_version=services.get_version(consultation, to_n) if result else None,
                  numbers=numbers)


@bp.get("/departments/<slug>")
def department(slug: str):
    dept = services.get_department(slug)
    page = listing.search_consultations(department=dept.slug, page=page_number())
    return render("consultations/department.html", department=dept, page=page,
                  record=listing.department_record(dept),
                  srec=department_suggestion_record(dept.id),
                  acc=department_accountability(dept.id),
                  rectification_figures=department_figures(dept.id),
                  rectification_department=dept.slug)


# ---------------------------------------------------------------- officials

@bp.get("/manage/consultations/")
@login_required
def manage_index():
    page = services.list_managed(current_user, page=page_number())
    return render("consultations/manage/index.html", page=page)


def _department_choices(form: ConsultationForm, consultation=None) -> None:
    departments = services.managed_departments(current_user)
    form.department_id.choices = [(d.id, d.name) for d in departments]
    if consultation is not None and consultation.department_id not in {
            d.id for d in departments}:
        form.department_id.choices.insert(0, (consultation.department_id,
                                              consultation.department.name))


@bp.route("/manage/consultations/new", methods=["GET", "POST"])
@login_required
def manage_new():
    authorize(current_user, "consultation.create")
    form = ConsultationForm()
    _department_choices(form)
    consultation, status = submit(form, lambda: services.create_consultation(
        current_user, **form.service_data()))
    if consultation is not None:
        flash(_("Consultation created. Now write the draft: add its clauses."), "success")
        return redirect(url_for(".manage_draft", consultation_id=consultation.id), code=303)
    return render("consultations/manage/form.html", form=form, consultation=None,
                  status=status)


@bp.route("/manage/consultations/<int:consultation_id>/edit", methods=["GET", "POST"])
@login_required
def manage_edit(consultation_id: int):
    consultation = services.get_for_manage(current_user, consultation_id)
    form = ConsultationForm(obj=consultation)
    if request.method == "GET":
        form.tags.data = _(", ").join(t.name for t in consultation.tags)
    _department_choices(form, consultation)
    result, status = submit(form, lambda: services.update_consultation(
        current_user, consultation, **form.service_data()))
    if result is not None:
        flash(_("Changes saved."), "success")
        return redirect(url_for(".manage_detail", consultation_id=consultation_id), code=303)
    if status != 200:
        consultation = services.get_for_manage(current_user, consultation_id)
    return render("consultations/manage/form.html", form=form, consultation=consultation,
                  status=status)


@bp.get("/manage/consultations/<int:consultation_id>")
@login_required
def manage_detail(consultation_id: int):
    consultation = services.get_for_manage(current_user, consultation_id)
    versions = services.versions_of(current_user, consultation)
    return render("consultations/manage/detail.html", consultation=consultation,
                  versions=versions, publish_form=EmptyForm(),
                  managed_rounds=rounds_of(consultation.id),
                  confirm_token=confirmation_token(PUBLISH_CONSULTATION,
                                                   _publish_state(consultation)))


PUBLISH_CONSULTATION = "consultation.publish"
PUBLISH_VERSION = "consultation.version.publish"


def _version_state(consultation, working=None) -> dict:
    """The version the preview showed: its number and a digest of the working copy (a
    change after the preview, or a replay once published, is a 409)."""
    if working is None:
        working = services.working_copy(current_user, consultation)
    digest = hashlib.sha256(json.dumps(
        [[c.number, c.heading, c.body] for c in working], ensure_ascii=False).encode()
    ).hexdigest()
    return {"id": consultation.id, "number": consultation.latest_version_number + 1,
            "text": digest}


def _publish_state(consultation) -> dict:
    return {"id": consultation.id, "published": consultation.published_at is not None}


@bp.post("/manage/consultations/<int:consultation_id>/publish")
@login_required
def manage_publish(consultation_id: int):
    consultation = services.get_for_manage(current_user, consultation_id)
    form = EmptyForm()
    asked = request.form.get("confirm") or consultation.published_at is None
    if asked and form.validate_on_submit() and not confirmed(
            PUBLISH_CONSULTATION, _publish_state(consultation)):
        return render_confirmation(
            purpose=PUBLISH_CONSULTATION, state=_publish_state(consultation),
            title=_("Publish the consultation"), action_label=_("Publish consultation"),
            action_url=url_for(".manage_publish", consultation_id=consultation_id),
            back=url_for(".manage_detail", consultation_id=consultation_id),
            preview="consultations/manage/_publish_preview.html", consultation=consultation)
    result, status = submit(form, lambda: services.publish_consultation(
        current_user, consultation))
    if result is not None:
        flash(_("The consultation is published and visible to everyone."), "success")
    else:
        for _field, _label, message in form.all_errors:
            flash(message, "error")
    return redirect(url_for(".manage_detail", consultation_id=consultation_id), code=303)


def _draft_page(consultation_id: int, *, status: int = 200, clause_form=None,
                import_form=None, publish_form=None):
    # Loaded afresh: a refused action rolled back and expired what the view held.
    consultation = services.get_for_manage(current_user, consultation_id)
    working = services.working_copy(current_user, consultation)
    changes = services.pending_changes(current_user, consultation, working)
    if clause_form is None:
        # A clause added at the end continues the last one's chapter and section.
        last = working[-1] if working else None
        clause_form = ClauseForm(formdata=None, number=services.suggest_number(working),
                                 chapter=last.chapter if last else "",
                                 section=last.section if last else "")
    return render("consultations/manage/draft.html", consultation=consultation,
                  working=working, changes=changes, limit=services.MAX_CLAUSES,
                  clause_form=clause_form or ClauseForm(formdata=None),
                  import_form=import_form or ImportForm(formdata=None),
                  publish_form=publish_form or PublishVersionForm(formdata=None),
                  row_form=EmptyForm(formdata=None), status=status,
                  confirm_token=confirmation_token(PUBLISH_VERSION,
                                                   _version_state(consultation, working)))


@bp.get("/manage/consultations/<int:consultation_id>/draft")
@login_required
def manage_draft(consultation_id: int):
    return _draft_page(consultation_id)


@bp.post("/manage/consultations/<int:consultation_id>/draft/clauses")
@login_required
def manage_add_clause(consultation_id: int):
    consultation = services.get_for_manage(current_user, consultation_id)
    form = ClauseForm()
    clause, status = submit(form, lambda: services.add_clause(
        current_user, consultation, **form.service_data()))
    if clause is None:
        return _draft_page(consultation_id, status=status, clause_form=form)
    flash(_("Clause %(number)s added.", number=clause.number), "success")
    return redirect(url_for(".manage_draft", consultation_id=consultation_id)
                    + f"#wc-{clause.id}", code=303)


@bp.post("/manage/consultations/<int:consultation_id>/draft/import")
@login_required
def manage_import(consultation_id: int):
    consultation = services.get_for_manage(current_user, consultation_id)
    form = ImportForm()
    added, status = submit(form, lambda: services.import_clauses(
        current_user, consultation, text=form.text.data))
    if added is None:
        return _draft_page(consultation_id, status=status, import_form=form)
    flash(_("%(n)d clauses added to the working copy.", n=len(added)), "success")
    return redirect(url_for(".manage_draft", consultation_id=consultation_id), code=303)


@bp.route("/manage/consultations/<int:consultation_id>/draft/clauses/<int:clause_id>",
          methods=["GET", "POST"])
@login_required
def manage_edit_clause(consultation_id: int, clause_id: int):
    consultation = services.get_for_manage(current_user, consultation_id)
    clause = services.get_working_clause(consultation, clause_id)
    form = ClauseForm(obj=clause)
    result, status = submit(form, lambda: services.update_clause(
        current_user, consultation, clause_id, **form.service_data()))
    if result is not None:
        flash(_("Clause %(number)s saved.", number=result.number), "success")
        return redirect(url_for(".manage_draft", consultation_id=consultation_id)
                        + f"#wc-{clause_id}", code=303)
    if status != 200:
        consultation = services.get_for_manage(current_user, consultation_id)
    return render("consultations/manage/clause.html", consultation=consultation,
                  clause=clause, form=form, status=status)


def _row_action(consultation_id: int, action, *, focus: tuple[int, str] | None = None,
                announce: str = ""):
    consultation = services.get_for_manage(current_user, consultation_id)
    form = EmptyForm()
    status = 200
    if form.validate_on_submit():
        try:
            with atomic():
                action(consultation)
        except ServiceError as exc:
            if exc.status in (403, 404):
                raise
            flash(exc.message, "error")
            status = exc.status
    else:
        status = 400
    if status != 200 and not wants_fragment():
        return redirect(url_for(".manage_draft", consultation_id=consultation_id), code=303)
    working = services.working_copy(current_user, consultation)
    return respond(redirect_to=url_for(".manage_draft", consultation_id=consultation_id),
                   partial="consultations/manage/_working_copy.html",
                   consultation=consultation, working=working, limit=services.MAX_CLAUSES,
                   row_form=EmptyForm(formdata=None), focus=focus, announce=announce)


@bp.post("/manage/consultations/<int:consultation_id>/draft/clauses/<int:clause_id>/move")
@login_required
def manage_move_clause(consultation_id: int, clause_id: int):
    direction = request.form.get("direction", "")
    return _row_action(consultation_id, lambda c: services.move_clause(
        current_user, c, clause_id, direction=direction), focus=(clause_id, direction),
        announce=_("Clause moved."))


@bp.post("/manage/consultations/<int:consultation_id>/draft/clauses/<int:clause_id>/delete")
@login_required
def manage_delete_clause(consultation_id: int, clause_id: int):
    return _row_action(consultation_id, lambda c: services.delete_clause(
        current_user, c, clause_id), announce=_("Clause deleted."))


@bp.post("/manage/consultations/<int:consultation_id>/draft/restore")
@login_required
def manage_restore(consultation_id: int):
    consultation = services.get_for_manage(current_user, consultation_id)
    form = EmptyForm()
    result, status = submit(form, lambda: services.restore_working_copy(
        current_user, consultation))
    if result is not None:
        flash(_("The working copy is back to version %(n)d.",
                n=consultation.latest_version_number), "success")
    else:
        for _field, _label, message in form.all_errors:
            flash(message, "error")
    return redirect(url_for(".manage_draft", consultation_id=consultation_id), code=303)


@bp.post("/manage/consultations/<int:consultation_id>/versions")
@login_required
def manage_publish_version(consultation_id: int):
    consultation = services.get_for_manage(current_user, consultation_id)
    form = PublishVersionForm()
    if form.validate_on_submit() and not request.form.get("confirm"):
        preview, status = submit(form, lambda: services.preview_version(
            current_user, consultation, **form.service_data()), expire=False)
        if preview is None:
            return _draft_page(consultation_id, status=status, publish_form=form)
        return render_confirmation(
            purpose=PUBLISH_VERSION, state=_version_state(consultation),
            title=_("Publish as version %(n)d", n=preview.number),
            action_label=_("Publish version %(n)d", n=preview.number),
            action_url=url_for(".manage_publish_version", consultation_id=consultation_id),
            back=url_for(".manage_draft", consultation_id=consultation_id) + "#publish",
            preview="consultations/manage/_version_preview.html", version=preview,
            consultation=consultation,
            fields=[("change_note", form.change_note.data or ""),
                    ("explanation", form.explanation.data or "")])
    if form.is_submitted() and request.form.get("confirm"):
        confirmed(PUBLISH_VERSION, _version_state(consultation))
    version, status = submit(form, lambda: services.publish_version(
        current_user, consultation, **form.service_data()))
    if version is None:
        return _draft_page(consultation_id, status=status, publish_form=form)
    flash(_("Version %(n)d is published.", n=version.number), "success")
    return redirect(url_for(".manage_detail", consultation_id=consultation_id), code=303)
