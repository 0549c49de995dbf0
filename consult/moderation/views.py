"""Moderation pages: the queue, an item's case, flags, appeals, suspensions, words."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.db import atomic
from consult.moderation import services
from consult.moderation.forms import (
    AppealForm,
    DecideAppealForm,
    EmptyForm,
    FlagForm,
    ReasonForm,
    SuspendForm,
    TermForm,
)
from consult.moderation.models import REASON_LABELS, FlagReason, ItemKind
from consult.security.permissions import authorize
from consult.security.redirects import safe_target
from consult.web import page_number, render, respond, submit

bp = Blueprint("moderation", __name__, url_prefix="/moderation", template_folder="templates")

KINDS = "<kind>"  # an ItemKind (comment, question, answer, suggestion, suggestion_comment);
# anything else is a 404 (kind_of)


def _ctx(**ctx):
    return dict(ItemKind=ItemKind, FlagReason=FlagReason, REASON_LABELS=REASON_LABELS, **ctx)


@bp.get("/")
@login_required
def queue():
    q = services.moderation_queue(current_user, kind=request.args.get("kind", ""),
                                  reason=request.args.get("reason", ""),
                                  show=request.args.get("show", "all"), page=page_number())
    return render("moderation/queue.html", "moderation/_queue.html", **_ctx(queue=q))


# ---------------------------------------------------------------- flags (everyone)

@bp.route(f"/{KINDS}/<int:item_id>/flag", methods=["GET", "POST"])
@login_required
def flag(kind: str, item_id: int):
    item = services.get_item(current_user, kind, item_id)
    form = FlagForm()
    back = safe_target(request.values.get("next"), services.link_to(item))
    result, status = submit(form, lambda: services.flag_item(current_user, item,
                                                             **form.service_data()))
    if result is not None:
        flash(_("Flagged, thank you. A moderator will look at it."), "success")
        return respond(redirect_to=back, partial="moderation/_flag_done.html",
                       **_ctx(kind=kind, item=item, already=False))
    if status == 409 and form.is_submitted():
        return render("moderation/flag.html", "moderation/_flag_done.html", status=409,
                      **_ctx(kind=kind, item=item, form=form, back=back, already=True))
    return render("moderation/flag.html", "moderation/_flag_form.html", status=status,
                  **_ctx(kind=kind, item=item, form=form, back=back, already=False))


# ---------------------------------------------------------------- one item (moderators)

def _item_page(kind, item, *, status=200, **forms):
    case, flags = services.case_detail(current_user, item)
    ctx = dict(hide_form=ReasonForm(), decide_form=DecideAppealForm(),
               reject_form=ReasonForm(), action_form=EmptyForm())
    ctx.update(forms)
    return render("moderation/item.html", status=status,
                  **_ctx(kind=kind, item=item, case=case, flags=flags,
                         link=services.link_to(item), **ctx))


@bp.get(f"/{KINDS}/<int:item_id>")
@login_required
def item(kind: str, item_id: int):
    authorize(current_user, "moderation.review")
    return _item_page(kind, services.get_item(current_user, kind, item_id))


def _decide(kind, item_id, action, form, form_name, message):
    authorize(current_user, "moderation.review")
    item_ = services.get_item(current_user, kind, item_id)
    result, status = submit(form, lambda: action(item_, form))
    if result is not None:
        flash(message, "success")
        return redirect(safe_target(request.form.get("next"), url_for(".queue")), code=303)
    return _item_page(kind, item_, status=status, **{form_name: form})


@bp.post(f"/{KINDS}/<int:item_id>/hide")
@login_required
def hide(kind: str, item_id: int):
    return _decide(kind, item_id,
                   lambda i, f: services.hide_item(current_user, i, reason=f.reason.data),
                   ReasonForm(), "hide_form", _("Hidden. The author is notified."))


@bp.post(f"/{KINDS}/<int:item_id>/reject")
@login_required
def reject(kind: str, item_id: int):
    return _decide(kind, item_id,
                   lambda i, f: services.reject_item(current_user, i, reason=f.reason.data),
                   ReasonForm(), "reject_form",
                   _("Not published. The author is notified."))


@bp.post(f"/{KINDS}/<int:item_id>/restore")
@login_required
def restore(kind: str, item_id: int):
    return _decide(kind, item_id, lambda i, f: services.restore_item(current_user, i),
                   EmptyForm(), "action_form", _("Restored: it is public again."))


@bp.post(f"/{KINDS}/<int:item_id>/approve")
@login_required
def approve(kind: str, item_id: int):
    return _decide(kind, item_id, lambda i, f: services.approve_item(current_user, i),
                   EmptyForm(), "action_form", _("Approved: it is published."))


@bp.post(f"/{KINDS}/<int:item_id>/dismiss")
@login_required
def dismiss(kind: str, item_id: int):
    return _decide(kind, item_id, lambda i, f: services.dismiss_flags(current_user, i),
                   EmptyForm(), "action_form", _("Flags dismissed; the post stays as it is."))


@bp.post(f"/{KINDS}/<int:item_id>/decide-appeal")
@login_required
def decide_appeal(kind: str, item_id: int):
    return _decide(kind, item_id,
                   lambda i, f: services.decide_appeal(current_user, i, outcome=f.outcome.data,
                                                       reason=f.reason.data),
                   DecideAppealForm(), "decide_form",
                   _("Appeal decided. The author is notified."))


# ---------------------------------------------------------------- appeals (authors)

@bp.route(f"/{KINDS}/<int:item_id>/appeal", methods=["GET", "POST"])
@login_required
def appeal(kind: str, item_id: int):
    item_ = services.get_item(current_user, kind, item_id)
    authorize(current_user, "moderation.appeal", item_)
    case = services.case_of(item_)
    form = AppealForm()
    result, status = submit(form, lambda: services.appeal_item(current_user, item_,
                                                               text=form.text.data))
    if result is not None:
        flash(_("Your appeal is sent. A moderator will decide and tell you."), "success")
        return redirect(services.link_to(item_), code=303)
    return render("moderation/appeal.html", status=status,
                  **_ctx(kind=kind, item=item_, form=form, case=case,
                         link=services.link_to(item_)))


# ---------------------------------------------------------------- suspensions

@bp.get("/users/")
@login_required
def suspensions():
    page = services.suspended_users(current_user, page=page_number())
    return render("moderation/suspensions.html", **_ctx(page=page))


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def user(user_id: int):
    target = services.get_user(current_user, user_id)
    form = SuspendForm()
    if form.is_submitted():
        authorize(current_user, "moderation.suspend", target)
    result, status = submit(form, lambda: services.suspend_user(
        current_user, target, days=form.days.data, reason=form.reason.data))
    if result is not None:
        flash(_("%(name)s is suspended.", name=target.display_name), "success")
        return redirect(url_for(".user", user_id=target.id), code=303)
    return render("moderation/user.html", status=status,
                  **_ctx(target=target, form=form, lift_form=EmptyForm()))


@bp.post("/users/<int:user_id>/lift")
@login_required
def lift(user_id: int):
    target = services.get_user(current_user, user_id)
    form = EmptyForm()
    result, status = submit(form, lambda: services.lift_suspension(current_user, target))
    if result is not None:
        flash(_("The suspension of %(name)s is lifted.", name=target.display_name), "success")
        return redirect(url_for(".user", user_id=target.id), code=303)
    return render("moderation/user.html", status=status,
                  **_ctx(target=target, form=SuspendForm(formdata=None), lift_form=form))


# ---------------------------------------------------------------- sensitive words

@bp.route("/words", methods=["GET", "POST"])
@login_required
def words():
    authorize(current_user, "moderation.words")
    form = TermForm()
    result, status = submit(form, lambda: services.add_term(
        current_user, pattern=form.pattern.data, is_pattern=form.is_pattern.data))
    if result is not None:
        flash(_("Added to the list: posts that match are held for review."), "success")
        return redirect(url_for(".words"), code=303)
    return render("moderation/words.html", status=status,
                  **_ctx(terms=services.list_terms(current_user), form=form,
                         delete_form=EmptyForm()))


@bp.post("/words/<int:term_id>/delete")
@login_required
def delete_word(term_id: int):
    authorize(current_user, "moderation.words")
    form = EmptyForm()
    if form.validate_on_submit():
        with atomic():
            services.delete_term(current_user, term_id)
        flash(_("Removed from the list."), "success")
    return redirect(url_for(".words"), code=303)

