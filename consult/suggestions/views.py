"""Suggestion pages: /suggestions/* (public, citizens) and /manage/suggestions* (officials,
admins). Thin: services hold the rules; one transaction per user action."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from consult.db import atomic
from consult.errors import ValidationFailed
from consult.i18n import current_locale
from consult.security.params import enum_arg, text_arg
from consult.security.permissions import authorize
from consult.security.redirects import safe_target
from consult.suggestions import deadlines, services
from consult.suggestions.forms import (
    AnswerForm,
    BulkAnswerForm,
    CommentForm,
    EmptyForm,
    PolicyForm,
    RateForm,
    RouteForm,
    SuggestionForm,
)
from consult.suggestions.models import ANSWER_LABELS, AnswerStatus
from consult.suggestions.services import bulk
from consult.web import (
    CONFIRM_FIELD,
    confirmed,
    page_number,
    render,
    render_confirmation,
    respond,
    submit,
    wants_fragment,
)
from consult.workspace.models import OpinionKind, TemplatePurpose
from consult.workspace.services import assignments, replies

bp = Blueprint("suggestions", __name__, template_folder="templates")


# ---------------------------------------------------------------- public pages

def _filters() -> dict:
    args = request.args
    sort = args.get("sort", "support")
    return {
        "department": text_arg("department", limit=60),
        "status": text_arg("status", limit=20),
        "tag": text_arg("tag", limit=40),
        "overdue": args.get("overdue", "") in ("1", "on", "true"),
        "sort": sort if sort in services.SORTS else "support",
    }


@bp.get("/suggestions/")
def index():
    filters = _filters()
    page = services.list_suggestions(page=page_number(), **filters)
    departments, tags = ([], []) if wants_fragment() else services.filter_choices()
    return render("suggestions/index.html", "suggestions/_results.html", page=page,
                  filters=filters, departments=departments, tags=tags,
                  statuses=list(AnswerStatus))


@bp.get("/suggestions/similar")
def similar():
    title = text_arg("title", limit=200)
    return render("suggestions/similar.html", "suggestions/_similar.html",
                  similar=services.similar_suggestions(title), title=title, checked=True)


@bp.route("/suggestions/new", methods=["GET", "POST"])
@login_required
def new():
    services.require_submitter(current_user)
    form = SuggestionForm()
    form.set_departments(services.active_departments(), current_locale())
    if request.method == "GET" and request.args.get("department"):
        form.department_id.data = request.args["department"][:10]
    similar, checked = [], False
    if request.method == "POST" and "check" in request.form:
        # Without JavaScript: "check for similar suggestions" re-shows the form.
        similar, checked = services.similar_suggestions(form.title.data or ""), True
        return render("suggestions/new.html", form=form, similar=similar, checked=checked)
    suggestion, status = submit(form, lambda: services.submit_suggestion(
        current_user, **form.service_data()))
    if suggestion is not None:
        if suggestion.is_visible:
            flash(_("Thank you. Your suggestion is published and the department has been "
                    "told."), "success")
        else:  # a sensitive word held it (consult.moderation)
            flash(_("Thank you. Your suggestion is awaiting review: a moderator looks at it "
                    "before it is published and sent to the department."), "success")
        return redirect(url_for(".detail", suggestion_id=suggestion.id), code=303)
    if status != 200 and form.title.data:
        similar, checked = services.similar_suggestions(form.title.data), True
    return render("suggestions/new.html", form=form, similar=similar, checked=checked,
                  status=status)


def _detail_page(suggestion, *, status: int = 200, comment_form=None, rate_form=None,
                 partial: str | None = None):
    detail = services.suggestion_detail(current_user, suggestion, comment_page=page_number())
    rate_form = rate_form or RateForm(formdata=None, data={
        "rating": detail.rating.rating.value if detail.rating else None})
    return render("suggestions/detail.html", partial, status=status, s=suggestion,
                  detail=detail, comment_form=comment_form or CommentForm(formdata=None),
                  rate_form=rate_form, support_form=EmptyForm(formdata=None))


@bp.get("/suggestions/<int:suggestion_id>")
def detail(suggestion_id: int):
    return _detail_page(services.get_suggestion(current_user, suggestion_id))


@bp.post("/suggestions/<int:suggestion_id>/support")
@login_required
def support(suggestion_id: int):
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    suggestion = services.get_suggestion(current_user, suggestion_id)
    with atomic():
        supported = services.toggle_support(current_user, suggestion)
    return respond(redirect_to=url_for(".detail", suggestion_id=suggestion_id) + "#support",
                   partial="suggestions/_support.html", s=suggestion, supported=supported,
                   support_form=form, announce=True)


@bp.post("/suggestions/<int:suggestion_id>/comments")
@login_required
def comment(suggestion_id: int):
    suggestion = services.get_suggestion(current_user, suggestion_id)
    form = CommentForm()
    result, status = submit(form, lambda: services.add_comment(
        current_user, suggestion, **form.service_data()))
    if result is not None:
        if wants_fragment():
            return _detail_page(suggestion, partial="suggestions/_comments.html")
        return redirect(url_for(".detail", suggestion_id=suggestion_id)
                        + f"#comment-{result.id}", code=303)
    return _detail_page(suggestion, status=status, comment_form=form,
                        partial="suggestions/_comments.html")


@bp.post("/suggestions/<int:suggestion_id>/rating")
@login_required
def rate(suggestion_id: int):
    suggestion = services.get_suggestion(current_user, suggestion_id)
    form = RateForm()
    result, status = submit(form, lambda: services.rate_answer(
        current_user, suggestion, **form.service_data()))
    if result is not None:
        flash(_("Thank you for rating the answer."), "success")
        return redirect(url_for(".detail", suggestion_id=suggestion_id) + "#rating", code=303)
    return _detail_page(suggestion, status=status, rate_form=form)


# ---------------------------------------------------------------- officials and admins

@bp.get("/manage/suggestions")
@login_required
def manage():
    return _manage_page()


def _manage_page(*, status: int = 200, route_errors: dict | None = None,
                 route_forms: dict | None = None, many: BulkAnswerForm | None = None):
    authorize(current_user, "suggestion.manage")
    who = enum_arg("who", assignments.WHO_CHOICES, assignments.WHO_ALL)
    queue = services.open_for_official(current_user, page=page_number(),
                                       **assignments.who_filter(current_user,
                                                                OpinionKind.SUGGESTION, who))
    routing = None
    departments = []
    if current_user.has_role("admin"):
        routing = services.unrouted(current_user, page=page_number())
        departments = services.active_departments()
    reply_templates = []
    if current_user.official_department_ids and (queue.items or many is not None):
        # answer several at once
        if many is None:
            many = BulkAnswerForm(formdata=None, prefix="many")
            if request.args.get("template"):  # a reply template inserted without JavaScript
                many.body.data = replies.own_template(
                    current_user, TemplatePurpose.SUGGESTION, request.args["template"])
        _bulk_choices(many)
        reply_templates = replies.templates_of_purpose(current_user,
                                                       TemplatePurpose.SUGGESTION)
    return render("suggestions/manage.html", status=status, queue=queue, routing=routing,
                  who=who, many=many, picked=set(many.ids.data or []) if many else set(),
                  back=safe_target(request.form.get("next"), url_for(".manage"))
                  if request.method == "POST" else request.full_path.rstrip("?"),
                  reply_templates=reply_templates,
                  departments=departments, route_errors=route_errors or {},
                  route_form=RouteForm(formdata=None))


def _bulk_choices(form: BulkAnswerForm) -> None:
    form.consultation_id.choices = [("", _("Choose…"))] + [
        (str(c.id), c.title + ("" if c.published_at else " " + _("(not published yet)")))
        for c in bulk.consultation_choices(current_user)]


@bp.post("/manage/suggestions/answer-many")
@login_required
def answer_many():
    """One answer for several suggestions of one department: the first post shows what
    the public will see and asks for confirmation; the confirmation (signed, for exactly
    these suggestions as they are and this answer) publishes every answer in one
    transaction. Bad input re-shows the list with the message beside the selection or
    the field (422); a replayed confirmation is a 409; nothing is half-saved."""
    authorize(current_user, "suggestion.answer_many")
    form = BulkAnswerForm(prefix="many")
    back = safe_target(request.form.get("next"), url_for(".manage"))
    if not form.validate_on_submit():
        return _manage_page(status=422, many=form)
    try:
        with atomic():
            rows = bulk.load_selection(current_user, form.ids.data)  # 403 / 422
            if not request.form.get(CONFIRM_FIELD):  # the preview: the selection first
                bulk.check_selection(rows)
            answer, text, linked = bulk.check_answer(
                rows, status=form.status.data, body=form.body.data,
                consultation_id=form.consultation_id.data)
            state = bulk.confirmation_state(rows, answer, text, linked)
            done = None
            if confirmed(bulk.PURPOSE, state):  # a replayed confirmation: 409
                done = bulk.answer_suggestions(current_user, rows, answer, text, linked)
    except ValidationFailed as exc:
        form.add_service_error(exc)
        return _manage_page(status=exc.status, many=form)
    if done is None:
        return render_confirmation(
            purpose=bulk.PURPOSE, state=state, title=_("Check the answers before you "
                                                        "publish them"),
            action_label=ngettext("publish %(num)d answer", "publish %(num)d answers",
                                  len(rows)),
            action_url=url_for(".answer_many"), back=back,
            preview="suggestions/_answer_many_preview.html", suggestions=rows,
            answer_label=ANSWER_LABELS[answer], text=text, linked=linked,
            fields=[("next", back), *(("many-ids", str(s.id)) for s in rows),
                    ("many-status", answer.value), ("many-body", text),
                    ("many-consultation_id", str(linked.id if linked else ""))])
    flash(ngettext("%(num)d answer published. Each author and supporter is notified.",
                   "%(num)d answers published. Each author and supporter is notified.",
                   len(done)), "success")
    return redirect(back, code=303)


@bp.post("/manage/suggestions/<int:suggestion_id>/route")
@login_required
def route(suggestion_id: int):
    suggestion = services.get_suggestion(current_user, suggestion_id)
    authorize(current_user, "suggestion.route", suggestion)
    form = RouteForm()
    result, status = submit(form, lambda: services.route_suggestion(
        current_user, suggestion, **form.service_data()))
    if result is not None:
        flash(_("The suggestion was sent to the department. Its reply deadline starts now."),
              "success")
        return redirect(url_for(".manage"), code=303)
    errors = [m for _f, _l, m in form.all_errors] or [_("Choose a department.")]
    return _manage_page(status=status, route_errors={suggestion_id: errors})


@bp.route("/manage/suggestions/<int:suggestion_id>/answer", methods=["GET", "POST"])
@login_required
def answer(suggestion_id: int):
    suggestion = services.get_suggestion(current_user, suggestion_id)
    authorize(current_user, "suggestion.answer", suggestion)
    form = AnswerForm()
    form.consultation_id.choices = [("", _("Choose…"))] + [
        (str(c.id), f"{c.title}" + ("" if c.published_at else " " + _("(not published yet)")))
        for c in services.answer_consultations(suggestion)]
    form.to_department_id.choices = [("", _("Choose…"))] + [
        (str(d.id), d.display_name(current_locale())) for d in services.active_departments()
        if d.id != suggestion.department_id]
    if request.method == "GET":
        form.status.data = suggestion.answer_status.value if suggestion.is_answered else None
        form.consultation_id.data = str(suggestion.consultation_id or "")
        if request.args.get("template"):  # a reply template, to edit before sending
            form.body.data = replies.template_for(
                suggestion.department_id, TemplatePurpose.SUGGESTION, request.args["template"])
    event, status = submit(form, lambda: services.answer_suggestion(
        current_user, suggestion, **form.service_data()))
    if event is not None:
        flash(_("Your answer is published. The author and supporters are notified."),
              "success")
        return redirect(url_for(".detail", suggestion_id=suggestion_id)
                        + f"#answer-{event.id}", code=303)
    return render("suggestions/answer.html", s=suggestion, form=form, status=status,
                  reply_templates=replies.templates_for(suggestion.department_id,
                                                        TemplatePurpose.SUGGESTION))


@bp.route("/manage/suggestions/deadlines", methods=["GET", "POST"])
@login_required
def deadlines_page():
    departments = services.managed_departments(current_user)
    forms = {d.id: PolicyForm(formdata=None, prefix=f"d{d.id}") for d in departments}
    status = 200
    if request.method == "POST":
        dept_id = request.form.get("department", type=int)
        dept = next((d for d in departments if d.id == dept_id), None)
        if dept is None:
            abort(404)
        form = forms[dept.id] = PolicyForm(prefix=f"d{dept.id}")
        result, status = submit(form, lambda: services.set_reply_days(
            current_user, dept, **form.service_data()))
        if result is not None:
            flash(_("The reply deadline of %(name)s is now %(days)d working days.",
                    name=dept.name, days=result.reply_days), "success")
            return redirect(url_for(".deadlines_page"), code=303)
    days = services.policies(departments)
    for dept_id, form in forms.items():
        if form.reply_days.data is None:
            form.reply_days.data = days[dept_id]
    return render("suggestions/deadlines.html", departments=departments, forms=forms,
                  days=days, default_days=deadlines.default_reply_days(), status=status)

