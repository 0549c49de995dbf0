"""Follow buttons and the /me/notifications pages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.notifications import services
from consult.notifications.forms import EmptyForm, FollowForm, PreferencesForm
from consult.notifications.models import KIND_LABELS
from consult.security.redirects import safe_target
from consult.web import page_number, render, respond, submit

bp = Blueprint("notifications", __name__, template_folder="templates")


# ---------------------------------------------------------------- follow / unfollow

def _consultation_path(consultation_id: int) -> str:
    return f"/consultations/{consultation_id}"


def _follow_action(consultation_id: int, *, following: bool):
    back = _consultation_path(consultation_id)
    if not current_user.is_authenticated:
        login = url_for("accounts.login", next=back)
        flash(_("Log in to follow this consultation."), "info")
        if request.headers.get("HX-Request"):
            response = make_response("", 204)
            response.headers["HX-Redirect"] = login
            return response
        return redirect(login, code=303)
    consultation = services.get_followable(current_user, consultation_id)
    form = FollowForm()
    _result, status = submit(form, lambda: (services.follow if following else services.unfollow)(
        current_user, consultation))
    if status != 200:
        abort(status)
    if not request.headers.get("HX-Request"):
        flash(_("You follow this consultation now. We will tell you when something happens.")
              if following else _("You no longer follow this consultation."), "success")
    return respond(redirect_to=safe_target(form.next.data, back),
                   partial="notifications/_follow_button.html", consultation=consultation,
                   following=following,
                   next_path=safe_target(form.next.data, back), announce=True)


@bp.post("/consultations/<int:consultation_id>/follow")
def follow(consultation_id: int):
    return _follow_action(consultation_id, following=True)


@bp.post("/consultations/<int:consultation_id>/unfollow")
def unfollow(consultation_id: int):
    return _follow_action(consultation_id, following=False)


# ---------------------------------------------------------------- /me/notifications

def _list_context(prefs_form: PreferencesForm | None = None):
    page = services.list_notifications(current_user, page=page_number())
    if prefs_form is None:
        chosen = services.email_preferences(current_user)
        prefs_form = PreferencesForm(formdata=None, data={
            "email_kinds": [k.value for k, on in chosen.items() if on],
            "delivery": services.delivery_of(current_user).value})
    return {"page": page, "prefs_form": prefs_form, "action_form": EmptyForm(),
            "KIND_LABELS": KIND_LABELS}


@bp.get("/me/notifications")
@login_required
def index():
    return render("notifications/index.html", "notifications/_list.html", **_list_context())


@bp.post("/me/notifications/<int:notification_id>/open")
@login_required
def open_notification(notification_id: int):
    notification = services.get_notification(current_user, notification_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        return render("notifications/index.html", status=400, **_list_context())
    result, status = submit(form, lambda: services.mark_read(current_user, notification))
    return redirect(safe_target(notification.link, url_for(".index")), code=303)


@bp.post("/me/notifications/read-all")
@login_required
def read_all():
    form = EmptyForm()
    _result, status = submit(form, lambda: services.mark_all_read(current_user))
    if status == 200 and form.is_submitted():
        return respond(redirect_to=url_for(".index"), partial="notifications/_list.html",
                       announce=_("All notifications are marked as read."), oob_nav=True,
                       **_list_context())
    return render("notifications/index.html", "notifications/_list.html", status=400,
                  **_list_context())


@bp.post("/me/notifications/settings")
@login_required
def settings():
    form = PreferencesForm()
    def save():
        saved = services.set_email_preferences(current_user,
                                               email_kinds=form.email_kinds.data or [])
        if form.delivery.data:  # absent: keep the current choice
            services.set_delivery(current_user, delivery=form.delivery.data)
        return saved

    saved, status = submit(form, save)
    if saved is not None:
        flash(_("Your e-mail choices are saved."), "success")
        return redirect(url_for(".index") + "#settings", code=303)
    return render("notifications/index.html", status=status, **_list_context(form))
